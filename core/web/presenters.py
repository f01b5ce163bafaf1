"""How a programme looks on a page: its policies (its own and those it inherits), frozen config,
tracks, phases (with the ones open today marked) and rubric, computed once per request and per programme. Calls into the
plugin happen here, so a failing plugin surfaces as ``PluginFailure`` in one known place."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

from flask import g

from core.models import Programme
from core.permissions import A
from core.plugin_host.contributions import Phase
from core.plugin_host.stack import PolicyStack
from core.services.context import Ctx
from core.services.programmes import phases_of, policy_of, policy_phases


@dataclass
class PhaseView:
    phase: Phase
    is_open: bool
    is_past: bool
    # What the phase allows, as people read it: (the action's label, the clause, its firmness).
    allowed: list = field(default_factory=list)


@dataclass
class ProgrammeView:
    programme: Programme
    policy: PolicyStack  # the programme's policies: its own and those it inherits
    config: dict
    today: dt.date  # the request's day, on the platform's clock

    @cached_property
    def tracks(self):
        return {t.key: t for t in self.policy.tracks(self.config)}

    def track_label(self, key: str):
        t = self.tracks.get(key)
        return t.label if t else key

    @cached_property
    def phases(self) -> list[PhaseView]:
        return self._phase_views(phases_of(self.programme))

    @cached_property
    def inherited_calendars(self) -> list[tuple[object, list[PhaseView]]]:
        """Each inherited policy that has a calendar of its own: (its title, its phases). An
        action must lie inside a window of every policy that names it."""
        titles = {layer.name: layer.policy.info.title for layer in self.policy.inherited}
        return [(titles.get(name, name), self._phase_views(phases))
                for name, phases in policy_phases(self.programme)[1:] if phases]

    def _phase_views(self, phases: list[Phase]) -> list[PhaseView]:
        day = self.today
        registry = self.policy.host.permissions.registry
        return [PhaseView(p, p.is_open(day), p.ends < day,
                          [(registry.get(a.key).label if a.key in registry else a.key, a.clause, a.firmness)
                           for a in p.allows])
                for p in phases]

    @cached_property
    def submit_phase(self) -> Phase | None:
        return next((pv.phase for pv in self.phases if pv.is_open and pv.phase.allowance(A.project_apply)), None)

    @cached_property
    def rubric(self):
        return self.policy.rubric(self.config)

    @cached_property
    def tags(self):
        return self.policy.tags(self.config)

    @cached_property
    def budget_categories(self):
        """The categories a budget row may take under every policy that lists them ([]: none)."""
        return self.policy.budget_categories(self.config)

    def forms(self, track: str):
        return self.policy.forms(self.config, track)

    @cached_property
    def attachment_kinds(self):
        return self.policy.attachment_kinds(self.config)


def programme_view(ctx: Ctx, programme: Programme) -> ProgrammeView:
    cache = g.setdefault("_programme_views", {})
    if programme.id not in cache:
        policy, config = policy_of(ctx, programme)
        cache[programme.id] = ProgrammeView(programme, policy, config, ctx.clock.today())
    return cache[programme.id]
