"""The residents' congress report of a unit's disclosure (.xlsx): sheets 资金来源 / 立项审批 /
拨付 / 支出 and the unit's funds, each ending with its 合计, which equals the ledger's balances.
The web page's "Excel" link and the API's ``report.xlsx`` both send this workbook."""
from __future__ import annotations

from core.money import format_yuan
from core.services.disclosure.contents import Approval, Movement, UnitDisclosure


def report_title(d: UnitDisclosure) -> str:
    return f"{d.unit.name}{d.year}年度自治项目资金公开"


def report_workbook(d: UnitDisclosure) -> bytes:
    """The residents' congress report: sheets 资金来源 / 立项审批 / 拨付 / 支出, and the unit's
    funds; each sheet ends with its 合计, which equals the ledger's balances."""
    from core.services.spreadsheets import Column, add_sheet, new_workbook, to_bytes  # late: openpyxl only when asked

    title = report_title(d)
    wb = new_workbook(title)
    # The projects' funds, then the sponsors' pledges (claiming a project or given to a fund):
    # separate columns, so the committed total and the pledged total are each the ledger's.
    sources = [[p.project.title, s.kind_label.zh, s.fund.name, s.fund.org_unit.name,
                s.committed_fen, s.disbursed_fen, s.spent_fen, None, None, ""]
               for p in d.projects for s in p.sources]
    sources += [[pl.project_title or ("（认领项目尚未立项）" if pl.claimed else "（未指定项目）"),
                 f"共建单位认捐（{pl.sponsor_kind_label.zh}）", pl.sponsor_name.zh, pl.fund_name,
                 None, None, None, pl.promised_fen, pl.received_fen, pl.in_kind] for pl in d.pledges]
    add_sheet(wb, "资金来源", [
        Column("项目名称"), Column("来源类型"), Column("来源"), Column("资金所属单位"),
        Column("承诺金额（元）", "yuan", total=True), Column("已拨付（元）", "yuan", total=True),
        Column("已支出（元）", "yuan", total=True), Column("认捐金额（元）", "yuan", total=True),
        Column("认捐已到账（元）", "yuan", total=True), Column("实物资源", width=30),
    ], sources, title=f"{title} · 资金来源")
    add_sheet(wb, "立项审批", [
        Column("项目名称"), Column("项目类型"), Column("申报单位"), Column("年度项目"), Column("立项日期", "date"),
        Column("核定金额（元）", "yuan", total=True), Column("资金来源构成", width=50),
    ], [[p.project.title, p.track_label.zh, p.project.applicant_unit.name, p.project.programme.title,
         p.approval.decided_on if p.approval else None, p.approval.approved_fen if p.approval else None,
         _sources_text(p.approval)]
        for p in d.projects], title=f"{title} · 立项审批")
    titles = {p.project.id: p.project.title for p in d.projects}
    add_sheet(wb, "拨付", [
        Column("日期", "date"), Column("项目名称"), Column("资金"), Column("类别"), Column("用途（资金申请）", width=30),
        Column("申请月份"), Column("摘要", width=30), Column("金额（元）", "yuan", total=True),
    ], [[m.on, titles[m.project_id], m.fund_name, _movement_label(m), m.purpose, m.month, m.memo, m.amount_fen]
        for m in d.disbursements], title=f"{title} · 拨付")
    add_sheet(wb, "支出", [
        Column("日期", "date"), Column("项目名称"), Column("资金"), Column("类别"), Column("摘要", width=30),
        Column("凭证"), Column("金额（元）", "yuan", total=True),
    ], [[m.on, titles[m.project_id], m.fund_name, _movement_label(m), m.memo, "有凭证" if m.has_voucher else "",
         m.amount_fen] for m in d.spending], title=f"{title} · 支出")
    add_sheet(wb, "各项资金", [
        Column("资金名称"), Column("资金类型"), Column("所属单位"), Column("已到位（元）", "yuan", total=True),
        Column("已承诺（元）", "yuan", total=True), Column("已拨付（元）", "yuan", total=True),
        Column("已支出（元）", "yuan", total=True), Column("可用（元）", "yuan", total=True),
        Column("上限（元）", "yuan"),
    ], [[f.fund.name + (f"·{f.fund.tier}" if f.fund.tier else ""), f.kind_label.zh, f.fund.org_unit.name,
         f.balance.allocated, f.balance.committed, f.balance.disbursed, f.balance.spent, f.balance.available,
         f.fund.cap_fen] for f in d.funds], title=f"{title} · 各项资金")
    return to_bytes(wb)


def _sources_text(approval: Approval | None) -> str:
    """The approval's sources in one cell: "市级补助 100,000.00（已承诺 100,000.00）；..."."""
    if approval is None:
        return ""
    return "；".join(f"{s.line.label.zh} {format_yuan(s.line.amount_fen)}（已承诺 {format_yuan(s.committed_fen)}）"
                    for s in approval.funding)


def _movement_label(m: Movement) -> str:
    if m.corrected_kind:
        return f"更正（{m.corrected_label.zh}）"
    return m.label.zh
