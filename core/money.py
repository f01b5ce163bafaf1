"""Money is integer fen (分). Yuan appear only at the edges: parsing input and showing output."""
from __future__ import annotations

import re
from decimal import Decimal

from marshmallow import ValidationError, fields

FEN_PER_YUAN = 100

# The one syntax of an amount of yuan, as the API documents it and every reader accepts it:
# ASCII digits, optionally grouped by thousands with commas ("5,000"), at most two decimals,
# nothing around it. At most nine digits before the point: the upper bound of any amount
# (999,999,999.99 yuan) is far inside the 64-bit columns and their sums.
MAX_YUAN_DIGITS = 9
YUAN_PATTERN = (r"^([0-9]{1,%d}|[1-9][0-9]{0,2}(,[0-9]{3}){1,%d})(\.[0-9]{1,2})?$"
                % (MAX_YUAN_DIGITS, (MAX_YUAN_DIGITS - 1) // 3))
MAX_FEN = 10**MAX_YUAN_DIGITS * FEN_PER_YUAN - 1
MAX_YUAN = Decimal(MAX_FEN) / FEN_PER_YUAN  # the same bound in yuan, for plugins' config schemas
_YUAN = re.compile(YUAN_PATTERN)
_ANY_LENGTH = re.compile(r"^([0-9]+|[1-9][0-9]{0,2}(,[0-9]{3})+)(\.[0-9]{1,2})?$")  # the syntax, unbounded
MAX_TEXT = "999,999,999.99"  # MAX_FEN as people read it (format_yuan(MAX_FEN))


class MoneyError(ValueError):
    pass


class AmountTooLarge(MoneyError):
    """Above ``MAX_FEN``: a typo, or an attempt to overflow a column or a sum."""


def yuan_to_fen(value) -> int:
    """'5000', '5,000', '5000.5', an int of yuan or a Decimal → integer fen.

    A string must match ``YUAN_PATTERN``; anything else (floats: binary fractions are not money;
    negatives, fractions of a fen, "1e3", "NaN", "+5", "1,000,0", full-width digits, spaces)
    is refused, and so is any amount above ``MAX_FEN``."""
    if isinstance(value, bool) or isinstance(value, float):
        raise MoneyError("amount must be given as a decimal string or integer, not a float")
    if isinstance(value, int):
        d = Decimal(value)
    elif isinstance(value, Decimal):
        d = value
    elif isinstance(value, str):
        if not _YUAN.fullmatch(value):  # (fullmatch: "$" alone would let a final newline through)
            if _ANY_LENGTH.fullmatch(value):
                raise AmountTooLarge(f"amount is above {MAX_TEXT} yuan")
            raise MoneyError(f"not an amount: {value!r}")
        d = Decimal(value.replace(",", ""))
    else:
        raise MoneyError(f"not an amount: {value!r}")
    if not d.is_finite():
        raise MoneyError("amount must be finite")
    if d < 0:
        raise MoneyError("amount must not be negative")
    fen = d * FEN_PER_YUAN
    if fen != fen.to_integral_value():
        raise MoneyError("amount has fractions of a fen")
    if fen > MAX_FEN:
        raise AmountTooLarge(f"amount is above {MAX_TEXT} yuan")
    return int(fen)


def as_fen(value) -> int:
    """An amount that is already in fen (an ``int``, or an integral ``Decimal``) → int.

    Refuses floats and bools (even 100.0: a float was never money), fractions of a fen and
    anything that is not a number. The sign is left to the caller's rule."""
    if isinstance(value, (bool, float)):
        raise MoneyError("an amount in fen must be an integer, not a float")
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal):
        if not value.is_finite() or value != value.to_integral_value():
            raise MoneyError("amount has fractions of a fen")
        return int(value)
    raise MoneyError(f"not an amount in fen: {value!r}")


def fen_to_yuan(fen: int) -> Decimal:
    return (Decimal(int(fen)) / FEN_PER_YUAN).quantize(Decimal("0.01"))


def format_yuan(fen: int | None) -> str:
    """12345678 → '123,456.78'."""
    if fen is None:
        return ""
    return f"{fen_to_yuan(fen):,.2f}"


class Yuan(fields.Field):
    """A marshmallow field: yuan as a decimal string (or integer) outside, integer fen inside."""

    default_error_messages = {"invalid": "Not a valid amount of yuan (at most two decimals, not negative)."}

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return yuan_to_fen(value)
        except MoneyError as exc:
            raise ValidationError(self.error_messages["invalid"]) from exc

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else str(fen_to_yuan(value))


def read_yuan(value, field: str = "amount", *, label=None, allow_zero: bool = False,
              max_fen: int | None = None):
    """Yuan as a client sends it (a decimal string or an integer) → ``(fen, None)``, or
    ``(None, violation)`` naming the field and the rule in Chinese and English, for a service
    that collects every problem of a form before refusing. ``label`` (a Text) names the amount
    in the message ("认捐金额"); default "金额". The one reader of yuan input for services."""
    from core.i18n import T
    from core.violations import Violation
    label = label or T("金额", "The amount")
    try:
        fen = yuan_to_fen(value)
    except AmountTooLarge:
        return None, Violation("invalid_amount", T(f"{label.zh}不能超过{MAX_TEXT}元", f"{label.en} may be at most {MAX_TEXT} yuan"),
                               field=field)
    except MoneyError:
        return None, Violation("invalid_amount", T(
            f"{label.zh}应为以元为单位的数字，最多两位小数，不能为负数、浮点数或文字",
            f"{label.en} must be yuan (a decimal string or integer) with at most two decimals, not negative, a float or text"),
            field=field)
    if fen == 0 and not allow_zero:
        return None, Violation("invalid_amount", T(f"{label.zh}必须大于0元", f"{label.en} must be above 0 yuan"), field=field)
    if max_fen is not None and fen > max_fen:
        return None, Violation("invalid_amount", T(f"{label.zh}过大，请核对", f"{label.en} is implausibly large; please check"),
                               field=field)
    return fen, None


def parse_yuan(value, field: str = "amount", *, allow_zero: bool = False) -> int:
    """``read_yuan`` for a single amount: the fen, or a ``RuleError`` naming the field."""
    from core.violations import RuleError
    fen, problem = read_yuan(value, field, allow_zero=allow_zero)
    if problem is not None:
        raise RuleError(problem)
    return fen
