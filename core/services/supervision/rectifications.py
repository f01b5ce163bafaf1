"""Rectifications (整改), from opened to closed: the owner (the project's applicant unit) reports
what it did; the street office accepts the report, which closes the item, or returns it with a
reason, which opens it again. Only the owner reports and only the office accepts: anyone else
(a commissioned organisation, another neighbourhood) is refused, with who may.

An item still open (or reported and not yet accepted) after its due date is overdue; the
close-out of a project waits until all its rectifications are closed.
"""
from __future__ import annotations

from sqlalchemy import func, select

from core.i18n import T
from core.models import Project, Rectification, RectificationState
from core.permissions import A
from core.services.closed import refuse_if_closed
from core.services.context import Ctx
from core.services.projects import get_project
from core.services.supervision.common import MIN_TEXT, NOTE_MAX, TEXT_MAX, text
from core.violations import NotFound, RuleError, Violation

RECTIFICATION = T("整改事项", "rectification")
OPEN_STATES = (RectificationState.open.value, RectificationState.reported.value)


def _load(ctx: Ctx, rectification_id: int, *, for_update: bool = False) -> Rectification:
    row = None
    if isinstance(rectification_id, int) and not isinstance(rectification_id, bool):
        stmt = select(Rectification).where(Rectification.id == rectification_id)
        # Only the item's row is locked (PostgreSQL refuses to lock the outer-joined owner unit).
        row = ctx.session.scalars(stmt.with_for_update(of=Rectification) if for_update else stmt).unique().one_or_none()
    if row is None:
        raise NotFound(RECTIFICATION, field="rectification_id")
    return row


def get_rectification(ctx: Ctx, rectification_id: int, *, for_update: bool = False) -> Rectification:
    """The item, if the caller may see its project's supervision records (else "not found")."""
    row = _load(ctx, rectification_id, for_update=for_update)
    project = get_project(ctx, row.project_id)
    if not ctx.can(A.supervision_view, project).allowed:
        raise NotFound(RECTIFICATION, field="rectification_id")
    return row


def _state_error(row: Rectification, doing) -> RuleError:
    label = row.state_enum.label
    return RuleError(Violation("wrong_state", T(f"整改事项#{row.id}当前为「{label.zh}」，不能{doing.zh}",
                                                f"Rectification #{row.id} is {label.en}; it cannot be {doing.en}"),
                               field="state"), status=409)


def report(ctx: Ctx, rectification_id: int, *, report: str) -> Rectification:
    """The owner reports what it did to put the item right; it then waits for the office. Whoever
    else tries is told who may (the item's existence is no secret within the tenant; its
    content is, and it is not shown)."""
    row = _load(ctx, rectification_id, for_update=True)
    ctx.require(A.rectification_report, row.owner_unit, T(
        f"只有整改责任单位「{row.owner_unit.name}」可以报告整改情况；整改由责任单位报告、街道社区自治办确认后关闭",
        f"Only the owner, {row.owner_unit.name_en or row.owner_unit.name}, reports on it; the street office then accepts it"))
    project = get_project(ctx, row.project_id)
    refuse_if_closed(ctx, project, T("报告整改", "report on rectifications"))
    if row.state != RectificationState.open.value:
        raise _state_error(row, T("再次报告", "reported again"))
    said, problem = text(report, "report", T("整改情况", "What was done"), limit=TEXT_MAX, required=True, minimum=MIN_TEXT)
    if problem:
        raise RuleError(problem)
    with ctx.action("rectification.report"):
        row.report, row.state = said, RectificationState.reported.value
        row.reported_by_id, row.reported_at = ctx.actor.id, ctx.clock.now()
    return row


def accept(ctx: Ctx, rectification_id: int, *, accept: bool, note: str = "") -> Rectification:
    """The office accepts the owner's report (the item is closed) or returns it with a reason
    (open again)."""
    row = _load(ctx, rectification_id, for_update=True)
    ctx.require(A.rectification_accept, row.owner_unit, T(
        "只有整改责任单位或街道社区自治办可以关闭整改：责任单位报告整改情况，由上级街道社区自治办确认完成",
        "Only the owner or the street office closes a rectification: the owner reports, the office above it accepts"))
    project = get_project(ctx, row.project_id)
    refuse_if_closed(ctx, project, T("确认整改", "accept rectifications"))
    if row.state != RectificationState.reported.value:
        raise _state_error(row, T("确认（须先由责任单位报告整改情况）", "accepted (the owner must report first)"))
    said, problem = text(note, "note", T("退回理由" if not accept else "确认意见", "Reason" if not accept else "Note"),
                         limit=NOTE_MAX, required=not accept, minimum=MIN_TEXT if not accept else 0)
    if problem:
        raise RuleError(problem)
    with ctx.action("rectification.accept" if accept else "rectification.return"):
        if accept:
            row.state, row.acceptance_note = RectificationState.closed.value, said
            row.closed_by_id, row.closed_at = ctx.actor.id, ctx.clock.now()
        else:
            row.state, row.returned_reason = RectificationState.open.value, said
            row.times_returned = (row.times_returned or 0) + 1
    return row


def rectifications(ctx: Ctx, project: Project) -> list[Rectification]:
    """A project's rectifications, oldest first (``project`` as ``project_for_supervision`` found it)."""
    return list(ctx.session.scalars(select(Rectification).where(Rectification.project_id == project.id)
                                    .order_by(Rectification.id)))


def open_count(ctx: Ctx, project_id: int) -> int:
    """How many of the project's rectifications are not closed yet."""
    return int(ctx.session.scalar(select(func.count()).select_from(Rectification).where(
        Rectification.project_id == project_id, Rectification.state.in_(OPEN_STATES))) or 0)


def is_overdue(ctx: Ctx, row: Rectification) -> bool:
    return row.state in OPEN_STATES and row.due_on < ctx.clock.today()
