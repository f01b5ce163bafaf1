"""The district's money view through the services: per street and per fund, committed,
disbursed, spent and remaining from the ledger; who sees which streets; the year filter; the
Excel export; a fixed number of queries however many funds."""
from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest

from core.documents import money_report
from core.money import fen_to_yuan
from core.services import ledger, money_overview
from core.violations import Forbidden
from tests.clients import counting
from tests.factories import acting, unit_id
from tests.money_factories import YUAN, build


@pytest.fixture
def scenario(platform):
    """The disclosure scenario, and 海园 (静安寺) gets a fund of 300,000 with 50,000 committed.
    ``baseline``: each street's figures before, as the demo data left them, so the checks
    below are about the postings made here."""
    with acting(platform, "jingan", "jingan_admin") as ctx:
        baseline = {g.unit.code: g.totals for g in money_overview.overview(ctx, 2023).groups}
    s = build(platform)
    with acting(platform, "jingan", "jas_admin") as ctx:
        fund = ledger.create_fund(ctx, unit_id(platform, "jingan", "jas-haiyuan"), 2023, "sponsor_fund", "测试共治金")
        ledger.allocate(ctx, fund.id, 300_000 * YUAN, "t:hy-alloc")
        ledger.commit(ctx, fund.id, 50_000 * YUAN, None, "t:hy-commit", memo="年度项目认领")
    s.baseline = baseline
    s.haiyuan_fund = fund.id
    return s


def codes_of(o) -> list[str]:
    return [g.unit.code for g in o.groups]


def test_per_street_and_per_fund_figures_come_from_the_ledger(platform, scenario):
    s = scenario
    with acting(platform, "jingan", "jingan_admin") as ctx:
        o = money_overview.overview(ctx, 2023)
        assert o.year == 2023 and codes_of(o) == ["gonghexinlu", "jingansi"]
        street, temple = o.groups
        # every fund of the street and below, with the ledger's balance
        ids = {r.fund.id for r in street.rows}
        assert {s.line, s.pool, s.sponsor_fund} <= ids
        assert all(r.balance == ledger.balance(ctx, r.fund.id) for r in street.rows)
        t, before = street.totals, s.baseline["gonghexinlu"]
        assert t.committed - before.committed == s.line_fen + (2_000 + 5_000 + 3_000) * YUAN + 480_050
        assert t.disbursed - before.disbursed == (6_000 + 2_000 - 500 + 1_000) * YUAN + 480_050
        assert t.spent - before.spent == 330_050 + 4_000 * YUAN
        assert t.available == sum(ledger.balance(ctx, i).available for i in ids)
        assert t.cap_fen == 200_000 * YUAN  # only the pool has a cap
        # the four parts of the chart's bar add up to what may be committed in all
        assert sum(v for _, v in t.segments()) == t.committed + t.available
        hy = next(r for r in temple.rows if r.fund.id == s.haiyuan_fund)
        assert (hy.balance.allocated, hy.balance.committed, hy.balance.available) == (
            300_000 * YUAN, 50_000 * YUAN, 250_000 * YUAN)
        t2, before2 = temple.totals, s.baseline["jingansi"]
        assert (t2.allocated - before2.allocated, t2.committed - before2.committed) == (300_000 * YUAN, 50_000 * YUAN)
        assert o.totals.committed == t.committed + t2.committed
        # a pool row reads its cap
        pool = next(r for r in street.rows if r.fund.id == s.pool)
        assert pool.fund.cap_fen == 200_000 * YUAN and pool.kind_label.zh == "资金池"


def test_a_street_admin_sees_only_their_street(platform, scenario):
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        o = money_overview.overview(ctx, 2023)
        assert codes_of(o) == ["gonghexinlu"]
        assert all(r.fund.org_unit.path.startswith(o.groups[0].unit.path) for r in o.groups[0].rows)
    with acting(platform, "jingan", "jas_admin") as ctx:
        o = money_overview.overview(ctx, 2023)
        assert codes_of(o) == ["jingansi"]
        assert o.totals.committed - scenario.baseline["jingansi"].committed == 50_000 * YUAN


