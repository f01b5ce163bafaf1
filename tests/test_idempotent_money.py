"""Money actions are idempotent by default (issue 15, item 4; docs/reliability.md "Idempotent money
actions"): filing a fund request, an expense, a refund, a pledge, a receipt, an allocation sent
twice records once. The service answers a repeat under its key with what it recorded and refuses
another body under it; the database's unique constraint refuses a second row by itself; the API
requires the key (400 naming the field without it), answers a repeat with the first answer and
refuses another body with 409; the web's forms carry a key made when they are rendered, so a
double submission records once and answers alike. Both profiles (the race itself:
tests/test_idempotent_money_concurrency.py)."""
from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from core.models import FundRequest, LedgerEntry, Pledge
from core.services import fund_requests, ledger
from core.violations import RuleError
from tests.clients import Web, form_key, is_error, login, text, url
from tests.factories import PNG, T, acting, unit_id
from tests.money_factories import COUNCIL, approved_project, disbursed, fund_id, record, sponsor_id

pytestmark = pytest.mark.usefixtures("in_implementation")


def count(platform, stmt) -> int:
    with acting(platform, "jingan", None) as ctx:
        return ctx.session.scalar(stmt)


def requests_of(pid: int):
    return select(func.count()).select_from(FundRequest).where(FundRequest.project_id == pid)


def entries(kind: str, request_id: int | None = None, **where):
    stmt = select(func.count()).select_from(LedgerEntry).where(LedgerEntry.kind == kind)
    if request_id is not None:
        stmt = stmt.where(LedgerEntry.fund_request_id == request_id)
    return stmt.where(*(getattr(LedgerEntry, k) == v for k, v in where.items()))


def refused(platform, username: str, action) -> RuleError:
    with pytest.raises(RuleError) as caught, acting(platform, "jingan", username) as ctx:
        action(ctx)
    return caught.value


class Voucher:
    def __init__(self, data: bytes, filename: str = "发票.png"):
        self.stream, self.filename = io.BytesIO(data), filename


# -- the service ------------------------------------------------------------------------------------

def test_a_request_filed_twice_under_its_key_is_filed_once_and_another_body_is_a_conflict(platform):
    pid = approved_project(platform)
    ask = dict(amount="4000", purpose="购买活动物料", beneficiaries="楼组居民", key="double-click-1")
    with acting(platform, "jingan", "luochuan") as ctx:
        first = fund_requests.file_request(ctx, pid, **ask).id
    # The repeat takes all of the project's money again, which a new request could not: it is
    # answered with what was filed, not refused for the budget the first one now holds.
    with acting(platform, "jingan", "luochuan") as ctx:
        assert fund_requests.file_request(ctx, pid, **{**ask, "key": " double-click-1 "}).id == first
    assert count(platform, requests_of(pid)) == 1
    for other in ({"amount": "3999"}, {"purpose": "印制海报"}, {"beneficiaries": "老人"}, {"month": "2023-05"}):
        err = refused(platform, "luochuan", lambda ctx: fund_requests.file_request(ctx, pid, **{**ask, **other}))
        (v,) = err.violations
        assert (err.status, v.code, v.field) == (409, "idempotency_conflict", "key")
        assert "请求编号「double-click-1」已用于另一笔内容不同的资金申请" in v.message.zh and f"#{first}" in v.message.zh
    assert count(platform, requests_of(pid)) == 1
    # Another key is another request (refused here: the first holds the project's money).
    err = refused(platform, "luochuan", lambda ctx: fund_requests.file_request(ctx, pid, **{**ask, "key": "another"}))
    assert err.violations[0].code == "over_approved_budget"


