"""A kit for testing a policy plugin's rules without a database.

A plugin's unit tests load the plugin through a real ``PluginHost`` (so core validates its
declaration and everything its hooks return, exactly as in production) and feed its rules
``ProjectFacts`` and a ``RuleContext`` built from plain data::

    from core.plugin_host.testing import load_policy, project_facts, FactsRuleContext
    from plugins.riverside import plugin

    policy = load_policy("riverside", plugin)
    config = policy.config({"micro_max_yuan": "5000"})
    found = policy.judge(project_facts(track="micro", requested_fen=500_001), "submit", config,
                         FactsRuleContext())

Tests that need the database (programmes, submissions) use the fixtures in
``tests/conftest.py`` instead; see docs/plugins.md.
"""
from __future__ import annotations

import dataclasses
from typing import Iterable

from core.plugin_host.facts import ProjectFacts
from core.plugin_host.manager import Policy, PluginHost


def load_policy(name: str, plugin: object) -> Policy:
    """Register ``plugin`` alone under ``name`` and return its ``Policy``; fails the test with
    the host's reason when the plugin is kept out."""
    host = PluginHost(entry_points=False, plugins=[(name, plugin)])
    if name not in host.policies:
        raise AssertionError(f"plugin {name!r} was kept out: {host.load_errors.get(name)}")
    return host.policies[name]


def project_facts(**overrides) -> ProjectFacts:
    """A draft project of programme 1 (year 2023) by neighbourhood unit 1, with ``overrides``."""
    values = dict(id=1, programme_id=1, programme_year=2023, track="", title="测试项目", state="draft",
                  applicant_unit_id=1, applicant_unit_kind="neighbourhood", forms={}, tags=(),
                  requested_fen=0, attachment_kinds=frozenset(), approved_fen=None)
    unknown = set(overrides) - {f.name for f in dataclasses.fields(ProjectFacts)}
    if unknown:
        raise TypeError(f"ProjectFacts has no field(s) {sorted(unknown)}")
    values.update(overrides)
    return ProjectFacts(**values)


class FactsRuleContext:
    """A ``RuleContext`` answering from a list of projects and a unit tree given as data, with
    the same semantics as core's database-backed one (``core.services.projects``)."""

    def __init__(self, projects: Iterable[ProjectFacts] = (), parents: dict[int, int | None] | None = None,
                 available: dict[str, int] | None = None, committed: dict[str, int] | None = None):
        self.projects = list(projects)
        self.parents = dict(parents or {})
        # Fen available per fund key (the same for every project): ``{"line": 3_000_000}``.
        self.available = dict(available or {})
        # Fen already committed to the project per fund key: ``{"gongzhijin": 1_000_000}``.
        self.committed = dict(committed or {})

    def count_projects(self, *, programme_id: int, applicant_unit_id: int | None = None,
                       track: str | None = None, states: tuple[str, ...] | None = None,
                       exclude_project_id: int | None = None) -> int:
        return sum(1 for p in self.projects
                   if p.programme_id == programme_id
                   and (applicant_unit_id is None or p.applicant_unit_id == applicant_unit_id)
                   and (track is None or p.track == track)
                   and (states is None or p.state in states)
                   and (exclude_project_id is None or p.id != exclude_project_id))

    def unit_is_within(self, unit_id: int, ancestor_id: int) -> bool:
        seen = set()
        current: int | None = unit_id
        while current is not None and current not in seen:
            if current == ancestor_id:
                return True
            seen.add(current)
            current = self.parents.get(current)
        return False

    def fund_available(self, project: ProjectFacts, fund: str) -> int:
        return self.available.get(fund, 0)

    def fund_committed(self, project: ProjectFacts, fund: str) -> int:
        return self.committed.get(fund, 0)


def replace(facts: ProjectFacts, **changes) -> ProjectFacts:
    """A copy of ``facts`` with ``changes`` (ProjectFacts is frozen)."""
    return dataclasses.replace(facts, **changes)
