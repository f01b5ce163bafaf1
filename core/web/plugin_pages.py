"""Policy plugins' own pages: each policy's blueprints are mounted under
``/t/<tenant>/p/<plugin name>/`` and answer 404 in a tenant where no unit enabled the policy
(installed is not enabled). A plugin whose ``tongxin_blueprints`` hook fails is left out and
listed for administrators; the rest of the site keeps working.

A page asks ``current_policy_config(name)`` for the config it shows (plugins import it from the
toolkit): the config of the unit the page is about, ``?unit=<id or code>``, else the first
unit that enabled the policy."""
from __future__ import annotations

import logging

from flask import Blueprint, Flask, g, request
from sqlalchemy import select

from core import request_context
from core.i18n import T
from core.models import OrgUnit, PluginEnablement
from core.plugin_host.manager import PluginFailure
from core.violations import NotFound, RuleError, Violation
from core.web.context import ctx

log = logging.getLogger(__name__)


def init_app(app: Flask, registry: dict) -> dict[str, str]:
    """Mount every policy's pages; returns {blueprint name: plugin name}."""
    host = app.extensions["tongxin"].host
    owners: dict[str, str] = {}  # blueprint name → plugin name
    for name, policy in sorted(host.policies.items()):
        try:
            blueprints = policy.blueprints()
            for bp in blueprints:
                if not isinstance(bp, Blueprint):
                    raise PluginFailure(name, "tongxin_blueprints", f"not a Flask Blueprint: {bp!r}")
                app.register_blueprint(bp, url_prefix=f"/t/<tenant>/p/{name}")
                owners[bp.name] = name
        except Exception as exc:  # noqa: BLE001 - one plugin's pages must not stop the site
            detail = exc.detail if isinstance(exc, PluginFailure) else f"{type(exc).__name__}: {exc}"
            registry["blueprint_errors"][name] = detail
            log.error("pages of plugin %s not mounted: %s", name, detail)
    # Pages a programme page can link to: GET rules that need nothing but the tenant.
    for rule in app.url_map.iter_rules():
        plugin = owners.get(rule.endpoint.split(".")[0])
        if plugin and "GET" in (rule.methods or ()) and set(rule.arguments) == {"tenant"}:
            path = rule.rule.split(f"/p/{plugin}", 1)[-1] or "/"
            registry["plugin_pages"].setdefault(plugin, []).append((rule.endpoint, path))

    @app.before_request
    def _only_where_enabled():
        if request.blueprints and request.blueprints[-1] in owners:
            require_enabled(owners[request.blueprints[-1]])

    return owners


# -- where a policy is enabled, for its pages ------------------------------------------------------

class PluginNotEnabled(RuleError):
    status = 404

    def __init__(self, plugin_name: str):
        # Named by its title, as the people of the place know it; the package name is internal.
        policy = ctx().host.policies.get(plugin_name) if request_context.tenant() is not None else None
        title = policy.info.title if policy is not None else T(plugin_name, plugin_name)
        super().__init__(Violation(
            "plugin_not_enabled",
            T(f"本辖区没有采用「{title.zh}」，该页面不存在。",
              f"'{title.en}' is not followed here, so this page does not exist."),
            field="plugin_name"))


def enablements_of(plugin_name: str) -> list[PluginEnablement]:
    """The org units of the current tenant where ``plugin_name`` is switched on, oldest first."""
    if request_context.tenant() is None:
        return []
    cache = g.setdefault("_enablements", {})
    if plugin_name not in cache:
        cache[plugin_name] = list(ctx().session.scalars(
            select(PluginEnablement).where(PluginEnablement.plugin_name == plugin_name,
                                           PluginEnablement.enabled.is_(True))
            .order_by(PluginEnablement.id)))
    return cache[plugin_name]


def require_enabled(plugin_name: str) -> None:
    if not enablements_of(plugin_name):
        raise PluginNotEnabled(plugin_name)


def current_enablement(plugin_name: str) -> PluginEnablement:
    """The enablement a plugin page is about: the unit named by ``?unit=`` (an id or a unit
    code) when the plugin is enabled there, else the first unit that enabled it."""
    rows = enablements_of(plugin_name)
    if not rows:
        raise PluginNotEnabled(plugin_name)
    wanted = (request.args.get("unit") or "").strip()
    if not wanted:
        return rows[0]
    if wanted.isdigit():
        chosen = next((r for r in rows if r.org_unit_id == int(wanted)), None)
    else:
        unit_id = ctx().session.scalars(select(OrgUnit.id).where(OrgUnit.code == wanted)).first()
        chosen = next((r for r in rows if r.org_unit_id == unit_id), None)
    if chosen is None:
        raise NotFound(T("启用该政策的组织单元", "org unit with this policy enabled"), field="unit")
    return chosen


def current_policy_config(plugin_name: str) -> dict:
    """The loaded (validated, defaults filled) config of ``plugin_name`` at the unit of the
    current tenant the page is about. 404 when the plugin is not enabled in this tenant."""
    row = current_enablement(plugin_name)
    return ctx().host.policy(plugin_name).config(row.config)