def test_the_database_refuses_a_second_request_under_one_key_by_itself(platform):
    """Not only the service's check: the unique (tenant, key) constraint, for a writer that skips it."""
    pid = approved_project(platform)
    with acting(platform, "jingan", "luochuan") as ctx:
        fund_requests.file_request(ctx, pid, amount="100", purpose="物料", key="only-once")
    with pytest.raises(IntegrityError), acting(platform, "jingan", "luochuan") as ctx:
        ctx.session.add(FundRequest(project_id=pid, month="2023-04", amount_fen=10000, purpose="物料",
                                    state="submitted", idempotency_key="only-once"))
        ctx.session.flush()
    with pytest.raises(IntegrityError), acting(platform, "jingan", "luochuan") as ctx:
        fund = ctx.session.scalars(select(LedgerEntry.fund_id).where(LedgerEntry.project_id == pid)).first()
        ctx.session.add_all([LedgerEntry(fund_id=fund, kind="allocation", amount_fen=1, idempotency_key="same-entry"),
                             LedgerEntry(fund_id=fund, kind="allocation", amount_fen=1, idempotency_key="same-entry")])
        ctx.session.flush()


def test_the_same_key_on_another_project_is_a_conflict(platform):
    pid = approved_project(platform)
    other = approved_project(platform, title="楼道微更新")
    with acting(platform, "jingan", "luochuan") as ctx:
        fund_requests.file_request(ctx, pid, amount="100", purpose="物料", key="shared")
    err = refused(platform, "luochuan",
                  lambda ctx: fund_requests.file_request(ctx, other, amount="100", purpose="物料", key="shared"))
    assert (err.status, err.violations[0].code) == (409, "idempotency_conflict")
    assert count(platform, requests_of(other)) == 0


def test_an_expense_and_a_refund_sent_twice_are_recorded_once(platform):
    pid = approved_project(platform)
    rid = disbursed(platform, pid)
    store = platform.storage
    spend = lambda ctx, **kw: fund_requests.record_expense(  # noqa: E731
        ctx, rid, storage=store, **{"amount": "200", "memo": "绿植", "voucher": Voucher(PNG), "key": "spend-1", **kw})
    with acting(platform, "jingan", "luochuan") as ctx:
        first = [e.id for e in spend(ctx)]
    with acting(platform, "jingan", "luochuan") as ctx:
        assert [e.id for e in spend(ctx)] == first  # the same amount, memo and voucher: the same entries
    assert count(platform, entries("expense", rid)) == 1
    for other in ({"amount": "201"}, {"memo": "花盆"}, {"voucher": Voucher(PNG + b"x")}):
        err = refused(platform, "luochuan", lambda ctx: spend(ctx, **other))
        assert (err.status, err.violations[0].code, err.violations[0].field) == (409, "idempotency_conflict", "key")
        assert "金额、说明或凭证不同" in err.violations[0].message.zh
    assert count(platform, entries("expense", rid)) == 1

    give_back = lambda ctx, **kw: fund_requests.record_refund(  # noqa: E731
        ctx, rid, **{"amount": "300", "memo": "结余", "key": "refund-1", **kw})
    with acting(platform, "jingan", "luochuan") as ctx:
        first = [e.id for e in give_back(ctx)]
    # All that was unspent is back: a second refund could not be taken, the repeat answers the first.
    with acting(platform, "jingan", "luochuan") as ctx:
        assert [e.id for e in give_back(ctx)] == first
    err = refused(platform, "luochuan", lambda ctx: give_back(ctx, memo="另一笔"))
    assert err.violations[0].code == "idempotency_conflict"
    err = refused(platform, "luochuan", lambda ctx: give_back(ctx, key="refund-2", amount="1"))
    assert err.violations[0].code == "over_request_unspent"
    assert count(platform, entries("refund", rid)) == 1


def test_a_pledge_under_its_key_compares_what_it_promised(platform):
    first = record(platform, "haiyuan", "上海宾馆", "1000", key="council-1")
    assert record(platform, "haiyuan", "上海宾馆", "1000", key="council-1") == first
    for kw in ({"in_kind": "场地"}, ):
        with pytest.raises(RuleError) as caught:
            record(platform, "haiyuan", "上海宾馆", "1000", key="council-1", **kw)
        assert caught.value.violations[0].code == "idempotency_conflict"
    assert count(platform, select(func.count()).select_from(Pledge)) == 1


