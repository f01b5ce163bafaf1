"""One money syntax at every door. The same list of amounts, as an office types them and as a
client might garble them, goes to every API operation and every web form that takes an amount;
each door gives the same answers: an accepted amount is stored as the same fen, a malformed one
is refused (422) naming the field and the rule, an amount above the documented bound
(999,999,999.99 yuan; 1e20 as a string or a JSON integer) is refused naming the bound, and a
refusal writes nothing. The API documents exactly these doors with core.money's one pattern.
Both profiles."""
from __future__ import annotations

import contextlib
import io
import uuid
from dataclasses import dataclass
from typing import Callable

import pytest
from sqlalchemy import func, select

from core.models import Decision, FundRequest, LedgerEntry, OrgUnit, Pledge, Programme, Project
from core.money import MAX_FEN, MAX_TEXT, YUAN_PATTERN, fen_to_yuan, format_yuan
from core.services import fund_requests, funding, ledger
from tests.clients import Web, login, text, url
from tests.factories import COUNCIL_DAY, IMPLEMENTATION_DAY, PDF, acting, draft_project, on_day, programme_id, \
    submitted_project, unit_id
from tests.money_factories import COUNCIL, approved_project, fund_id, leaders, money_for, record, sponsor_id

# -- the amounts -------------------------------------------------------------------------------------

# What a Chinese office types, and the fen it means. Small enough that every door's own rule
# (the room left of a request, a pledge, a budget) takes all of them in turn.
ACCEPTED = [
    ("100", 10_000), ("100.5", 10_050), ("100元", 10_000), ("100 元", 10_000), (" 100 ", 10_000),
    ("\t100\n", 10_000), ("\u3000100\u3000", 10_000), ("１００", 10_000), ("１００．５０元", 10_050),
    ("1,000", 100_000), ("１，０００", 100_000), ("0.01万", 10_000), ("0.01005万元", 10_050), ("0.1万", 100_000),
]
# Misplaced separators, more than two decimals (of yuan, after 万), capital and Chinese numerals,
# signs, exponents, NaN, stray units and characters.
MALFORMED = [
    "1,000,0", "1,0000", "100.505", "0.0100505万", "伍佰", "一百", "-100", "+100", "1e2", "NaN", "Infinity",
    "100.", ".5", "100元元", "0x64", "１００,０", "10 0", "￥100", "100块",
]
# Above the bound, however written.
TOO_LARGE = ["100000000000000000000", "1000000000", "1,000,000,000", "100000万"]
BLANK = ["", "   "]
# What only a JSON body can carry.
JSON_ACCEPTED = [(100, 10_000)]
JSON_MALFORMED = [100.0, 100.5, True, -100, [100], {"yuan": 100}]
JSON_TOO_LARGE = [10**20, 1_000_000_000]

SAYS = {"malformed": "应为以元为单位的金额", "too_large": f"不能超过{MAX_TEXT}元", "missing": "不能为空"}


# -- the doors ---------------------------------------------------------------------------------------

@dataclass
class Door:
    """One API operation or web form that takes an amount. ``setup`` builds what it acts on and
    returns a dict (``state``) with whatever ``send`` needs; ``send`` posts one amount; ``stored``
    reads the amount the door keeps (a total whose growth is the amount, unless ``replaces``)."""
    name: str
    setup: Callable
    send: Callable
    stored: Callable
    field: str = "amount"                 # the field an API refusal names
    codes: tuple = ("invalid_amount",)
    web: bool = False
    replaces: bool = False                # the door replaces what it keeps (a budget, a decision)
    json: bool = True                     # an API door with a JSON body (not a multipart form)
    blank_means: str | None = None        # a blank amount means the door's default (a key of state)
    blank_says: str | None = "missing"    # else it is refused as missing
    day: str | None = None
    api: tuple | None = None              # (method, path in the OpenAPI document, field) it documents
    after_accept: Callable | None = None


def _total(platform, stmt) -> int:
    with acting(platform, "jingan", None) as ctx:
        return int(ctx.session.scalar(stmt) or 0)


def _entries(kind: str, **where):
    stmt = select(func.sum(LedgerEntry.amount_fen)).where(LedgerEntry.kind == kind)
    for column, value in where.items():
        stmt = stmt.where(getattr(LedgerEntry, column) == value)
    return stmt


