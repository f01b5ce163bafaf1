"""Filing a fund request (a neighbourhood asks for money for its approved project) and
withdrawing it before anyone has acted on it: the first step of the flow in the package's doc.

**Filed once per key.** A request filed under an idempotency key (the web form's hidden key, the
API's required ``key``) is filed once: the same key again (a double click, a client's retry)
answers the request it filed, whatever happened since (the budget it now takes, a closed
window); the same key with other input is a 409. Two identical requests at once are serialised by
the project's row lock, and the unique (tenant, key) constraint of ``fund_requests`` refuses a
second row even where they are not (the same key for two projects at once): that is a 409 too.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.i18n import T
from core.models import FundRequest, ProjectState
from core.models.fund_request import FundRequestState
from core.permissions import A
from core.services import calendar
from core.services.closed import refuse_if_closed
from core.services.context import Ctx
from core.services.fund_requests.common import (
    _amount, _begin_write, _budget_item, _key, _month, _require, _state_error, _text)
from core.services.fund_requests.money import _budget_violations
from core.services.fund_requests.reading import get_request, rules_of, street_of
from core.services.projects import get_project
from core.violations import RuleError, Violation, Violations


def file_request(ctx: Ctx, project_id: int, *, amount, purpose, beneficiaries="", month=None,
                 budget_item_id=None, override_reason: str | None = None, key: str | None = None) -> FundRequest:
    """A neighbourhood asks for money for its approved project (amount in yuan), within the
    phases that allow filing, if the policy names any (an implementation phase, a spending
    window; ``core.services.calendar``). ``key`` files it once (see the module's doc); the web
    and the API always send one, an in-process caller that cannot repeat itself may not."""
    _begin_write(ctx)
    key = _key(key)
    project = get_project(ctx, project_id, for_update=True)  # also serialises two filings under one key
    _require(ctx, A.fund_request_file, project.applicant_unit, T(
        f"只有「{project.applicant_unit.name}」的工作人员或项目团队可以为本项目申请资金",
        f"Only the staff or team of {project.applicant_unit.name_en or project.applicant_unit.name} may request money for this project"))
    if key is not None and (done := _filed(ctx, key)) is not None:
        return _replay(ctx, done, key, project.id, amount=amount, purpose=purpose, beneficiaries=beneficiaries,
                       month=month, budget_item_id=budget_item_id)
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
                          requested_by_id=ctx.actor.id, idempotency_key=key)
        ctx.session.add(req)
        try:
            ctx.session.flush()
        except IntegrityError as exc:
            if "idempotency_key" not in str(exc.orig):
                raise
            raise _conflict(key, None) from None
    return req


def _filed(ctx: Ctx, key: str) -> FundRequest | None:
    return ctx.session.scalars(select(FundRequest).where(FundRequest.idempotency_key == key)).one_or_none()


def _conflict(key: str, done: FundRequest | None) -> RuleError:
    which = f"（资金申请#{done.id}）" if done is not None else ""
    return RuleError(Violation("idempotency_conflict", T(
        f"请求编号「{key}」已用于另一笔内容不同的资金申请{which}；新的申请请换一个编号（刷新页面即可）",
        f"The key '{key}' was already used for a different fund request{f' (#{done.id})' if done else ''}; "
        f"file a new request under a new key"), field="key"), status=409)


def _replay(ctx: Ctx, done: FundRequest, key: str, project_id: int, *, amount, purpose, beneficiaries, month,
            budget_item_id) -> FundRequest:
    """A request filed again under its key: the request filed then, if it asks the same (the
    input read as a first filing reads it; a month left out is any month); else a conflict."""
    v = Violations()
    fen, problem = _amount(amount)
    v.add(problem)
    purpose = _text(purpose, "purpose", T("用途", "Purpose"), required=True, v=v)
    beneficiaries = _text(beneficiaries, "beneficiaries", T("使用对象", "Beneficiaries"), required=False, v=v)
    given_month = _month(ctx, month, v) if month not in (None, "") else done.month
    v.raise_if_blocking()
    item_id = int(budget_item_id) if isinstance(budget_item_id, str) and budget_item_id.strip().isdigit() else budget_item_id
    asked = (project_id, fen, purpose, beneficiaries, given_month, item_id or None)
    if asked != (done.project_id, done.amount_fen, done.purpose, done.beneficiaries, done.month, done.budget_item_id):
        raise _conflict(key, done)
    return done


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
