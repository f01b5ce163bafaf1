"""The platform's clock: what "now" and "today" are for one running Tongxin.

There is no process-wide "now". Each platform (``core.platform.Platform``) owns one ``Clock``,
and every session of its database carries it (``session.info["clock"]``, see ``clock_of``):
a service asks ``ctx.clock``, a row's creation stamp is its session's ``now()`` (``core.models._types``),
a task asks its database's clock. Two platforms in one process (two apps in a test) keep
their own time.

**Today is the Asia/Shanghai day.** A moment is stored in UTC; the day it falls on, the day a
deadline is judged on and the month a fund request is for are Shanghai's: at 16:30 UTC on
31 March it is already 1 April in Shanghai and the Q1 window has closed.

**A pinned clock moves the whole clock** (``TONGXIN_TODAY``, the test suite, the demo year):
pinned to a day, it reads 09:00 Shanghai time on that day plus the real time elapsed since the
clock was made (a monotonic count, so setting the machine's clock does not move it). Moving it
to another day keeps that time of day running, so on any one day its stamps only ever increase,
however often a test or the demo year moves back and forth between days. Why this and not the
alternatives:

- not the pinned day with the real time of day (what this module once did): a stamp then
  depends on when the demo happens to be run, and a run near midnight dates its last rows
  "tomorrow";
- not a fixed instant: everything done on the pinned day would carry the same second, so the
  audit log, a fund request's checks and a project's submission and decision could not be told
  apart or put in order by time;
- 09:00: office hours, and a run has fifteen hours before the pinned day becomes the next.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import time
from typing import Any, Iterator

try:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
    SHANGHAI: dt.tzinfo = ZoneInfo("Asia/Shanghai")
except ZoneInfoNotFoundError:  # a system without the time zone database (a slim image without tzdata)
    # China keeps one zone, UTC+8, without daylight saving since 1991: the same answers.
    SHANGHAI = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")

UTC = dt.timezone.utc
# The time of day a pinned clock starts at (Shanghai): see the module's doc.
PINNED_AT = dt.time(9, 0)


class Clock:
    """One platform's time: real, or pinned to a day and running on from there.

    ``now()`` is an aware UTC moment, ``today()`` the Shanghai day it falls on. ``pin`` moves the
    clock (None: back to real time) and ``on`` moves it for a block, then puts it back as it was
    (it kept running meanwhile)."""

    def __init__(self, day: str | dt.date | dt.datetime | None = None, rate: float = 1.0):
        self._made = time.monotonic()  # a pinned day's time of day runs from here
        # A pinned clock may run faster than real time (``Settings.clock_rate``), to simulate a
        # stretch of the year; the real clock always runs at its own pace.
        if not rate > 0:
            raise ValueError("a clock's rate must be above 0")
        self.rate = float(rate)
        # (the moment it read at monotonic time ``since``, since); None: the real clock. One
        # tuple, replaced whole, so a reader in another thread never sees half a move.
        self._anchor: tuple[dt.datetime, float] | None = None
        self.pin(day)

    @classmethod
    def from_setting(cls, value: str | None, rate: float = 1.0) -> "Clock":
        """The clock the TONGXIN_TODAY setting asks for: pinned to that ISO day, or real when
        empty; ``rate`` (TONGXIN_CLOCK_RATE) how much faster a pinned one runs."""
        return cls(value or None, rate)

    @property
    def pinned(self) -> bool:
        return self._anchor is not None

    def now(self) -> dt.datetime:
        anchor = self._anchor
        if anchor is None:
            return dt.datetime.now(UTC)
        start, since = anchor
        return start + dt.timedelta(seconds=(time.monotonic() - since) * self.rate)

    def today(self) -> dt.date:
        return local_date(self.now())

    def pin(self, day: str | dt.date | dt.datetime | None) -> None:
        """Make ``day`` today, at 09:00 Shanghai time plus the time since the clock was made;
        an aware moment: run on from exactly that moment (None: the real clock)."""
        if day is None:
            self._anchor = None
        elif isinstance(day, dt.datetime):
            if day.tzinfo is None:
                raise ValueError("pin a clock to an aware moment (with its offset), or to a day")
            self._anchor = (day.astimezone(UTC), time.monotonic())
        else:
            day = dt.date.fromisoformat(day) if isinstance(day, str) else day
            self._anchor = (dt.datetime.combine(day, PINNED_AT, tzinfo=SHANGHAI).astimezone(UTC), self._made)

    @contextlib.contextmanager
    def on(self, day: str | dt.date | dt.datetime) -> Iterator["Clock"]:
        """``day`` is today inside the block; afterwards the clock is back on its own day (or
        real), where it would have been had it never moved."""
        before = self._anchor
        self.pin(day)
        try:
            yield self
        finally:
            self._anchor = before

    def __repr__(self) -> str:
        return f"<Clock {'pinned, now ' if self.pinned else 'real, now '}{self.now().isoformat()}>"


def wall_time() -> float:
    """The machine's time, in seconds since the epoch: only for what runs on real time whatever
    day the platform's clock says — the login limits' windows, which their storage (Redis in
    production) measures on its own real clock (``core.login_limits``)."""
    return time.time()


def local_date(moment: dt.datetime) -> dt.date:
    """The Shanghai day a moment falls on (a naive moment is UTC, as stored)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(SHANGHAI).date()


def of_settings(settings: Any) -> Clock:
    """The clock of the platform these settings configure, made once from ``settings.today``
    unless the program embedding Tongxin handed one in (``Settings.clock``): the web app, its
    in-process tasks and the CLI built from the same settings share it."""
    if settings.clock is None:
        settings.clock = Clock.from_setting(settings.today, getattr(settings, "clock_rate", 1.0))
    return settings.clock


def clock_of(session: Any) -> Clock:
    """The clock a session carries (``core.db.Database`` gives every session its platform's)."""
    try:
        return session.info["clock"]
    except KeyError:
        raise RuntimeError("a session without a clock: sessions come from core.db.Database") from None
