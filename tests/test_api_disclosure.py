"""The disclosure and district-money endpoints: anyone reads a unit's or a project's disclosure
and its congress report; only district and street administrators read the district view (a
street admin their street only); amounts are yuan strings that add up; nothing private leaks;
bad years are refused; a fixed number of statements however many projects."""
from __future__ import annotations

import io
import json
from decimal import Decimal

import openpyxl
import pytest

from core.money import fen_to_yuan
from core.services import ledger, review
from tests.clients import counting, login, url
from tests.factories import acting, gonghexinlu_project, unit_id
from tests.money_factories import PRIVATE, YUAN, build


@pytest.fixture
def scenario(platform):
    return build(platform)


def test_anyone_reads_a_neighbourhoods_disclosure(client, platform, scenario):
    s = scenario
    r = client.get(url(f"/disclosure/units/{unit_id(platform, 'jingan', 'ghxl-luochuan')}?year=2023"))
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["unit"]["code"] == "ghxl-luochuan" and body["year"] == 2023 and 2023 in body["years"]
    assert [p["project"]["title"] for p in body["projects"]] == ["楼组议事会", "口袋花园"]
    sig = body["projects"][0]
    assert sig["project"]["track_label"] == "一居一品"
    assert [(x["fund"]["kind"], x["committed"]) for x in sig["sources"]] == [
        ("budget_line", str(fen_to_yuan(s.line_fen))), ("pool", "2000.00"), ("sponsor_fund", "5000.00")]
    assert sig["approval"]["approved_amount"] == str(fen_to_yuan(s.line_fen + 2_000 * YUAN))
    assert [(m["kind"], m["amount"]) for m in sig["disbursements"]] == [
        ("disbursement", "6000.00"), ("disbursement", "2000.00"), ("refund", "-500.00")]
    assert sig["disbursements"][0]["purpose"] == "议事会场地布置与物料" and sig["disbursements"][0]["month"] == "2023-05"
    assert [(m["amount"], m["has_voucher"]) for m in sig["spending"]] == [
        ("2500.50", True), ("1000.00", False), ("-200.00", False)]
    assert sig["spending"][2]["corrects_kind"] == "expense"
    # every list adds up to its total
    assert sum(Decimal(m["amount"]) for m in sig["spending"]) == Decimal(sig["totals"]["spent"]) == Decimal("3300.50")
    assert sum(Decimal(m["amount"]) for m in sig["disbursements"]) == Decimal(sig["totals"]["disbursed"])
    assert sig["pledges"][0]["sponsor"] == "上海某宾馆" and sig["pledges"][0]["received"] == "20000.00"
    assert body["totals"]["spent"] == "7300.50" and body["totals"]["disbursed"] == "12300.50"
    line = next(f for f in body["funds"] if f["fund"]["kind"] == "budget_line")
    assert (line["committed"], line["disbursed"], line["spent"], line["available"]) == (
        str(fen_to_yuan(s.line_fen)), "6000.00", "3300.50", "0.00")
    assert {p["sponsor"] for p in body["pledges"]} == {"上海某宾馆", "个人捐赠者"}
    text = json.dumps(body, ensure_ascii=False)
    for secret in PRIVATE:
        assert secret not in text, secret
    assert "attachment" not in text and "decided_by" not in text
    assert body["report_url"].endswith(f"/disclosure/units/{body['unit']['id']}/report.xlsx?year=2023")


def test_english_labels(client, platform, scenario):
    r = client.get(url(f"/disclosure/projects/{scenario.sig}?lang=en"))
    assert r.get_json()["sources"][1]["fund"]["kind_label"] == "fund pool"


def test_one_project_and_the_unapproved_ones(client, platform, scenario):
    s = scenario
    r = client.get(url(f"/disclosure/projects/{s.micro}"))
    assert r.status_code == 200 and r.get_json()["totals"] == {
        "committed": "4800.50", "disbursed": "4800.50", "spent": "4000.00", "undisbursed": "0.00",
        "unspent": "800.50", "promised": "0.00", "received": "0.00"}
    headers = login(client, "ghxl_admin")  # even someone who may see them elsewhere
    for pid in (s.pending, s.rejected, 999_999):
        r = client.get(url(f"/disclosure/projects/{pid}"), headers=headers)
        assert r.status_code == 404 and r.get_json()["code"] == "not_found"
    assert client.get(url("/disclosure/units/999999")).status_code == 404


