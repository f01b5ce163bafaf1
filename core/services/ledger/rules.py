"""The ledger's rules (see the package doc) and the refusals that name them, with the numbers."""
from __future__ import annotations

from dataclasses import dataclass

from core.i18n import T, Text
from core.models import EntryKind
from core.money import money_text
from core.services.ledger.sums import Balance
from core.violations import Violation


@dataclass(frozen=True)
class _Rule:
    code: str
    lhs: str  # a Balance property (or "zero") that must not exceed ...
    rhs: str  # ... this one; a rule whose rhs is None for the fund (no cap) does not apply
    message: Text


# Read as "lhs ≤ rhs". Placeholders: {fund} {lhs} {rhs} {kind} {amount} {room}.
HOLD_RULE = _Rule("hold_negative", "zero", "held",
                  T("「{fund}」解除的预留超过所预留的金额：已预留 {rhs}，本次{kind} {amount}",
                    "{fund}: more released than was held: held {rhs}, this {kind} {amount}"))
RULES = (
    _Rule("spent_negative", "zero", "spent",
          T("「{fund}」的支出更正后将为负数：已支出 {rhs}，本次{kind} {amount}",
            "{fund}: spending would become negative: spent {rhs}, this {kind} {amount}")),
    _Rule("over_disbursed", "spent", "disbursed",
          T("「{fund}」的支出不能超过已拨付金额：已拨付 {rhs}，已支出 {lhs}，本次{kind} {amount}（尚可 {room}）",
            "{fund}: spending cannot exceed what was disbursed: disbursed {rhs}, spent {lhs}, this {kind} {amount} ({room} left)")),
    _Rule("over_committed", "disbursed", "committed",
          T("「{fund}」的拨付不能超过已承诺金额：已承诺 {rhs}，已拨付 {lhs}，本次{kind} {amount}（尚可 {room}）",
            "{fund}: disbursements cannot exceed commitments: committed {rhs}, disbursed {lhs}, this {kind} {amount} ({room} left)")),
    _Rule("over_allocation", "committed", "allocated",
          T("「{fund}」资金不足：已到位 {rhs}，已承诺 {lhs}，本次{kind} {amount}（可用 {room}）",
            "{fund}: not enough money: allocated {rhs}, committed {lhs}, this {kind} {amount} ({room} available)")),
    _Rule("over_cap", "committed", "cap_fen",
          T("超出「{fund}」的上限：上限 {rhs}，已承诺 {lhs}，本次{kind} {amount}（最多还可承诺 {room}）",
            "{fund} would exceed its cap: cap {rhs}, committed {lhs}, this {kind} {amount} (at most {room} more)")),
    HOLD_RULE,
)


# Checked for postings other than holds, once the rules above pass (see the package doc).
CLAIMS_RULE = _Rule("held_for_claims", "reserved", "limit",
                    T("「{fund}」可用资金不足：到位（不超过上限）{rhs}，已承诺及为其他项目认领预留 {lhs}，本次{kind} {amount}（可用 {room}）",
                      "{fund}: not enough free money: allocated (within the cap) {rhs}, committed or held for other "
                      "projects' claims {lhs}, this {kind} {amount} ({room} free)"))

# Per project only the chain below the commitments applies (a project's allocation and cap
# are its fund's), and what is held for it never goes below zero.
PROJECT_RULES = RULES[:3] + (HOLD_RULE,)


def _value(b: Balance, name: str) -> int | None:
    return 0 if name == "zero" else getattr(b, name)


def _breaches(label: str, before: Balance, after: Balance, kind: EntryKind, amount: int,
              rules: tuple[_Rule, ...] = RULES, field: str = "amount_fen") -> list[Violation]:
    """The rules this posting breaks: broken afterwards, and worse than before."""
    out = []
    for rule in rules:
        rhs_after, rhs_before = _value(after, rule.rhs), _value(before, rule.rhs)
        if rhs_after is None:
            continue  # no cap
        slack_after = rhs_after - _value(after, rule.lhs)
        slack_before = rhs_before - _value(before, rule.lhs)
        if slack_after >= 0 or slack_after >= slack_before:
            continue
        out.append(Violation(rule.code, Text(
            rule.message.zh.format(fund=label, lhs=money_text(_value(before, rule.lhs)).zh, rhs=money_text(rhs_before).zh,
                                   kind=kind.label.zh, amount=money_text(amount).zh, room=money_text(max(slack_before, 0)).zh),
            rule.message.en.format(fund=label, lhs=money_text(_value(before, rule.lhs)).en, rhs=money_text(rhs_before).en,
                                   kind=kind.label.en, amount=money_text(amount).en, room=money_text(max(slack_before, 0)).en)),
            field=field))
    return out