def _key() -> str:
    return uuid.uuid4().hex


def _signed_in(app, username: str) -> Web:
    w = Web(app.test_client())
    w.login(username)
    w.csrf = w.token()
    return w


def _web_post(w: Web, path: str, data: dict, **kw):
    return w.post(path, {**data, "csrf_token": w.csrf}, **kw)


# Setups, through the factories.

def _draft(platform, app, client):
    pid = draft_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园")
    return {"pid": pid}


def _approved(platform, app, client):
    return {"pid": approved_project(platform, budget=[("活动物料", "5000")])}


def _disbursed(platform, app, client):
    pid = approved_project(platform, budget=[("活动物料", "5000")])
    leaders(platform)
    with acting(platform, "jingan", "luochuan") as ctx:
        rid = fund_requests.file_request(ctx, pid, amount="5000", purpose="购买活动物料").id
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        batch = fund_requests.accept(ctx, rid).batch_id
    with acting(platform, "jingan", "fr_leader") as ctx:
        fund_requests.approve_batch(ctx, batch)
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        fund_requests.disburse(ctx, rid)
    return {"pid": pid, "rid": rid}


def _to_decide(platform, app, client):
    money_for(platform)
    count = len(ACCEPTED) + len(JSON_ACCEPTED) + len(BLANK) + 1
    pids = [submitted_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", f"微项目{i}", amount="2000")
            for i in range(count)]
    return {"pids": pids, "pid": pids[0], "requested": 200_000}


def _next_project(state):
    state["pid"] = state["pids"][state["pids"].index(state["pid"]) + 1]


def _funds(platform, app, client):
    money_for(platform)
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        programme = ctx.session.get(Programme, programme_id(platform))
        applicant = ctx.session.get(OrgUnit, unit_id(platform, "jingan", "ghxl-luochuan"))
        line = funding.fund_for(ctx, programme, applicant, "line").id
        pool = funding.fund_for(ctx, programme, applicant, "pool").id
        entry = ledger.allocate(ctx, line, 10_000 * 100, "tests:amounts:to-correct", memo="拨入").id
    return {"line": line, "pool": pool, "entry": entry}


def _pledge_fund(platform, app, client):
    return {"fund": fund_id(platform), "sponsor": sponsor_id(platform, "平安养老保险")}


def _pledged(platform, app, client):
    return {"fund": fund_id(platform), "pledge": record(platform, "haiyuan", "平安养老保险", "10000")}


# What each door sends.

def _api(method: str, path: str, username: str, body: Callable[[dict, object], dict], multipart: bool = False):
    def send(client, state, amount):
        headers = state.get(username) or state.setdefault(username, login(client, username))
        kw = {"data": body(state, amount)} if multipart else {"json": body(state, amount)}
        return getattr(client, method)(url(path.format(**state)), headers=headers, **kw)
    return send


def _form(path: str, username: str, data: Callable[[dict, object], dict], multipart: bool = False):
    def send(app, state, amount):
        w = state.get("web") or state.setdefault("web", _signed_in(app, username))
        kw = {"content_type": "multipart/form-data"} if multipart else {}
        return _web_post(w, path.format(**state), data(state, amount), **kw)
    return send


def _voucher() -> tuple:
    return (io.BytesIO(PDF), "收据.pdf")


_BUDGET = lambda p, s: _total(p, select(Project.requested_fen).where(Project.id == s["pid"]))  # noqa: E731
_REQUESTS = lambda p, s: _total(p, select(func.sum(FundRequest.amount_fen)))  # noqa: E731
_EXPENSES = lambda p, s: _total(p, _entries("expense"))  # noqa: E731
_REFUNDS = lambda p, s: _total(p, _entries("refund"))  # noqa: E731
_DECIDED = lambda p, s: _total(p, select(Decision.approved_fen).where(Decision.project_id == s["pid"]))  # noqa: E731
_ALLOCATED = lambda p, s: _total(p, _entries("allocation", fund_id=s["line"]))  # noqa: E731
_MOVED = lambda p, s: _total(p, _entries("transfer_out", fund_id=s["pool"]))  # noqa: E731
_CORRECTED = lambda p, s: _total(p, _entries("correction", corrects_id=s["entry"]))  # noqa: E731
_PLEDGED = lambda p, s: _total(p, select(func.sum(Pledge.amount_fen)))  # noqa: E731
_RECEIVED = lambda p, s: _total(p, _entries("allocation", pledge_id=s["pledge"]))  # noqa: E731

