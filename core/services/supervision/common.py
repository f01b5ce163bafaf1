"""What the supervision services share: their limits, finding a project to supervise, the
checklists that apply to it and the clause a refusal cites."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.clock import local_date
from core.i18n import T, Text
from core.models import Decision, Project, ProjectState
from core.permissions import A
from core.plugin_host.supervision import Checklist
from core.services.context import Ctx
from core.services.programmes import policy_of
from core.services.projects import get_project
from core.violations import RuleError, Violation

# Limits of what a person writes, documented by the input schemas (core.door.supervision).
VISITORS_MAX = 500   # supervision_visits.visitors
TEXT_MAX = 4000      # what was seen, advice, a rectification, a report
NOTE_MAX = 500       # a checklist answer's note, an acceptance's note
MIN_TEXT = 4         # a rectification, a report, a reason for returning one: a few words at least
MAX_ITEMS = 100      # checklist answers or rectifications in one visit
DUE_WITHIN_DAYS = 366  # a rectification is due within a year of the visit

SUPERVISED = (ProjectState.approved.value,)  # what a visit may be recorded on


def project_for_supervision(ctx: Ctx, project_id: int, *, for_update: bool = False) -> Project:
    """The project (as ``get_project`` finds it), if the caller may see its supervision records."""
    project = get_project(ctx, project_id, for_update=for_update)
    ctx.require(A.supervision_view, project, T(
        "只有项目的申报单位、街道社区自治办（及其委托的专业机构，仅限指派的项目）可以查看督导记录",
        "Only the applicant, the street office and the organisation it commissions (for its assigned projects only) "
        "see the supervision records"))
    return project


def checklists(ctx: Ctx, project: Project) -> list[Checklist]:
    """The supervision checklists of every policy that applies to the project's programme."""
    policy, config = policy_of(ctx, project.programme)
    return policy.supervision_checklists(config)


def supervision_clause(ctx: Ctx, project: Project, found: list[Checklist] | None = None) -> Text:
    """The clause a supervision refusal cites: the own policy's checklist's, else its source."""
    found = checklists(ctx, project) if found is None else found
    own = next((c.clause for c in found if c.clause is not None), None)
    return own or policy_of(ctx, project.programme)[0].info.source


def approved_on(ctx: Ctx, project: Project) -> dt.date | None:
    """The (Shanghai) day of the decision that approved the project (the latest one)."""
    at = ctx.session.scalar(select(Decision.decided_at).where(
        Decision.project_id == project.id, Decision.outcome == ProjectState.approved.value).order_by(Decision.id.desc()))
    return local_date(at) if at is not None else None


def require_supervised(ctx: Ctx, project: Project, doing: Text, found: list[Checklist] | None = None) -> None:
    """Only an approved project (being carried out) is supervised: 409 otherwise, citing the clause."""
    if project.state in SUPERVISED:
        return
    label = project.state_enum.label
    raise RuleError(Violation("project_not_approved", T(
        f"项目当前状态为「{label.zh}」，只有已立项、正在实施的项目可以{doing.zh}",
        f"The project is {label.en}; only approved projects being carried out can be {doing.en}"),
        field="project_id", clause=supervision_clause(ctx, project, found)), status=409)


def text(value, field: str, label: Text, *, limit: int, required: bool, minimum: int = 0) -> tuple[str, Violation | None]:
    """A person's text, stripped; a violation naming the field when it is missing or too short
    (the schema has checked the type and the upper limit)."""
    value = (value or "").strip() if isinstance(value, str) else ""
    if required and not value:
        return value, Violation("text_required", T(f"请填写{label.zh}", f"{label.en} is required"), field=field)
    if value and len(value) < minimum:
        return value, Violation("text_too_short", T(f"{label.zh}请至少写{minimum}个字", f"{label.en}: at least {minimum} characters"),
                                field=field)
    if len(value) > limit:
        return value, Violation("text_too_long", T(f"{label.zh}最多{limit}个字", f"{label.en}: at most {limit} characters"),
                                field=field)
    return value, None
