"""Due items: finding them, who owes each and who accepts it, as the permission table says.

A due item belongs to the unit that owes it (``owner_unit``) and to its programme: the permission
table's ``obligation.view`` and ``obligation.report`` are asked about that unit. Acceptance is
asked about the unit the policy names (``accepted_by``: the owing unit's nearest street, or the
district or city): its administrators accept or return the report, never the unit that owes it
(whoever may write a report may not accept it, as an applicant does not decide its own
application). Each guard raises the refusal a service gives and an offer shows.
"""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from core.i18n import T, Text
from core.models import DueItem, ObligationPeriod, OrgUnit, Programme, ProgrammeObligation, Project
from core.models.obligation import OWED_STATES, ItemState
from core.permissions import A
from core.permissions.check import Subject
from core.services.closed import refuse_if_closed
from core.services.context import Ctx
from core.violations import NotFound, RuleError, Violation
from core.formats import day_text

ITEM = T("应交事项", "obligation")
LEVEL_NAMES = {"street": T("街道（镇）", "street (town) office"), "district": T("区（市）民政部门", "district (city) bureau")}


def subject(item: DueItem) -> Subject:
    """The permission table's view of a due item: its owing unit, in its programme."""
    programme = item.obligation.programme
    return Subject(unit=item.owner_unit, programme_id=programme.id, programme_unit=programme.org_unit)


def clause(item: DueItem) -> Text | None:
    row = item.obligation
    return row.clause if row.clause_zh else None


def get_item(ctx: Ctx, item_id: int) -> DueItem:
    item = ctx.session.get(DueItem, item_id)
    if item is None or not ctx.can(A.obligation_view, subject(item)):
        raise NotFound(ITEM, field="item_id")
    return item


def accepting_unit(ctx: Ctx, item: DueItem) -> OrgUnit | None:
    """The unit whose administrators accept the item's report: the owing unit's nearest unit of
    the kind the policy names, itself included (None: handing it in completes it)."""
    level = item.obligation.accepted_by
    if level is None:
        return None
    ids = item.owner_unit.ancestor_ids
    units = ctx.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids), OrgUnit.kind == level)).all()
    return max(units, key=lambda u: len(u.path), default=None)


def _title(item: DueItem) -> str:
    return f"{item.obligation.label_zh}（{item.period.label_zh}）"


def _title_en(item: DueItem) -> str:
    return f"{item.obligation.label_en} ({item.period.label_en})"


def require_writer(ctx: Ctx, item: DueItem) -> None:
    """Only the unit that owes a report writes and hands it in."""
    decision = ctx.can(A.obligation_report, subject(item))
    if not decision:
        unit = item.owner_unit
        raise RuleError(Violation(
            "not_owed",
            T(f"「{_title(item)}」由{unit.name}填报提交，您不能代为填报：{decision.reason.zh}",
              f"{_title_en(item)} is owed by {unit.name_en or unit.name}; you may not write it: {decision.reason.en}"),
            clause=clause(item)), status=403)


def refuse_if_project_closed(ctx: Ctx, item: DueItem) -> None:
    """A report about a closed project is refused like every other record on it (its owed items
    were waived when it closed: ``core.services.closeout``)."""
    if item.project_id is not None:
        project = ctx.session.get(Project, item.project_id)
        if project is not None:
            refuse_if_closed(ctx, project, T("再填报报告", "take a report"), field="item_id")


def require_owed(ctx: Ctx, item: DueItem, latest_number: int | None) -> None:
    """A report is written while the item is still owed: not a second one for the same period."""
    if item.state in OWED_STATES:
        return
    n = latest_number or 1
    if item.state == ItemState.submitted.value:
        message = T(f"「{_title(item)}」已提交（第{n}版），正在审核，不能重复提交；如需修改，请等待退回",
                    f"{_title_en(item)} was handed in (version {n}) and awaits acceptance; it cannot be handed in twice")
    else:
        message = T(f"「{_title(item)}」已通过（第{n}版），本期不再接收报告",
                    f"{_title_en(item)} was accepted (version {n}); the period takes no other report")
    raise RuleError(Violation("already_submitted", message, clause=clause(item)), status=409)


