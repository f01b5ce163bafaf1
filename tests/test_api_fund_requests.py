"""Monthly fund requests over HTTP with bearer tokens: file, accept, the month's batch approved
by a leader, disbursement, an expense with its voucher (multipart), a refund, the final
accounts as JSON and .xlsx; the issue's bad input answered in one error shape, in Chinese
by default and in English with ``Accept-Language: en``. Both profiles."""
from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from tests.clients import is_error, keyed, login, url
from tests.factories import PDF, PNG
from tests.money_factories import approved_project, draft, item_ids, leaders, money_for, snapshot

EN = {"Accept-Language": "en"}


# Fund requests are filed in 共和新路's implementation phase (from April).
pytestmark = pytest.mark.usefixtures("in_implementation")


# What records money (filing, an expense, a refund) carries an idempotency key, as a client sends it.
KEYED = re.compile(r"^(|/\d+/expenses|/\d+/refunds)$")


def post(client, path: str, headers: dict, **kw):
    if KEYED.match(path):
        kw = {k: keyed(v) if k in ("json", "data") else v for k, v in kw.items()}
    return client.post(url(f"/fund-requests{path}"), headers=headers, **kw)


def actions(obj: dict) -> dict[str, tuple[bool, bool]]:
    """An object's ``actions`` as {action: (allowed, shown)}."""
    return {a["action"]: (a["allowed"], a["shown"]) for a in obj["actions"]}


def allowed(obj: dict) -> set[str]:
    return {a["action"] for a in obj["actions"] if a["allowed"]}


