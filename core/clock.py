"""The platform's notion of "now", so phases can be tested and demoed on fixed dates."""
from __future__ import annotations

import datetime as dt

_pinned: dt.date | None = None


def pin_today(value: str | dt.date | None) -> None:
    """Pin today's date for the process (tests, demos); None un-pins."""
    global _pinned
    _pinned = dt.date.fromisoformat(value) if isinstance(value, str) else value


def today() -> dt.date:
    return _pinned or dt.date.today()


def now() -> dt.datetime:
    """The current moment; on a pinned day, that day at the current time of day (UTC), so what
    a demo or test records on its pinned day is dated that day, not years later."""
    real = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    return dt.datetime.combine(_pinned, real.timetz()) if _pinned else real