BUDGET = "/projects/{pid}/budget"
DECIDE_API, DECIDE_WEB = "/projects/{pid}/decision", "/projects/{pid}/decide"

DOORS = [
    # -- the API
    Door("api budget", _draft, _api("put", BUDGET, "luochuan",
                                    lambda s, a: {"items": [{"description": "活动物料", "amount": a}]}),
         _BUDGET, field="budget.0.amount", codes=("budget_amount",), replaces=True,
         api=("put", "/api/v1/t/{tenant}/projects/{project_id}/budget", "items.amount")),
    Door("api fund request", _approved, _api("post", "/fund-requests", "luochuan",
                                             lambda s, a: {"project_id": s["pid"], "amount": a, "purpose": "购买活动物料",
                                                           "key": _key()}),
         _REQUESTS, day=IMPLEMENTATION_DAY, api=("post", "/api/v1/t/{tenant}/fund-requests", "amount")),
    Door("api expense", _disbursed, _api("post", "/fund-requests/{rid}/expenses", "luochuan",
                                         lambda s, a: {"amount": a, "memo": "购买物料", "voucher": _voucher(),
                                                       "key": _key()}, True),
         _EXPENSES, day=IMPLEMENTATION_DAY, json=False,
         api=("post", "/api/v1/t/{tenant}/fund-requests/{request_id}/expenses", "amount")),
    Door("api refund", _disbursed, _api("post", "/fund-requests/{rid}/refunds", "luochuan",
                                        lambda s, a: {"amount": a, "memo": "结余退回", "key": _key()}),
         _REFUNDS, day=IMPLEMENTATION_DAY, api=("post", "/api/v1/t/{tenant}/fund-requests/{request_id}/refunds", "amount")),
    Door("api decision", _to_decide, _api("post", DECIDE_API, "ghxl_chair",
                                          lambda s, a: {"outcome": "approved", "approved_amount": a}),
         _DECIDED, field="approved_amount", replaces=True, blank_means="requested", after_accept=_next_project,
         api=("post", "/api/v1/t/{tenant}/projects/{project_id}/decision", "approved_amount")),
    Door("api allocation", _funds, _api("post", "/funds/{line}/allocations", "ghxl_admin",
                                        lambda s, a: {"amount": a, "key": _key(), "memo": "追加"}),
         _ALLOCATED, api=("post", "/api/v1/t/{tenant}/funds/{fund_id}/allocations", "amount")),
    Door("api transfer", _funds, _api("post", "/funds/transfers", "ghxl_admin",
                                      lambda s, a: {"from_fund_id": s["pool"], "to_fund_id": s["line"], "amount": a,
                                                    "key": _key()}),
         _MOVED, api=("post", "/api/v1/t/{tenant}/funds/transfers", "amount")),
    Door("api correction", _funds, _api("post", "/funds/entries/{entry}/corrections", "ghxl_admin",
                                        lambda s, a: {"amount": a, "key": _key(), "memo": "录入错误"}),
         _CORRECTED, api=("post", "/api/v1/t/{tenant}/funds/entries/{entry_id}/corrections", "amount")),
    Door("api pledge", _pledge_fund, _api("post", "/sponsors/pledges", "haiyuan",
                                          lambda s, a: {"sponsor_id": s["sponsor"], "fund_id": s["fund"], "amount": a,
                                                        "occasion": COUNCIL, "key": _key()}),
         _PLEDGED, day=COUNCIL_DAY, api=("post", "/api/v1/t/{tenant}/sponsors/pledges", "amount")),
    Door("api receipt", _pledged, _api("post", "/sponsors/pledges/{pledge}/receipts", "haiyuan",
                                       lambda s, a: {"amount": a, "key": _key()}),
         _RECEIVED, day=COUNCIL_DAY, api=("post", "/api/v1/t/{tenant}/sponsors/pledges/{pledge_id}/receipts", "amount")),
    # -- the pages
    Door("web budget", _draft, _form(BUDGET, "luochuan", lambda s, a: {"description": "活动物料", "amount": a}),
         _BUDGET, web=True, replaces=True),
    Door("web fund request", _approved, _form("/projects/{pid}/fund-requests", "luochuan",
                                              lambda s, a: {"amount": a, "purpose": "购买活动物料", "month": "2023-04",
                                                            "budget_item_id": "", "back": "project", "key": _key()}),
         _REQUESTS, web=True, day=IMPLEMENTATION_DAY),
    Door("web expense", _disbursed, _form("/fund-requests/{rid}/expenses", "luochuan",
                                          lambda s, a: {"amount": a, "memo": "购买物料", "back": "project",
                                                        "voucher": _voucher(), "key": _key()}, True),
         _EXPENSES, web=True, day=IMPLEMENTATION_DAY),
    Door("web refund", _disbursed, _form("/fund-requests/{rid}/refunds", "luochuan",
                                         lambda s, a: {"amount": a, "memo": "结余退回", "back": "project",
                                                       "key": _key()}),
         _REFUNDS, web=True, day=IMPLEMENTATION_DAY),
    Door("web decision", _to_decide, _form(DECIDE_WEB, "ghxl_chair",
                                           lambda s, a: {"outcome": "approved", "approved_amount": a, "explanation": ""}),
         _DECIDED, web=True, replaces=True, blank_means="requested", after_accept=_next_project),
    Door("web allocation", _funds, _form("/funds/{line}/allocations", "ghxl_admin",
                                         lambda s, a: {"amount": a, "memo": "追加", "key": _key()}),
         _ALLOCATED, web=True),
    Door("web pledge", _pledge_fund, _form("/co-funds/{fund}/pledges", "haiyuan",
                                           lambda s, a: {"sponsor_id": str(s["sponsor"]), "amount": a, "occasion": COUNCIL,
                                                         "key": _key()}),
         _PLEDGED, web=True, day=COUNCIL_DAY, blank_says=None),  # blank: nothing in money (in kind only), refused
    Door("web receipt", _pledged, _form("/co-funds/{fund}/receipts", "haiyuan",
                                        lambda s, a: {"pledge_id": str(s["pledge"]), "amount": a, "memo": "银行到账",
                                                      "key": _key()}),
         _RECEIVED, web=True, day=COUNCIL_DAY),
]