def test_a_request_from_filing_to_final_accounts(app, client, platform):
    pid = approved_project(platform)
    leaders(platform)
    luochuan, office, leader = login(client, "luochuan"), login(client, "ghxl_admin"), login(client, "fr_leader")
    # The project says what its budget items are (their ids are what a request names) and that
    # its applicant may now ask for money.
    project = client.get(url(f"/projects/{pid}"), headers=luochuan).get_json()
    lines = {line["description"]: line["id"] for line in project["budget"]["items"]}
    materials, posters = lines["活动物料"], lines["宣传海报"]
    assert [materials, posters] == item_ids(platform, pid)
    assert allowed(project) == {"file_fund_request", "request_change"}
    assert actions(project)["edit"] == (False, True)  # approved: changed only by a change request
    assert actions(project)["decide"] == (False, False)  # not the applicant's
    assert "file_fund_request" not in allowed(client.get(url(f"/projects/{pid}"), headers=office).get_json())

    r = post(client, "", luochuan, json={"project_id": pid, "amount": "1500", "purpose": "购买活动物料",
                                         "beneficiaries": "楼组居民", "budget_item_id": materials})
    assert r.status_code == 201, r.get_json()
    req = r.get_json()
    assert (req["state"], req["state_label"], req["amount"], req["month"], req["budget_item_description"]) == \
        ("submitted", "已提交", "1500.00", "2023-04", "活动物料")
    assert req["project"] == {"id": pid, "title": "口袋花园"} and req["applicant_unit"]["name"] == "洛川居民区"
    assert allowed(req) == {"withdraw"}
    rid = req["id"]
    r = post(client, "", luochuan, json={"project_id": pid, "amount": 800, "purpose": "海报", "budget_item_id": posters,
                                         "month": "2023-04"})
    assert r.status_code == 201, r.get_json()
    other = r.get_json()["id"]

    # The office's list, filtered; the applicant sees theirs; another neighbourhood sees none.
    r = client.get(url("/fund-requests?month=2023-04&state=submitted"), headers=office)
    assert r.status_code == 200 and r.headers["X-Total-Count"] == "2"
    assert [i["id"] for i in r.get_json()["items"]] == [rid, other]
    assert all(allowed(i) == {"accept", "refuse"} for i in r.get_json()["items"])
    assert client.get(url(f"/fund-requests?project_id={pid}"), headers=luochuan).get_json()["total"] == 2
    assert client.get(url("/fund-requests"), headers=login(client, "yanchang")).get_json()["total"] == 0

    for i in (rid, other):
        r = post(client, f"/{i}/acceptance", office, json={})
        assert r.status_code == 200, r.get_json()
        assert r.get_json()["state"] == "accepted"
    batch_id = r.get_json()["batch_id"]

    r = client.get(url("/fund-requests/batches?month=2023-04"), headers=leader)
    assert (r.get_json()["total"], r.get_json()["page"], r.headers["X-Total-Count"]) == (1, 1, "1")
    (batch,) = r.get_json()["items"]
    assert (batch["id"], batch["total"], batch["state"], batch["my_authority"]) == (batch_id, "2300.00", "open", "50000.00")
    assert batch["street_unit"]["name"] == "共和新路街道" and len(batch["requests"]) == 2
    assert allowed(batch) == {"approve"} and all(allowed(q) == set() for q in batch["requests"])
    office_view = client.get(url(f"/fund-requests/batches/{batch_id}"), headers=office).get_json()
    assert actions(office_view) == {"approve": (False, False), "disburse": (False, False)}
    r = post(client, f"/batches/{batch_id}/approval", leader)
    assert r.status_code == 200, r.get_json()
    assert (r.get_json()["state"], r.get_json()["approved_total"]) == ("approved", "2300.00")
    assert r.get_json()["approved_by"]["display_name"] == "分管副主任（测试）"

    assert allowed(client.get(url(f"/fund-requests/{rid}"), headers=office).get_json()) == {"disburse"}
    assert actions(client.get(url(f"/fund-requests/batches/{batch_id}"), headers=office).get_json())["disburse"] == (True, True)
    # Both disbursements answer alike: 201, the object acted on and the ledger entries posted.
    r = post(client, f"/{rid}/disbursement", office)
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["request"]["state"] == "disbursed" and body["request"]["disbursed"] == "1500.00"
    assert [(e["kind"], e["amount"]) for e in body["entries"]] == [("disbursement", "1500.00")]
    assert allowed(body["request"]) == {"refund"}  # the office holds the paperwork of a refund too
    r = post(client, f"/batches/{batch_id}/disbursement", office)
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert {q["state"] for q in body["batch"]["requests"]} == {"disbursed"}
    assert [(e["kind"], e["amount"], e["idempotency_key"].split(":")[1]) for e in body["entries"]] == \
        [("disbursement", "800.00", str(other))]
    assert actions(body["batch"])["disburse"] == (False, True)  # shown: every request is already paid
    assert allowed(client.get(url(f"/fund-requests/{rid}"), headers=luochuan).get_json()) == {"record_expense", "refund"}

    r = post(client, f"/{rid}/expenses", luochuan,
             data={"amount": "1200", "memo": "绿植和工具", "voucher": (io.BytesIO(PNG), "发票.png")})
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["request"]["spent"] == "1200.00" and body["entries"][0]["kind"] == "expense"
    (voucher,) = body["request"]["vouchers"]
    assert (voucher["amount"], voucher["filename"], voucher["memo"]) == ("1200.00", "发票.png", "资金申请#%d：绿植和工具" % rid)
    download = client.get(voucher["url"], headers=luochuan)
    assert download.status_code == 200 and download.data == PNG
    r = post(client, f"/{rid}/refunds", luochuan, json={"amount": "100", "memo": "结余退回"})
    assert r.status_code == 201 and r.get_json()["request"]["disbursed"] == "1400.00"

    r = client.get(url(f"/fund-requests/projects/{pid}/final-accounts"), headers=office)
    assert r.status_code == 200, r.get_json()
    fa = r.get_json()
    assert [(x["label"], x["budgeted"], x["requested"], x["disbursed"], x["spent"], x["balance"]) for x in fa["rows"]] == [
        ("活动物料", "3000.00", "1500.00", "1400.00", "1200.00", "1800.00"),
        ("宣传海报", "1000.00", "800.00", "800.00", "0.00", "1000.00")]
    assert (fa["total"]["label"], fa["total"]["spent"], fa["committed"], fa["refunded"]) == ("合计", "1200.00", "4000.00", "100.00")
    en = client.get(url(f"/fund-requests/projects/{pid}/final-accounts"), headers={**office, **EN}).get_json()
    assert en["total"]["label"] == "Total"
    x = client.get(fa["xlsx_url"], headers=luochuan)
    assert x.status_code == 200 and x.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment" in x.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(x.data))
    rows = [r for r in book.active.iter_rows(values_only=True)]
    assert any(r[0] == "合计" and r[5] == 1200 for r in rows)
    assert "口袋花园" in list(book["项目信息"].iter_rows(values_only=True))[1]


