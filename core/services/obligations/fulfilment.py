"""Due items fulfilled by a supervision visit: where a policy's obligation *is* a visit (共和新路's
July mid-term supervision, ``Obligation.fulfilled_by_visit``), recording that visit of a project
hands in the due item's report, so the street office records the visit once (on the supervision
page, with its checklist and rectifications) and the obligation is met by it, not typed again.

A visit fulfils the still-owed items (open, a draft or returned) of the project's programme
whose obligation names the visit's kind and whose period the visit falls in (from the period's
first day to its closing day): the item about the project, or, where the obligation is owed per
unit, the item of the unit owing it for its pilots. A visit of another kind fulfils nothing.
The report is the visit record (the form's fields it can fill: date, visitors, findings, advice),
with the visit's id among its facts; where nobody accepts it the item is complete, otherwise it
waits for acceptance like any report handed in.
"""
from __future__ import annotations

from sqlalchemy import and_, func, or_, select

from core.models import DueItem, ObligationPeriod, ObligationReport, OrgUnit, Project, ProgrammeObligation, SupervisionVisit
from core.models.obligation import OWED_STATES, ItemState, ReportState
from core.services.context import Ctx
from core.services.obligations.declared import declared


def _body(visit: SupervisionVisit, form) -> dict:
    """What of the visit record the obligation's form has fields for."""
    given = {"visited_on": visit.visited_on.isoformat(), "visitors": visit.visitors, "findings": visit.observed,
             "observed": visit.observed, "advice": visit.advice or "", "kind": visit.kind, "method": visit.method}
    names = set(form().fields) if form is not None else set(given)
    return {k: v for k, v in given.items() if k in names}


def visit_fulfils(ctx: Ctx, project: Project, visit: SupervisionVisit) -> list[DueItem]:
    """Hand in the report of every due item the visit fulfils; the items fulfilled."""
    wanted = {(policy, o.key): o for policy, o in declared(ctx, project.programme) if o.fulfilled_by_visit == visit.kind}
    if not wanted:
        return []
    keys = sorted({key for _, key in wanted})
    parent = select(OrgUnit.parent_id).where(OrgUnit.id == project.applicant_unit_id).scalar_subquery()
    items = list(ctx.session.scalars(
        select(DueItem).join(ProgrammeObligation, ProgrammeObligation.id == DueItem.obligation_id)
        .join(ObligationPeriod, ObligationPeriod.id == DueItem.period_id)
        .where(DueItem.programme_id == project.programme_id, ProgrammeObligation.key.in_(keys),
               DueItem.state.in_(OWED_STATES), ObligationPeriod.starts_on <= visit.visited_on,
               ObligationPeriod.closes_on >= visit.visited_on,
               or_(DueItem.project_id == project.id,
                   and_(DueItem.project_id.is_(None), DueItem.fund_id.is_(None), DueItem.owner_unit_id == parent)))
        .order_by(DueItem.id)))
    done = []
    now = ctx.clock.now()
    for item in items:
        obligation = wanted.get((item.obligation.policy, item.obligation.key))
        if obligation is None:
            continue
        draft = ctx.session.scalars(select(ObligationReport).where(
            ObligationReport.item_id == item.id, ObligationReport.state == ReportState.draft.value)).first()
        number = draft.number if draft else int(ctx.session.scalar(
            select(func.coalesce(func.max(ObligationReport.number), 0)).where(ObligationReport.item_id == item.id)) or 0) + 1
        report = draft or ObligationReport(item_id=item.id, number=number, written_by_id=ctx.actor.id)
        complete = item.obligation.accepted_by is None
        report.body = _body(visit, obligation.form)
        report.facts = {"visit": {"id": visit.id, "kind": visit.kind, "visited_on": visit.visited_on.isoformat()}}
        report.state = ReportState.accepted.value if complete else ReportState.submitted.value
        report.submitted_by_id, report.submitted_at = ctx.actor.id, now
        if draft is None:
            ctx.session.add(report)
        item.state = ItemState.accepted.value if complete else ItemState.submitted.value
        done.append(item)
    ctx.session.flush()
    return done