# -- the API ----------------------------------------------------------------------------------------

SPONSORS = f"/api/v1/t/{T}/sponsors"


def _doors(platform) -> list[tuple[str, str, str, dict, dict, object, bool]]:
    """Every API operation that records money: (name, user, path, body, another body, what counts
    its records, multipart)."""
    pid = approved_project(platform)
    rid = disbursed(platform, pid)
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        [line] = ledger.list_funds(ctx, org_unit_id=unit_id(platform, "jingan", "ghxl-luochuan"), kind="budget_line")
        [pool] = ledger.list_funds(ctx, org_unit_id=unit_id(platform, "jingan", "gonghexinlu"), kind="pool")
        entry = ctx.session.scalars(select(LedgerEntry.id).where(LedgerEntry.fund_id == line.id,
                                                                  LedgerEntry.kind == "allocation")).first()
    pledge = record(platform, "haiyuan", "上海宾馆", "5000", key="api-doors-pledge")
    sponsor, co_fund = sponsor_id(platform, "平安养老保险"), fund_id(platform)
    return [
        ("fund request", "luochuan", url("/fund-requests"), {"project_id": pid, "amount": "100", "purpose": "物料"},
         {"amount": "101"}, requests_of(pid), False),
        ("expense", "luochuan", url(f"/fund-requests/{rid}/expenses"), {"amount": "10", "memo": "绿植"},
         {"memo": "花盆"}, entries("expense", rid), True),
        ("refund", "luochuan", url(f"/fund-requests/{rid}/refunds"), {"amount": "10", "memo": "结余"},
         {"amount": "11"}, entries("refund", rid), False),
        ("allocation", "ghxl_admin", url(f"/funds/{line.id}/allocations"), {"amount": "10", "memo": "追加"},
         {"amount": "11"}, entries("allocation", fund_id=line.id), False),
        ("transfer", "ghxl_admin", url("/funds/transfers"), {"from_fund_id": pool.id, "to_fund_id": line.id, "amount": "10"},
         {"amount": "11"}, entries("transfer_out", fund_id=pool.id), False),
        ("correction", "ghxl_admin", url(f"/funds/entries/{entry}/corrections"), {"amount": "1", "memo": "录入错误"},
         {"amount": "2"}, entries("correction", corrects_id=entry), False),
        ("pledge", "haiyuan", f"{SPONSORS}/pledges", {"sponsor_id": sponsor, "fund_id": co_fund, "amount": "100",
                                                      "occasion": COUNCIL}, {"amount": "101"},
         select(func.count()).select_from(Pledge).where(Pledge.sponsor_id == sponsor), False),
        ("receipt", "haiyuan", f"{SPONSORS}/pledges/{pledge}/receipts", {"amount": "100", "memo": "到账"},
         {"amount": "101"}, entries("allocation", pledge_id=pledge), False),
    ]


def _send(client, headers, path, body, multipart):
    if multipart:
        return client.post(path, headers=headers, data={**body, "voucher": (io.BytesIO(PNG), "发票.png")})
    return client.post(path, headers=headers, json=body)


