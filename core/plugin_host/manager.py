"""Discovery, validation and containment of policy plugins.

The ``PluginHost`` is built by the app factory (never at import time): it loads every entry
point of the ``tongxin.plugins`` group, registers it with a fresh pluggy manager, collects each
plugin's ``PolicyInfo`` and keeps a ``Policy`` handle per plugin. A plugin that fails to import
or declares itself wrongly is kept out and listed in ``load_errors``; the others work.

Calls into a policy go through ``Policy``: it routes the hook to that one plugin, checks the
type of what comes back, and wraps any exception in ``PluginFailure`` so callers can contain it.
"""
from __future__ import annotations

import importlib.metadata
import logging
import traceback
from dataclasses import dataclass
from typing import Any, Iterable

import pluggy
from marshmallow import Schema, ValidationError

from core.forms import validation_violations
from core.i18n import Text
from core.plugin_host import hookspecs
from core.plugin_host.contributions import AttachmentKind, Choice, Criterion, FormSpec, Phase, PolicyInfo, Track
from core.plugin_host.facts import ProjectFacts, RuleContext
from core.violations import RuleError, Violation

log = logging.getLogger(__name__)
ENTRY_POINT_GROUP = "tongxin.plugins"


class PluginFailure(Exception):
    """A plugin raised or returned something malformed. Contained by the caller."""

    def __init__(self, plugin: str, hook: str, error: BaseException | str):
        self.plugin, self.hook = plugin, hook
        self.detail = error if isinstance(error, str) else "".join(
            traceback.format_exception_only(type(error), error)).strip()
        super().__init__(f"plugin {plugin!r} failed in {hook}: {self.detail}")

    def violation(self) -> Violation:
        return Violation(
            "plugin_failure",
            Text(f"政策插件「{self.plugin}」暂时出错，已通知管理员；请稍后再试。",
                 f"The policy plugin '{self.plugin}' failed; administrators have been told. Please try again later."),
        )


def _check_list(plugin: str, hook: str, value: Any, kind: type) -> list:
    if value is None:
        return []
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, kind) for v in value):
        raise PluginFailure(plugin, hook, f"must return a list of {kind.__name__}, got {value!r}")
    return list(value)


@dataclass
class Policy:
    """A handle on one installed policy plugin."""

    host: "PluginHost"
    name: str
    plugin: object
    info: PolicyInfo

    # -- calling ------------------------------------------------------------------------------
    def call(self, hook: str, **kwargs) -> Any:
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
        Raises ``RuleError`` naming each bad field."""
        schema = self.config_schema()
        try:
            return schema.load(raw or {})
        except ValidationError as err:
            raise RuleError(validation_violations(err, prefix="config", schema=schema)) from err

    def stored_config(self, raw: dict | None) -> dict:
        """Validate and return the JSON form that is stored (and frozen into programmes)."""
        schema = self.config_schema()
        return schema.dump(self.load_config(raw))

    def config(self, stored: dict | None) -> dict:
        """The loaded config of a stored (frozen) JSON form."""
        return self.load_config(stored)

    # -- contributions --------------------------------------------------------------------------
    def tracks(self, config: dict) -> list[Track]:
        return _check_list(self.name, "tongxin_tracks", self.call("tongxin_tracks", config=config), Track)

    def track(self, config: dict, key: str) -> Track | None:
        return next((t for t in self.tracks(config) if t.key == key), None)

    def forms(self, config: dict, track: str | None = None) -> list[FormSpec]:
        forms = _check_list(self.name, "tongxin_forms", self.call("tongxin_forms", config=config), FormSpec)
        for f in forms:
            if not (isinstance(f.schema, type) and issubclass(f.schema, Schema)):
                raise PluginFailure(self.name, "tongxin_forms", f"form {f.key!r} schema is not a marshmallow Schema")
        return [f for f in forms if track is None or f.tracks is None or track in f.tracks]

    def attachment_kinds(self, config: dict) -> list[AttachmentKind]:
        return _check_list(self.name, "tongxin_attachment_kinds",
                           self.call("tongxin_attachment_kinds", config=config), AttachmentKind)

    def tags(self, config: dict) -> list[Choice]:
        return _check_list(self.name, "tongxin_tags", self.call("tongxin_tags", config=config), Choice)

    def phases(self, config: dict, year: int) -> list[Phase]:
        return _check_list(self.name, "tongxin_phases", self.call("tongxin_phases", config=config, year=year), Phase)

    def rubric(self, config: dict) -> list[Criterion]:
        crit = _check_list(self.name, "tongxin_review_rubric", self.call("tongxin_review_rubric", config=config), Criterion)
        if any(c.max_points <= 0 for c in crit):
            raise PluginFailure(self.name, "tongxin_review_rubric", "max_points must be positive")
        return crit

    def check(self, project: ProjectFacts, action: str, config: dict, context: RuleContext) -> list[Violation]:
        return _check_list(self.name, "tongxin_check_project",
                           self.call("tongxin_check_project", project=project, action=action,
                                     config=config, context=context), Violation)

    def blueprints(self) -> list:
        return list(self.call("tongxin_blueprints") or [])

    def migration_dirs(self) -> list[str]:
        return [str(p) for p in (self.call("tongxin_migration_dirs") or [])]

    def transitioned(self, **kwargs) -> None:
        self.call("tongxin_project_transitioned", **kwargs)

    def describe(self) -> dict:
        defaults = self.stored_config({})
        return {
            "name": self.name,
            "title": {"zh": self.info.title.zh, "en": self.info.title.en},
            "version": self.info.version,
            "source": {"zh": self.info.source.zh, "en": self.info.source.en},
            "programme_level": self.info.programme_level,
            "config_defaults": defaults,
            "hooks": sorted(h.name for h in self.host.pm.get_hookcallers(self.plugin) or []),
        }


class PluginHost:
    """Built once per application by the app factory."""

    def __init__(self, *, entry_points: bool = True, plugins: Iterable[tuple[str, object]] = ()):
        self.pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        self.pm.add_hookspecs(hookspecs)
        self.policies: dict[str, Policy] = {}
        self.load_errors: dict[str, str] = {}
        self._callers: dict[tuple[str, str], Any] = {}
        candidates: list[tuple[str, Any]] = []
        if entry_points:
            for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
                candidates.append((ep.name, ep))
        candidates.extend(plugins)
        for name, obj in candidates:
            self._register(name, obj)

    def _register(self, name: str, obj) -> None:
        if name in self.policies:
            return
        try:
            plugin = obj.load() if isinstance(obj, importlib.metadata.EntryPoint) else obj
            self.pm.register(plugin, name=name)
        except Exception as exc:  # noqa: BLE001 - a broken plugin must not stop the platform
            self.load_errors[name] = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            log.error("plugin %s failed to load: %s", name, self.load_errors[name])
            return
        try:
            info = self._caller(name, "tongxin_policy")()
            if not isinstance(info, PolicyInfo):
                raise TypeError("tongxin_policy must return a PolicyInfo")
            if info.name != name:
                raise ValueError(f"declares name {info.name!r} but is registered as {name!r}")
            if not (isinstance(info.config_schema, type) and issubclass(info.config_schema, Schema)):
                raise TypeError("config_schema must be a marshmallow Schema class")
            info.config_schema().load({})  # its defaults must be a valid config
        except Exception as exc:  # noqa: BLE001
            self.pm.unregister(name=name)
            self.load_errors[name] = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            log.error("plugin %s rejected: %s", name, self.load_errors[name])
            return
        self.policies[name] = Policy(self, name, plugin, info)

    def _caller(self, name: str, hook: str):
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
