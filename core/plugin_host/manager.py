"""Discovery, validation and containment of policy plugins.

The ``PluginHost`` is built by the app factory (never at import time): it loads every entry
point of the ``tongxin.plugins`` group, registers it with a fresh pluggy manager, collects each
plugin's ``PolicyInfo`` and keeps a ``Policy`` handle per plugin. A plugin that fails to import,
implements a hook that does not exist, or declares itself wrongly is kept out and listed in
``load_errors``; the others work.

Calls into a policy go through ``Policy``: it routes the hook to that one plugin, checks what
comes back (types, unique keys, sane dates; the checks are ``core.plugin_host.checks``) and
wraps any exception in ``PluginFailure`` so callers can contain it. Hooks are always called
with keyword arguments.
"""
from __future__ import annotations

import datetime as dt
import importlib.metadata
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import pluggy
from marshmallow import Schema, ValidationError

from core.forms import validation_violations
from core.i18n import Text
from core.permissions.table import PermissionTable
from core.plugin_host import hookspecs
from core.plugin_host.checks import (FUND_OWNERS, SEVERITIES, PluginFailure, _check_list, _check_text, _check_unique,
                                     _describe_exception, _is_int, check_allowances, check_policy_info,
                                     extend_permissions)
from core.plugin_host.builtins import BuiltinPlugins
from core.plugin_host.contributions import (AttachmentKind, Choice, Criterion, Draw, EndorsementStep, FormSpec,
                                            FundRequestRules, FundSpec, Panel, Phase, PolicyInfo, Track)
from core.plugin_host.facts import ProjectFacts, RuleContext
from core.violations import RuleError, Violation

__all__ = ["ENTRY_POINT_GROUP", "PluginFailure", "PluginHost", "Policy"]  # PluginFailure lives in .checks

log = logging.getLogger(__name__)
ENTRY_POINT_GROUP = "tongxin.plugins"
LOAD_CHECK_YEAR = 2024  # the year whose calendar is checked when a plugin loads


