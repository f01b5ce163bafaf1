"""The record source of reports handed in for obligations (see ``core.plugin_host.sources``):
``reports``, where the archive's self-assessments and the tools' quarterly reports, comparison
tables and summaries are found.

Params, in the obligations' own words (the keys a policy's ``tongxin_obligations`` declares):
``{"obligation": key}`` (or ``{"obligations": [key, ...]}``), and optionally ``"period"``:
``"first"`` or ``"last"`` (the first or last period of the year: a mid-year and a year-end
stage review), or the end of a period's key (``"Q2"``, ``"07-15"``, ``"05"``).

A report counts as recorded once it is handed in (submitted or accepted). A project's reports
are those about it, and those its applicant's parent unit owes about its pilots (晋江's town's
monthly report on each community's pilot). Only periods already taking reports count (a
quarter still to come is not missing). One statement per look; the due items exist once the
daily task has opened them, and until then the finding says nothing is due yet.
"""
from __future__ import annotations

from sqlalchemy import and_, or_, select

from core.i18n import T
from core.models import DueItem, ObligationPeriod, OrgUnit, Project, ProgrammeObligation
from core.models.obligation import ItemState
from core.plugin_host.sources import Finding, Link, Source, SourceRegistry

HANDED_IN = (ItemState.submitted.value, ItemState.accepted.value)


def _keys(params: dict) -> list[str]:
    keys = params.get("obligations") or ([params["obligation"]] if params.get("obligation") else [])
    return [str(k) for k in keys]


def _link(project: Project, params: dict) -> Link:
    return Link("web.reporting.index")


def _chosen(rows: list, period: str | None) -> list:
    """The rows of the period asked for (by obligation: "first"/"last" of each one's year)."""
    if not period:
        return rows
    if period in ("first", "last"):
        out = []
        for key in dict.fromkeys(r.key for r in rows):
            mine = sorted((r for r in rows if r.key == key), key=lambda r: r.due_on)
            out.append(mine[0] if period == "first" else mine[-1])
        return out
    return [r for r in rows if r.period_key.endswith(f"-{period}")]


def _reports(ctx, project: Project, params: dict) -> Finding:
    keys = _keys(params)
    if not keys:
        return Finding(False, T("政策未指明是哪一项报告", "the policy names no obligation"), _link(project, params))
    parent = select(OrgUnit.parent_id).where(OrgUnit.id == project.applicant_unit_id).scalar_subquery()
    rows = ctx.session.execute(
        select(DueItem.id, DueItem.state, ProgrammeObligation.key, ObligationPeriod.key.label("period_key"),
               ObligationPeriod.due_on, ObligationPeriod.label_zh, ObligationPeriod.label_en)
        .join(ProgrammeObligation, ProgrammeObligation.id == DueItem.obligation_id)
        .join(ObligationPeriod, ObligationPeriod.id == DueItem.period_id)
        .where(DueItem.programme_id == project.programme_id, ProgrammeObligation.key.in_(keys),
               ObligationPeriod.opens_on <= ctx.clock.today(),  # a period not yet taking reports is not owed yet
               or_(DueItem.project_id == project.id,
                   and_(DueItem.project_id.is_(None), DueItem.fund_id.is_(None), DueItem.owner_unit_id == parent)))
        .order_by(ObligationPeriod.due_on, DueItem.id)).all()
    rows = _chosen(list(rows), params.get("period"))
    if not rows:
        return Finding(False, T("尚未到填报期", "nothing due yet"), _link(project, params))
    handed = [r for r in rows if r.state in HANDED_IN]
    accepted = sum(1 for r in handed if r.state == ItemState.accepted.value)
    if not handed:
        detail = T(f"应交{len(rows)}份，尚未提交", f"{len(rows)} due, none handed in yet")
    else:
        zh = "、".join(r.label_zh for r in handed)
        en = ", ".join(r.label_en for r in handed)
        detail = T(f"已提交{len(handed)}/{len(rows)}份（{zh}），已通过{accepted}份",
                   f"{len(handed)} of {len(rows)} handed in ({en}), {accepted} accepted")
    link = Link("web.reporting.show", params={"item_id": rows[-1].id}) if len(rows) == 1 else _link(project, params)
    return Finding(bool(handed), detail, link, len(handed))


REPORT_SOURCES = (Source("reports", T("应交报告", "reports handed in"), _reports, _link),)


def register(registry: SourceRegistry) -> None:
    """Register the reports' source (again: nothing changes)."""
    for source in REPORT_SOURCES:
        registry.register(source)
