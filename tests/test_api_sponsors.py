"""Sponsors, pledges and claims over HTTP (…/sponsors): register, pledge and claim, receive,
the fund's totals, and the sponsor's own view of what its pledge paid for, with the voucher it
can download. Every bad input answers in Chinese naming the field (English on request), and
writes nothing. Both profiles."""
from __future__ import annotations

import pytest

from core.services import ledger
from tests.clients import is_error, login
from tests.factories import COUNCIL_DAY, PDF, T, acting, haiyuan_project, on_day, unit_id
from tests.money_factories import COUNCIL, counts, fund_id, sponsor_id, spend

API = f"/api/v1/t/{T}/sponsors"


@pytest.fixture(autouse=True)
def at_the_council(client):
    """The seed's year: sponsors pledge and claim projects at the council meeting (海园's phase
    for claims), so these tests act on its day; the factories apply on the application day."""
    with on_day(COUNCIL_DAY):
        yield


def pledge_body(platform, sponsor: str, amount, **kw) -> dict:
    body = {"sponsor_id": sponsor_id(platform, sponsor), "fund_id": fund_id(platform), "amount": amount,
            "occasion": COUNCIL, "key": f"api-{sponsor}-{amount}-{kw.get('project_id')}"}
    body.update(kw)
    return body


def test_register_pledge_claim_receive_and_the_sponsor_sees_what_it_paid_for(client, platform):
    staff, street = login(client, "haiyuan"), login(client, "jas_admin")
    haiyuan = unit_id(platform, T, "jas-haiyuan")

    r = client.get(f"{API}?org_unit_id={haiyuan}", headers=staff)
    assert r.status_code == 200
    assert [(s["name"], s["kind_label"], s["has_login"]) for s in r.get_json()["items"]] == [
        ("上海宾馆", "企业", True), ("平安养老保险", "企业", True)]
    r = client.post(API, headers=street, json={"org_unit_id": haiyuan, "name": "静安社区基金会", "kind": "foundation",
                                                "contact": "王老师"})
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["org_unit"]["name"] == "海园居民区" and r.get_json()["kind_label"] == "基金会/慈善组织"
    is_error(client.post(API, headers=street, json={"org_unit_id": haiyuan, "name": "静安社区基金会", "kind": "foundation"}),
             409, "sponsor_exists")

    [fund] = client.get(f"{API}/funds", headers=staff).get_json()["items"]
    assert (fund["fund"]["name"], fund["cap"], fund["promised"], fund["received"]) == ("社区共治金", "300000.00", "0.00", "0.00")

    pid, voucher = haiyuan_project(platform, "爱心小水表", amount="50000", voucher=True)
    r = client.post(f"{API}/pledges", headers=staff, json=pledge_body(platform, "上海宾馆", "100000", project_id=pid))
    assert r.status_code == 201, r.get_json()
    claim = r.get_json()
    assert (claim["status"], claim["status_label"], claim["amount"], claim["project"]["title"]) == (
        "promised", "已认捐，未到账", "100000.00", "爱心小水表")
    assert claim["pledged_on"] == COUNCIL_DAY and claim["occasion"] == COUNCIL  # pledged at the meeting

    r = client.post(f"{API}/pledges/{claim['id']}/receipts", headers=staff, json={"amount": "100000", "key": "bank-1"})
    assert r.status_code == 201, r.get_json()
    got = r.get_json()
    assert got["allocation"]["amount"] == "100000.00" and got["commitment"] is None
    assert (got["pledge"]["status"], got["pledge"]["received"], got["pledge"]["outstanding"]) == ("received", "100000.00", "0.00")
    # a retry of the same receipt is the same receipt
    again = client.post(f"{API}/pledges/{claim['id']}/receipts", headers=staff, json={"amount": "100000", "key": "bank-1"})
    assert again.status_code == 201 and again.get_json()["allocation"]["id"] == got["allocation"]["id"]

    r = client.post(f"/api/v1/t/{T}/projects/{pid}/decision", headers=login(client, "jas_chair"),
                    json={"outcome": "approved", "approved_amount": "50000"})
    assert r.status_code == 201, r.get_json()
    spend(platform, pid, 30000, "更换水表40只", "w1", voucher=voucher)

    [fund] = client.get(f"{API}/funds", headers=staff).get_json()["items"]
    assert (fund["promised"], fund["received"], fund["committed"], fund["spent"], fund["available"]) == (
        "100000.00", "100000.00", "50000.00", "30000.00", "50000.00")
    claims = client.get(f"{API}/pledges?project_id={pid}", headers=login(client, "pingan")).get_json()["items"]
    assert [(c["sponsor"]["name"], c["spent"]) for c in claims] == [("上海宾馆", "30000.00")]

    hotel = login(client, "shbg")
    view = client.get(f"{API}/{sponsor_id(platform, '上海宾馆')}", headers=hotel).get_json()
    assert (view["promised"], view["received"], view["spent"]) == ("100000.00", "100000.00", "30000.00")
    [mine] = view["pledges"]
    [paid] = mine["paid_for"]
    assert (paid["memo"], paid["amount"], paid["project"]["title"], paid["voucher_filename"]) == (
        "更换水表40只", "30000.00", "爱心小水表", "发票.pdf")
    r = client.get(paid["voucher"], headers=hotel)
    assert r.status_code == 200 and r.data == PDF
    r.close()
    english = client.get(f"{API}/{sponsor_id(platform, '上海宾馆')}?lang=en", headers=hotel).get_json()
    assert english["pledges"][0]["status_label"] == "received" and english["sponsor"]["kind_label"] == "enterprise"


