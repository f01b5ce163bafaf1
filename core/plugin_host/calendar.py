"""Dates that recur every year, as policies write them ("3月17日前", "第一个季度").

A policy's config keeps such a date as "MM-DD" (``MonthDay``), and turns it into the date of a
given programme year with ``on(year, "MM-DD")``. Only days that exist in every year are
accepted, because a programme of any year must be able to build its calendar (02-29 would
break every non-leap year; 04-31 never exists).
"""
from __future__ import annotations

import datetime as dt
import re

from marshmallow import ValidationError, fields, validate

from core.i18n import T, Text

_PATTERN = re.compile(r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")
_COMMON_YEAR = 2023  # not a leap year: a day valid in it is valid in every year


def on(year: int, month_day: str) -> dt.date:
    """The date of ``month_day`` ("MM-DD") in ``year``."""
    month, day = (int(p) for p in month_day.split("-"))
    return dt.date(year, month, day)


def validate_month_day(value: str) -> None:
    valid = isinstance(value, str) and bool(_PATTERN.match(value))
    if valid:
        try:
            on(_COMMON_YEAR, value)
        except ValueError:
            valid = False
    if not valid:
        raise ValidationError("应为“月-日”格式且每年都有这一天，如 03-31 | Must be a month-day that exists every year, e.g. 03-31")


class MonthDay(fields.String):
    """A config field holding "MM-DD"."""

    def __init__(self, **kwargs):
        kwargs.setdefault("validate", validate_month_day)
        super().__init__(**kwargs)


# The longest correction period a policy may give: beyond two months a "correction" is a new call.
MAX_CORRECTION_DAYS = 60


def CorrectionDays(*, help: Text, load_default: int = 10) -> fields.Integer:
    """A config field for the correction period (补正): the days a returned application may still
    be corrected and resubmitted after its window closed (or after it was returned, if later).
    ``help`` says what the policy's document says of it, and whose choice the default is."""
    return fields.Integer(load_default=load_default, strict=True, validate=validate.Range(min=0, max=MAX_CORRECTION_DAYS),
                          metadata={"label": T("退回补正期限（天）", "Correction period for returned applications (days)"),
                                    "help": help})
