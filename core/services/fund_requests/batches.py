"""A month's batch after the office's acceptance: a street leader approves it within their
authority limit, and the office records the disbursement of its requests (one request, or the
whole batch).

**Money moves only through the ledger**, under its fund locks, with idempotency keys
``fund_request:<id>:<fund id>`` for disbursements, so a retry posts nothing twice.
"""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import select

from core.i18n import T
from core.models import EntryKind, FundRequest, FundRequestBatch, LedgerEntry
from core.models.fund_request import BatchState, FundRequestState
from core.money import money_text
from core.permissions import A
from core.services import funding, ledger
from core.services.context import Ctx
from core.services.fund_requests.common import _begin_write, _require, _state_error
from core.services.fund_requests.reading import authority_fen, batch_requests, get_batch, get_request, rules_of
from core.violations import Forbidden, RuleError, Violation
from core.formats import day_text, month_words


# ---------------------------------------------------------------- the leader's approval


def approve_batch(ctx: Ctx, batch_id: int) -> FundRequestBatch:
    """A street leader approves the month's batch, within their authority limit."""
    _begin_write(ctx)
    batch = get_batch(ctx, batch_id, for_update=True)
    street = batch.street_unit
    is_leader, limit = authority_fen(ctx, street)
    if not (is_leader and ctx.can(A.batch_approve, batch)):
        raise Forbidden(T(f"只有{street.name}的街道领导可以审批资金申请汇总",
                          f"Only a leader of {street.name_en or street.name} may approve its batch"))
    if batch.state != BatchState.open.value:
        raise RuleError(Violation("batch_already_approved", T(
            f"{street.name}{month_words(batch.month).zh}的资金申请汇总已经审批", f"The batch for {month_words(batch.month).en} is already approved"),
            field="state"), status=409)
    requests = [r for r in batch_requests(ctx, batch.id) if r.state == FundRequestState.accepted.value]
    if not requests:
        raise RuleError(Violation("batch_empty", T("该汇总中没有待审批的资金申请", "The batch holds no accepted requests"),
                                  field="batch_id"), status=409)
    total = sum(r.amount_fen for r in requests)
    clause = rules_of(ctx, requests[0].project).clause
    if limit is None or total > limit:
        shown = T("未设置审批权限", "no authority set") if limit is None else money_text(limit)
        raise RuleError(Violation("over_authority", T(
            f"本月汇总合计 {money_text(total).zh}，超出您的审批权限（{shown.zh}），请报上级领导审批",
            f"The batch totals {money_text(total).en}, above your authority ({shown.en}); a more senior leader must approve it"),
            field="batch_id", clause=clause), status=403)
    with ctx.action("fund_request.batch_approve"):
        batch.state = BatchState.approved.value
        batch.approved_by_id, batch.approved_at, batch.approved_total_fen = ctx.actor.id, ctx.clock.now(), total
        for r in requests:
            r.state = FundRequestState.approved.value
    return batch


# ---------------------------------------------------------------- disbursement


def disbursement_key(request_id: int, fund_id: int) -> str:
    return f"fund_request:{request_id}:{fund_id}"


def disburse(ctx: Ctx, request_id: int) -> list[LedgerEntry]:
    """The street office records that an approved request's money was paid out: split over the
    project's funds in the funding plan's order, each up to what it committed to the project
    and has not yet paid. All or nothing."""
    _begin_write(ctx)
    req = get_request(ctx, request_id, for_update=True)
    _require(ctx, A.fund_request_accept, req.project.applicant_unit, T(
        "只有申请单位所属街道（镇）社区自治办的管理员可以登记拨付",
        "Only the street office above the applicant may record a disbursement"))
    return _disburse(ctx, req)


def _disburse(ctx: Ctx, req: FundRequest) -> list[LedgerEntry]:
    if req.state == FundRequestState.disbursed.value:
        raise RuleError(Violation("already_disbursed", T(
            f"资金申请#{req.id}已于{day_text(req.disbursed_at)}拨付，不能重复拨付",
            f"Fund request #{req.id} was already disbursed ({day_text(req.disbursed_at, 'en')}); it cannot be paid twice"),
            field="state"), status=409)
    if req.state != FundRequestState.approved.value:
        raise _state_error(req, T("拨付（须先经领导审批）", "disbursed (a leader must approve it first)"))
    project = req.project
    funds = funding.approved_funding(ctx, project)
    if funds:
        ledger.lock_funds(ctx, [f.id for f, _ in funds])
        funds = funding.approved_funding(ctx, project)  # re-read under the locks
    left, entries = req.amount_fen, []
    plan = []
    for fund, bal in funds:
        take = min(left, max(bal.committed - bal.disbursed, 0))
        if take > 0:
            plan.append((fund, take))
            left -= take
    if left > 0:
        room = req.amount_fen - left
        raise RuleError(Violation("over_committed", T(
            f"项目已承诺但未拨付的资金只剩 {money_text(room).zh}，不足以拨付本申请的 {money_text(req.amount_fen).zh}",
            f"Only {money_text(room).en} of the project's committed money is unpaid; the request asks {money_text(req.amount_fen).en}"),
            field="amount"), status=409)
    memo = f"资金申请#{req.id}（{req.month}）：{req.purpose}"[:ledger.MEMO_MAX]
    for fund, take in plan:
        entries.append(ledger.disburse(ctx, fund.id, take, project.id, disbursement_key(req.id, fund.id),
                                       memo=memo, fund_request_id=req.id))
    with ctx.action("fund_request.disburse"):
        req.state = FundRequestState.disbursed.value
        req.disbursed_at = ctx.clock.now()
    return entries


def disburse_batch(ctx: Ctx, batch_id: int) -> list[FundRequest]:
    """Record the disbursement of every approved (not yet paid) request of an approved batch."""
    _begin_write(ctx)
    batch = get_batch(ctx, batch_id, for_update=True)
    _require(ctx, A.fund_request_accept, batch.street_unit, T(
        f"只有{batch.street_unit.name}社区自治办的管理员可以登记拨付",
        f"Only the office of {batch.street_unit.name_en or batch.street_unit.name} may record disbursements"))
    if batch.state != BatchState.approved.value:
        raise RuleError(Violation("batch_not_approved", T(
            "该月度汇总尚未经街道领导审批，不能拨付", "The batch is not approved yet, so nothing can be paid"),
            field="state"), status=409)
    pending = [r for r in batch_requests(ctx, batch.id) if r.state == FundRequestState.approved.value]
    if not pending:
        raise RuleError(Violation("nothing_to_disburse", T("该汇总中的资金申请均已拨付", "Every request of the batch is already paid"),
                                  field="state"), status=409)
    for req in pending:
        locked = get_request(ctx, req.id, for_update=True)
        _disburse(ctx, locked)
    return pending


def disbursement_entries(ctx: Ctx, request_ids: Iterable[int]) -> list[LedgerEntry]:
    """The disbursement entries posted for these requests, in posting order."""
    ids = sorted(set(request_ids))
    if not ids:
        return []
    return list(ctx.session.scalars(select(LedgerEntry).where(
        LedgerEntry.fund_request_id.in_(ids), LedgerEntry.kind == EntryKind.disbursement.value).order_by(LedgerEntry.id)))