def test_every_money_operation_of_the_api_requires_its_key_and_records_a_repeat_once(client, platform):
    for name, user, path, body, other, counted, multipart in _doors(platform):
        headers = login(client, user)
        before = count(platform, counted)
        # No key: a 400 naming the field and saying why, before anything is read or written.
        answer = is_error(_send(client, headers, path, body, multipart), 400, "idempotency_key_required")
        assert [e["field"] for e in answer["errors"]] == ["key"], name
        assert "请求编号（key）：必填（每次新的登记用一个新编号" in answer["message"], name
        en = _send(client, {**headers, "Accept-Language": "en"}, path, body, multipart).get_json()
        assert en["message"].startswith("Request key (key): required (a new key for each new record"), (name, en)
        assert count(platform, counted) == before, name
        # A key: recorded once, the repeat answered with the first answer.
        keyed = {**body, "key": f"idem-{name.replace(' ', '-')}"}
        first = _send(client, headers, path, keyed, multipart)
        assert first.status_code == 201, (name, first.get_json())
        again = _send(client, headers, path, keyed, multipart)
        assert (again.status_code, again.get_json()) == (201, first.get_json()), name
        assert count(platform, counted) == before + 1, name
        # The same key with another body: refused, saying so; nothing recorded.
        answer = is_error(_send(client, headers, path, {**keyed, **other}, multipart), 409, "idempotency_conflict")
        assert answer["errors"][0]["field"] == "key" and f"「{keyed['key']}」" in answer["message"], name
        assert count(platform, counted) == before + 1, name


def test_the_document_says_the_key_is_required_and_what_a_repeat_does(client):
    spec = client.get("/api/openapi.json").get_json()
    assert "idempotency key in its body's `key` field" in spec["info"]["description"]
    schemas = spec["components"]["schemas"]
    for name in ("FundRequestInput", "FundRequestExpenseInput", "FundRequestRefundInput", "AllocationInput", "TransferInput", "CorrectionInput",
                 "PledgeInput", "ReceiptInput"):
        assert "key" in schemas[name]["required"], name
        assert "400 idempotency_key_required" in schemas[name]["properties"]["key"]["description"], name
    expense = spec["paths"]["/api/v1/t/{tenant}/fund-requests/{request_id}/expenses"]["post"]
    assert expense["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"].endswith("/FundRequestExpenseInput")
    for path in ("/fund-requests", "/fund-requests/{request_id}/expenses", "/fund-requests/{request_id}/refunds",
                 "/sponsors/pledges", "/funds/transfers"):
        responses = spec["paths"][f"/api/v1/t/{{tenant}}{path}"]["post"]["responses"]
        assert "idempotency_key_required" in responses["400"]["description"], path
        assert "idempotency_conflict" in responses["409"]["description"], path


# -- the web ----------------------------------------------------------------------------------------

def web(app, username: str) -> Web:
    w = Web(app.test_client())
    w.login(username)
    return w


def section_key(page: str, anchor: str) -> str:
    return form_key(page[page.index(anchor):])


def test_a_double_submission_of_the_request_form_files_once_and_answers_alike(app, platform):
    pid = approved_project(platform)
    luochuan = web(app, "luochuan")
    key = section_key(text(luochuan.get(f"/projects/{pid}")), 'id="fund-request-new"')
    assert re.fullmatch(r"[0-9a-f]{32}", key)
    # A fresh form is a new request: another key each time the form is rendered.
    assert section_key(text(luochuan.get(f"/projects/{pid}")), 'id="fund-request-new"') != key
    form = {"amount": "1500", "purpose": "购买活动物料", "month": "2023-04", "back": "project", "key": key}
    answers = []
    for _ in range(2):  # the double click: each answer is the request filed, said alike
        r = luochuan.post(f"/projects/{pid}/fund-requests", form)
        assert r.status_code == 302, text(r)[:300]
        answers.append((r.headers["Location"], text(luochuan.get(r.headers["Location"]))))
    (first, page), (second, again) = answers
    assert first == second  # the same request's card
    rid = int(first.rsplit("#fr-", 1)[1])
    assert f"资金申请#{rid}已提交（2023年4月），等待审核。" in page and f"资金申请#{rid}已提交（2023年4月），等待审核。" in again
    assert count(platform, requests_of(pid)) == 1
    # The same form changed and sent again under its key is refused above the form, not filed.
    r = luochuan.post(f"/projects/{pid}/fund-requests", {**form, "amount": "1600"})
    assert r.status_code == 409 and "已用于另一笔内容不同的资金申请" in text(r)
    assert count(platform, requests_of(pid)) == 1


