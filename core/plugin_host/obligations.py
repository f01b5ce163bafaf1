"""What a policy says falls due, and when: named obligations (应交事项) with their dates.

A policy declares its obligations (``tongxin_obligations``) as ``Obligation``s: a key and a label,
the clause that asks for it, who owes it, a rule that gives the due dates of a programme year,
the report form (a marshmallow schema, like the policy's other forms), how many days before
the due date the owers are reminded and the escalation chain when it is late: who hears of it,
up the org tree, how many days after the due date. Core freezes them when a programme first
meets them (``core.services.obligations.calendar``), opens one due item per period for each
one who owes it, and the daily task reminds, marks overdue and escalates
(``core.services.obligations.daily``).

**Who owes it** (``owed_by``), for a programme:

- ``"applicant"``: each approved project's applicant unit (the team's quarterly report);
- ``"applicant_parent"``: the unit above the approved projects' applicants, once for all its
  pilots (a town's monthly report on its communities' pilots lists each of them);
- ``"programme"``: the programme's own unit, once per approved project (the street office's
  mid-term supervision of each project);
- ``"fund_owner"``: the owner of each of the programme year's funds of the policy's fund
  ``fund`` (a ``FundSpec`` key): the fund's yearly account to the residents' congress.

A period ends before a project was approved owes nothing: a project approved in August owes no
second-quarter report.

**When** (``due``): ``AfterQuarter`` (so many days after each quarter), ``MonthlyBy`` (by a day
of each month) or ``OnDays`` (on fixed days of the year). A report may be handed in from
``opens_days_before`` days before its due date, and is still taken ``late_days`` after it; then
the period is closed.

**Who hears of it**: ``remind_roles`` at the unit that owes it, ``remind_days_before`` days
before the due date; then each ``Escalation`` of the chain, ``after_days`` after the due date,
to its ``roles`` at its ``level``: ``"owner"`` (the unit that owes it) or an org-unit kind
(``"neighbourhood"``, ``"street"``, ``"district"``): the owing unit's nearest unit of that
kind, itself included. ``accepted_by`` is the level whose administrators accept (or return)
the report (``"street"``: the street office; ``"district"``: the district bureau or the city);
None: handing it in completes it.

**Fulfilled by a visit** (``fulfilled_by_visit``): an obligation that *is* a supervision visit
(共和新路's July mid-term supervision) names the kind of visit (``"mid_term"``, ``"tracking"``);
recording such a visit of the project (``core.services.supervision.record_visit``) hands in the
due item's report from the visit record (``core.services.obligations.fulfilment``), and the due
item's page links to the visit form.
"""
from __future__ import annotations

import calendar as _calendar
import datetime as dt
from dataclasses import dataclass, replace
from typing import Literal, Union

from marshmallow import Schema

from core.i18n import T, Text
from core.plugin_host.calendar import on

OwedBy = Literal["applicant", "applicant_parent", "programme", "fund_owner"]
OWED_BY = ("applicant", "applicant_parent", "programme", "fund_owner")
# Where a notice goes: the unit that owes it, or its nearest unit of an org-unit kind.
OWNER = "owner"
LEVELS = (OWNER, "neighbourhood", "street", "district")
# Who accepts a report: the administrators of one of these levels.
ACCEPTING_LEVELS = ("street", "district")
# The kinds of supervision visit that may fulfil an obligation (``core.models.supervision.VisitKind``).
VISIT_KINDS = ("mid_term", "tracking")
# A period's numbers are days; beyond a year they are a mistake.
MAX_DAYS = 366
QUARTER_NAMES = "一二三四"


@dataclass(frozen=True)
class Period:
    """One time an obligation falls due: what it reports on (``starts``..``ends``), when it is
    due, and the days a report is taken (``opens``..``closes``; set by the ``Obligation``)."""

    key: str
    label: Text
    starts: dt.date
    ends: dt.date
    due: dt.date
    opens: dt.date | None = None
    closes: dt.date | None = None


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, _calendar.monthrange(year, month)[1])


@dataclass(frozen=True)
class AfterQuarter:
    """Due ``days_after`` days after each of ``quarters`` (1-4) ends: a quarterly report on that
    quarter (a fourth quarter's falls due in January of the next year)."""

    quarters: tuple[int, ...] = (1, 2, 3, 4)
    days_after: int = 10

    def periods(self, year: int) -> list[Period]:
        out = []
        for q in self.quarters:
            starts, ends = dt.date(year, 3 * q - 2, 1), _month_end(year, 3 * q)
            out.append(Period(f"{year}-Q{q}", T(f"{year}年第{QUARTER_NAMES[q - 1]}季度", f"Q{q} {year}"),
                              starts, ends, ends + dt.timedelta(days=self.days_after)))
        return out


@dataclass(frozen=True)
class MonthlyBy:
    """Due on ``day`` of each of ``months`` (1-12): a monthly progress report "by the 20th",
    on that month up to its due day."""

    day: int = 20
    months: tuple[int, ...] = tuple(range(1, 13))

    def periods(self, year: int) -> list[Period]:
        out = []
        for m in self.months:
            due = dt.date(year, m, min(self.day, _calendar.monthrange(year, m)[1]))
            out.append(Period(f"{year}-{m:02d}", T(f"{year}年{m}月", f"{dt.date(year, m, 1):%B %Y}"),
                              dt.date(year, m, 1), due, due))
        return out


