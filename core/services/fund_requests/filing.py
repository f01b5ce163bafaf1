"""Filing a fund request (a neighbourhood asks for money for its approved project) and
withdrawing it before anyone has acted on it: the first step of the flow in the package's doc.
"""
from __future__ import annotations

from core.i18n import T
from core.models import FundRequest, ProjectState
from core.models.fund_request import FundRequestState
from core.permissions import A
from core.services import calendar
from core.services.closed import refuse_if_closed
from core.services.context import Ctx
from core.services.fund_requests.common import (
    _amount, _begin_write, _budget_item, _month, _require, _state_error, _text)
from core.services.fund_requests.money import _budget_violations
from core.services.fund_requests.reading import get_request, rules_of, street_of
from core.services.projects import get_project
from core.violations import RuleError, Violation, Violations


def file_request(ctx: Ctx, project_id: int, *, amount, purpose, beneficiaries="", month=None,
                 budget_item_id=None, override_reason: str | None = None) -> FundRequest:
    """A neighbourhood asks for money for its approved project (amount in yuan), within the
    phases that allow filing, if the policy names any (an implementation phase, a spending
    window; ``core.services.calendar``)."""
    _begin_write(ctx)
    project = get_project(ctx, project_id, for_update=True)
    _require(ctx, A.fund_request_file, project.applicant_unit, T(
        f"只有「{project.applicant_unit.name}」的工作人员或项目团队可以为本项目申请资金",
        f"Only the staff or team of {project.applicant_unit.name_en or project.applicant_unit.name} may request money for this project"))
    refuse_if_closed(ctx, project, T("申请资金", "take fund requests"))
    if project.state != ProjectState.approved.value:
        raise RuleError(Violation("project_not_approved", T(
            f"项目当前状态为「{project.state_enum.label.zh}」，只有已立项的项目可以申请资金",
            f"The project is {project.state_enum.label.en}; only approved projects may request money"),
            field="project_id"), status=409)
    calendar.require(ctx, project.programme, A.fund_request_file, project, override_reason=override_reason)
    rules = rules_of(ctx, project)
    v = Violations()
    fen, problem = _amount(amount)
    v.add(problem)
    purpose = _text(purpose, "purpose", T("用途", "Purpose"), required=True, v=v)
    beneficiaries = _text(beneficiaries, "beneficiaries", T("使用对象", "Beneficiaries"),
                          required=rules.beneficiaries_required, v=v, clause=rules.clause)
    month = _month(ctx, month, v)
    item = _budget_item(project, budget_item_id, v)
    v.raise_if_blocking()
    street_of(ctx, project.applicant_unit)  # refused now rather than at the office's check
    problems = _budget_violations(ctx, project, fen, item)
    if problems:
        raise RuleError(problems)
    with ctx.action("fund_request.file"):
        req = FundRequest(project_id=project.id, month=month, amount_fen=fen, purpose=purpose,
                          beneficiaries=beneficiaries, budget_item_id=item.id if item else None,
                          budget_item_description=item.description if item else "", state=FundRequestState.submitted.value,
                          requested_by_id=ctx.actor.id)
        ctx.session.add(req)
    return req


def withdraw(ctx: Ctx, request_id: int) -> FundRequest:
    """The applicant takes back a request nobody has acted on yet."""
    _begin_write(ctx)
    req = get_request(ctx, request_id, for_update=True)
    _require(ctx, A.fund_request_file, req.project.applicant_unit,
                  T("只有申请单位可以撤回资金申请", "Only the applicant may withdraw a fund request"))
    if req.state != FundRequestState.submitted.value:
        raise _state_error(req, T("撤回（已有人审核）", "withdrawn (someone has acted on it)"))
    with ctx.action("fund_request.withdraw"):
        req.state = FundRequestState.withdrawn.value
    return req