def test_a_double_submission_of_spending_and_refund_forms_records_once(app, platform):
    pid = approved_project(platform)
    rid = disbursed(platform, pid)
    luochuan = web(app, "luochuan")
    card = text(luochuan.get(f"/projects/{pid}"))
    card = card[card.index(f'id="fr-{rid}"'):]
    spend_key = form_key(card[card.index("spend-form"):])
    refund_key = form_key(card[card.index("refunds"):])
    assert spend_key != refund_key
    for _ in range(2):
        r = luochuan.post(f"/fund-requests/{rid}/expenses", {"amount": "200", "memo": "绿植", "back": "project",
                                                             "key": spend_key, "voucher": (io.BytesIO(PNG), "发票.png")},
                          content_type="multipart/form-data")
        assert r.status_code == 302, text(r)[:300]
        r = luochuan.post(f"/fund-requests/{rid}/refunds", {"amount": "100", "memo": "结余", "back": "project",
                                                            "key": refund_key})
        assert r.status_code == 302, text(r)[:300]
    assert count(platform, entries("expense", rid)) == count(platform, entries("refund", rid)) == 1


def test_a_refused_spending_form_keeps_its_key_and_the_corrected_one_records_once(app, platform):
    pid = approved_project(platform)
    rid = disbursed(platform, pid)
    luochuan = web(app, "luochuan")
    page = text(luochuan.get(f"/projects/{pid}"))
    key = form_key(page[page.index(f'id="fr-{rid}"'):])
    form = {"amount": "500.01", "memo": "绿植", "back": "project", "key": key}
    r = luochuan.post(f"/fund-requests/{rid}/expenses", {**form, "voucher": (io.BytesIO(PNG), "发票.png")},
                      content_type="multipart/form-data")
    assert r.status_code == 422
    shown = text(r)
    assert form_key(shown[shown.index(f'id="fr-{rid}"'):]) == key  # nothing recorded under it: kept
    for _ in range(2):
        r = luochuan.post(f"/fund-requests/{rid}/expenses", {**form, "amount": "500", "voucher": (io.BytesIO(PNG), "发票.png")},
                          content_type="multipart/form-data")
        assert r.status_code == 302
    assert count(platform, entries("expense", rid)) == 1


def test_a_double_submission_of_the_pledge_and_receipt_forms_records_once(app, platform):
    fid, hotel = fund_id(platform), sponsor_id(platform, "上海宾馆")
    staff = Web(app.test_client(), tenant=T)
    staff.login("haiyuan")
    page = text(staff.get(f"/co-funds/{fid}"))
    key = section_key(page, 'id="record"')
    pledges_of = select(func.count()).select_from(Pledge).where(Pledge.sponsor_id == hotel)
    before = count(platform, pledges_of)
    form = {"sponsor_id": str(hotel), "amount": "1000", "occasion": COUNCIL, "key": key}
    for _ in range(2):
        r = staff.post(f"/co-funds/{fid}/pledges", form)
        assert r.status_code == 302, text(r)[:300]
        assert "已登记「上海宾馆」的认捐" in text(staff.get(r.headers["Location"]))
    assert count(platform, pledges_of) == before + 1
    with acting(platform, T, None) as ctx:
        pledge = ctx.session.scalars(select(Pledge.id).where(Pledge.idempotency_key == key)).one()
    page = text(staff.get(f"/co-funds/{fid}"))
    assert section_key(page, 'id="record"') != key  # a fresh form, a new key
    receipt_key = form_key(page[page.index("/receipts"):])
    for _ in range(2):
        r = staff.post(f"/co-funds/{fid}/receipts", {"pledge_id": str(pledge), "amount": "600", "memo": "银行到账",
                                                    "key": receipt_key})
        assert r.status_code == 302, text(r)[:300]
    assert count(platform, entries("allocation", pledge_id=pledge)) == 1
