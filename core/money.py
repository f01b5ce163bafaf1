"""Money is integer fen (分). Yuan appear only at the edges: parsing input and showing output."""
from __future__ import annotations

import decimal
import re
from decimal import Decimal

from marshmallow import ValidationError, fields

FEN_PER_YUAN = 100
_PLAIN = re.compile(r"^-?\d+(\.\d+)?$")


class MoneyError(ValueError):
    pass


def yuan_to_fen(value) -> int:
    """'5000', '5000.5', Decimal('5000.01') or an int of yuan → integer fen.

    Refuses floats (binary fractions are not money), negatives and fractions of a fen."""
    if isinstance(value, bool) or isinstance(value, float):
        raise MoneyError("amount must be given as a decimal string or integer, not a float")
    if isinstance(value, (int, Decimal)):
        text = str(value)
    elif isinstance(value, str):
        text = value.replace(",", "").strip()
        # Plain decimals only: "1e3", "NaN", "0x10" or "+5" are typos or tricks, not amounts.
        if not _PLAIN.match(text):
            raise MoneyError(f"not an amount: {value!r}")
    else:
        raise MoneyError(f"not an amount: {value!r}")
    try:
        d = Decimal(text)
    except (decimal.InvalidOperation, ValueError) as exc:
        raise MoneyError(f"not an amount: {value!r}") from exc
    if not d.is_finite():
        raise MoneyError("amount must be finite")
    if d < 0:
        raise MoneyError("amount must not be negative")
    fen = d * FEN_PER_YUAN
    if fen != fen.to_integral_value():
        raise MoneyError("amount has fractions of a fen")
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
