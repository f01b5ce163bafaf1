"""Money is integer fen (分). Yuan appear only at the edges: reading what people type, and
showing amounts to them (``format_money``, in their language)."""
from __future__ import annotations

import re
from decimal import Decimal

from marshmallow import ValidationError, fields

from core.i18n import T, Text

FEN_PER_YUAN = 100
YUAN_PER_WAN = 10_000

# -- the one syntax of an amount -------------------------------------------------------------------
#
# What a Chinese office types, read the same at every endpoint and page: "5000", "5,000",
# "5000.50", "5000元", "0.5万", "1.2万元", in ASCII or full-width digits, comma and point
# ("５，０００"), with spaces around it (a pasted cell) or before the unit ("5000 元"). An
# amount of yuan has at most two decimals; of 万 at most six (so it still comes to whole fen).
# Thousands are grouped by three or not at all ("1,000,0" is a typo, not 10,000). Nothing else:
# no sign, exponent, NaN, capital numerals (伍仟) or other digits. At most nine digits of yuan
# (five of 万) before the point: the upper bound of any amount, 999,999,999.99 yuan, is far
# inside the 64-bit columns and their sums.
#
# The pattern is the API's documented one (``core.api.base.Yuan``), so it is written for both
# Python's ``re`` and JSON Schema's ECMA-262 regexes: plain groups, \uXXXX escapes, and no two
# repetitions of the spaces side by side (a long run of spaces costs linear time, not more).
MAX_YUAN_DIGITS = 9
MAX_WAN_DIGITS = MAX_YUAN_DIGITS - 4
_SPACES = r"[ \t\n\r\u00a0\u3000]*"         # space, tab, line breaks, no-break and ideographic space
_DIGIT, _LEADING = r"[0-9\uff10-\uff19]", r"[1-9\uff11-\uff19]"  # ASCII or full-width ０-９
_COMMA, _POINT = r"[,\uff0c]", r"[.\uff0e]"  # ASCII or full-width ，．


def _number(digits: int | None, decimals: int) -> str:
    """A number with at most ``digits`` before the point (None: any), grouped by three or not."""
    if digits is None:
        whole = f"{_DIGIT}+|{_LEADING}{_DIGIT}{{0,2}}({_COMMA}{_DIGIT}{{3}})+"
    else:
        groups = (digits - 1) // 3
        whole = (f"{_DIGIT}{{1,{digits}}}|"
                 f"{_LEADING}{_DIGIT}{{0,{digits - 3 * groups - 1}}}({_COMMA}{_DIGIT}{{3}}){{1,{groups}}}")
    return f"({whole})({_POINT}{_DIGIT}{{1,{decimals}}})?"


def _amount(yuan_digits: int | None, wan_digits: int | None) -> str:
    return (f"^{_SPACES}({_number(yuan_digits, 2)}({_SPACES}元)?|{_number(wan_digits, 6)}{_SPACES}万元?){_SPACES}$")


YUAN_PATTERN = _amount(MAX_YUAN_DIGITS, MAX_WAN_DIGITS)
_AMOUNT = re.compile(YUAN_PATTERN)
_ANY_LENGTH = re.compile(_amount(None, None))  # the same syntax, unbounded: to name the bound
MAX_FEN = 10**MAX_YUAN_DIGITS * FEN_PER_YUAN - 1
MAX_YUAN = Decimal(MAX_FEN) / FEN_PER_YUAN  # the same bound in yuan, for plugins' config schemas
MAX_TEXT = "999,999,999.99"  # MAX_FEN as people read it (format_yuan(MAX_FEN))
# Full-width digits, comma and point → ASCII; separators, the spaces of _SPACES and the unit 元 dropped.
_PLAIN = {**{0xFF10 + i: str(i) for i in range(10)}, ord("，"): None, ord(","): None, ord("．"): ".", ord("元"): None,
          **{ord(c): None for c in " \t\n\r\u00a0\u3000"}}


class MoneyError(ValueError):
    pass


class AmountTooLarge(MoneyError):
    """Above ``MAX_FEN``: a typo, or an attempt to overflow a column or a sum."""


class AmountMissing(MoneyError):
    """No amount at all: None, or a string of nothing but spaces."""


def _typed_yuan(text: str) -> Decimal:
    """The value of a string that matches the syntax (bounded or not), in yuan."""
    plain = text.translate(_PLAIN)
    if plain.endswith("万"):
        return Decimal(plain[:-1]) * YUAN_PER_WAN
    return Decimal(plain)


