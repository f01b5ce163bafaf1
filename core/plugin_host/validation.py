"""The validation of what a plugin declares and returns, and the failure it raises.

Split from ``core.plugin_host.manager`` (which discovers plugins and routes their hooks) so each
stays one concept: here is the validation, each refusal naming what is wrong so an author can fix
it. Validation failing while a plugin loads keeps the plugin out (``PluginHost.load_errors``); failing
at run time it is a ``PluginFailure``, contained by the caller.
"""
from __future__ import annotations

import json
import re
import traceback
from typing import Any, Iterable

from marshmallow import Schema, ValidationError

from core.i18n import Text
from core.permissions.table import PermissionTable
from core.plugin_host.contributions import Allow, PermissionRule, Permissions, Phase, PolicyInfo
from core.violations import Violation

# A policy's name is used as an Alembic branch label, in URLs (/p/<name>/) and in a 64-character
# column, so it is kept to lower-case identifiers.
RULE_CODE = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
POLICY_NAME = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
PROGRAMME_LEVELS = ("street", "district")
SEVERITIES = ("block", "needs_approval")
FUND_OWNERS = ("programme", "applicant", "applicant_parent")


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class PluginFailure(Exception):
    """A plugin raised or returned something malformed. Contained by the caller: record it with
    ``core.services.faults.record_fault`` and answer ``status`` with ``violation()``."""

    status = 503  # the policy is temporarily unavailable; the request itself was fine

    def __init__(self, plugin: str, hook: str, error: BaseException | str):
        self.plugin, self.hook = plugin, hook
        self.detail = error if isinstance(error, str) else _describe_exception(error)
        super().__init__(f"plugin {plugin!r} failed in {hook}: {self.detail}")

    def violation(self) -> Violation:
        return Violation(
            "plugin_failure",
            # Plain words first; the package name in brackets is what to quote to the administrators.
            Text(f"这一步用到的政策规则暂时出错（{self.plugin}），已通知管理员；请稍后再试。",
                 f"The policy rules this step uses failed ({self.plugin}); administrators have been told. Please try again later."),
        )


def _describe_exception(exc: BaseException) -> str:
    return "".join(traceback.format_exception_only(type(exc), exc)).strip()


# -- validating what plugins return ----------------------------------------------------------------

def _validated_list(plugin: str, hook: str, value: Any, kind: type | tuple[type, ...]) -> list:
    if value is None:
        return []
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, kind) for v in value):
        names = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
        raise PluginFailure(plugin, hook, f"must return a list of {names}, got {value!r}")
    return list(value)


def _validate_unique(plugin: str, hook: str, keys: Iterable[str], what: str) -> None:
    seen: set[str] = set()
    for key in keys:
        if not isinstance(key, str) or not key:
            raise PluginFailure(plugin, hook, f"every {what} needs a non-empty string key, got {key!r}")
        if key in seen:
            raise PluginFailure(plugin, hook, f"{what} {key!r} is declared twice")
        seen.add(key)


def _validate_text(plugin: str, hook: str, value: Any, what: str) -> None:
    if not isinstance(value, Text):
        raise PluginFailure(plugin, hook, f"{what} must be a Text (T(zh, en)), got {value!r}")



def validate_allowances(phases: Iterable[Any], registry) -> None:
    """Each phase's ``allows`` must hold ``Allow``s naming a declared action (core's or a
    loaded plugin's), with a clause, a known firmness and, for "needs_approval", a known
    approver role; raises ``TypeError`` / ``ValueError`` naming what is wrong."""
    from core.models.people import Role  # late: the roles are the people model's
    role_names = {r.value for r in Role}
    for p in phases:
        if not isinstance(p, Phase):
            raise TypeError(f"tongxin_phases must return Phase objects, got {p!r}")
        if isinstance(p.allows, (str, bytes)) or not isinstance(p.allows, (tuple, list, frozenset, set)):
            raise TypeError(f"phase {p.key!r} allows must be a tuple of Allow")
        for a in p.allows:
            if not isinstance(a, Allow):
                raise TypeError(f"phase {p.key!r} allows must hold Allow(action, clause, ...), got {a!r}")
            try:
                registry.get(a.action)
            except KeyError as exc:
                raise ValueError(f"phase {p.key!r}: {exc.args[0]}") from None
            if not isinstance(a.clause, Text) or not a.clause.zh:
                raise TypeError(f"phase {p.key!r} allows {a.key!r} without a clause (T(zh, en))")
            if a.firmness not in SEVERITIES:
                raise ValueError(f"phase {p.key!r} allows {a.key!r}: firmness must be one of {SEVERITIES}")
            if a.firmness == "needs_approval" and a.approver not in role_names:
                raise ValueError(f"phase {p.key!r} allows {a.key!r}: 'needs_approval' names an approver role, "
                                 f"one of {sorted(role_names)}; got {a.approver!r}")
            if not _is_int(a.correction_days) or a.correction_days < 0:
                raise ValueError(f"phase {p.key!r} allows {a.key!r}: correction_days must be whole days >= 0")


