"""A policy plugin's enablement and settings at one org unit:
GET/PUT .../org-units/<id>/plugins/<plugin_name>.

Installed is not enabled: a street administrator switches a policy on for their street with a
config the plugin's own schema validates (defaults = the policy document's numbers).
Programmes already open keep the config they froze."""
from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from marshmallow import INCLUDE, fields

from core.api.base import TENANT, ApiSchema, Blueprint, Flag, context, locale, login_required
from core.api.shapes import FieldSpecSchema, UnitRefSchema, field_specs, unit_ref
from core.api.refusals import refuses
from core.i18n import T
from core.services import org, programmes
from core.violations import NotFound

blp = Blueprint("plugin_settings", __name__, url_prefix=f"{TENANT}/org-units",
                description="Enabling and configuring a policy plugin at a street (or city)")


class ConfigSchema(ApiSchema):
    """The plugin's settings; validated by the plugin's own config schema (see config_fields)."""

    class Meta:
        unknown = INCLUDE


class PluginSettingsInputSchema(ApiSchema):
    enabled = Flag(load_default=True)
    config = fields.Nested(ConfigSchema, load_default=dict, metadata={
        "description": "settings by field name; omitted fields take the plugin's defaults"})


class PluginSettingsSchema(ApiSchema):
    plugin_name = fields.String(required=True)
    title = fields.String(required=True)
    version = fields.String(required=True)
    source = fields.String(required=True, metadata={"description": "the policy document"})
    programme_level = fields.String(required=True)
    org_unit = fields.Nested(UnitRefSchema, required=True)
    enabled = fields.Boolean(required=True)
    configured = fields.Boolean(required=True, metadata={"description": "false: never enabled here; config shows the defaults"})
    config = fields.Dict(required=True)
    config_fields = fields.List(fields.Nested(FieldSpecSchema), required=True)


def _policy(plugin_name: str):
    host = current_app.extensions["tongxin"].host
    if plugin_name not in host.policies:
        raise NotFound(T(f"政策「{plugin_name}」", f"policy '{plugin_name}'"), field="plugin_name")
    return host.policies[plugin_name]


def _settings(ctx, unit, plugin_name: str) -> dict:
    lang = locale()
    policy = _policy(plugin_name)
    row = next((e for e in programmes.enablements(ctx, unit.id) if e.plugin_name == plugin_name), None)
    return {
        "plugin_name": plugin_name, "title": policy.info.title.render(lang), "version": policy.info.version,
        "source": policy.info.source.render(lang), "programme_level": policy.info.programme_level,
        "org_unit": unit_ref(unit, lang), "enabled": bool(row and row.enabled), "configured": row is not None,
        "config": row.config if row is not None else policy.stored_config({}),
        "config_fields": field_specs(policy.info.config_schema, lang),
    }


@blp.route("/<id:unit_id>/plugins/<key:plugin_name>")
class PluginSettings(MethodView):
    @blp.response(200, PluginSettingsSchema)
    def get(self, unit_id, plugin_name):
        """A plugin's enablement and settings at this unit (public)"""
        ctx = context()
        return _settings(ctx, org.get_unit(ctx, unit_id, field="unit_id"), plugin_name)

    @login_required
    @blp.arguments(PluginSettingsInputSchema)
    @blp.response(200, PluginSettingsSchema)
    @refuses({403: "forbidden", 422: "wrong_level invalid_config invalid_field"})
    def put(self, body, unit_id, plugin_name):
        """Enable or disable a plugin here, with settings (administrators of the unit)"""
        ctx = context(login=True)
        _policy(plugin_name)
        programmes.enable_plugin(ctx, unit_id, plugin_name, body["config"], enabled=body["enabled"])
        ctx.commit()
        return _settings(ctx, org.get_unit(ctx, unit_id, field="unit_id"), plugin_name)
