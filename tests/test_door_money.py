"""The one door for money (issue 9, items 1 and 2): each money operation is declared once in
``core.door.money``, the API and the web read their input with that one schema, so the same bad
input is refused by both with the same field and the same message (on the page, beside the field,
in Chinese); and what a fund offers the caller is one answer for the API's ``actions`` and the
page's forms, the guard's own. Both profiles."""
from __future__ import annotations

import html
import io
import re

import pytest

from core.door import money as door
from core.door.catalogue import operations
from core.services import fund_requests, ledger
from core.services.fund_actions import fund_offers
from core.violations import Forbidden
from tests.clients import Web, is_error, login, text, url
from tests.factories import PNG, T, acting, unit_id
from tests.money_factories import approved_project, counts, fund_id, leaders, record, snapshot, sponsor_id

# Fund requests are filed in 共和新路's implementation phase (from April).
pytestmark = pytest.mark.usefixtures("in_implementation")

MONEY_KEYS = {"fund_request.file", "fund_request.withdraw", "fund_request.supervise", "fund_request.accept",
              "fund_request.refuse", "fund_request.disburse", "fund_request.record_expense", "fund_request.refund",
              "batch.approve", "batch.disburse", "fund.policy_fund", "fund.allocate", "fund.transfer", "fund.correct",
              "sponsor.register", "sponsor_fund.open", "pledge.record", "pledge.receive"}


def web(app, username: str) -> Web:
    w = Web(app.test_client())
    w.login(username)
    return w


def beside(page: str, html_id: str) -> str:
    """The (first) error shown beside the control ``html_id``."""
    match = re.search(rf'id="{html_id}-err1"[^>]*>([^<]+)<', page)
    assert match, f"no error beside #{html_id}"
    return html.unescape(match.group(1))


def api_message(r, field: str) -> str:
    body = is_error(r, 422)
    found = [e["message"] for e in body["errors"] if e["field"] == field]
    assert found, body
    return found[0]


def same_refusal(api_response, web_response, field: str, html_id: str) -> str:
    """The API and the page refuse with 422, naming ``field`` with one message, shown on the page
    beside its control."""
    message = api_message(api_response, field)
    assert web_response.status_code == 422, text(web_response)[:300]
    assert beside(text(web_response), html_id) == message
    return message


def test_every_money_operation_is_declared_and_the_api_documents_its_schema(client):
    declared = {op.key: op for op in operations()}
    assert MONEY_KEYS <= set(declared)
    spec = client.get("/api/openapi.json").get_json()
    bodies = {op["requestBody"]["content"][kind]["schema"].get("$ref", "").rsplit("/", 1)[-1]
              for path in spec["paths"].values() for op in path.values() if isinstance(op, dict) and "requestBody" in op
              for kind in op["requestBody"]["content"]}
    for key in MONEY_KEYS:
        schema = declared[key].schema
        if schema is not None:  # the API's request body is the operation's own schema
            assert schema.__name__.removesuffix("Schema") in bodies, key
    # A field the API has always called otherwise is loaded under the service's name.
    assert door.POLICY_FUND.load({"programme_id": 1, "org_unit_id": 2, "fund": "pool"}) == {
        "programme_id": 1, "org_unit_id": 2, "key": "pool"}
    assert door.SUPERVISE_REQUEST.load({"outcome": "refused"}) == {"approve": False, "note": ""}


def _disbursed(platform, pid: int) -> int:
    """A request of ``pid`` accepted, approved in its batch and paid out."""
    leaders(platform)
    with acting(platform, "jingan", "luochuan") as ctx:
        rid = fund_requests.file_request(ctx, pid, amount="500", purpose="购买活动物料").id
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        batch = fund_requests.accept(ctx, rid).batch_id
    with acting(platform, "jingan", "fr_leader") as ctx:
        fund_requests.approve_batch(ctx, batch)
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        fund_requests.disburse(ctx, rid)
    return rid