def validate_policy_info(name: str, info: Any) -> None:
    """A plugin's declaration must be usable before any street may enable it."""
    if not isinstance(info, PolicyInfo):
        raise TypeError(f"tongxin_policy must return a PolicyInfo, got {info!r}")
    if info.name != name:
        raise ValueError(f"declares name {info.name!r} but is registered as {name!r}")
    if not POLICY_NAME.match(name):
        raise ValueError(f"name {name!r} must be 2-64 lower-case letters, digits or _, starting with a letter")
    for what in ("title", "source", "description"):
        if not isinstance(getattr(info, what), Text):
            raise TypeError(f"PolicyInfo.{what} must be a Text (T(zh, en))")
    if not isinstance(info.version, str) or not info.version.strip():
        raise ValueError("PolicyInfo.version must be a non-empty string")
    if not isinstance(info.applies_below, bool):
        raise TypeError("PolicyInfo.applies_below must be True or False")
    if not isinstance(info.office_sees_drafts, bool):
        raise TypeError("PolicyInfo.office_sees_drafts must be True or False")
    if info.programme_level not in PROGRAMME_LEVELS:
        raise ValueError(f"programme_level must be one of {PROGRAMME_LEVELS}, got {info.programme_level!r}")
    if not (isinstance(info.config_schema, type) and issubclass(info.config_schema, Schema)):
        raise TypeError("config_schema must be a marshmallow Schema class")
    if not isinstance(info.rule_codes, tuple) or not all(isinstance(c, str) and RULE_CODE.match(c) for c in info.rule_codes):
        raise ValueError("PolicyInfo.rule_codes must be a tuple of codes such as 'micro_over_limit' (a-z, 0-9, _)")
    validate_config_defaults(info.config_schema)


def extend_permissions(table: PermissionTable, name: str, contribution: Any) -> PermissionTable:
    """The table with what the plugin registers; raises (keeping the plugin out) on anything
    malformed or unknown: a wrong type, a role, scope or action nobody declared."""
    if contribution is None:
        return table
    if not isinstance(contribution, Permissions):
        raise TypeError(f"tongxin_permissions must return a Permissions, got {contribution!r}")
    for rule in contribution.rules:
        if not isinstance(rule, PermissionRule):
            raise TypeError(f"Permissions.rules must hold PermissionRule, got {rule!r}")
        if rule.note is not None and not isinstance(rule.note, Text):
            raise TypeError(f"PermissionRule.note must be a Text (T(zh, en)), got {rule.note!r}")
    for action in contribution.actions:
        _validate_text(name, "tongxin_permissions", getattr(action, "label", None), f"action {action!r}'s label")
    return table.extended(name, contribution.actions,
                          [(r.role, r.action, r.scope, r.note) for r in contribution.rules])


def validate_config_defaults(schema_cls: type[Schema]) -> None:
    """The defaults are what a street gets when it enables the plugin without settings, so they
    must be a valid config. marshmallow does not validate ``load_default`` values, hence the
    round trip: load the defaults, store them as JSON (as an enablement does) and load that."""
    schema = schema_cls()
    try:
        loaded = schema.load({})
        stored = schema.dump(loaded)
        json.dumps(stored)
        schema.load(stored)
    except ValidationError as err:
        raise ValueError(f"config schema defaults do not validate: {err.messages}") from err
    except (TypeError, ValueError) as err:
        raise ValueError(f"config schema defaults cannot be stored as JSON: {err}") from err
