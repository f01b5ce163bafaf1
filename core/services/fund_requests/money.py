"""The money of fund requests: what the ledger holds per request (disbursed, spent), what a
project may still request (its headroom) and what a budget item has left, and the violations a
request's amount meets against both.

**What a request may ask for.** A project's money is what its approval committed (the sum of
``Balance.committed`` over ``funding.approved_funding``). What is still free to request is
that, less what was disbursed, less the amounts of the project's other open requests: an open
request holds its money from filing until it is disbursed, refused or withdrawn, so two
requests can never both be promised the same yuan. A request on a budget item is also bounded
by the item's amount less the item's other open and disbursed requests. The office measures
both again when it accepts, because the numbers may have moved (a release, a correction).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from core.i18n import T
from core.models import BudgetItem, EntryKind, FundRequest, LedgerEntry, Project
from core.models.fund_request import OPEN_STATES, FundRequestState
from core.money import money_text
from core.services import funding
from core.services.context import Ctx
from core.services.fund_requests.common import HOLDING_STATES
from core.violations import Violation


@dataclass
class RequestMoney:
    """What the ledger holds for one request, per fund (net of refunds and corrections), in fen."""

    disbursed: dict[int, int] = field(default_factory=dict)
    spent: dict[int, int] = field(default_factory=dict)

    @property
    def disbursed_total(self) -> int:
        return sum(self.disbursed.values())

    @property
    def spent_total(self) -> int:
        return sum(self.spent.values())

    @property
    def unspent(self) -> int:
        return self.disbursed_total - self.spent_total


def entry_sums(ctx: Ctx, *, project_id: int) -> dict[tuple[int | None, int, str], int]:
    """The project's ledger entries summed by (fund request, fund, kind), each correction
    counted negatively under the request, fund and kind of the entry it corrects."""
    correction = EntryKind.correction.value
    plain = (select(LedgerEntry.fund_request_id, LedgerEntry.fund_id, LedgerEntry.kind, func.sum(LedgerEntry.amount_fen))
             .where(LedgerEntry.project_id == project_id, LedgerEntry.kind != correction)
             .group_by(LedgerEntry.fund_request_id, LedgerEntry.fund_id, LedgerEntry.kind))
    corr, original = aliased(LedgerEntry), aliased(LedgerEntry)
    corrections = (select(original.fund_request_id, original.fund_id, original.kind, func.sum(corr.amount_fen))
                   .join(original, original.id == corr.corrects_id)
                   .where(corr.kind == correction, original.project_id == project_id)
                   .group_by(original.fund_request_id, original.fund_id, original.kind))
    out: dict[tuple[int | None, int, str], int] = {}
    for sign, stmt in ((1, plain), (-1, corrections)):
        for rid, fid, kind, total in ctx.session.execute(stmt):
            key = (rid, fid, kind)
            out[key] = out.get(key, 0) + sign * int(total or 0)
    return out


def request_money(ctx: Ctx, project_id: int) -> dict[int, RequestMoney]:
    """Per request of the project: disbursed and spent per fund."""
    out: dict[int, RequestMoney] = {}
    for (rid, fid, kind), fen in entry_sums(ctx, project_id=project_id).items():
        if rid is None:
            continue
        money = out.setdefault(rid, RequestMoney())
        if kind == EntryKind.disbursement.value:
            money.disbursed[fid] = money.disbursed.get(fid, 0) + fen
        elif kind == EntryKind.refund.value:
            money.disbursed[fid] = money.disbursed.get(fid, 0) - fen
        elif kind == EntryKind.expense.value:
            money.spent[fid] = money.spent.get(fid, 0) + fen
    return out


@dataclass(frozen=True)
class Headroom:
    """What a project may still request, in fen."""

    committed: int
    disbursed: int
    open_requests: int  # other open requests' amounts

    @property
    def remaining(self) -> int:
        return self.committed - self.disbursed - self.open_requests


def headroom(ctx: Ctx, project: Project, *, exclude_request_id: int | None = None) -> Headroom:
    money = funding.approved_funding(ctx, project)
    stmt = select(func.coalesce(func.sum(FundRequest.amount_fen), 0)).where(
        FundRequest.project_id == project.id, FundRequest.state.in_(OPEN_STATES))
    if exclude_request_id is not None:
        stmt = stmt.where(FundRequest.id != exclude_request_id)
    return Headroom(committed=sum(b.committed for _, b in money), disbursed=sum(b.disbursed for _, b in money),
                    open_requests=int(ctx.session.scalar(stmt) or 0))


@dataclass(frozen=True)
class BudgetItemRoom:
    budgeted: int
    used: int  # other open requests on the item, and what disbursed ones on it paid out

    @property
    def remaining(self) -> int:
        return self.budgeted - self.used


def budget_item_room(ctx: Ctx, item: BudgetItem, *, exclude_request_id: int | None = None,
              money: dict[int, RequestMoney] | None = None) -> BudgetItemRoom:
    rows = ctx.session.execute(select(FundRequest.id, FundRequest.state, FundRequest.amount_fen).where(
        FundRequest.budget_item_id == item.id, FundRequest.state.in_(HOLDING_STATES))).all()
    if money is None and any(state == FundRequestState.disbursed.value for _, state, _ in rows):
        money = request_money(ctx, item.project_id)
    used = 0
    for rid, state, amount in rows:
        if rid == exclude_request_id:
            continue
        # A disbursed request holds what it actually paid out (less refunds), not what it asked.
        used += (money[rid].disbursed_total if rid in money else 0) if state == FundRequestState.disbursed.value else amount
    return BudgetItemRoom(item.amount_fen, used)


def _budget_violations(ctx: Ctx, project: Project, amount: int, item: BudgetItem | None,
                       exclude_request_id: int | None = None) -> list[Violation]:
    out = []
    room = headroom(ctx, project, exclude_request_id=exclude_request_id)
    if amount > room.remaining:
        left = max(room.remaining, 0)
        out.append(Violation("over_approved_budget", T(
            f"申请金额 {money_text(amount).zh} 超出项目已立项资金的剩余额度：已承诺 {money_text(room.committed).zh}，"
            f"已拨付 {money_text(room.disbursed).zh}，其他在途申请 {money_text(room.open_requests).zh}，尚可申请 {money_text(left).zh}",
            f"The request of {money_text(amount).en} exceeds what is left of the project's approved money: committed "
            f"{money_text(room.committed).en}, disbursed {money_text(room.disbursed).en}, other open requests {money_text(room.open_requests).en}, "
            f"{money_text(left).en} left"), field="amount"))
    if item is not None:
        item_room = budget_item_room(ctx, item, exclude_request_id=exclude_request_id)
        if amount > item_room.remaining:
            left = max(item_room.remaining, 0)
            out.append(Violation("over_budget_item", T(
                f"申请金额 {money_text(amount).zh} 超出预算明细「{item.description}」的剩余额度：预算 {money_text(item_room.budgeted).zh}，"
                f"已申请或已拨付 {money_text(item_room.used).zh}，尚可申请 {money_text(left).zh}",
                f"The request of {money_text(amount).en} exceeds what is left of the budget item '{item.description}': "
                f"budgeted {money_text(item_room.budgeted).en}, requested or disbursed {money_text(item_room.used).en}, {money_text(left).en} left"),
                field="amount"))
    return out