@pytest.mark.parametrize("username", [None, "luochuan", "ghxl_chair"])
def test_others_may_not_see_it(platform, scenario, username):
    with pytest.raises(Forbidden), acting(platform, "jingan", username) as ctx:
        money_overview.overview(ctx, 2023)


def test_the_year_filter(platform, scenario):
    with acting(platform, "jingan", "jingan_admin") as ctx:
        empty = money_overview.overview(ctx, 2022)
        assert codes_of(empty) == ["gonghexinlu", "jingansi"]  # every street, no funds
        assert all(g.rows == [] for g in empty.groups) and empty.totals.committed == 0
        assert money_overview.overview(ctx).year == 2023 and 2023 in empty.years


def test_funds_above_the_streets_are_the_districts_own_group(platform):
    with acting(platform, "jinjiang", "jj_admin") as ctx:
        o = money_overview.overview(ctx, 2023)
        own = o.groups[0]
        assert own.own_level and own.unit.kind == "district"
        assert {r.fund.kind for r in own.rows} == {"subsidy"}
        assert own.totals.allocated == (1_200_000 + 600_000) * YUAN
        assert money_overview.group_name(own).endswith("（本级）")
        assert [g.unit.kind for g in o.groups[1:]] == ["street"] * (len(o.groups) - 1)
    with acting(platform, "jinjiang", "qingyang_admin") as ctx:
        o = money_overview.overview(ctx, 2023)
        assert codes_of(o) == ["jj-qingyang"] and not o.groups[0].own_level


def test_the_export_has_a_summary_and_a_detail_sheet(platform, scenario):
    with acting(platform, "jingan", "jingan_admin") as ctx:
        o = money_overview.overview(ctx, 2023)
        wb = openpyxl.load_workbook(io.BytesIO(money_report.workbook(o)))
    assert wb.sheetnames == ["各街道汇总", "各项资金明细"]
    rows = [list(r) for r in wb["各街道汇总"].iter_rows(values_only=True)]
    head = rows[0]
    assert head[:2] == ["街道/镇", "资金数"]
    assert [r[0] for r in rows[1:]] == ["共和新路街道", "静安寺街道", "合计"]
    for name, fen in [("已承诺（元）", o.totals.committed), ("已拨付（元）", o.totals.disbursed),
                      ("已支出（元）", o.totals.spent), ("可用（元）", o.totals.available)]:
        assert Decimal(str(rows[-1][head.index(name)])).quantize(Decimal("0.01")) == fen_to_yuan(fen), name
    detail = [list(r) for r in wb["各项资金明细"].iter_rows(values_only=True)]
    assert len(detail) == 1 + len(o.rows) + 1  # header, one per fund, total
    assert {r[2] for r in detail[1:-1]} >= {"自治项目资金池", "居民自治经费", "洛川共治金", "测试共治金"}
    assert wb["各项资金明细"].cell(row=2, column=7).number_format == "#,##0.00"


def test_the_overview_costs_the_same_queries_for_few_and_many_funds(platform, scenario):
    def measure() -> int:
        with acting(platform, "jingan", "jingan_admin") as ctx:
            ctx.session.connection()
            with counting(platform.db.engine) as seen:
                money_report.workbook(money_overview.overview(ctx, 2023))
            return len(seen)

    few = measure()
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        for i, code in enumerate(["ghxl-zhonghua", "ghxl-guangyan", "gonghexinlu"] * 2):
            fund = ledger.create_fund(ctx, unit_id(platform, "jingan", code), 2023, "sponsor_fund", f"共治金{i}")
            ledger.allocate(ctx, fund.id, 1_000 * YUAN, f"t:more-{i}")
    many = measure()
    assert many == few and few <= 5, (few, many)
