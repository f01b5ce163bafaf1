"""What a policy says about carrying a project out (``tongxin_delivery_rules``), and how the
answers of a programme's policies stack.

A policy declares, per project, ``DeliveryRules``: the project's period (``ProjectPeriod``: the
days its activities and plan tasks must fall within, read from the policy's own forms, e.g. an
application form's start and end dates), whether each person of the people registry must have
consented, how long the registry is kept after the close-out, and whether children's data may
be collected at all. Every field is optional: a policy says what its document says.

How the answers stack (docs/plugins.md, "Policies that stack"):

- **periods**: an activity (or a plan task) must lie inside the period of *every* policy that
  declares one, and a refusal cites the clause of the policy whose period it leaves (an
  inherited policy's period without a clause cites the policy's source); where no policy
  declares one, the programme's year bounds it;
- **consent**: required where any policy requires it (the first that does is cited);
- **retention**: the longest any policy asks for (each policy's archive must survive);
- **children's data**: collected only where a policy asks for it (``children_allowed``).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from core.i18n import T, Text
from core.plugin_host.validation import PluginFailure, _is_int, _validate_text
from core.plugin_host.facts import ProjectFacts

HOOK = "tongxin_delivery_rules"


@dataclass(frozen=True)
class ProjectPeriod:
    """The days a project runs: ``starts`` and ``ends`` (either may be None: open on that side),
    what they come from (``source``, e.g. "申报表的开始日期和结束日期", shown beside a refusal)
    and the clause that makes the activity belong inside it."""

    starts: dt.date | None
    ends: dt.date | None
    source: Text = T("项目周期", "the project's period")
    clause: Text | None = None


@dataclass(frozen=True)
class DeliveryRules:
    """One policy's answer to ``tongxin_delivery_rules`` for one project."""

    period: ProjectPeriod | None = None
    consent_required: bool = False
    consent_clause: Text | None = None
    retention_years: int | None = None  # kept this many years after the close-out
    retention_clause: Text | None = None
    children_allowed: bool = False
    children_clause: Text | None = None


@dataclass(frozen=True)
class StackedDelivery:
    """The programme's policies' answers together (see the module doc)."""

    periods: tuple[ProjectPeriod, ...]
    consent_required: bool = False
    consent_clause: Text | None = None
    retention_years: int | None = None
    retention_clause: Text | None = None
    children_allowed: bool = False
    children_clause: Text | None = None

    @property
    def starts(self) -> dt.date | None:
        days = [p.starts for p in self.periods if p.starts is not None]
        return max(days) if days else None

    @property
    def ends(self) -> dt.date | None:
        days = [p.ends for p in self.periods if p.ends is not None]
        return min(days) if days else None

    def outside(self, day: dt.date) -> list[ProjectPeriod]:
        """The periods ``day`` does not fall within (each refusal cites its own)."""
        return [p for p in self.periods if (p.starts is not None and day < p.starts)
                or (p.ends is not None and day > p.ends)]


def year_period(year: int) -> ProjectPeriod:
    """Where no policy declares a period: the programme's year."""
    return ProjectPeriod(dt.date(year, 1, 1), dt.date(year, 12, 31),
                         T(f"年度项目所在年度（{year}年）", f"the programme's year ({year})"))


def _validated(name: str, answer) -> DeliveryRules | None:
    if answer is None:
        return None
    if not isinstance(answer, DeliveryRules):
        raise PluginFailure(name, HOOK, f"must return DeliveryRules or None, got {answer!r}")
    period = answer.period
    if period is not None:
        if not isinstance(period, ProjectPeriod):
            raise PluginFailure(name, HOOK, f"period must be a ProjectPeriod, got {period!r}")
        for day in (period.starts, period.ends):
            if day is not None and (not isinstance(day, dt.date) or isinstance(day, dt.datetime)):
                raise PluginFailure(name, HOOK, f"a period's days must be dates, got {day!r}")
        if period.starts and period.ends and period.ends < period.starts:
            raise PluginFailure(name, HOOK, f"the period ends ({period.ends}) before it starts ({period.starts})")
        _validate_text(name, HOOK, period.source, "period source")
    for what in ("consent_clause", "retention_clause", "children_clause"):
        if getattr(answer, what) is not None:
            _validate_text(name, HOOK, getattr(answer, what), what)
    if period is not None and period.clause is not None:
        _validate_text(name, HOOK, period.clause, "period clause")
    if answer.retention_years is not None and (not _is_int(answer.retention_years) or answer.retention_years < 0):
        raise PluginFailure(name, HOOK, "retention_years must be a whole number of years >= 0, or None")
    return answer


def stacked(stack, project: ProjectFacts) -> StackedDelivery:
    """Ask every policy of the programme (``stack``: a ``PolicyStack``, own first), each with its
    own frozen config and version, and combine the answers (see the module doc)."""
    periods: list[ProjectPeriod] = []
    consent = retention = children = None
    for layer in stack.layers:
        facts = dataclasses.replace(project, policy_version=layer.version)
        answers = layer.policy.call(HOOK, project=facts, config=layer.config) or []
        found = _validated(layer.name, next((a for a in answers if a is not None), None))
        if found is None:
            continue
        source = layer.policy.info.source
        if found.period is not None:
            p = found.period
            periods.append(p if layer.own or p.clause is not None else dataclasses.replace(p, clause=source))
        if found.consent_required and consent is None:
            consent = found.consent_clause or source
        if found.retention_years is not None and (retention is None or found.retention_years > retention[0]):
            retention = (found.retention_years, found.retention_clause or source)
        if found.children_allowed and children is None:
            children = found.children_clause or source
    return StackedDelivery(
        periods=tuple(periods) or (year_period(project.programme_year),),
        consent_required=consent is not None, consent_clause=consent,
        retention_years=retention[0] if retention else None, retention_clause=retention[1] if retention else None,
        children_allowed=children is not None, children_clause=children)