def test_bad_input_is_refused_in_one_shape_and_nothing_is_written(client, platform):
    pid = approved_project(platform)
    posters = item_ids(platform, pid)[1]
    luochuan = login(client, "luochuan")
    before = snapshot(platform)

    r = post(client, "", luochuan, json={"project_id": pid, "amount": "4000.01", "purpose": "物料"})
    body = is_error(r, 422, "over_approved_budget")
    assert "尚可申请 4,000.00元" in body["message"] and body["errors"][0]["field"] == "amount"
    r = post(client, "", {**luochuan, **EN}, json={"project_id": pid, "amount": "4000.01", "purpose": "物料"})
    assert r.status_code == 422
    assert r.get_json()["code"] == "over_approved_budget"
    assert "exceeds what is left of the project's approved money" in r.get_json()["message"]
    assert "4,000.00 yuan left" in r.get_json()["message"]

    is_error(post(client, "", luochuan, json={"project_id": pid, "amount": "1000.01", "purpose": "海报",
                                              "budget_item_id": posters}), 422, "over_budget_item")
    for amount in ("-5", "10.001", 10.5, "0"):
        body = is_error(post(client, "", luochuan, json={"project_id": pid, "amount": amount, "purpose": "物料"}),
                        422, "invalid_amount")
        assert body["errors"][0]["field"] == "amount"
    r = post(client, "", {**luochuan, **EN}, json={"project_id": pid, "amount": 10.5, "purpose": "物料"})
    assert r.get_json()["errors"][0]["message"].startswith("The amount must be an amount of yuan such as 5000")
    body = is_error(post(client, "", luochuan, json={"project_id": pid, "amount": "10", "purpose": "物料", "month": "2023-13"}), 422)
    assert body["errors"][0]["field"] == "month"
    body = is_error(post(client, "", luochuan, json={"project_id": pid, "amount": "10"}), 422)
    assert body["errors"][0]["field"] == "purpose"

    money_for(platform)
    rejected = draft(platform, title="被否决的项目")
    from core.services import review
    from tests.factories import acting
    with acting(platform, "jingan", "ghxl_chair") as ctx:
        review.decide(ctx, rejected, "rejected", explanation="与既有项目重复，建议合并")
    before = snapshot(platform)
    body = is_error(post(client, "", luochuan, json={"project_id": rejected, "amount": "10", "purpose": "物料"}),
                    409, "project_not_approved")
    assert "未通过" in body["message"]
    # Someone without the role: the street office files nothing for a neighbourhood.
    is_error(post(client, "", login(client, "ghxl_admin"), json={"project_id": pid, "amount": "10", "purpose": "物料"}),
             403, "forbidden")
    assert post(client, "", {}, json={"project_id": pid, "amount": "10", "purpose": "物料"}).status_code == 401
    assert snapshot(platform) == before