@pytest.mark.parametrize("year", ["1999", "abc", "2023.5"])
def test_a_bad_year_is_refused(client, platform, year):
    r = client.get(url(f"/disclosure/units/{unit_id(platform, 'jingan', 'ghxl-luochuan')}?year={year}"))
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "year"


def test_the_congress_report_downloads(client, platform, scenario):
    r = client.get(url(f"/disclosure/units/{unit_id(platform, 'jingan', 'ghxl-luochuan')}/report.xlsx?year=2023"))
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment" in r.headers["Content-Disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(r.data))
    assert wb.sheetnames[:4] == ["资金来源", "立项审批", "拨付", "支出"]
    last = list(wb["支出"].iter_rows(values_only=True))[-1]
    assert last[0] == "合计" and Decimal(str(last[-1])).quantize(Decimal("0.01")) == Decimal("7300.50")


def test_the_district_view_needs_an_administrator(client, platform, scenario):
    assert client.get(url("/disclosure/district")).status_code == 401
    assert client.get(url("/disclosure/district.xlsx")).status_code == 401
    neighbourhood = login(client, "luochuan")
    r = client.get(url("/disclosure/district"), headers=neighbourhood)
    assert r.status_code == 403 and r.get_json()["code"] == "forbidden"
    assert client.get(url("/disclosure/district.xlsx"), headers=neighbourhood).status_code == 403


def test_district_and_street_administrators(client, platform, scenario):
    district = client.get(url("/disclosure/district?year=2023"), headers=login(client, "jingan_admin")).get_json()
    assert [g["unit"]["code"] for g in district["streets"]] == ["gonghexinlu", "jingansi"]
    street = client.get(url("/disclosure/district?year=2023"), headers=login(client, "ghxl_admin")).get_json()
    assert [g["unit"]["code"] for g in street["streets"]] == ["gonghexinlu"]
    g = street["streets"][0]
    assert g["totals"] == district["streets"][0]["totals"]
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        balances = ledger.balances(ctx, [f["fund"]["id"] for f in g["funds"]])
    assert Decimal(g["totals"]["committed"]) == fen_to_yuan(sum(b.committed for b in balances.values()))
    assert Decimal(g["totals"]["available"]) == fen_to_yuan(sum(b.available for b in balances.values()))
    pool = next(f for f in g["funds"] if f["fund"]["kind"] == "pool")
    assert pool["fund"]["cap"] == "200000.00" and pool["committed"] == "9800.50"
    assert street["totals"] == g["totals"]
    r = client.get(url("/disclosure/district.xlsx?year=2023"), headers=login(client, "ghxl_admin"))
    wb = openpyxl.load_workbook(io.BytesIO(r.data))
    assert wb.sheetnames == ["各街道汇总", "各项资金明细"]
    assert [row[0] for row in wb["各街道汇总"].iter_rows(min_row=2, values_only=True)] == ["共和新路街道", "合计"]


def test_statements_stay_flat(app, client, platform, scenario):
    street = unit_id(platform, "jingan", "gonghexinlu")
    admin = login(client, "jingan_admin")
    paths = [(url(f"/disclosure/units/{street}?year=2023"), {}), (url(f"/disclosure/projects/{scenario.sig}"), {}),
             (url("/disclosure/district?year=2023"), admin)]

    def measure():
        out = []
        for path, headers in paths:
            client.get(path, headers=headers)
            with counting(app.extensions["tongxin"].db.engine) as seen:
                r = client.get(path, headers=headers)
            assert r.status_code == 200
            out.append(len(seen))
        return out

    few = measure()
    for i in range(3):
        pid, _ = gonghexinlu_project(platform, "yanchang", "ghxl-yanchang", "micro_venture", f"延长微项目{i}", "1000")
        with acting(platform, "jingan", "ghxl_chair") as ctx:
            review.decide(ctx, pid, "approved")
        with acting(platform, "jingan", "ghxl_admin") as ctx:
            ledger.disburse(ctx, scenario.pool, 800 * YUAN, pid, f"t:api-d{i}")
            ledger.expense(ctx, scenario.pool, 300 * YUAN, pid, f"t:api-e{i}")
            ledger.create_fund(ctx, unit_id(platform, "jingan", "ghxl-zhonghua"), 2023, "sponsor_fund", f"共治金{i}")
    assert measure() == few, few
    body = client.get(url(f"/disclosure/units/{street}?year=2023")).get_json()
    assert len(body["projects"]) == 3 + 3
