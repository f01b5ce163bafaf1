"""The tables of three office pages as lists to take away (``core.services.list_exports.Table``,
written as .xlsx or CSV by ``core.documents.lists``): the review queue, the street office's fund
requests (the month's list, and one monthly batch) and the district overview.

Each table is built from what its page's own view function reads (``core.web.review.queue_view``,
``core.web.fund_requests.month_requests`` and ``batch_view``, ``core.web.overview.district_view``),
so it holds the rows the page shows, refused as the page is refused: no second copy of a query.

**Scores** are in the review queue's table only where the page shows them (``A.review_read``,
which ``core.web.review_desk.queue_rows`` checks per project); elsewhere only how many have scored.

**Personal data.** A fund request's purpose and beneficiaries (使用对象) are typed by the
applicant and may name residents and their numbers. Whoever may read the applicant's personal
data (``A.person_read_personal``) gets them as typed; anyone else with every number masked
(``core.personal_data.scrub``). A table holding any beneficiaries, or a number shaped like a
person's, is recorded as an export of personal data (``person.export``; the caller commits).
"""
from __future__ import annotations

from core.i18n import T
from core.models import FundRequest, ProjectState
from core.money import money_text
from core.personal_data import scrub
from core.services.list_exports import Table, local_day, readable_units, record_personal_export
from core.services.spreadsheets import Column

REVIEW_COLUMNS = (
    (T("编号", "No."), "int", False), (T("项目名称", "Title"), "text", False),
    (T("年度项目", "Programme"), "text", False), (T("项目类型", "Track"), "text", False),
    (T("申报单位", "Applicant unit"), "text", False), (T("状态", "State"), "text", False),
    (T("申请金额（元）", "Requested (yuan)"), "yuan", True), (T("各评审人总分", "Each reviewer's total"), "text", False),
    (T("已评分人数", "Scored by"), "int", False), (T("平均分", "Average"), "int", False),
    (T("排名", "Rank"), "int", False), (T("我的评分", "My score"), "text", False),
)


def review_table(c, page: dict, locale: str) -> Table:
    """The review queue's waiting projects, in the page's order (``page``: ``queue_view``)."""
    views, member_of = page["views"], page["member_of"]
    table = Table(T("评审", "Review").render(locale),
                  [Column(t.render(locale), kind, total=total) for t, kind, total in REVIEW_COLUMNS])
    not_yet = T("未评", "not yet").render(locale)
    for r in page["rows"]:
        p = r.project
        totals = "；".join(f"{u.display_name} {not_yet if t is None else t}" for u, t in r.scores) if r.readable else ""
        mine = (T("已评分", "scored") if r.mine else T("待评分", "to score")).render(locale) \
            if p.programme_id in member_of else ""
        table.rows.append([p.id, p.title, p.programme.title, _label(views[p.programme_id].track_label(p.track), locale),
                           p.applicant_unit.name_in(locale), ProjectState(p.state).label.render(locale),
                           int(p.requested_fen or 0), totals, r.count, r.average, r.rank, mine])
    table.total = len(table.rows)
    return table


def _label(value, locale: str) -> str:
    return value.render(locale) if hasattr(value, "render") else str(value)


REQUEST_COLUMNS = (
    (T("编号", "No."), "int"), (T("月份", "Month"), "text"), (T("项目名称", "Project"), "text"),
    (T("申请单位", "Applicant"), "text"), (T("用途", "Purpose"), "text"), (T("使用对象", "Beneficiaries"), "text"),
    (T("预算明细", "Budget item"), "text"), (T("金额（元）", "Amount (yuan)"), "yuan"), (T("状态", "State"), "text"),
    (T("提交日期", "Filed"), "date"), (T("审核日期", "Accepted"), "date"), (T("拨付日期", "Disbursed"), "date"),
)


def requests_table(c, requests: list[FundRequest], name: str, locale: str, *, what: str, asked: dict,
                   summed: bool = True) -> Table:
    """Fund requests as their page lists them, oldest first; ``summed``: a 合计 row of the
    amounts (a batch's page states its own total instead, which counts only what is approved)."""
    table = Table(name, [Column(t.render(locale), kind, total=summed and kind == "yuan")
                         for t, kind in REQUEST_COLUMNS], total=len(requests))
    full = readable_units(c, {r.project.applicant_unit_id for r in requests})
    holding = masked = 0
    for r in requests:
        purpose, beneficiaries = r.purpose or "", r.beneficiaries or ""
        if beneficiaries or scrub(purpose) != purpose:
            holding += 1
            if r.project.applicant_unit_id not in full:
                purpose, beneficiaries, masked = scrub(purpose), scrub(beneficiaries), masked + 1
        table.rows.append([r.id, r.month, r.project.title, r.project.applicant_unit.name_in(locale), purpose,
                           beneficiaries, r.budget_item_description, r.amount_fen,
                           r.state_enum.label.render(locale), local_day(r.created_at), local_day(r.accepted_at),
                           local_day(r.disbursed_at)])
    if holding:
        record_personal_export(c, what, holding, full=masked == 0, asked=asked)
    return table


def batch_note(total_fen: int, requests: list[FundRequest], locale: str) -> str:
    """The batch's total as its page states it (what the leader approves or approved)."""
    counted = sum(1 for r in requests if r.state in ("accepted", "approved", "disbursed"))
    money = money_text(total_fen)
    return T(f"本月合计：{money.zh}（{counted}笔）", f"Total: {money.en} ({counted} requests)").render(locale)


def district_table(c, page: dict, locale: str) -> Table:
    """The district overview's streets × states (``page``: ``district_view``), with the
    district's totals in the 合计 row."""
    words, states = page["words"], page["columns"]
    columns = [Column(words["street"].render(locale)), Column(words["neighbourhood"].render(locale), "int", total=True),
               Column(T("年度项目", "Programmes").render(locale))]
    columns += [Column(ProjectState(s).label.render(locale), "int", total=True) for s in states]
    columns.append(Column(T("合计", "Total").render(locale), "int", total=True))
    table = Table(T("全区概览", "District overview").render(locale), columns, total=len(page["streets"]))
    for s in page["streets"]:
        counts = page["per_street"][s.id]
        years = "、".join(str(p.year) for p in page["programmes_per_street"][s.id])
        table.rows.append([s.name_in(locale), page["neighbourhoods"].get(s.id, 0), years,
                           *(counts.get(st, 0) for st in states), sum(counts.values())])
    return table
