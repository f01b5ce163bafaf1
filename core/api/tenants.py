"""GET /api/v1/tenants: the public directory of hosted tenants."""
from __future__ import annotations

from flask.views import MethodView
from marshmallow import fields

from core.api.base import ApiSchema, Blueprint, context, locale
from core.services import tenants

blp = Blueprint("tenants", __name__, url_prefix="/api/v1/tenants",
                description="The public directory of hosted tenants (district bureaus, county-level cities)")


class TenantSchema(ApiSchema):
    slug = fields.String(required=True, metadata={"description": "the {tenant} of every tenant-scoped URL"})
    name = fields.String(required=True)
    name_en = fields.String(allow_none=True)


class TenantListSchema(ApiSchema):
    items = fields.List(fields.Nested(TenantSchema), required=True)


@blp.route("")
class Tenants(MethodView):
    @blp.doc(security=[])
    @blp.response(200, TenantListSchema)
    def get(self):
        """List tenants (public)"""
        ctx = context()
        lang = locale()
        return {"items": [{"slug": t.slug, "name": (t.name_en or t.name) if lang == "en" else t.name,
                           "name_en": t.name_en} for t in tenants.directory(ctx)]}
