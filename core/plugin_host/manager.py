"""Discovery, validation and containment of policy plugins.

The ``PluginHost`` is built by the app factory (never at import time): it loads every entry
point of the ``tongxin.plugins`` group, registers it with a fresh pluggy manager, collects each
plugin's ``PolicyInfo`` and keeps a ``Policy`` handle per plugin. A plugin that fails to import,
implements a hook that does not exist, or declares itself wrongly is kept out and listed in
``load_errors``; the others work.

Calls into a policy go through ``Policy`` (``core.plugin_host.policy``): it routes the hook to
that one plugin, checks what comes back and wraps any exception in ``PluginFailure`` so callers
can contain it. Hooks are always called with keyword arguments.
"""
from __future__ import annotations

import importlib.metadata
import logging
from typing import Any, Iterable

import pluggy

from core.i18n import Text
from core.permissions.table import PermissionTable
from core.plugin_host import hookspecs
from core.plugin_host.validation import (PluginFailure, _describe_exception, validate_allowances,
                                     validate_policy_info, extend_permissions)
from core.plugin_host.builtins import BuiltinPlugins
from core.plugin_host.policy import LOAD_VALIDATION_YEAR, Policy
from core.plugin_host.report_facts import FactProviders
from core.plugin_host.sources import SourceRegistry
from core.violations import RuleError, Violation

__all__ = ["ENTRY_POINT_GROUP", "PluginFailure", "PluginHost", "Policy"]  # PluginFailure lives in .validation

log = logging.getLogger(__name__)
ENTRY_POINT_GROUP = "tongxin.plugins"


def _distribution(obj) -> str | None:
    """"name version" of the distribution whose entry point ``obj`` is, if it is one."""
    dist = getattr(obj, "dist", None) if isinstance(obj, importlib.metadata.EntryPoint) else None
    if dist is None:
        return None
    try:
        return f"{dist.metadata['Name']} {dist.version}"
    except Exception:  # noqa: BLE001 - metadata is informative: a broken one must not keep the plugin out
        return None


class PluginHost:
    """Built once per application by the app factory.

    ``entry_points``: discover the installed plugins (the ``tongxin.plugins`` group).
    ``plugins``: extra ``(name, module_or_object)`` pairs (or ``importlib.metadata.EntryPoint``
    objects in their place), registered after the discovered ones; tests use it to inject plugins.
    """

    def __init__(self, *, entry_points: bool = True, plugins: Iterable[tuple[str, object]] = ()):
        self.pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        self.pm.add_hookspecs(hookspecs)
        self.policies: dict[str, Policy] = {}
        self.load_errors: dict[str, str] = {}
        # Core's permission rows, extended by each plugin that loads (``tongxin_permissions``).
        self.permissions = PermissionTable.core()
        self._callers: dict[tuple[str, str], Any] = {}
        self.builtins = BuiltinPlugins()  # core's own answers to gathering hooks (the project page's sections)
        # Where the archive and the tools look for records: registered by the platform that
        # builds this host (``core.platform``), not at import.
        self.sources = SourceRegistry()
        # What a report is prefilled from (``core.services.obligations.prefill``): registered by
        # the platform too.
        self.report_facts = FactProviders()
        candidates: list[tuple[str, Any]] = []
        if entry_points:
            for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
                candidates.append((ep.name, ep))
        candidates.extend(plugins)
        for name, obj in candidates:
            self._register(name, obj)

    def _reject(self, name: str, reason: str) -> None:
        self.load_errors[name] = reason
        log.error("plugin %s kept out: %s", name, reason)

    def _register(self, name: str, obj) -> None:
        if name in self.policies or name in self.load_errors:
            # Two distributions claim one name: the first wins, and admins are told.
            log.error("plugin name %r is claimed twice; keeping the first", name)
            return
        try:
            plugin = obj.load() if isinstance(obj, importlib.metadata.EntryPoint) else obj
            # pluggy checks here that each hookimpl's arguments are a subset of its spec's.
            self.pm.register(plugin, name=name)
        except Exception as exc:  # noqa: BLE001 - a broken plugin must not stop the platform
            self._reject(name, _describe_exception(exc))
            return
        self._callers.clear()  # routing depends on who is registered
        try:
            unknown = self._unknown_hooks(plugin)
            if unknown:
                raise LookupError(f"implements hooks that do not exist: {', '.join(unknown)}")
            info = self._caller(name, "tongxin_policy")()
            validate_policy_info(name, info)
            permissions = extend_permissions(self.permissions, name, self._caller(name, "tongxin_permissions")())
            # A misspelt action in a phase must keep the plugin out now, not fail a user later:
            # the calendar of the defaults (any year will do) names every action the phases use.
            defaults = info.config_schema().load({})
            validate_allowances(self._caller(name, "tongxin_phases")(config=defaults, year=LOAD_VALIDATION_YEAR) or [],
                             permissions.registry)
        except Exception as exc:  # noqa: BLE001
            self.pm.unregister(name=name)
            self._callers.clear()
            self._reject(name, _describe_exception(exc))
            return
        self.policies[name] = Policy(self, name, plugin, info, _distribution(obj))
        self.permissions = permissions

    def _unknown_hooks(self, plugin) -> list[str]:
        """Hooks the plugin implements that no hookspec declares (pluggy's ``check_pending``,
        for one plugin): almost always a typo, which would otherwise be silently never called."""
        unknown = []
        for caller in self.pm.get_hookcallers(plugin) or []:
            if caller.has_spec():
                continue
            if any(impl.plugin is plugin and not impl.optionalhook for impl in caller.get_hookimpls()):
                unknown.append(caller.name)
        return sorted(unknown)

    def _caller(self, name: str, hook: str):
        """A caller of ``hook`` that reaches only plugin ``name``. Cached; the cache is cleared
        whenever a plugin is (un)registered, because pluggy's subset callers are computed from
        the plugins registered at the time."""
        key = (name, hook)
        if key not in self._callers:
            others = [p for n, p in self.pm.list_name_plugin() if n != name]
            self._callers[key] = self.pm.subset_hook_caller(hook, remove_plugins=others)
        return self._callers[key]

    def policy(self, name: str) -> Policy:
        try:
            return self.policies[name]
        except KeyError:
            raise RuleError(Violation(
                "plugin_not_installed",
                Text(f"平台上没有名为「{name}」的政策", f"No policy named '{name}' is installed"),
                field="plugin_name")) from None

    def describe(self) -> list[dict]:
        return [p.describe() for p in self.policies.values()]