def test_bad_input_is_refused_in_chinese_naming_the_field_and_nothing_is_written(client, platform):
    staff = login(client, "haiyuan")
    before = counts(platform)

    body = is_error(client.post(f"{API}/pledges", headers=staff, json=pledge_body(platform, "上海宾馆", "1", sponsor_id=999_999)),
                    422, "not_a_sponsor")
    assert body["errors"][0]["field"] == "sponsor_id" and "不是登记的共建单位" in body["message"]
    for amount in (1.5, "-1", "0.001", "abc"):
        body = is_error(client.post(f"{API}/pledges", headers=staff, json=pledge_body(platform, "上海宾馆", amount)),
                        422, "invalid_amount")
        assert body["errors"][0]["field"] == "amount" and "认捐金额" in body["message"]
    is_error(client.post(f"{API}/pledges", headers=staff, json=pledge_body(platform, "上海宾馆", "0")), 422, "nothing_promised")
    body = is_error(client.post(f"{API}/pledges", headers=staff, json=pledge_body(platform, "上海宾馆", "300000.01")),
                    422, "over_cap")
    assert "上限 300,000.00元" in body["message"] and "30万的社区共治金" in body["errors"][0]["clause"]
    is_error(client.post(f"{API}/pledges", headers=staff, json=pledge_body(platform, "上海宾馆", "1", pledged_on="2023-02-30")),
             422, "invalid_date")
    # Without its key the pledge cannot be taken safely: a 400, naming the key beside the rest.
    body = is_error(client.post(f"{API}/pledges", headers=staff, json={"sponsor_id": "x", "fund_id": 0, "amount": "1"}),
                    400, "idempotency_key_required")
    assert {e["field"] for e in body["errors"]} == {"sponsor_id", "fund_id", "key"}
    # a sponsor cannot pledge in another's name
    is_error(client.post(f"{API}/pledges", headers=login(client, "pingan"), json=pledge_body(platform, "上海宾馆", "1")), 403)
    # anonymous callers are asked to log in
    is_error(client.post(f"{API}/pledges", json=pledge_body(platform, "上海宾馆", "1")), 401)
    assert counts(platform) == before

    # The same refusals in English when asked.
    r = client.post(f"{API}/pledges?lang=en", headers=staff, json=pledge_body(platform, "上海宾馆", "300000.01"))
    body = r.get_json()
    assert r.status_code == 422 and body["code"] == "over_cap"
    assert body["message"].startswith("社区共治金 (2023) would exceed its target: target 300,000.00")
    r = client.post(f"{API}/pledges", headers={**staff, "Accept-Language": "en"},
                    json=pledge_body(platform, "上海宾馆", 1.5))
    assert r.get_json()["errors"][0]["message"] == "The amount pledged must be an amount of yuan such as 5000, 5,000.50, 5000元 or 0.5万, with at most two decimals; not negative, a float or capital numerals (伍仟)"