@dataclass(frozen=True)
class OnDays:
    """Due on fixed days of the year (``"MM-DD"``, in order): once (a summary by 12-20) or
    several times (a stage review in July and in December). Each period runs from the day after
    the previous due day (the year's first day for the first) to its own; ``labels`` name them
    (one per day; default: the due date)."""

    days: tuple[str, ...]
    labels: tuple[Text, ...] = ()

    def periods(self, year: int) -> list[Period]:
        out, starts = [], dt.date(year, 1, 1)
        for i, day in enumerate(self.days):
            due = on(year, day)
            label = self.labels[i] if i < len(self.labels) else T(f"{due.month}月{due.day}日前", f"by {due:%d %B}")
            out.append(Period(f"{year}-{day}", label, starts, due, due))
            starts = due + dt.timedelta(days=1)
        return out


DueRule = Union[AfterQuarter, MonthlyBy, OnDays]


@dataclass(frozen=True)
class Escalation:
    """One step of the chain of a late obligation: ``after_days`` after its due date, the holders
    of ``roles`` at ``level`` are told it has not been handed in."""

    after_days: int
    roles: tuple[str, ...]
    level: str = OWNER


@dataclass(frozen=True)
class Obligation:
    """Something a policy says falls due (see the module doc for each field's meaning)."""

    key: str
    label: Text
    owed_by: OwedBy
    due: DueRule
    form: type[Schema]
    clause: Text | None = None          # what asks for it; default: the policy's source
    description: Text = Text("", "")
    remind_days_before: int = 7
    remind_roles: tuple[str, ...] = ("neighbourhood_staff", "project_member")
    escalation: tuple[Escalation, ...] = ()
    accepted_by: str | None = "street"
    fund: str | None = None             # owed_by="fund_owner": the policy's FundSpec key
    opens_days_before: int = 15
    late_days: int = 30
    # A supervision visit of this kind (``VISIT_KINDS``) recorded for the item's project (or for
    # one of the owing unit's pilots) fulfils the due item: the visit record is the report.
    fulfilled_by_visit: str | None = None

    def periods(self, year: int) -> list[Period]:
        """The periods of a programme year, with the days a report is taken."""
        return [replace(p, opens=p.due - dt.timedelta(days=self.opens_days_before),
                        closes=p.due + dt.timedelta(days=self.late_days)) for p in self.due.periods(year)]


def validate_obligations(found: list, known_roles: set[str], fail) -> None:
    """What core checks in a policy's obligations, calling ``fail(message)`` for the first
    problem (the policy module wraps it in ``PluginFailure``)."""
    keys = set()
    for o in found:
        if o.key in keys:
            fail(f"obligation {o.key!r} is declared twice")
        keys.add(o.key)
        if not (isinstance(o.key, str) and o.key.replace("_", "").isalnum() and o.key.islower() and len(o.key) <= 64):
            fail(f"obligation key {o.key!r} must be lower-case letters, digits and _ (at most 64)")
        if not isinstance(o.label, Text) or not o.label.zh:
            fail(f"obligation {o.key!r} needs a label (Text)")
        if o.clause is not None and not isinstance(o.clause, Text):
            fail(f"obligation {o.key!r} clause must be a Text")
        if o.owed_by not in OWED_BY:
            fail(f"obligation {o.key!r} owed_by must be one of {OWED_BY}")
        if (o.owed_by == "fund_owner") != bool(o.fund):
            fail(f"obligation {o.key!r}: a fund owner's obligation names its fund, others name none")
        if not isinstance(o.due, (AfterQuarter, MonthlyBy, OnDays)):
            fail(f"obligation {o.key!r} due must be AfterQuarter, MonthlyBy or OnDays")
        if not (isinstance(o.form, type) and issubclass(o.form, Schema)):
            fail(f"obligation {o.key!r} form is not a marshmallow Schema")
        if o.fulfilled_by_visit is not None and o.fulfilled_by_visit not in VISIT_KINDS:
            fail(f"obligation {o.key!r} fulfilled_by_visit must be one of {VISIT_KINDS} or None")
        if o.accepted_by is not None and o.accepted_by not in ACCEPTING_LEVELS:
            fail(f"obligation {o.key!r} accepted_by must be one of {ACCEPTING_LEVELS} or None")
        for days in (o.remind_days_before, o.opens_days_before, o.late_days):
            if not isinstance(days, int) or isinstance(days, bool) or not 0 <= days <= MAX_DAYS:
                fail(f"obligation {o.key!r}: days must be whole numbers 0..{MAX_DAYS}")
        steps = [Escalation(-o.remind_days_before, o.remind_roles)] + list(o.escalation)
        for step in steps:
            if not isinstance(step, Escalation):
                fail(f"obligation {o.key!r}: the escalation chain holds Escalation steps")
            if step.level not in LEVELS:
                fail(f"obligation {o.key!r}: level {step.level!r} must be one of {LEVELS}")
            unknown = [r for r in step.roles if r not in known_roles]
            if unknown or not step.roles:
                fail(f"obligation {o.key!r}: unknown roles {unknown or '(none)'}; known: {sorted(known_roles)}")
            if not -MAX_DAYS <= step.after_days <= MAX_DAYS:
                fail(f"obligation {o.key!r}: an escalation comes within {MAX_DAYS} days")
        if any(b.after_days < a.after_days for a, b in zip(o.escalation, o.escalation[1:])):
            fail(f"obligation {o.key!r}: the escalation chain goes up in order of after_days")
        periods = o.periods(2024)
        if not periods or len({p.key for p in periods}) != len(periods):
            fail(f"obligation {o.key!r} needs periods with distinct keys")
