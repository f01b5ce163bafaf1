"""What the caller may do now with a project (see ``core.services.actions``): edit its forms,
budget and attachments, submit, withdraw, endorse, score, decide, request a change, decide a
change, file a fund request. The API's ``actions`` field and the project page's buttons both come
from ``project_offers``; the state half of each answer is the services' own guard
(``_require_editable``, ``_require_reviewable``, ``submission_problems``, the calendar's
``check``) asked without acting, so the offer and the refusal cannot differ.
"""
from __future__ import annotations

from typing import Callable

from core.i18n import T, Text
from core.models import ChangeRequest, Project, ProjectState
from core.permissions import A, Action
from core.services import calendar, endorsement, projects, review
from core.services import changes as change_service
from core.services.actions import Offers, offer
from core.services.context import Ctx
from core.services.fund_request_actions import file_offer
from core.violations import RuleError, Violation

P = ProjectState
ACTIONS = ("edit", "submit", "withdraw", "endorse", "score", "decide", "request_change", "decide_change",
           "file_fund_request")
IN_REVIEW = (P.submitted.value, P.endorsed.value, P.under_review.value)


def _refusal(guard: Callable[[], None]) -> Text | None:
    """What a service guard would refuse with (None: it lets the action through)."""
    try:
        guard()
    except RuleError as err:
        return _summary(err.violations)
    return None


def _summary(problems: list[Violation]) -> Text | None:
    if not problems:
        return None
    first = problems[0].message
    if len(problems) == 1:
        return first
    return T(f"{first.zh}（另有{len(problems) - 1}项问题）", f"{first.en} (and {len(problems) - 1} more)")


def _state(project: Project, doing: Text) -> Text:
    label = project.state_enum.label
    return T(f"项目当前状态为「{label.zh}」，不能{doing.zh}", f"The project is {label.en}; it cannot be {doing.en}")


def _calendar(ctx: Ctx, project: Project, action: Action) -> tuple[Text | None, Text | None]:
    """The calendar's word on ``action`` today, as the service's ``calendar.require`` will say it:
    (blocked, override), a refusal that disables the action, or one the caller's role may
    override by giving a reason (the page then asks for it)."""
    verdict = calendar.check(ctx, project.programme, action, project)
    if verdict.allowed:
        return None, None
    if verdict.overridable:
        return None, verdict.violation.message
    return verdict.violation.message, None


def project_offers(ctx: Ctx, project: Project, *, problems: list[Violation] | None = None,
                   change_requests: list[ChangeRequest] | None = None) -> Offers:
    """The caller's offers on ``project``. ``problems``: ``projects.submission_problems`` when
    the caller has them; ``change_requests``: the project's, likewise (both read when needed)."""
    unit = project.applicant_unit
    state = project.state
    editable = state in projects.EDITABLE
    applicant = ctx.can(A.project_apply, unit).allowed
    if editable and problems is None and applicant:
        problems = projects.submission_problems(ctx, project)
    edit_block = _refusal(lambda: projects._require_editable(project))
    if edit_block is None and applicant:
        edit_block = _calendar(ctx, project, A.project_apply)[0]
    step = endorsement.step_of(ctx, project)
    awaits_stamp = step is not None and state == P.submitted.value
    endorser = endorsement.endorsing_unit(ctx, project, step) if awaits_stamp else None
    endorse_block, endorse_override = (_calendar(ctx, project, A.project_endorse)
                                       if endorser is not None and ctx.can(A.project_endorse, endorser) else (None, None))
    review_block = _refusal(lambda: review._require_reviewable(ctx, project)) if state in IN_REVIEW else None
    decide_block, decide_override = (_calendar(ctx, project, A.review_decide)
                                     if state in IN_REVIEW and ctx.can(A.review_decide, project) else (None, None))
    rows = None
    if state == P.approved.value and (ctx.can(A.change_request, project) or ctx.can(A.change_decide, project)):
        rows = change_requests if change_requests is not None else change_service.change_requests(ctx, project.id)
    pending = any(c.status == "pending" for c in rows or ())
    return Offers([
        offer(ctx, "edit", A.project_apply, unit, now=state not in (P.rejected.value, P.withdrawn.value),
              not_now=_state(project, T("修改", "changed")), blocked=edit_block),
        offer(ctx, "submit", A.project_apply, unit, now=editable, not_now=_state(project, T("提交", "submitted")),
              blocked=_summary(projects.blocking(problems or []))),
        offer(ctx, "withdraw", A.project_apply, unit, now=state in projects.WITHDRAWABLE,
              not_now=_refusal(lambda: projects._require_withdrawable(project))),
        offer(ctx, "endorse", A.project_endorse, endorser or unit, now=awaits_stamp and endorser is not None,
              not_now=(_state(project, step.label) if step is not None else
                       T("本年度项目不需要镇街审核盖章", "This programme has no endorsement step")),
              blocked=endorse_block, override=endorse_override),
        offer(ctx, "score", A.review_score, project, now=state in IN_REVIEW,
              not_now=_state(project, T("评分", "scored")), blocked=review_block),
        offer(ctx, "decide", A.review_decide, project, now=state in IN_REVIEW,
              not_now=_state(project, T("作出评审决定", "decided")), blocked=review_block or decide_block,
              override=decide_override),
        offer(ctx, "request_change", A.change_request, project, now=state == P.approved.value,
              not_now=_refusal(lambda: change_service.require_changeable(project)),
              blocked=_refusal(lambda: change_service.require_none_pending(rows or []))),
        offer(ctx, "decide_change", A.change_decide, project, now=pending,
              not_now=T("没有待审批的变更申请", "No change request awaits a decision")),
        file_offer(ctx, project),
    ])