def _written(platform) -> tuple:
    """Everything an amount could have written: entries, requests, pledges, decisions, budgets."""
    with acting(platform, "jingan", None) as ctx:
        s = ctx.session
        return (s.execute(select(func.count(LedgerEntry.id), func.sum(LedgerEntry.amount_fen))).one(),
                s.scalar(select(func.count(FundRequest.id))), s.scalar(select(func.count(Pledge.id))),
                s.scalar(select(func.count(Decision.id))), s.scalar(select(func.sum(Project.requested_fen))))


# -- the test ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("door", DOORS, ids=[d.name for d in DOORS])
def test_every_door_reads_the_same_amounts_the_same_way(door, app, client, platform):
    with on_day(door.day) if door.day else contextlib.nullcontext():
        state = door.setup(platform, app, client)
        actor = app if door.web else client
        json = door.json and not door.web
        accepted = ACCEPTED + (JSON_ACCEPTED if json else [])
        refused = [(a, "malformed") for a in MALFORMED + (JSON_MALFORMED if json else [])] + \
                  [(a, "too_large") for a in TOO_LARGE + (JSON_TOO_LARGE if json else [])]
        for amount, fen in accepted:
            _accepts(door, actor, platform, state, amount, fen)
        for amount, why in refused:
            _refuses(door, actor, platform, state, amount, why)
        for amount in BLANK:
            if door.blank_means:
                _accepts(door, actor, platform, state, amount, state[door.blank_means])
            else:
                _refuses(door, actor, platform, state, amount, door.blank_says)