def test_a_fund_request_is_refused_alike_by_the_api_and_the_page(app, client, platform):
    pid = approved_project(platform)
    api, page = login(client, "luochuan"), web(app, "luochuan")
    before = snapshot(platform)

    def both(body: dict, form: dict | None = None):
        form = {k: str(v) for k, v in (body if form is None else form).items() if k != "project_id"}
        return (client.post(url("/fund-requests"), headers=api, json=body),
                page.post(f"/projects/{pid}/fund-requests", {**form, "back": "project"}))

    good = {"project_id": pid, "amount": "100", "purpose": "购买活动物料", "month": "2023-04", "key": "tests-door-fr"}
    message = same_refusal(*both({**good, "purpose": "物" * 501}), "purpose", "fr-purpose")
    assert message == "用途：长度不能超过 500 个字"
    message = same_refusal(*both({**good, "month": "2023-13"}), "month", "fr-month")
    assert message.startswith("申请月份：月份格式应为“年-月”")
    without = {k: v for k, v in good.items() if k != "purpose"}  # left out of the JSON, left empty in the form
    assert same_refusal(*both(without, {**without, "purpose": ""}), "purpose", "fr-purpose") == "用途：必填项，不能为空"
    assert "不是有效的整数" in same_refusal(*both({**good, "budget_item_id": "abc"}), "budget_item_id", "fr-budget-item")
    # What the schema lets through, the service refuses for both alike.
    assert "金额应为以元为单位的金额" in same_refusal(*both({**good, "amount": "10.001"}), "amount", "fr-amount")
    assert snapshot(platform) == before


def test_the_steps_on_a_request_are_refused_alike_by_the_api_and_the_page(app, client, platform):
    pid = approved_project(platform)
    with acting(platform, "jingan", "luochuan") as ctx:
        rid = fund_requests.file_request(ctx, pid, amount="100", purpose="购买活动物料").id
    office_api, office = login(client, "ghxl_admin"), web(app, "ghxl_admin")
    before = snapshot(platform)

    back = {"back": "project"}
    same_refusal(client.post(url(f"/fund-requests/{rid}/acceptance"), headers=office_api, json={"month": "2023-00"}),
                 office.post(f"/fund-requests/{rid}/accept", {"month": "2023-00", **back}), "month", f"fr-{rid}-month")
    assert same_refusal(client.post(url(f"/fund-requests/{rid}/refusal"), headers=office_api, json={}),
                        office.post(f"/fund-requests/{rid}/refuse", {"reason": "", **back}),
                        "reason", f"fr-{rid}-reason") == "审核意见：必填项，不能为空"
    # A word the outcome does not know: the page has no control for it, so it is said above the form.
    message = api_message(client.post(url(f"/fund-requests/{rid}/supervision"), headers=office_api,
                                      json={"outcome": "maybe"}), "outcome")
    r = office.post(f"/fund-requests/{rid}/supervise", {"outcome": "maybe", "note": "", **back})
    assert r.status_code == 422 and message in html.unescape(text(r)) and "approved" in message
    assert snapshot(platform) == before


def test_spending_and_refunds_are_refused_alike_by_the_api_and_the_page(app, client, platform):
    rid = _disbursed(platform, approved_project(platform))
    api, page = login(client, "luochuan"), web(app, "luochuan")
    before = snapshot(platform)

    no_voucher = {"amount": "100", "memo": "绿植", "key": "tests-door-spend"}
    message = same_refusal(client.post(url(f"/fund-requests/{rid}/expenses"), headers=api, data=no_voucher),
                           page.post(f"/fund-requests/{rid}/expenses", {**no_voucher, "back": "project"},
                                     content_type="multipart/form-data"), "voucher", f"fr-{rid}-voucher")
    assert message == "凭证/发票：请上传 PDF、JPG 或 PNG 文件"
    long_memo = {"amount": "100", "memo": "物" * 501, "key": "tests-door-spend"}
    api_r = client.post(url(f"/fund-requests/{rid}/expenses"), headers=api,
                        data={**long_memo, "voucher": (io.BytesIO(PNG), "发票.png")})
    web_r = page.post(f"/fund-requests/{rid}/expenses", {**long_memo, "back": "project",
                                                         "voucher": (io.BytesIO(PNG), "发票.png")},
                      content_type="multipart/form-data")
    assert same_refusal(api_r, web_r, "memo", f"fr-{rid}-spend-memo") == "支出说明：长度不能超过 500 个字"
    same_refusal(client.post(url(f"/fund-requests/{rid}/refunds"), headers=api, json={"amount": "abc", "key": "tests-r"}),
                 page.post(f"/fund-requests/{rid}/refunds", {"amount": "abc", "key": "tests-r", "back": "project"}),
                 "amount", f"fr-{rid}-refund-amount")
    assert snapshot(platform) == before


def _line(platform) -> int:
    """洛川's budget line (its fund), which the approved project draws on."""
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        [fund] = ledger.list_funds(ctx, org_unit_id=unit_id(platform, "jingan", "ghxl-luochuan"), kind="budget_line")
        return fund.id


