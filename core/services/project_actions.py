"""What the caller may do now with a project (see ``core.services.actions``): edit its forms,
budget and attachments, submit, withdraw, endorse, score, decide, request a change, file a fund
request. The API's ``actions`` field comes from ``project_offers``; the state half of each
answer is the services' own guard (``_require_editable``, ``_require_reviewable``,
``submission_problems``) asked without acting, so the offer and the refusal cannot differ.
"""
from __future__ import annotations

from typing import Callable

from core.i18n import T, Text
from core.models import ChangeRequest, Project, ProjectState
from core.permissions import A
from core.services import changes as change_service
from core.services import endorsement, projects, review
from core.services.actions import Offers, offer
from core.services.context import Ctx
from core.services.fund_request_actions import file_offer
from core.violations import RuleError, Violation

P = ProjectState
ACTIONS = ("edit", "submit", "withdraw", "endorse", "score", "decide", "request_change", "file_fund_request")
WITHDRAWABLE = (P.draft.value, P.submitted.value, P.returned.value)
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


def project_offers(ctx: Ctx, project: Project, *, problems: list[Violation] | None = None,
                   change_requests: list[ChangeRequest] | None = None) -> Offers:
    """The caller's offers on ``project``. ``problems``: ``projects.submission_problems`` when
    the caller has them; ``change_requests``: the project's, likewise (both read when needed)."""
    unit = project.applicant_unit
    state = project.state
    editable = state in projects.EDITABLE
    if editable and problems is None and ctx.can(A.project_apply, unit):
        problems = projects.submission_problems(ctx, project)
    step = endorsement.step_of(ctx, project)
    awaits_stamp = step is not None and state == P.submitted.value
    endorser = endorsement.endorsing_unit(ctx, project, step) if awaits_stamp else None
    review_block = _refusal(lambda: review._require_reviewable(ctx, project)) if state in IN_REVIEW else None
    pending = None
    if state == P.approved.value and ctx.can(A.change_request, project):
        rows = change_requests if change_requests is not None else change_service.change_requests(ctx, project.id)
        if any(c.status == "pending" for c in rows):
            pending = T("已有待审批的变更申请，请等待主管单位决定", "A change request is pending; wait for the decision")
    return Offers([
        offer(ctx, "edit", A.project_apply, unit, now=state not in (P.rejected.value, P.withdrawn.value),
              not_now=_state(project, T("修改", "changed")),
              blocked=_refusal(lambda: projects._require_editable(project))),
        offer(ctx, "submit", A.project_apply, unit, now=editable, not_now=_state(project, T("提交", "submitted")),
              blocked=_summary([p for p in problems or () if p.blocks])),
        offer(ctx, "withdraw", A.project_apply, unit, now=state in WITHDRAWABLE,
              not_now=_state(project, T("撤回", "withdrawn"))),
        offer(ctx, "endorse", A.project_endorse, endorser or unit, now=awaits_stamp and endorser is not None,
              not_now=(_state(project, step.label) if step is not None else
                       T("本年度项目不需要镇街审核盖章", "This programme has no endorsement step"))),
        offer(ctx, "score", A.review_score, project, now=state in IN_REVIEW,
              not_now=_state(project, T("评分", "scored")), blocked=review_block),
        offer(ctx, "decide", A.review_decide, project, now=state in IN_REVIEW,
              not_now=_state(project, T("作出评审决定", "decided")), blocked=review_block),
        offer(ctx, "request_change", A.change_request, project, now=state == P.approved.value,
              not_now=T("只有已立项的项目需要变更申请；未立项的项目可直接修改",
                        "Only approved projects take change requests; others are edited directly"),
              blocked=pending),
        file_offer(ctx, project),
    ])