def test_receiving_more_than_promised_and_claiming_a_rejected_project_are_refused(client, platform):
    staff = login(client, "haiyuan")
    r = client.post(f"{API}/pledges", headers=staff, json=pledge_body(platform, "平安养老保险", "1000"))
    assert r.status_code == 201
    pledge = r.get_json()["id"]
    before = counts(platform)
    body = is_error(client.post(f"{API}/pledges/{pledge}/receipts", headers=staff, json={"amount": "1000.01", "key": "k"}),
                    422, "over_pledge")
    assert "最多还可到账 1,000.00元" in body["message"] and body["errors"][0]["field"] == "amount"
    is_error(client.post(f"{API}/pledges/{pledge}/receipts", headers=staff, json={"amount": 10.0, "key": "k"}), 422, "invalid_amount")
    is_error(client.post(f"{API}/pledges/{pledge}/receipts", headers=login(client, "pingan"), json={"amount": "1", "key": "k"}), 403)
    is_error(client.post(f"{API}/pledges/999999/receipts", headers=staff, json={"amount": "1", "key": "k"}), 404)

    rejected, _ = haiyuan_project(platform, "被否决的项目")
    with acting(platform, T, "jas_chair") as ctx:
        from core.services import review
        review.decide(ctx, rejected, "rejected", "与共治金用途不符，请调整")
    before = counts(platform)
    body = is_error(client.post(f"{API}/pledges", headers=staff,
                                json=pledge_body(platform, "上海宾馆", "100", project_id=rejected)), 422, "claim_not_announced")
    assert body["errors"][0]["field"] == "project_id" and "不能再认领" in body["message"]
    assert counts(platform) == before


def test_who_sees_what(client, platform):
    staff = login(client, "haiyuan")
    client.post(f"{API}/pledges", headers=staff, json=pledge_body(platform, "上海宾馆", "100"))
    client.post(f"{API}/pledges", headers=staff, json=pledge_body(platform, "平安养老保险", "200"))
    assert len(client.get(f"{API}/pledges?fund_id={fund_id(platform)}", headers=staff).get_json()["items"]) == 2
    hotel = login(client, "shbg")
    mine = client.get(f"{API}/pledges", headers=hotel).get_json()["items"]
    assert [p["sponsor"]["name"] for p in mine] == ["上海宾馆"]
    assert client.get(f"{API}/funds", headers=hotel).get_json()["items"] == []
    is_error(client.get(f"{API}/{sponsor_id(platform, '平安养老保险')}", headers=hotel), 403)
    other_street = login(client, "ghxl_admin")
    assert client.get(f"{API}/pledges", headers=other_street).get_json()["items"] == []
    is_error(client.get(f"{API}?org_unit_id={unit_id(platform, T, 'jas-haiyuan')}", headers=other_street), 403)
    is_error(client.get(f"{API}/pledges"), 401)
    # the supervisor sees the fund and the sponsors' view
    watcher = login(client, "haiyuan_jd")
    assert len(client.get(f"{API}/pledges", headers=watcher).get_json()["items"]) == 2
    assert client.get(f"{API}/{sponsor_id(platform, '上海宾馆')}", headers=watcher).status_code == 200
    with acting(platform, T, "jas_admin") as ctx:  # the fund's balances are the ledger's
        assert ledger.balance(ctx, fund_id(platform)).allocated == 0