def _accepts(door: Door, actor, platform, state, amount, fen):
    before = door.stored(platform, state)
    r = door.send(actor, state, amount)
    assert r.status_code in ((302,) if door.web else (200, 201)), (door.name, amount, text(r)[:600])
    after = door.stored(platform, state)
    assert (after if door.replaces else after - before) == fen, (door.name, amount)
    if door.after_accept:
        door.after_accept(state)


def _refuses(door: Door, actor, platform, state, amount, why: str | None):
    before = _written(platform)
    r = door.send(actor, state, amount)
    assert r.status_code == 422, (door.name, amount, r.status_code, text(r)[:600])
    if why is None:
        pass
    elif door.web:
        assert SAYS[why] in text(r), (door.name, amount)
    else:
        body = r.get_json()
        [error] = [e for e in body["errors"] if e["field"] == door.field]
        assert error["code"] in door.codes and SAYS[why] in error["message"], (door.name, amount, body)
    assert _written(platform) == before, (door.name, amount)  # nothing half-saved


# -- the document ----------------------------------------------------------------------------------

def test_the_api_documents_exactly_these_doors_with_the_one_pattern(client):
    spec = client.get("/api/openapi.json").get_json()

    def resolve(schema):
        while "$ref" in schema:
            schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        return schema

    def amounts(schema, prefix=""):
        schema = resolve(schema)
        if schema.get("type") == "array":
            yield from amounts(schema["items"], prefix)
        for name, prop in schema.get("properties", {}).items():
            if any(alt.get("pattern") == YUAN_PATTERN for alt in prop.get("anyOf", ())):
                assert prop["anyOf"][1]["maximum"] == 999_999_999, name
                yield prefix + name
            else:
                yield from amounts(prop, f"{prefix}{name}.")

    documented = {(method, path, field)
                  for path, item in spec["paths"].items() for method, op in item.items() if "requestBody" in op
                  for content in op["requestBody"]["content"].values() for field in amounts(content["schema"])}
    assert documented == {d.api for d in DOORS if d.api}
    assert {d.name.split(" ", 1)[1] for d in DOORS if d.web} <= {d.name.split(" ", 1)[1] for d in DOORS if d.api}


# -- the bound keeps every sum safe -------------------------------------------------------------------

def test_the_largest_amounts_go_in_and_every_sum_still_adds_up(app, client, platform, settings):
    """The most the syntax allows, several times over, in the same funds: the balances, the funds
    and disclosure pages and ``tongxin money reconcile`` still work (a 1e20 never gets in)."""
    from tests.commands import tongxin

    state = _funds(platform, app, client)
    admin = login(client, "ghxl_admin")
    had = _ALLOCATED(platform, state)
    for amount in ("999,999,999.99", "99999.999999万", "９９９，９９９，９９９．９９元", 999_999_999):
        for fund in (state["line"], state["pool"]):
            r = client.post(url(f"/funds/{fund}/allocations"), headers=admin, json={"amount": amount, "key": _key()})
            assert r.status_code == 201, r.get_json()
    for amount in ("100000000000000000000", 10**20):
        r = client.post(url(f"/funds/{state['line']}/allocations"), headers=admin, json={"amount": amount, "key": _key()})
        assert r.status_code == 422 and SAYS["too_large"] in r.get_json()["message"]
    r = client.post(url("/funds/transfers"), headers=admin, json={"from_fund_id": state["pool"], "to_fund_id": state["line"],
                                                                  "amount": "999999999.99", "key": _key()})
    assert r.status_code == 201, r.get_json()
    # Three times the bound, the bound in whole yuan, and the transfer: exact, in fen.
    allocated = had + 3 * MAX_FEN + (MAX_FEN - 99) + MAX_FEN
    balance = client.get(url(f"/funds/{state['line']}"), headers=admin).get_json()["balance"]
    assert balance["allocated"] == str(fen_to_yuan(allocated))
    web = Web(app.test_client())
    web.login("ghxl_admin")
    assert format_yuan(allocated) in text(web.get("/funds?year=2023"))
    assert web.get(f"/disclosure/units/{unit_id(platform, 'jingan', 'ghxl-luochuan')}?year=2023").status_code == 200
    report = tongxin(settings, "money", "reconcile", "--tenant", "jingan").output
    assert format_yuan(allocated) in report
