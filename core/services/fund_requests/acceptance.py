"""What a request passes before its street's leader sees it: the supervision committee's sign-off
(where the policy wants one), then the street office's acceptance, which measures the money again and puts the
request into the open batch of its street and month; and the refusal either may give instead,
with the reason the applicant reads.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.formats import month_words
from core.i18n import T
from core.models import FundRequest, FundRequestBatch, OrgUnit, ProjectState
from core.models.fund_request import BatchState, FundRequestState
from core.permissions import A
from core.plugin_host.contributions import FundRequestRules
from core.services.context import Ctx
from core.services.fund_requests.common import (
    _begin_write, _month, _reason, _require, _state_error, _text, next_month)
from core.services.fund_requests.money import _budget_violations
from core.services.fund_requests.reading import get_request, rules_of, street_of
from core.violations import RuleError, Violation, Violations


def supervise(ctx: Ctx, request_id: int, *, approve: bool = True, note: str = "") -> FundRequest:
    """The supervision committee signs a request off before the office (where the policy says so)."""
    _begin_write(ctx)
    req = get_request(ctx, request_id, for_update=True)
    rules = rules_of(ctx, req.project)
    if not rules.supervision:
        raise RuleError(Violation("no_supervision_step", T(
            "本年度项目的资金申请不需要监督委员会审核", "This programme's fund requests have no supervision step"),
            field="state"), status=409)
    _require(ctx, A.fund_request_supervise, req.project.applicant_unit, T(
        f"只有申请单位所属的监督委员会成员可以进行{rules.supervision_label.zh}",
        f"Only a supervision committee member over the applicant may give the {rules.supervision_label.en}"))
    if req.state != FundRequestState.submitted.value:
        raise _state_error(req, T(f"进行{rules.supervision_label.zh}", f"given the {rules.supervision_label.en}"))
    if not approve:
        return _refuse(ctx, req, note, "fund_request.supervision_refuse", supervised=True)
    v = Violations()
    note = _text(note, "note", T("审核意见", "Note"), required=False, v=v)
    v.raise_if_blocking()
    with ctx.action("fund_request.supervise"):
        req.state = FundRequestState.supervised.value
        req.supervised_by_id, req.supervised_at, req.supervision_note = ctx.actor.id, ctx.clock.now(), note
    return req


def _require_office_turn(ctx: Ctx, req: FundRequest, rules: FundRequestRules) -> None:
    _require(ctx, A.fund_request_accept, req.project.applicant_unit, T(
        "只有申请单位所属街道（镇）社区自治办的管理员可以审核资金申请",
        "Only the street office above the applicant may accept fund requests"))
    if rules.supervision and req.state == FundRequestState.submitted.value:
        raise RuleError(Violation("needs_supervision", T(
            f"该申请尚未经{rules.supervision_label.zh}，街道不能审核",
            f"This request has not had its {rules.supervision_label.en} yet, so the street office cannot accept it"),
            field="state", clause=rules.clause), status=409)


def accept(ctx: Ctx, request_id: int, *, month: str | None = None) -> FundRequest:
    """The street office accepts a request: measured again against the committed budget (the
    numbers may have moved since filing), it joins the open batch of its street and month
    (``month`` lets the office move it to another month, e.g. when this month's batch is
    already approved)."""
    _begin_write(ctx)
    req = get_request(ctx, request_id, for_update=True)
    project = req.project
    rules = rules_of(ctx, project)
    _require_office_turn(ctx, req, rules)
    expected = FundRequestState.supervised.value if rules.supervision else FundRequestState.submitted.value
    if req.state != expected:
        raise _state_error(req, T("审核", "accepted"))
    v = Violations()
    chosen = _month(ctx, month, v) if month not in (None, "") else req.month
    v.raise_if_blocking()
    if project.state != ProjectState.approved.value:
        raise RuleError(Violation("project_not_approved", T(
            f"项目当前状态为「{project.state_enum.label.zh}」，不能再拨付资金",
            f"The project is {project.state_enum.label.en}; it can no longer receive money"), field="project_id"), status=409)
    item = next((b for b in project.budget_items if b.id == req.budget_item_id), None)
    problems = _budget_violations(ctx, project, req.amount_fen, item, exclude_request_id=req.id)
    if problems:
        raise RuleError(problems, status=409)
    street = street_of(ctx, project.applicant_unit)
    batch = _open_batch(ctx, street, chosen)
    if batch.state != BatchState.open.value:
        now_m, later = month_words(chosen), month_words(next_month(chosen))
        raise RuleError(Violation("batch_already_approved", T(
            f"{street.name}{now_m.zh}的资金申请汇总已经领导审批，不能再加入；请编入下月（{later.zh}）汇总",
            f"{street.name_en or street.name}'s batch for {now_m.en} is already approved; put the request into the next month's ({later.en})"),
            field="month", clause=rules.clause), status=409)
    with ctx.action("fund_request.accept"):
        req.month = chosen
        req.state = FundRequestState.accepted.value
        req.accepted_by_id, req.accepted_at, req.batch_id = ctx.actor.id, ctx.clock.now(), batch.id
    return req


def find_batch(ctx: Ctx, street: OrgUnit, month: str) -> FundRequestBatch | None:
    """The batch of ``street`` and ``month``, locked for the rest of the transaction."""
    return ctx.session.scalars(select(FundRequestBatch).where(
        FundRequestBatch.street_unit_id == street.id, FundRequestBatch.month == month)
        .with_for_update(of=FundRequestBatch).execution_options(populate_existing=True)).one_or_none()


def _open_batch(ctx: Ctx, street: OrgUnit, month: str) -> FundRequestBatch:
    """The batch of ``street`` and ``month`` (locked), created if missing. Two offices creating
    it at the same moment: the loser's savepoint is rolled back and it uses the winner's."""
    batch = find_batch(ctx, street, month)
    if batch is not None:
        return batch
    try:
        with ctx.session.begin_nested():
            with ctx.action("fund_request.batch_open"):
                batch = FundRequestBatch(street_unit_id=street.id, month=month, state=BatchState.open.value)
                ctx.session.add(batch)
        return batch
    except (RuleError, IntegrityError):
        batch = find_batch(ctx, street, month)
        if batch is None:
            raise
        return batch


def refuse(ctx: Ctx, request_id: int, reason: str) -> FundRequest:
    """Refuse a request with the reason the applicant will read: by the supervision committee
    while it awaits them, otherwise by the street office (until the leader approved it)."""
    _begin_write(ctx)
    req = get_request(ctx, request_id, for_update=True)
    rules = rules_of(ctx, req.project)
    if rules.supervision and req.state == FundRequestState.submitted.value \
            and ctx.can(A.fund_request_supervise, req.project):
        return supervise(ctx, request_id, approve=False, note=reason)
    if req.state not in (FundRequestState.submitted.value, FundRequestState.supervised.value,
                         FundRequestState.accepted.value):
        raise _state_error(req, T("退回", "refused"))
    _require_office_turn(ctx, req, rules)
    return _refuse(ctx, req, reason, "fund_request.refuse")


def _refuse(ctx: Ctx, req: FundRequest, reason: str, action: str, *, supervised: bool = False) -> FundRequest:
    reason = _reason(reason, "note" if supervised else "reason")
    if req.batch_id is not None:  # leaving a batch: serialise with the leader's approval of it
        batch = ctx.session.scalars(select(FundRequestBatch).where(FundRequestBatch.id == req.batch_id)
                                    .with_for_update(of=FundRequestBatch).execution_options(populate_existing=True)).one()
        if batch.state != BatchState.open.value:
            raise _state_error(req, T("退回（所在汇总已审批）", "refused (its batch is approved)"))
    with ctx.action(action):
        req.state = FundRequestState.refused.value
        req.refusal_reason = reason
        req.batch_id = None
        if supervised:
            req.supervised_by_id, req.supervised_at, req.supervision_note = ctx.actor.id, ctx.clock.now(), reason
    return req
