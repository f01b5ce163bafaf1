"""What the caller may do now about a project's supervision, archive and close-out, and with a
rectification (see ``core.services.actions``): the API's ``actions`` fields and the pages'
buttons both come from here, the state half of each answer being the services' own guard."""
from __future__ import annotations

from core.i18n import T, Text
from core.models import Project, ProjectState, Rectification, RectificationState
from core.permissions import Action, A
from core.services import calendar
from core.services.actions import Offers, offer
from core.services.context import Ctx
from core.violations import Violation

PROJECT_ACTIONS = ("visit", "assign", "upload_document", "close")
RECTIFICATION_ACTIONS = ("report", "accept")


def _not_approved(project: Project, doing: Text) -> Text:
    label = project.state_enum.label
    return T(f"项目当前状态为「{label.zh}」，不能{doing.zh}", f"The project is {label.en}; it cannot be {doing.en}")


def _calendar(ctx: Ctx, project: Project, action: Action) -> Text | None:
    verdict = calendar.check(ctx, project.programme, action, project)
    return None if verdict.allowed else verdict.violation.message


def project_offers(ctx: Ctx, project: Project, *, blockers: list[Violation] | None = None) -> Offers:
    """The caller's offers on the project's supervision; ``blockers``: the close-out's (read
    by the caller when it shows the close-out, else the close is not blocked by them here)."""
    running = project.state == ProjectState.approved.value
    first = blockers[0].message if blockers else None
    more = T(f"{first.zh}（另有{len(blockers) - 1}项）", f"{first.en} (and {len(blockers) - 1} more)") \
        if blockers and len(blockers) > 1 else first
    return Offers([
        offer(ctx, "visit", A.supervision_visit, project, now=running,
              not_now=_not_approved(project, T("记录督导", "supervised")),
              blocked=_calendar(ctx, project, A.supervision_visit) if running else None),
        offer(ctx, "assign", A.supervision_assign, project, now=running,
              not_now=_not_approved(project, T("指派督导机构", "assigned for supervision"))),
        offer(ctx, "upload_document", A.archive_upload, project.applicant_unit, now=running,
              not_now=_not_approved(project, T("上传档案材料", "given archive documents"))),
        offer(ctx, "close", A.project_close, project, now=running, not_now=_not_approved(project, T("结项", "closed")),
              blocked=more or (_calendar(ctx, project, A.project_close) if running else None)),
    ])


def rectification_offers(ctx: Ctx, row: Rectification, project: Project) -> Offers:
    """The caller's offers on one rectification: the owner reports an open one (not on a
    closed project), the office accepts or returns a reported one."""
    live = project.state == ProjectState.approved.value
    return Offers([
        offer(ctx, "report", A.rectification_report, row.owner_unit, now=live and row.state == RectificationState.open.value,
              not_now=T(f"整改事项当前为「{row.state_enum.label.zh}」", f"The item is {row.state_enum.label.en}")),
        offer(ctx, "accept", A.rectification_accept, row.owner_unit,
              now=live and row.state == RectificationState.reported.value,
              not_now=T("须先由责任单位报告整改情况", "The owner reports first")),
    ])
