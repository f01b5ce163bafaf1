"""The contract between Tongxin's core and jurisdiction plugins.

A plugin is a module (or object) with functions marked ``@hookimpl``, published under the
entry-point group ``tongxin.plugins``::

    # pyproject.toml of the plugin's distribution
    [project.entry-points."tongxin.plugins"]
    riverside = "riverside_policy.plugin"

Installed is not enabled: core calls a policy's hooks only for the programmes it applies to: the
programmes of that policy, at org units where a street (or city) switched it on, and (policies
stack) every programme of the units below a unit that enabled it, beside the programme's own
policy (``core.plugin_host.stack``: how the answers of several policies combine). Hooks are always called with keyword
arguments, so a hook may gain arguments later without breaking plugins that do not take them.
Everything a plugin returns is validated by core (``core.plugin_host.manager``); anything it
raises is contained, recorded as a ``PluginFault`` for the tenant's administrators, and turned
into a clear refusal for the user, while other tenants and policies keep working.

Every hook below has an example, written for an imaginary street ("riverside") whose policy has a
signature track (one lasting project per neighbourhood) and a micro-venture project track; core names no
real jurisdiction, so the built-in plugins under ``plugins/`` and ``docs/plugins.md`` show the
real ones. ``tests/test_hookspecs_documented.py`` fails when a hook lacks a docstring or an example.

The hooks live in one module per theme (``shape``: what a policy declares; ``rules``: how it
judges; ``money``: its funds and fund requests; ``platform``: what it adds to the platform;
``inbox``: what waits for someone, the kinds of to-do; ``delivery``: what it asks of a project
being carried out; ``supervision``: its supervision checklist, archive and tools;
``obligations``: what falls due during the year, and when) and are all re-exported here, which
is what the host registers (``pm.add_hookspecs(hookspecs)``).
A new theme is a new module, imported below.
"""
from __future__ import annotations

from core.plugin_host.markers import PROJECT_NAME, hookimpl, hookspec
from core.plugin_host.hookspecs.inbox import tongxin_todo_kinds  # inbox: kinds of to-do
# delivery: plan tasks, activity records, people
from core.plugin_host.hookspecs.delivery import tongxin_delivery_rules
from core.plugin_host.hookspecs.money import tongxin_fund_requests, tongxin_funding, tongxin_funds
from core.plugin_host.hookspecs.obligations import tongxin_obligations  # reporting: obligations with dates
from core.plugin_host.hookspecs.platform import (tongxin_blueprints, tongxin_migration_dirs, tongxin_permissions,
                                                 tongxin_project_panels)
from core.plugin_host.hookspecs.rules import tongxin_project_rules, tongxin_project_transitioned
from core.plugin_host.hookspecs.shape import (tongxin_attachment_kinds, tongxin_budget_categories, tongxin_endorsement,
                                              tongxin_forms, tongxin_phases, tongxin_policy, tongxin_public_parts,
                                              tongxin_review_rubric, tongxin_review_rules, tongxin_tags,
                                              tongxin_tracks)
# supervision: checklists, the archive and the tools
from core.plugin_host.hookspecs.supervision import (tongxin_archive, tongxin_project_tools,
                                                    tongxin_supervision_checklist)

__all__ = [
    "PROJECT_NAME", "hookimpl", "hookspec",
    "tongxin_attachment_kinds", "tongxin_blueprints", "tongxin_budget_categories", "tongxin_project_rules",
    "tongxin_endorsement", "tongxin_forms", "tongxin_fund_requests", "tongxin_funding", "tongxin_funds",
    "tongxin_migration_dirs", "tongxin_obligations", "tongxin_permissions", "tongxin_phases", "tongxin_policy", "tongxin_project_panels",
    "tongxin_project_transitioned", "tongxin_public_parts", "tongxin_review_rubric", "tongxin_review_rules", "tongxin_tags", "tongxin_tracks",
    "tongxin_todo_kinds",  # inbox
    # delivery: plan tasks, activity records, people
    "tongxin_delivery_rules",
    "tongxin_archive", "tongxin_project_tools", "tongxin_supervision_checklist",
]