@dataclass
class Policy:
    """A handle on one installed policy plugin."""

    host: "PluginHost"
    name: str
    plugin: object
    info: PolicyInfo
    # The installed distribution that published it ("tongxin 0.1.0"), from its metadata; None for
    # a plugin injected without one (tests). Frozen into each programme beside ``info.version``.
    distribution: str | None = None

    # -- calling ------------------------------------------------------------------------------
    def call(self, hook: str, **kwargs) -> Any:
        """Call one of this plugin's hooks (keywords only). Exceptions become PluginFailure,
        except a deliberate ``RuleError`` (a refusal with reasons), which passes through."""
        caller = self.host._caller(self.name, hook)
        try:
            return caller(**kwargs)
        except PluginFailure:
            raise
        except RuleError:
            raise  # a plugin may refuse deliberately with reasons
        except Exception as exc:  # noqa: BLE001 - containment is the point
            log.exception("plugin %s failed in %s", self.name, hook)
            raise PluginFailure(self.name, hook, exc) from exc

    # -- configuration ------------------------------------------------------------------------
    def config_schema(self) -> Schema:
        return self.info.config_schema()

    def load_config(self, raw: dict | None) -> dict:
        """Validate a street's settings; returns the loaded config with defaults filled in.
        Raises ``RuleError`` naming each bad field (in Chinese, with the field's label)."""
        schema = self.config_schema()
        if raw is not None and not isinstance(raw, dict):
            raise RuleError(Violation("invalid_config", Text("配置应为“名称: 值”的对象", "The config must be an object"),
                                      field="config"))
        try:
            return schema.load(raw or {})
        except ValidationError as err:
            raise RuleError(validation_violations(err, prefix="config", schema=schema)) from err
        except Exception as exc:  # noqa: BLE001 - a validator of the plugin's schema crashed
            raise PluginFailure(self.name, "config_schema", exc) from exc

    def stored_config(self, raw: dict | None) -> dict:
        """Validate and return the JSON form that is stored (and frozen into programmes)."""
        loaded = self.load_config(raw)
        try:
            return self.config_schema().dump(loaded)
        except Exception as exc:  # noqa: BLE001
            raise PluginFailure(self.name, "config_schema", exc) from exc

    def config(self, stored: dict | None) -> dict:
        """The loaded config of a stored (enabled or frozen) JSON form.

        What is stored was valid when it was stored; if it no longer loads, the plugin changed
        its schema incompatibly, which is the plugin's fault, not the applicant's."""
        try:
            return self.load_config(stored)
        except RuleError as err:
            raise PluginFailure(self.name, "config_schema",
                                "stored config no longer validates: " + str(err)) from err

    # -- contributions --------------------------------------------------------------------------
    def tracks(self, config: dict) -> list[Track]:
        hook = "tongxin_tracks"
        tracks = _check_list(self.name, hook, self.call(hook, config=config), Track)
        _check_unique(self.name, hook, (t.key for t in tracks), "track")
        for t in tracks:
            _check_text(self.name, hook, t.label, f"track {t.key!r} label")
            if t.applicants_clause is not None:
                _check_text(self.name, hook, t.applicants_clause, f"track {t.key!r} applicants_clause")
            if not t.applicant_kinds or not all(isinstance(k, str) and k for k in t.applicant_kinds):
                raise PluginFailure(self.name, hook, f"track {t.key!r} applicant_kinds must name org-unit kinds")
            if not all(isinstance(c, Choice) for c in t.directions):
                raise PluginFailure(self.name, hook, f"track {t.key!r} directions must be Choice objects")
            _check_unique(self.name, hook, (c.value for c in t.directions), f"direction of {t.key!r}")
        return tracks

    def track(self, config: dict, key: str) -> Track | None:
        return next((t for t in self.tracks(config) if t.key == key), None)

    def forms(self, config: dict, track: str | None = None, stage: str = "apply") -> list[FormSpec]:
        hook = "tongxin_forms"
        forms = _check_list(self.name, hook, self.call(hook, config=config), FormSpec)
        for i, f in enumerate(forms):
            if not (isinstance(f.schema, type) and issubclass(f.schema, Schema)):
                raise PluginFailure(self.name, hook, f"form {f.key!r} schema is not a marshmallow Schema")
            _check_text(self.name, hook, f.label, f"form {f.key!r} label")
            if f.clause is not None:
                _check_text(self.name, hook, f.clause, f"form {f.key!r} clause")
            for other in forms[:i]:  # the same key may serve different tracks, never the same one
                if other.key == f.key and (other.tracks is None or f.tracks is None
                                           or set(other.tracks) & set(f.tracks)):
                    raise PluginFailure(self.name, hook, f"form {f.key!r} is declared twice for one track")
        return [f for f in forms if (track is None or f.tracks is None or track in f.tracks) and f.stage == stage]

    def endorsement(self, config: dict) -> EndorsementStep | None:
        hook = "tongxin_endorsement"
        step = self.call(hook, config=config)
        if step is not None and not isinstance(step, EndorsementStep):
            raise PluginFailure(self.name, hook, f"must return an EndorsementStep or None, got {step!r}")
        return step

    def validate_form(self, spec: FormSpec, data: dict) -> dict:
        """Load ``data`` with the form's schema and return what is stored (the schema's dump).
        Bad input raises ``RuleError`` naming each field (``<form key>.<field>``); the plugin's
        schema crashing (a validator with a bug) raises ``PluginFailure``: the schema is
        plugin code, contained like a hook."""
        try:
            schema = spec.schema()
            return schema.dump(schema.load(data))
        except ValidationError as err:
            raise RuleError(validation_violations(err, prefix=spec.key, schema=schema)) from err
        except Exception as exc:  # noqa: BLE001
            log.exception("plugin %s form %s failed", self.name, spec.key)
            raise PluginFailure(self.name, f"form:{spec.key}", exc) from exc

    def attachment_kinds(self, config: dict) -> list[AttachmentKind]:
        hook = "tongxin_attachment_kinds"
        kinds = _check_list(self.name, hook, self.call(hook, config=config), AttachmentKind)
        _check_unique(self.name, hook, (k.key for k in kinds), "attachment kind")
        return kinds

    def budget_categories(self, config: dict) -> list[Choice]:
        hook = "tongxin_budget_categories"
        found = _check_list(self.name, hook, self.call(hook, config=config), Choice)
        _check_unique(self.name, hook, (c.value for c in found), "budget category")
        for c in found:
            _check_text(self.name, hook, c.label, f"budget category {c.value!r} label")
        return found

    def tags(self, config: dict) -> list[Choice]:
        hook = "tongxin_tags"
        tags = _check_list(self.name, hook, self.call(hook, config=config), Choice)
        _check_unique(self.name, hook, (t.value for t in tags), "tag")
        return tags

    def phases(self, config: dict, year: int) -> list[Phase]:
        hook = "tongxin_phases"
        phases = _check_list(self.name, hook, self.call(hook, config=config, year=year), Phase)
        _check_unique(self.name, hook, (p.key for p in phases), "phase")
        for p in phases:
            if not (isinstance(p.starts, dt.date) and isinstance(p.ends, dt.date)):
                raise PluginFailure(self.name, hook, f"phase {p.key!r} needs dates")
            if p.ends < p.starts:
                raise PluginFailure(self.name, hook, f"phase {p.key!r} ends ({p.ends}) before it starts ({p.starts})")
        try:
            check_allowances(phases, self.host.permissions.registry)
        except (TypeError, ValueError) as exc:
            raise PluginFailure(self.name, hook, str(exc)) from exc
        return phases

    def rubric(self, config: dict) -> list[Criterion]:
        hook = "tongxin_review_rubric"
        crit = _check_list(self.name, hook, self.call(hook, config=config), Criterion)
        _check_unique(self.name, hook, (c.key for c in crit), "criterion")
        if any(not isinstance(c.max_points, int) or isinstance(c.max_points, bool) or c.max_points <= 0 for c in crit):
            raise PluginFailure(self.name, hook, "max_points must be a positive integer")
        for c in crit:
            if c.clause is not None:
                _check_text(self.name, hook, c.clause, f"criterion {c.key!r} clause")
        return crit

    def check(self, project: ProjectFacts, action: str, config: dict, context: RuleContext) -> list[Violation]:
        hook = "tongxin_check_project"
        found = _check_list(self.name, hook,
                            self.call(hook, project=project, action=action, config=config, context=context),
                            Violation)
        for v in found:  # a violation is shown to people: it must be able to render itself
            _check_text(self.name, hook, v.message, f"violation {v.code!r} message")
            if v.clause is not None:
                _check_text(self.name, hook, v.clause, f"violation {v.code!r} clause")
            if v.severity not in SEVERITIES:
                raise PluginFailure(self.name, hook, f"violation {v.code!r} severity must be one of {SEVERITIES}")
        return found

    def funds(self, config: dict) -> list[FundSpec]:
        from core.models.ledger import FundKind  # late: the kinds are the ledger's
        hook = "tongxin_funds"
        specs = _check_list(self.name, hook, self.call(hook, config=config), FundSpec)
        _check_unique(self.name, hook, (f.key for f in specs), "fund")
        kinds = {k.value for k in FundKind}
        for f in specs:
            _check_text(self.name, hook, f.name, f"fund {f.key!r} name")
            for what in ("clause", "cap_clause", "allocation_clause"):
                if getattr(f, what) is not None:
                    _check_text(self.name, hook, getattr(f, what), f"fund {f.key!r} {what}")
            if f.kind not in kinds:
                raise PluginFailure(self.name, hook, f"fund {f.key!r} kind must be one of {sorted(kinds)}")
            if f.owner not in FUND_OWNERS:
                raise PluginFailure(self.name, hook, f"fund {f.key!r} owner must be one of {FUND_OWNERS}")
            if f.cap_fen is not None and (not _is_int(f.cap_fen) or f.cap_fen < 0):
                raise PluginFailure(self.name, hook, f"fund {f.key!r} cap_fen must be whole fen >= 0 or None")
            if (f.kind == FundKind.subsidy.value) != bool(f.tier):
                raise PluginFailure(self.name, hook, f"fund {f.key!r}: a subsidy needs a tier, other kinds have none")
        return specs

    def funding(self, project: ProjectFacts, config: dict, context: RuleContext) -> list[Draw]:
        hook = "tongxin_funding"
        draws = _check_list(self.name, hook, self.call(hook, project=project, config=config, context=context), Draw)
        keys = {f.key for f in self.funds(config)}
        for d in draws:
            if d.fund not in keys:
                raise PluginFailure(self.name, hook, f"draw from unknown fund {d.fund!r} (declared: {sorted(keys)})")
            if not _is_int(d.amount_fen) or d.amount_fen < 0:
                raise PluginFailure(self.name, hook, f"draw from {d.fund!r}: amount_fen must be whole fen >= 0")
        total = sum(d.amount_fen for d in draws)
        if project.approved_fen is not None and total > project.approved_fen:
            raise PluginFailure(self.name, hook, f"draws add up to {total} fen, more than the approved {project.approved_fen}")
        return [d for d in draws if d.amount_fen]

    def fund_request_rules(self, config: dict) -> FundRequestRules:
        hook = "tongxin_fund_requests"
        rules = self.call(hook, config=config)
        if rules is None:
            return FundRequestRules()
        if not isinstance(rules, FundRequestRules):
            raise PluginFailure(self.name, hook, f"must return FundRequestRules or None, got {rules!r}")
        return rules

    def blueprints(self) -> list:
        from flask import Blueprint  # late: the rules side of the host does not need Flask
        return _check_list(self.name, "tongxin_blueprints", self.call("tongxin_blueprints"), Blueprint)

    def migration_dirs(self) -> list[str]:
        hook = "tongxin_migration_dirs"
        dirs = _check_list(self.name, hook, self.call(hook), (str, Path))
        for d in dirs:
            if not Path(d).is_dir():
                raise PluginFailure(self.name, hook, f"migration directory {str(d)!r} does not exist")
        return [str(d) for d in dirs]

    def transitioned(self, **kwargs) -> None:
        self.call("tongxin_project_transitioned", **kwargs)

    def project_panels(self, **kwargs) -> list[Panel]:
        hook = "tongxin_project_panels"  # gathered, not firstresult: one answer (a list) per plugin
        panels = [p for answer in self.call(hook, **kwargs) or [] for p in _check_list(self.name, hook, answer, Panel)]
        if not all(isinstance(p.template, str) and p.template and isinstance(p.data, dict) and _is_int(p.order) for p in panels):
            raise PluginFailure(self.name, hook, "a Panel needs a template name, a dict of data and a whole-number order")
        return panels

    def hooks(self) -> list[str]:
        """The hooks this plugin implements."""
        return sorted(h.name for h in self.host.pm.get_hookcallers(self.plugin) or [])

    def describe(self) -> dict:
        defaults = self.stored_config({})
        return {
            "name": self.name,
            "title": {"zh": self.info.title.zh, "en": self.info.title.en},
            "version": self.info.version,
            "distribution": self.distribution,
            "source": {"zh": self.info.source.zh, "en": self.info.source.en},
            "programme_level": self.info.programme_level,
            "applies_below": self.info.applies_below,
            "config_defaults": defaults,
            "hooks": self.hooks(),
        }


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
            check_policy_info(name, info)
            permissions = extend_permissions(self.permissions, name, self._caller(name, "tongxin_permissions")())
            # A misspelt action in a phase must keep the plugin out now, not fail a user later:
            # the calendar of the defaults (any year will do) names every action the phases use.
            defaults = info.config_schema().load({})
            check_allowances(self._caller(name, "tongxin_phases")(config=defaults, year=LOAD_CHECK_YEAR) or [],
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
                Text(f"政策插件「{name}」未安装", f"The policy plugin '{name}' is not installed"),
                field="plugin_name")) from None

    def describe(self) -> list[dict]:
        return [p.describe() for p in self.policies.values()]