def test_disbursing_twice_and_a_batch_above_authority_are_refused(client, platform):
    pid = approved_project(platform)
    leaders(platform)
    luochuan, office = login(client, "luochuan"), login(client, "ghxl_admin")
    rid = post(client, "", luochuan, json={"project_id": pid, "amount": "1000.50", "purpose": "物料"}).get_json()["id"]
    batch_id = post(client, f"/{rid}/acceptance", office, json={}).get_json()["batch_id"]

    before = snapshot(platform)
    small = login(client, "fr_small_leader")
    body = is_error(post(client, f"/batches/{batch_id}/approval", small), 403, "over_authority")
    assert "1,000.50元" in body["message"] and "1,000.00元" in body["message"] and body["errors"][0]["clause"]
    r = post(client, f"/batches/{batch_id}/approval", {**small, **EN})
    assert "above your authority (1,000.00 yuan)" in r.get_json()["message"]
    seen = client.get(url(f"/fund-requests/batches/{batch_id}"), headers=small).get_json()
    assert seen["my_authority"] == "1000.00"
    # The approval is the small leader's to take, but not above their authority: shown, refused, and why.
    (approve,) = [a for a in seen["actions"] if a["action"] == "approve"]
    assert (approve["allowed"], approve["shown"], approve["permission"]) == (False, True, "batch.approve")
    assert "超出您的审批权限（1,000.00元）" in approve["reason"]
    is_error(post(client, f"/{rid}/disbursement", office), 409, "wrong_state")
    assert snapshot(platform) == before

    assert post(client, f"/batches/{batch_id}/approval", login(client, "fr_leader")).status_code == 200
    assert post(client, f"/{rid}/disbursement", office).status_code == 201
    before = snapshot(platform)
    body = is_error(post(client, f"/{rid}/disbursement", office), 409, "already_disbursed")
    assert "不能重复拨付" in body["message"]
    r = post(client, f"/{rid}/disbursement", {**office, **EN})
    assert "cannot be paid twice" in r.get_json()["message"]
    # More spending than was paid out, and a file that is no voucher.
    is_error(post(client, f"/{rid}/expenses", luochuan,
                  data={"amount": "1000.51", "memo": "物料", "voucher": (io.BytesIO(PDF), "收据.pdf")}), 422,
             "over_request_disbursed")
    is_error(post(client, f"/{rid}/expenses", luochuan,
                  data={"amount": "10", "memo": "物料", "voucher": (io.BytesIO(b"hello"), "收据.txt")}), 415, "file_type")
    body = is_error(post(client, f"/{rid}/expenses", luochuan, data={"amount": "10", "memo": "物料"}), 422)
    assert body["errors"][0]["field"] == "voucher"
    assert snapshot(platform) == before


def test_withdraw_refuse_and_move_to_next_month(client, platform):
    pid = approved_project(platform)
    leaders(platform)
    luochuan, office = login(client, "luochuan"), login(client, "ghxl_admin")

    def new(amount):
        return post(client, "", luochuan, json={"project_id": pid, "amount": amount, "purpose": "物料"}).get_json()["id"]

    a = new("100")
    r = post(client, f"/{a}/withdraw", luochuan)
    assert r.status_code == 200 and r.get_json()["state"] == "withdrawn"
    is_error(post(client, f"/{a}/withdraw", luochuan), 409, "wrong_state")

    b = new("200")
    body = is_error(post(client, f"/{b}/refusal", office, json={"reason": "短"}), 422, "reason_required")
    assert body["errors"][0]["field"] == "reason"
    r = post(client, f"/{b}/refusal", office, json={"reason": "用途与预算明细不符"})
    assert (r.get_json()["state"], r.get_json()["refusal_reason"]) == ("refused", "用途与预算明细不符")
    is_error(post(client, f"/{b}/supervision", login(client, "ghxl_admin"), json={"outcome": "approved"}), 409,
             "no_supervision_step")

    c = new("300")
    batch_id = post(client, f"/{c}/acceptance", office, json={}).get_json()["batch_id"]
    post(client, f"/batches/{batch_id}/approval", login(client, "fr_leader"))
    d = new("400")
    body = is_error(post(client, f"/{d}/acceptance", office, json={}), 409, "batch_already_approved")
    assert body["errors"][0]["field"] == "month" and "2023年5月" in body["message"]
    r = post(client, f"/{d}/acceptance", office, json={"month": "2023-05"})
    assert r.status_code == 200 and r.get_json()["month"] == "2023-05"
    is_error(post(client, f"/{d}/acceptance", office, json={"month": "April"}), 422)

    # Others see no request and no batch; an unknown id is the same 404.
    yanchang = login(client, "yanchang")
    is_error(client.get(url(f"/fund-requests/{d}"), headers=yanchang), 404, "not_found")
    is_error(client.get(url(f"/fund-requests/batches/{batch_id}"), headers=yanchang), 404, "not_found")
    is_error(client.get(url("/fund-requests/99999"), headers=office), 404, "not_found")
    is_error(client.get(url(f"/fund-requests/projects/{pid}/final-accounts"), headers=yanchang), 403, "forbidden")
