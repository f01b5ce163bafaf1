"""How a day, a month and a moment read to a person: 2023年3月15日, 2023年3月, 2023年3月15日 14:05
(15 Mar 2023, Mar 2023, 15 Mar 2023 14:05 for an English reader).

One module, so the pages, the e-mails, the inbox's to-dos and the messages of services all write
a date the same way. A moment is stored in UTC and shown as Shanghai's wall time (the day the
platform's clock calls today, see ``core.clock``). Machines keep ISO: the API, form values (a date
picker reads and sends ``2023-03-15``) and exports' cells that are real dates do not come here.

Each function takes what a template may hold: a date, an aware or naive-UTC datetime (SQLite
hands back naive ones), an ISO string, or None (shown as nothing). A string that is not a date
comes back as it was, so a label that is already words is never garbled.
"""
from __future__ import annotations

import datetime as dt
import re

from core.clock import SHANGHAI
from core.i18n import Text

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def _english(locale: str | None) -> bool:
    return bool(locale) and locale.startswith("en")


def _moment(value) -> dt.datetime | None:
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return None
    if not isinstance(value, dt.datetime):
        return None
    return value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value


def _day(value) -> dt.date | None:
    if isinstance(value, dt.datetime):  # a moment falls on Shanghai's day
        return _moment(value).astimezone(SHANGHAI).date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10]) if len(value) <= 10 else _day(_moment(value))
        except (ValueError, TypeError):
            return None
    return None


def day_text(value, locale: str | None = "zh") -> str:
    """A day: 2023年3月15日 (15 Mar 2023). A moment gives the Shanghai day it falls on."""
    day = _day(value)
    if day is None:
        return "" if value is None else str(value)
    return f"{day.day} {day:%b %Y}" if _english(locale) else f"{day.year}年{day.month}月{day.day}日"


def moment_text(value, locale: str | None = "zh", *, seconds: bool = False) -> str:
    """A stored moment (UTC) as Shanghai's wall time: 2023年3月15日 14:05 (15 Mar 2023 14:05);
    ``seconds`` where they tell events apart (a plugin's faults). A bare date reads as a day."""
    moment = _moment(value)
    if moment is None:
        return day_text(value, locale)
    local = moment.astimezone(SHANGHAI)
    return f"{day_text(local.date(), locale)} {local:%H:%M:%S}" if seconds else f"{day_text(local.date(), locale)} {local:%H:%M}"


def month_text(value, locale: str | None = "zh") -> str:
    """A month: 2023年3月 (Mar 2023), from "2023-03", a date or a moment."""
    if isinstance(value, str):
        found = _MONTH.match(value.strip())
        if found:
            year, month = int(found.group(1)), int(found.group(2))
            if 1 <= month <= 12:
                return f"{dt.date(year, month, 1):%b} {year}" if _english(locale) else f"{year}年{month}月"
            return value
    day = _day(value)
    if day is None:
        return "" if value is None else str(value)
    return f"{day:%b %Y}" if _english(locale) else f"{day.year}年{day.month}月"


def month_day_text(value: str, locale: str | None = "zh") -> str:
    """A day of every year, as a policy's settings hold it ("03-01"): 3月1日 (1 Mar)."""
    try:
        day = dt.date(2000, *(int(part) for part in str(value).split("-")))
    except (TypeError, ValueError):
        return "" if value is None else str(value)
    return f"{day.day} {day:%b}" if _english(locale) else f"{day.month}月{day.day}日"


def days_text(start, end, locale: str | None = "zh") -> str:
    """A span of days: 2023年3月1日至4月30日 (1 Mar – 30 Apr 2023); the year once when both share it."""
    a, b = _day(start), _day(end)
    if a is None or b is None:
        return " — ".join(x for x in (day_text(start, locale), day_text(end, locale)) if x)
    if _english(locale):
        first = f"{a.day} {a:%b}" if a.year == b.year else day_text(a, locale)
        return f"{first} – {day_text(b, locale)}"
    second = f"{b.month}月{b.day}日" if a.year == b.year else day_text(b, locale)
    return f"{day_text(a, locale)}至{second}"


def day_words(value) -> Text:
    """A day in both languages, for a message that is written once and read in either."""
    return Text(day_text(value, "zh"), day_text(value, "en"))


def month_words(value) -> Text:
    return Text(month_text(value, "zh"), month_text(value, "en"))


def days_words(start, end) -> Text:
    return Text(days_text(start, end, "zh"), days_text(start, end, "en"))
