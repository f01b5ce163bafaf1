"""The district's money view as a workbook (.xlsx), as the money page's "Excel" link and the
API's ``district.xlsx`` send it: 各街道汇总 (one row per street, with the district's total) and
各项资金明细 (one row per fund), the figures of ``core.services.money_overview``."""
from __future__ import annotations

from core.services.money_overview import MoneyOverview, group_name


def workbook(o: MoneyOverview) -> bytes:
    """The overview as .xlsx: 各街道汇总 (one row per street, with the district's total) and
    各项资金明细 (one row per fund)."""
    from core.services.spreadsheets import Column, add_sheet, new_workbook, to_bytes  # late: openpyxl only when asked

    title = f"{o.year}年度各街道资金使用情况"
    wb = new_workbook(title)
    money = [Column("已到位（元）", "yuan", total=True), Column("已承诺（元）", "yuan", total=True),
             Column("已拨付（元）", "yuan", total=True), Column("已支出（元）", "yuan", total=True),
             Column("为认领预留（元）", "yuan", total=True), Column("可用（元）", "yuan", total=True)]
    # A cap limits its own fund only: caps of different funds do not add up, so a street's row
    # shows none and the detail lists each beside its fund, without a total.
    cap = Column("上限（元）", "yuan")
    add_sheet(wb, "各街道汇总", [Column("街道/镇"), Column("资金数", "int", total=True), *money],
              [[group_name(g), t.funds, t.allocated, t.committed, t.disbursed, t.spent, t.held, t.available]
               for g in o.groups for t in (g.totals,)], title=f"{title} · 各街道汇总")
    add_sheet(wb, "各项资金明细", [Column("街道/镇"), Column("所属单位"), Column("资金名称"), Column("资金类型"),
                             Column("级别"), Column("年度", "int"), *money, cap],
              [[group_name(g), r.fund.org_unit.name, r.fund.name, r.kind_label.zh, r.fund.tier or "", r.fund.year,
                r.balance.allocated, r.balance.committed, r.balance.disbursed, r.balance.spent, r.balance.held, r.balance.available,
                r.fund.cap_fen] for g, r in o.rows], title=f"{title} · 各项资金明细")
    return to_bytes(wb)