def yuan_to_fen(value) -> int:
    """An amount as a client sends it → integer fen: a string of the one syntax (see
    ``YUAN_PATTERN``: '5000', '5,000', '5000元', '0.5万', '５０００'), an int of yuan, or a Decimal.

    Anything else is refused: floats (binary fractions are not money, even 100.0), bools,
    negatives, fractions of a fen, "1e3", "NaN", "+5", "1,000,0", "伍仟", and any amount
    above ``MAX_FEN`` (``AmountTooLarge``)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise AmountMissing("no amount given")
    if isinstance(value, bool) or isinstance(value, float):
        raise MoneyError("amount must be given as a decimal string or integer, not a float")
    if isinstance(value, int):
        d = Decimal(value)
    elif isinstance(value, Decimal):
        d = value
    elif isinstance(value, str):
        if _AMOUNT.fullmatch(value):  # (fullmatch: "$" alone would let a final newline through)
            d = _typed_yuan(value)
        elif _ANY_LENGTH.fullmatch(value):
            if _typed_yuan(value) * FEN_PER_YUAN > MAX_FEN:
                raise AmountTooLarge(f"amount is above {MAX_TEXT} yuan")
            raise MoneyError(f"amount has more than {MAX_YUAN_DIGITS} digits before the point")  # "0000000001"
        else:
            raise MoneyError(f"not an amount: {value[:40]!r}")
    else:
        raise MoneyError(f"not an amount: {str(value)[:40]!r}")
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


# -- refusing an amount, in words ------------------------------------------------------------------

SYNTAX_HINT = T("如 5000、5,000.50、5000元 或 0.5万", "such as 5000, 5,000.50, 5000元 or 0.5万")


def amount_refusal(error: MoneyError, label: Text | None = None) -> Text:
    """What to tell a person whose amount ``yuan_to_fen`` refused, naming it by ``label``
    ("认捐金额"; default "金额") and the rule it broke."""
    label = label or T("金额", "The amount")
    if isinstance(error, AmountMissing):
        return T(f"{label.zh}不能为空", f"{label.en} is missing")
    if isinstance(error, AmountTooLarge):
        return T(f"{label.zh}不能超过{MAX_TEXT}元", f"{label.en} may be at most {MAX_TEXT} yuan")
    return T(f"{label.zh}应为以元为单位的金额，{SYNTAX_HINT.zh}，最多两位小数；不能为负数、浮点数或大写数字（伍仟）",
             f"{label.en} must be an amount of yuan {SYNTAX_HINT.en}, with at most two decimals; "
             f"not negative, a float or capital numerals (伍仟)")


def read_yuan(value, field: str = "amount", *, label=None, allow_zero: bool = False,
              max_fen: int | None = None):
    """Yuan as a client sends it (see ``yuan_to_fen``) → ``(fen, None)``, or ``(None, violation)``
    naming the field and the rule in Chinese and English, for a service that collects every
    problem of a form before refusing. ``label`` (a Text) names the amount in the message
    ("认捐金额"); default "金额". The one reader of yuan input for services."""
    from core.violations import Violation
    label = label or T("金额", "The amount")
    try:
        fen = yuan_to_fen(value)
    except MoneyError as exc:
        return None, Violation("invalid_amount", amount_refusal(exc, label), field=field)
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


# -- showing an amount -----------------------------------------------------------------------------

def fen_to_yuan(fen: int) -> Decimal:
    """Fen as an exact Decimal of yuan with two places: a spreadsheet's cell, the API's string."""
    return (Decimal(int(fen)) / FEN_PER_YUAN).quantize(Decimal("0.01"))


def format_yuan(fen: int | None) -> str:
    """The number alone, 12345678 → '123,456.78': for a column whose heading names the unit."""
    if fen is None:
        return ""
    return f"{fen_to_yuan(fen):,.2f}"


def format_money(fen: int | None, locale: str | None = "zh") -> str:
    """An amount as a person reads it in ``locale``: 100000 → '1,000.00元' (Chinese, the
    default) or '1,000.00 yuan' (English). None → ''."""
    if fen is None:
        return ""
    if (locale or "zh").startswith("en"):
        return f"{format_yuan(fen)} yuan"
    return f"{format_yuan(fen)}元"


def money_text(fen: int | None) -> Text:
    """An amount in both languages, for building a bilingual message:
    ``m = money_text(cap); T(f"上限 {m.zh}", f"the cap of {m.en}")``."""
    return T(format_money(fen, "zh"), format_money(fen, "en"))


class Yuan(fields.Field):
    """A marshmallow field: an amount of the one syntax (or an integer of yuan) outside, integer
    fen inside; written back as a plain decimal string of yuan ("4800.50")."""

    default_error_messages = {"invalid": "Not a valid amount of yuan (such as 5000, 5,000.50, 5000元 or 0.5万; "
                                         "at most two decimals, not negative).",
                              "too_large": f"Not a valid amount of yuan (at most {MAX_TEXT})."}

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return yuan_to_fen(value)
        except AmountTooLarge as exc:
            raise ValidationError(self.error_messages["too_large"]) from exc
        except MoneyError as exc:
            raise ValidationError(self.error_messages["invalid"]) from exc

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else str(fen_to_yuan(value))


class YuanDecimal(fields.Decimal):
    """A config schema's amount (a policy's limit, a fund's cap): typed with the one syntax
    ("200000", "20万", "200,000元"), held as a ``Decimal`` of yuan with two places and stored
    as "200000.00"; never negative, at most ``MAX_YUAN``."""

    default_error_messages = Yuan.default_error_messages

    def __init__(self, **kwargs):
        super().__init__(places=2, as_string=True, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return fen_to_yuan(yuan_to_fen(value))
        except AmountTooLarge as exc:
            raise ValidationError(self.error_messages["too_large"]) from exc
        except MoneyError as exc:
            raise ValidationError(self.error_messages["invalid"]) from exc
