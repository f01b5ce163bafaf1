"""Policy plugins' own pages: each policy's blueprints are mounted under
``/t/<tenant>/p/<plugin name>/`` and answer 404 in a tenant where no unit enabled the policy
(installed is not enabled). A plugin whose ``tongxin_blueprints`` hook fails is left out and
listed for administrators; the rest of the site keeps working."""
from __future__ import annotations

import logging

from flask import Blueprint, Flask, request

from core.plugin_host.manager import PluginFailure
from core.web.context import require_enabled

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
