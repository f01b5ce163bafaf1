"""Receiving: money arriving for a pledge is allocated to its fund, and earmarked for the claimed
project when that project is already approved (see the package doc)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from core.i18n import T
from core.models import Decision, EntryKind, Fund, LedgerEntry, Pledge, Project, ProjectState
from core.money import money_text
from core.services import ledger
from core.services.context import Ctx
from core.services.pledges.funds import may_record
from core.services.pledges.pledging import COMMIT_SUFFIX, _key, _yuan, get_pledge
from core.services.pledges.sponsors import _text
from core.violations import Forbidden, RuleError, Violation


@dataclass(frozen=True)
class Receipt:
    allocation: LedgerEntry
    commitment: LedgerEntry | None  # the amount earmarked for the claimed, approved project


def _net(entries: list[LedgerEntry]) -> dict[int, int]:
    """Each entry's amount net of the corrections that name it."""
    net = {e.id: e.amount_fen for e in entries if e.kind != EntryKind.correction.value}
    for e in entries:
        if e.kind == EntryKind.correction.value and e.corrects_id in net:
            net[e.corrects_id] -= e.amount_fen
    return net


def _fund_entries(ctx: Ctx, fund_id: int) -> list[LedgerEntry]:
    return list(ctx.session.scalars(select(LedgerEntry).where(LedgerEntry.fund_id == fund_id).order_by(LedgerEntry.id)))


def _received(entries: list[LedgerEntry], net: dict[int, int]) -> dict[int, int]:
    out: dict[int, int] = defaultdict(int)
    for e in entries:
        if e.kind == EntryKind.allocation.value and e.pledge_id is not None:
            out[e.pledge_id] += net[e.id]
    return out


def approved_fen(ctx: Ctx, project: Project) -> int | None:
    """The approved amount of an approved project (its latest decision), else None."""
    if project.state != ProjectState.approved.value:
        return None
    return ctx.session.scalars(select(Decision.approved_fen).where(Decision.project_id == project.id,
                                                                   Decision.outcome == "approved")
                               .order_by(Decision.id.desc())).first()


def receive(ctx: Ctx, pledge_id: int, amount, key: str, memo: str = "") -> Receipt:
    """Record money arriving for a pledge (yuan): allocated to the fund, never more than the
    pledge promised; earmarked for its claimed project if that project is approved (see the
    package doc). Retrying with the same key returns what was recorded."""
    row = get_pledge(ctx, pledge_id)
    fund = ledger.get_fund(ctx, row.fund_id)
    if not may_record(ctx, fund):
        raise Forbidden(T(f"只有「{fund.org_unit.name}」及上级的工作人员可以登记认捐到账",
                          f"Only staff at or above {fund.org_unit.name_en or fund.org_unit.name} may record receipts"))
    fen, problem = _yuan(amount, "amount", T("到账金额", "The amount received"), allow_zero=False)
    if problem:
        raise RuleError(problem)
    key = _key(key)
    memo, problem = _text(memo, "memo", T("摘要", "Memo"), ledger.MEMO_MAX)
    if problem:
        raise RuleError(problem)
    ledger.lock_funds(ctx, [fund.id])
    retry = ctx.session.scalars(select(LedgerEntry.id).where(LedgerEntry.idempotency_key == key)).first() is not None
    if not retry:
        entries = _fund_entries(ctx, fund.id)
        received = _received(entries, _net(entries)).get(row.id, 0)
        if received + fen > row.amount_fen:
            left = max(row.amount_fen - received, 0)
            raise RuleError(Violation("over_pledge", T(
                f"到账金额超过认捐金额：「{row.sponsor.name}」认捐 {money_text(row.amount_fen).zh}，已到账 {money_text(received).zh}，"
                f"本次 {money_text(fen).zh}（最多还可到账 {money_text(left).zh}）",
                f"More than pledged: {row.sponsor.name} pledged {money_text(row.amount_fen).en}, received {money_text(received).en}, "
                f"this {money_text(fen).en} (at most {money_text(left).en} more)"), field="amount"))
    allocation = ledger.allocate(ctx, fund.id, fen, key, memo=memo or f"{row.sponsor.name}认捐到账", pledge_id=row.id)
    commit_key = key + COMMIT_SUFFIX
    if retry:  # what the first attempt earmarked, if anything; never a second earmark
        commitment = ctx.session.scalars(select(LedgerEntry).where(LedgerEntry.idempotency_key == commit_key)).first()
        return Receipt(allocation, commitment)
    return Receipt(allocation, _earmark(ctx, fund, row, fen, commit_key))


def _earmark(ctx: Ctx, fund: Fund, row: Pledge, fen: int, key: str) -> LedgerEntry | None:
    if row.project_id is None:
        return None
    project = ctx.session.get(Project, row.project_id)
    approved = approved_fen(ctx, project)
    if approved is None:
        return None  # not approved yet: the approval will draw on the fund
    committed = sum(b.committed for b in ledger.project_balances(ctx, project.id).values())
    available = ledger.balance(ctx, fund.id).available
    amount = min(fen, approved - committed, available)
    if amount <= 0:
        return None
    return ledger.commit(ctx, fund.id, amount, project.id, key, pledge_id=row.id,
                         memo=f"{project.title}：{row.sponsor.name}认领款（认捐#{row.id}）"[:ledger.MEMO_MAX])
