"""The ledger's words and limits, and the checks of what a posting is given (amount, key, memo)."""
from __future__ import annotations

from core.i18n import T
from core.money import MoneyError, as_fen
from core.violations import RuleError, Violation

FUND = T("资金", "fund")
ENTRY = T("记账条目", "ledger entry")
KEY_MAX = 200
MEMO_MAX = 500
NAME_MAX = 200
TIER_MAX = 64
YEARS = range(2000, 2101)
MIN_CORRECTION_REASON = 2


def _amount(value, field: str = "amount_fen", *, allow_zero: bool = False) -> int:
    try:
        fen = as_fen(value)
    except MoneyError:
        raise RuleError(Violation("invalid_amount", T(
            "金额应为整数（单位：分），不能是小数、浮点数或文字",
            "The amount must be a whole number of fen, not a fraction, a float or text"), field=field)) from None
    if fen < 0 or (fen == 0 and not allow_zero):
        raise RuleError(Violation("invalid_amount", T(
            "金额必须大于0" if not allow_zero else "金额不能为负数",
            "The amount must be greater than zero" if not allow_zero else "The amount cannot be negative"), field=field))
    return fen


def _key(value) -> str:
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > KEY_MAX:
        raise RuleError(Violation("invalid_idempotency_key", T(
            f"请求编号（幂等键）必填，最长{KEY_MAX}个字符", f"An idempotency key of at most {KEY_MAX} characters is required"),
            field="key"))
    return value.strip()


def _memo(value, *, required: bool = False) -> str:
    memo = (value or "").strip() if isinstance(value, str) or value is None else None
    if memo is None or len(memo) > MEMO_MAX:
        raise RuleError(Violation("invalid_memo", T(f"摘要最长{MEMO_MAX}个字", f"The memo may be at most {MEMO_MAX} characters"),
                                  field="memo"))
    if required and len(memo) < MIN_CORRECTION_REASON:
        raise RuleError(Violation("reason_required", T("更正必须写明原因", "A correction needs its reason"), field="memo"))
    return memo
