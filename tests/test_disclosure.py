"""Public disclosure through the services: a neighbourhood's approved projects with their
sources, approval, disbursements and spending, and its funds, adding up to the ledger postings
the test makes; unapproved projects, reviewers' words, vouchers' files and donors' names stay
out; the congress report (.xlsx) has the right sheets and totals; a fixed number of queries.

The scenario (共和新路 2023, amounts in yuan): 洛川's line holds L (the demo's allocation, or
10,000) and the street's pool 200,000; 洛川's signature project is approved at L + 2,000 (L from
its line, the 2,000 excess from the pool, with the panel's approval), its micro-venture project at 4,800.50, and 延长's
micro-venture project at 3,000. A hotel pledges 30,000 to 洛川's co-governance fund claiming the signature
project (20,000 received, 5,000 committed to it) plus a meeting room, and a room to a project
still under review; a resident gives 1,000.
Then money is disbursed (one against a fund request), spent (one with a voucher), a refund and
a correction reduce two figures."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest

from core.documents import disclosure_report
from core.money import fen_to_yuan
from core.services import disclosure, ledger, review
from core.violations import NotFound
from tests.clients import counting
from tests.factories import acting, gonghexinlu_project, unit_id
from tests.money_factories import YUAN, Scenario, build


@pytest.fixture
def scenario(platform) -> Scenario:
    return build(platform)


def luochuan(platform) -> int:
    return unit_id(platform, "jingan", "ghxl-luochuan")


# ---------------------------------------------------------------- the numbers


def test_a_neighbourhoods_disclosure_adds_up_to_the_postings(platform, scenario):
    s = scenario
    with acting(platform, "jingan", None) as ctx:  # anyone: no login
        d = disclosure.unit_disclosure(ctx, luochuan(platform), 2023)
        assert d.year == 2023 and 2023 in d.years
        # only approved projects of this neighbourhood: not 延长's, not the pending or rejected one
        assert [p.project.id for p in d.projects] == [s.sig, s.micro]
        sig, micro = d.projects

        # sources: the line, the pool's excess, the sponsor fund, in the order money was committed
        assert [(x.fund.id, x.kind_label.zh) for x in sig.sources] == [
            (s.line, "居民自治经费"), (s.pool, "资金池"), (s.sponsor_fund, "共治金/自治金")]
        assert [(x.committed_fen, x.disbursed_fen, x.spent_fen) for x in sig.sources] == [
            (s.line_fen, 6_000 * YUAN, 250_050 + 1_000 * YUAN - 200 * YUAN),
            (2_000 * YUAN, 2_000 * YUAN - 500 * YUAN, 0),
            (5_000 * YUAN, 0, 0)]
        # ... the same as the ledger's own per-project balances
        for x in sig.sources:
            b = ledger.project_balances(ctx, s.sig)[x.fund.id]
            assert (x.committed_fen, x.disbursed_fen, x.spent_fen) == (b.committed, b.disbursed, b.spent)
        assert sig.approval.approved_fen == s.line_fen + 2_000 * YUAN and sig.approval.decided_on is not None
        assert (micro.committed_fen, micro.disbursed_fen, micro.spent_fen) == (480_050, 480_050, 4_000 * YUAN)

        # disbursements: signed (the refund is negative), with the fund request's purpose and month
        assert [(m.kind, m.amount_fen, m.fund_name) for m in sig.disbursements] == [
            ("disbursement", 6_000 * YUAN, "居民自治经费"), ("disbursement", 2_000 * YUAN, "自治项目资金池"),
            ("refund", -500 * YUAN, "自治项目资金池")]
        first = sig.disbursements[0]
        assert (first.purpose, first.month) == ("议事会场地布置与物料", "2023-05")
        assert sum(m.amount_fen for m in sig.disbursements) == sig.disbursed_fen == 7_500 * YUAN

        # spending: the correction reduces it; the voucher is a yes/no, not a file
        assert [(m.kind, m.amount_fen, m.has_voucher) for m in sig.spending] == [
            ("expense", 250_050, True), ("expense", 1_000 * YUAN, False), ("correction", -200 * YUAN, False)]
        assert sig.spending[2].memo.startswith("发票金额为800元")
        assert sum(m.amount_fen for m in sig.spending) == sig.spent_fen == 330_050
        assert (sig.vouchers, sig.expenses) == (1, 2)

        # pledges: the hotel by name, promised and received; in kind
        (hotel,) = sig.pledges
        assert (hotel.sponsor_name.zh, hotel.promised_fen, hotel.received_fen, hotel.in_kind) == (
            "上海某宾馆", 30_000 * YUAN, 20_000 * YUAN, "提供会议场地")

        # totals over the projects
        assert d.total("committed_fen") == s.line_fen + 7_000 * YUAN + 480_050
        assert d.total("disbursed_fen") == 7_500 * YUAN + 480_050
        assert d.total("spent_fen") == 330_050 + 4_000 * YUAN
        assert d.approved_fen == s.line_fen + 2_000 * YUAN + 480_050

        # the unit's own funds (the pool is the street's): the ledger's balances
        assert [f.fund.id for f in d.funds] == [s.line, s.sponsor_fund]
        by_id = {f.fund.id: f.balance for f in d.funds}
        assert by_id == ledger.balances(ctx, [s.line, s.sponsor_fund])
        assert (by_id[s.line].committed, by_id[s.line].disbursed, by_id[s.line].available) == (s.line_fen, 6_000 * YUAN, 0)
        assert (by_id[s.sponsor_fund].allocated, by_id[s.sponsor_fund].available) == (20_000 * YUAN, 15_000 * YUAN)
        # every pledge to the unit's fund: the individual unnamed, the undisclosed project unnamed
        assert [(p.id, p.sponsor_name.zh, p.project_id, p.project_title, p.claimed) for p in d.pledges] == [
            (s.hotel_pledge, "上海某宾馆", s.sig, "楼组议事会", True), (s.person_pledge, "个人捐赠者", None, "", False),
            (s.room_pledge, "上海某宾馆", None, "", True)]


def test_a_street_discloses_every_neighbourhood_and_its_pool(platform, scenario):
    s = scenario
    with acting(platform, "jingan", None) as ctx:
        d = disclosure.unit_disclosure(ctx, unit_id(platform, "jingan", "gonghexinlu"), 2023)
        assert {p.project.id for p in d.projects} == {s.sig, s.micro, s.other}
        pool = next(f for f in d.funds if f.fund.id == s.pool)
        assert pool.balance == ledger.balance(ctx, s.pool)
        # committed from the pool: the excess 2,000 and the two micro-venture projects
        assert pool.balance.committed == 2_000 * YUAN + 480_050 + 3_000 * YUAN
        assert pool.balance.cap_fen == 200_000 * YUAN
        # what the projects drew from the pool is what the pool committed
        drawn = sum(x.committed_fen for p in d.projects for x in p.sources if x.fund.id == s.pool)
        assert drawn == pool.balance.committed


def test_a_year_without_projects_is_empty_and_another_years_projects_absent(platform, scenario):
    with acting(platform, "jingan", None) as ctx:
        d = disclosure.unit_disclosure(ctx, luochuan(platform), 2022)
        assert d.projects == [] and d.funds == [] and d.total("committed_fen") == 0
        assert disclosure.unit_disclosure(ctx, luochuan(platform)).year == 2023  # default: this year (pinned 2023)


def test_unapproved_projects_are_not_disclosed(platform, scenario):
    s = scenario
    with acting(platform, "jingan", "ghxl_admin") as ctx:  # even an administrator who may see them elsewhere
        for pid in (s.pending, s.rejected):
            with pytest.raises(NotFound):
                disclosure.project_disclosure(ctx, pid)
        d = disclosure.unit_disclosure(ctx, luochuan(platform), 2023)
        assert {p.project.id for p in d.projects} == {s.sig, s.micro}
    with acting(platform, "jingan", None) as ctx:
        with pytest.raises(NotFound):
            disclosure.project_disclosure(ctx, 999_999)


def test_one_projects_disclosure_matches_the_units(platform, scenario):
    s = scenario
    with acting(platform, "jingan", None) as ctx:
        one = disclosure.project_disclosure(ctx, s.sig)
        in_unit = disclosure.unit_disclosure(ctx, luochuan(platform), 2023).projects[0]
        assert one.sources == in_unit.sources and one.disbursements == in_unit.disbursements
        assert one.spending == in_unit.spending and one.pledges == in_unit.pledges and one.approval == in_unit.approval


def test_the_choice_of_units_counts_disclosed_projects(platform, scenario):
    with acting(platform, "jingan", None) as ctx:
        (root,) = disclosure.unit_choices(ctx, 2023)
        street = next(c for c in root.children if c.unit.code == "gonghexinlu")
        counts = {c.unit.code: c.own for c in street.children}
        assert counts["ghxl-luochuan"] == 2 and counts["ghxl-yanchang"] == 1 and counts["ghxl-zhonghua"] == 0
        assert street.within == 3 and root.within == 3


# ---------------------------------------------------------------- the congress report


def _sheet(wb, name) -> tuple[list[str], list[list]]:
    rows = [list(r) for r in wb[name].iter_rows(values_only=True)]
    return rows[0], rows[1:]


def _yuan(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def test_the_congress_report_has_its_sheets_and_totals(platform, scenario):
    s = scenario
    with acting(platform, "jingan", None) as ctx:
        d = disclosure.unit_disclosure(ctx, luochuan(platform), 2023)
        data = disclosure_report.report_workbook(d)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames[:4] == ["资金来源", "立项审批", "拨付", "支出"]

    head, rows = _sheet(wb, "资金来源")
    committed = head.index("承诺金额（元）")
    assert rows[-1][0] == "合计"
    assert _yuan(rows[-1][committed]) == fen_to_yuan(s.line_fen) + Decimal("11800.50")
    assert _yuan(rows[-1][head.index("认捐金额（元）")]) == Decimal("31000.00")  # the hotel's and the resident's
    assert _yuan(rows[-1][head.index("认捐已到账（元）")]) == Decimal("20000.00")
    assert any(r[:3] == ["楼组议事会", "共建单位认捐（企业）", "上海某宾馆"] and r[-1] == "提供会议场地" for r in rows)
    assert any(r[:3] == ["（未指定项目）", "共建单位认捐（个人）", "个人捐赠者"] for r in rows)

    head, rows = _sheet(wb, "立项审批")
    assert [r[0] for r in rows[:-1]] == ["楼组议事会", "口袋花园"]
    assert _yuan(rows[-1][head.index("核定金额（元）")]) == fen_to_yuan(s.line_fen) + Decimal("6800.50")
    assert all(isinstance(r[head.index("立项日期")], dt.datetime) for r in rows[:-1])

    head, rows = _sheet(wb, "拨付")
    assert _yuan(rows[-1][-1]) == Decimal("12300.50")  # 6,000 + 2,000 − 500 + 4,800.50
    assert "议事会场地布置与物料" in rows[0] and "2023-05" in rows[0]
    assert any(r[head.index("类别")] == "退回" and _yuan(r[-1]) == Decimal("-500.00") for r in rows)

    head, rows = _sheet(wb, "支出")
    assert _yuan(rows[-1][-1]) == Decimal("7300.50")  # 2,500.50 + 1,000 − 200 + 4,000
    assert [r[head.index("凭证")] for r in rows[:-1]].count("有凭证") == 1
    # amounts are numbers in yuan with two decimals, not text
    cell = wb["支出"].cell(row=2, column=head.index("金额（元）") + 1)
    assert cell.number_format == "#,##0.00" and isinstance(cell.value, (int, float))

    # nothing private: no reviewer's comment, no beneficiary, no donor's name or phone
    text = "".join(str(v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row if v is not None)
    for secret in ("评审专家的私人意见", "王阿姨", "张三丰", "13800000000", "发票扫描件.pdf", "青年议事角", "被否决的项目", "延长睦邻角"):
        assert secret not in text, secret


# ---------------------------------------------------------------- queries


def test_a_disclosure_costs_the_same_queries_for_few_and_many_projects(platform, scenario):
    street = unit_id(platform, "jingan", "gonghexinlu")

    def measure() -> tuple[int, int]:
        with acting(platform, "jingan", None) as ctx:
            ctx.session.connection()  # the transaction's own set-up is not the disclosure's
            with counting(platform.db.engine) as seen:
                d = disclosure.unit_disclosure(ctx, street, 2023)
                disclosure_report.report_workbook(d)
            return len(d.projects), len(seen)

    few_projects, few = measure()
    for i in range(4):  # more approved, funded, spent projects
        pid, _ = gonghexinlu_project(platform, "yanchang", "ghxl-yanchang", "micro_venture", f"延长微项目{i}", "1000")
        with acting(platform, "jingan", "ghxl_chair") as ctx:
            review.decide(ctx, pid, "approved")
        with acting(platform, "jingan", "ghxl_admin") as ctx:
            ledger.disburse(ctx, scenario.pool, 800 * YUAN, pid, f"t:more-d{i}")
            ledger.expense(ctx, scenario.pool, 300 * YUAN, pid, f"t:more-e{i}")
    many_projects, many = measure()
    assert many_projects == few_projects + 4
    assert many == few and few <= 11, (few, many)



def test_money_is_never_a_float(platform, scenario):
    with acting(platform, "jingan", None) as ctx:
        d = disclosure.unit_disclosure(ctx, luochuan(platform), 2023)
    values = [d.total("committed_fen"), d.approved_fen, d.fund_total("available")]
    values += [m.amount_fen for m in d.disbursements + d.spending]
    values += [x.committed_fen for p in d.projects for x in p.sources] + [p.received_fen for p in d.pledges]
    assert all(type(v) is int for v in values), values
