"""What the current web request is about, beyond what ``core.request_context`` resolves:
whether someone is signed in, and the configuration of a policy plugin in this tenant (for the
plugins' own pages, see ``current_policy_config``)."""
from __future__ import annotations

import functools

from flask import g, redirect, request, url_for
from sqlalchemy import select

from core import request_context
from core.i18n import T, Text
from core.models import OrgUnit, PluginEnablement
from core.services.context import Ctx
from core.violations import Forbidden, NotFound, RuleError, Violation


def ctx() -> Ctx:
    return request_context.ctx()


def login_required(view):
    """Anonymous visitors are sent to the tenant's login page and brought back afterwards."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if not ctx().actor.is_authenticated:
            return redirect(url_for("web.auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapper


def forbid_unless(condition: bool, message: Text) -> None:
    if not condition:
        raise Forbidden(message)


def int_arg(name: str, default: int | None = None, *, minimum: int | None = None) -> int | None:
    raw = request.args.get(name)
    try:
        value = int(raw) if raw not in (None, "") else default
    except ValueError:
        value = default
    if value is not None and minimum is not None:
        value = max(minimum, value)
    return value


class PluginNotEnabled(RuleError):
    status = 404

    def __init__(self, plugin_name: str):
        super().__init__(Violation(
            "plugin_not_enabled",
            T(f"本辖区没有启用政策插件「{plugin_name}」，该页面不存在。",
              f"The policy plugin '{plugin_name}' is not enabled in this tenant, so this page does not exist."),
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