def test_a_fund_offers_its_forms_as_the_api_says_and_refuses_alike(app, client, platform):
    approved_project(platform)
    fid = _line(platform)
    for username, may in (("ghxl_admin", True), ("luochuan", False)):
        actions = {a["action"]: a for a in client.get(url(f"/funds/{fid}"), headers=login(client, username)).get_json()["actions"]}
        assert (actions["allocate"]["allowed"], actions["allocate"]["shown"]) == (may, may)
        assert ('id="allocate"' in text(web(app, username).get(f"/funds/{fid}"))) is may
    with pytest.raises(Forbidden), acting(platform, "jingan", "luochuan") as ctx:  # the offer is the guard's answer
        assert not fund_offers(ctx, ledger.get_fund(ctx, fid)).allocate.allowed
        door.ALLOCATE(ctx, fid, **door.ALLOCATE.load({"amount": "1", "key": "tests:not-theirs"}))

    before = snapshot(platform)
    body = {"amount": "100", "key": "tests:alloc-1", "memo": "摘" * 501}
    assert same_refusal(client.post(url(f"/funds/{fid}/allocations"), headers=login(client, "ghxl_admin"), json=body),
                        web(app, "ghxl_admin").post(f"/funds/{fid}/allocations", body), "memo", "memo") == \
        "摘要：长度不能超过 500 个字"
    r = web(app, "ghxl_admin").post(f"/funds/{fid}/allocations", {"amount": "100", "memo": "拨入"})  # no key
    # The hidden key's refusal, above the form: without it the request cannot be taken safely (400).
    assert r.status_code == 400 and "请求编号（key）：必填（每次新的登记用一个新编号" in text(r)
    assert snapshot(platform) == before


def test_pledges_receipts_and_sponsors_are_refused_alike_and_offered_as_the_api_says(app, client, platform):
    fid = fund_id(platform)
    hotel = sponsor_id(platform, "上海宾馆")
    staff_api, staff = login(client, "haiyuan"), web(app, "haiyuan")
    before = counts(platform)

    pledge = {"sponsor_id": "x", "fund_id": fid, "amount": "100", "key": "tests:p1"}
    assert "不是有效的整数" in same_refusal(
        client.post(url("/sponsors/pledges"), headers=staff_api, json=pledge),
        staff.post(f"/co-funds/{fid}/pledges", {k: str(v) for k, v in pledge.items() if k != "fund_id"}),
        "sponsor_id", "pledge-sponsor")
    pledge = {**pledge, "sponsor_id": hotel, "occasion": "会" * 201}
    same_refusal(client.post(url("/sponsors/pledges"), headers=staff_api, json=pledge),
                 staff.post(f"/co-funds/{fid}/pledges", {k: str(v) for k, v in pledge.items() if k != "fund_id"}),
                 "occasion", "pledge-occasion")

    promised = record(platform, "haiyuan", "上海宾馆", "1000", key="tests:door-money-receipt")
    before = counts(platform)
    receipt = {"amount": "100", "key": "tests:r1", "memo": "摘" * 501}
    assert same_refusal(client.post(url(f"/sponsors/pledges/{promised}/receipts"), headers=staff_api, json=receipt),
                        staff.post(f"/co-funds/{fid}/receipts", {**receipt, "pledge_id": str(promised)}),
                        "memo", "receipt-memo") == "摘要：长度不能超过 500 个字"

    sponsor = {"org_unit_id": unit_id(platform, T, "jas-haiyuan"), "name": "某商家", "kind": "shop"}
    message = same_refusal(client.post(url("/sponsors"), headers=login(client, "jas_admin"), json=sponsor),
                           web(app, "jas_admin").post(f"/co-funds/{fid}/sponsors", {"name": "某商家", "kind": "shop"}),
                           "kind", "sponsor-kind")
    assert message.startswith("单位类型：应为以下之一：企业（enterprise）")
    assert counts(platform) == before

    # The page's forms are the offers the API returns for the fund.
    for username, register in (("jas_admin", True), ("haiyuan", False)):
        [summary] = [s for s in client.get(url("/sponsors/funds"), headers=login(client, username)).get_json()["items"]
                     if s["fund"]["id"] == fid]
        actions = {a["action"]: a["allowed"] for a in summary["actions"]}
        assert actions["record_pledge"] and actions["receive"] and actions["register_sponsor"] is register
        page = text(web(app, username).get(f"/co-funds/{fid}"))
        assert ('action="/t/jingan/co-funds/%d/sponsors"' % fid in page) is register
        assert 'id="record"' in page and 'id="receive"' in page