def require_open(ctx: Ctx, item: DueItem, *, handing_in: bool) -> None:
    """A report is taken from the period's opening day (handing in; a draft may be written
    before) to its closing day."""
    today, p = ctx.clock.today(), item.period
    if handing_in and today < p.opens_on:
        raise RuleError(Violation(
            "not_yet_due",
            T(f"「{_title(item)}」{day_text(p.opens_on)}起方可提交（{day_text(p.due_on)}到期），尚未到填报时间",
              f"{_title_en(item)} is taken from {day_text(p.opens_on, 'en')} (due {day_text(p.due_on, 'en')}): not yet"),
            clause=clause(item)), status=409)
    if today > p.closes_on:
        raise RuleError(Violation(
            "period_closed",
            T(f"「{_title(item)}」已于{day_text(p.due_on)}到期，逾期补交截至{day_text(p.closes_on)}，本期已关闭，不再接收",
              f"{_title_en(item)} was due on {day_text(p.due_on, 'en')} and late reports were taken until "
              f"{day_text(p.closes_on, 'en')}: the period is closed"),
            clause=clause(item)), status=409)


def require_reviewer(ctx: Ctx, item: DueItem) -> OrgUnit:
    """The administrators of the level the policy names accept or return a report; never the
    unit that owes it. Returns the accepting unit."""
    unit = accepting_unit(ctx, item)
    if unit is None:
        raise RuleError(Violation("no_review", T(f"「{_title(item)}」提交即完成，无需审核",
                                                 f"{_title_en(item)} is complete once handed in: nobody accepts it"),
                                  clause=clause(item)), status=409)
    if ctx.can(A.obligation_report, subject(item)):
        raise RuleError(Violation("own_report", T("本单位应交的报告不能由本单位审核", "A unit does not accept its own report"),
                                  clause=clause(item)), status=403)
    programme = item.obligation.programme
    decision = ctx.can(A.obligation_review, Subject(unit=unit, programme_id=programme.id, programme_unit=programme.org_unit))
    if not decision:
        level = LEVEL_NAMES.get(item.obligation.accepted_by, T(unit.kind, unit.kind))
        raise RuleError(Violation(
            "not_reviewer",
            T(f"「{_title(item)}」由{level.zh}（{unit.name}）审核：{decision.reason.zh}",
              f"{_title_en(item)} is accepted by the {level.en} ({unit.name_en or unit.name}): {decision.reason.en}"),
            clause=clause(item)), status=403)
    return unit


def list_items(ctx: Ctx, *, programme_id: int | None = None, project_id: int | None = None, state: str | None = None,
               owner_unit_id: int | None = None, overdue: bool | None = None, limit: int = 50,
               offset: int = 0) -> tuple[list[DueItem], int]:
    """One page of the due items the caller may see, by due date, and how many there are (two
    statements, whatever the number of items)."""
    owner, unit = aliased(OrgUnit), aliased(OrgUnit)
    stmt = (select(DueItem).join(owner, owner.id == DueItem.owner_unit_id)
            .join(ObligationPeriod, ObligationPeriod.id == DueItem.period_id)
            .join(ProgrammeObligation, ProgrammeObligation.id == DueItem.obligation_id)
            .join(Programme, Programme.id == DueItem.programme_id).join(unit, unit.id == Programme.org_unit_id)
            .where(ctx.where(A.obligation_view, unit_path=owner.path, programme_unit_path=unit.path)))
    if programme_id is not None:
        stmt = stmt.where(DueItem.programme_id == programme_id)
    if project_id is not None:
        stmt = stmt.where(DueItem.project_id == project_id)
    if state is not None:
        stmt = stmt.where(DueItem.state == state)
    if owner_unit_id is not None:
        stmt = stmt.where(DueItem.owner_unit_id == owner_unit_id)
    if overdue is not None:
        stmt = stmt.where(DueItem.overdue_since.is_not(None) if overdue else DueItem.overdue_since.is_(None))
    total = ctx.session.scalar(select(func.count()).select_from(stmt.with_only_columns(DueItem.id).subquery()))
    rows = ctx.session.scalars(stmt.order_by(ObligationPeriod.due_on, DueItem.id)
                               .limit(max(1, min(limit, 200))).offset(max(0, offset)))
    return list(rows), int(total or 0)
