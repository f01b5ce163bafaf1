"""Corrections: a new entry that reverses (part of) the entry it names, never an edit of it."""
from __future__ import annotations

from core.i18n import T
from core.models import EntryKind, LedgerEntry
from core.models.ledger import HOLD_KINDS
from core.money import money_text
from core.services.context import Ctx
from core.services.ledger.inputs import ENTRY, _amount, _key, _memo
from core.services.ledger.locking import _lock, _state
from core.services.ledger.posting import _insert, _problems, _replayed
from core.violations import NotFound, RuleError, Violation

# Corrections of these would break a pairing (transfers) or reverse a reversal; post a
# new transfer or the original entry again instead. A hold is ended by releasing it.
NOT_CORRECTABLE = {EntryKind.transfer_out.value, EntryKind.transfer_in.value, EntryKind.correction.value,
                   *HOLD_KINDS}


def correct(ctx: Ctx, entry_id: int, key: str, memo: str, amount_fen: int | None = None) -> LedgerEntry:
    """Reverse (part of) an entry: a new ``correction`` entry naming it. Default: all that is
    left of it. To replace a wrong amount, correct it and post the right one."""
    key = _key(key)
    memo = _memo(memo, required=True)
    amount = None if amount_fen is None else _amount(amount_fen)
    original = ctx.session.get(LedgerEntry, entry_id) if isinstance(entry_id, int) and not isinstance(entry_id, bool) else None
    if original is None:
        raise NotFound(ENTRY, field="entry_id")
    if original.kind in NOT_CORRECTABLE:
        raise RuleError(Violation("not_correctable", T(
            f"「{original.kind_enum.label.zh}」条目不能更正；调拨请做一笔反向调拨，更正记录请重新记原条目",
            f"A {original.kind_enum.label.en} entry cannot be corrected; reverse a transfer with another transfer"),
            field="entry_id"))
    fund = _lock(ctx, [original.fund_id])[0]
    state = _state(ctx, fund, project_id=original.project_id, key=key, corrects_id=original.id)
    expected = dict(kind=EntryKind.correction.value, corrects_id=original.id, fund_id=original.fund_id)
    if amount is not None:
        expected["amount_fen"] = amount
    if (done := _replayed(ctx, key, state.key_entry_id, expected)) is not None:
        return done
    left = original.amount_fen - state.corrected
    amount = left if amount is None else amount
    if amount > left or amount <= 0:
        raise RuleError(Violation("correction_exceeds_entry", T(
            f"条目#{original.id}金额 {money_text(original.amount_fen).zh}，已更正 {money_text(state.corrected).zh}，本次更正 {money_text(amount).zh} 超出剩余 {money_text(left).zh}",
            f"Entry #{original.id} is {money_text(original.amount_fen).en}, {money_text(state.corrected).en} already corrected; {money_text(amount).en} exceeds the {money_text(left).en} left"),
            field="amount_fen"))
    problems = _problems(fund, state, original.project_id, original.kind, -amount, EntryKind.correction, amount)
    if problems:
        raise RuleError(problems)
    entry = LedgerEntry(fund_id=fund.id, kind=EntryKind.correction.value, amount_fen=amount,
                        project_id=original.project_id, actor_id=ctx.actor.id, memo=memo,
                        idempotency_key=key, corrects_id=original.id)
    _insert(ctx, "ledger.correction", [entry], key)
    return entry
