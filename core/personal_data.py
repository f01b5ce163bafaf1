"""Personal data a project's people registry holds: the resident identity card number and the
mobile number, checked by their formats and masked for everyone who does not need them.

- **ID number** (居民身份证号码, GB 11643-1999): 17 digits (6 of the address code, 8 of the
  birth date, 3 of the sequence) and a check digit: the remainder of the weighted sum of the 17
  (weights 2^(17-i) mod 11, i.e. 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2) modulo 11 picks the
  check digit from ``1 0 X 9 8 7 6 5 4 3 2``. The old 15-digit cards are not taken: they carry no
  check digit, and every card issued since 2013 has 18 characters.
- **mobile number**: 11 digits, ``1[3-9]\\d{9}`` (the mainland's mobile numbering plan).

Masks keep what lets a person be told apart on a list (the region and the last four) and hide
the rest: ``3101**********1234``, ``138****5678``. The audit log writes the masked form too
(``AUDIT_MASK`` in a column's ``info``), so that reading the log never reveals a number the
reader may not see on the page. What the public sees of a form is scrubbed (``scrub``): any
run of digits shaped like a mobile, a landline or an ID number is masked, wherever it stands.
"""
from __future__ import annotations

import datetime as dt
import re

from core.i18n import T, Text

ID_LENGTH = 18
MOBILE_LENGTH = 11
_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
MOBILE_PATTERN = r"^1[3-9]\d{9}$"
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_DIGITS = "10X98765432"
# The key of a column's ``info`` that holds the function the audit log writes its value through.
AUDIT_MASK = "audit_mask"


def check_digit(first17: str) -> str:
    """The GB 11643 check digit of the first 17 digits."""
    return CHECK_DIGITS[sum(int(d) * w for d, w in zip(first17, WEIGHTS)) % 11]


def normalise_id_number(value: str) -> str:
    """As people type it: spaces dropped, a lower-case x read as X."""
    return re.sub(r"\s+", "", value or "").upper()


def id_number_problem(value: str) -> Text | None:
    """Why ``value`` (normalised) is not a valid 18-character ID number, or None."""
    if len(value) != ID_LENGTH:
        return T(f"身份证号码应为18位（现为{len(value)}位）", f"An ID number has 18 characters ({len(value)} given)")
    if not _ID_SHAPE.match(value):
        return T("身份证号码前17位应为数字，最后一位为数字或X", "An ID number is 17 digits and a digit or X")
    if birth_date(value) is None:
        return T(f"身份证号码中的出生日期{value[6:14]}不是有效日期", f"The birth date {value[6:14]} in the ID number is not a date")
    if check_digit(value[:17]) != value[17]:
        return T("身份证号码校验位不正确（GB 11643），请核对是否输错", "The ID number's check digit is wrong (GB 11643); check for a typo")
    return None


def birth_date(id_number: str) -> dt.date | None:
    try:
        return dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return None


def age_on(id_number: str, day: dt.date) -> int | None:
    born = birth_date(id_number)
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def normalise_mobile(value: str) -> str:
    """As people type it: spaces and dashes dropped, a +86 prefix too."""
    digits = re.sub(r"[\s\-]+", "", value or "")
    return digits[3:] if digits.startswith("+86") else digits


def mobile_problem(value: str) -> Text | None:
    if not _MOBILE.match(value):
        return T("手机号码应为以1开头的11位数字，第二位为3至9（如 13812345678）",
                 "A mobile number is 11 digits starting with 1 and a second digit 3-9 (e.g. 13812345678)")
    return None


def mask_id_number(value: str | None) -> str | None:
    if not value:
        return value
    return value[:4] + "*" * (len(value) - 8) + value[-4:] if len(value) > 8 else "*" * len(value)


def mask_mobile(value: str | None) -> str | None:
    if not value:
        return value
    return value[:3] + "*" * (len(value) - 7) + value[-4:] if len(value) > 7 else "*" * len(value)


# Shapes scrubbed out of public text: an ID number (18 characters, or an old 15-digit one), a
# mobile number (with or without +86 and separators), a landline with its area code (0595-1234567,
# 021 6234 5678) and any other run of seven or more digits, which is more likely a number to
# reach someone than anything the public needs. Years, amounts and dates are shorter.
_PERSONAL_NUMBER = re.compile(
    r"(?<![\dA-Za-z])(?:\d{17}[\dXx]|\d{15}"
    r"|(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d){8}"
    r"|0\d{2,3}[\s-]?\d{3,4}[\s-]?\d{4}"
    r"|\d{7,})(?!\d)")


def scrub(value):
    """``value`` (text, or a list or dict of them) with every number that could reach or identify
    a person masked as ``***``; anything else unchanged."""
    if isinstance(value, str):
        return _PERSONAL_NUMBER.sub("***", value)
    if isinstance(value, list):
        return [scrub(v) for v in value]
    if isinstance(value, dict):
        return {k: scrub(v) for k, v in value.items()}
    return value
