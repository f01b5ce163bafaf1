"""GET /api/v1/-/plugins.json: which policy plugins are installed, and which failed to load
(the datasette convention). Installed is not enabled: see the org units' plugin settings."""
from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from marshmallow import fields

from core.api.base import ApiSchema, Blueprint

blp = Blueprint("plugins", __name__, url_prefix="/api/v1/-",
                description="Installed policy plugins and load errors")


class BilingualSchema(ApiSchema):
    zh = fields.String(required=True)
    en = fields.String(required=True)


class InstalledPluginSchema(ApiSchema):
    name = fields.String(required=True)
    title = fields.Nested(BilingualSchema, required=True)
    version = fields.String(required=True)
    distribution = fields.String(allow_none=True, metadata={
        "description": "the installed distribution that publishes it, with its version (null: injected)"})
    source = fields.Nested(BilingualSchema, required=True, metadata={"description": "the policy document"})
    programme_level = fields.String(required=True, metadata={"enum": ["street", "district"]})
    applies_below = fields.Boolean(required=True, metadata={
        "description": "enabled on a unit, it also applies to the programmes of the units below (policies stack)"})
    config_defaults = fields.Dict(required=True, metadata={"description": "the plugin's config schema defaults"})
    hooks = fields.List(fields.String(), required=True)


class LoadErrorSchema(ApiSchema):
    name = fields.String(required=True)
    error = fields.String(required=True)


class PluginsSchema(ApiSchema):
    plugins = fields.List(fields.Nested(InstalledPluginSchema), required=True)
    load_errors = fields.List(fields.Nested(LoadErrorSchema), required=True)


@blp.route("/plugins.json")
class InstalledPlugins(MethodView):
    @blp.doc(security=[])
    @blp.response(200, PluginsSchema)
    def get(self):
        """Installed plugins and load errors (public)"""
        host = current_app.extensions["tongxin"].host
        return {"plugins": host.describe(),
                "load_errors": [{"name": n, "error": e} for n, e in sorted(host.load_errors.items())]}
