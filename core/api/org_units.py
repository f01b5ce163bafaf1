"""The tenant's administrative tree: GET .../org-units (the whole tree, one query) and
GET .../org-units/<id> (a unit with its ancestors, children and enabled plugins)."""
from __future__ import annotations

from flask.views import MethodView
from marshmallow import fields

from core.api.base import TENANT, ApiSchema, Blueprint, context, locale
from core.api.shapes import UnitRefSchema, unit_ref
from core.models.org import UnitKind
from core.services import org, programmes

blp = Blueprint("org_units", __name__, url_prefix=f"{TENANT}/org-units",
                description="The tenant's tree: district → streets/towns → neighbourhoods/villages → grids")


class UnitNodeSchema(UnitRefSchema):
    parent_id = fields.Integer(allow_none=True)
    path = fields.String(required=True, metadata={"description": "materialised path of ids, e.g. /1/4/9/"})
    kind_label = fields.String(required=True)
    children = fields.List(fields.Nested(lambda: UnitNodeSchema()), required=True)


class UnitTreeSchema(ApiSchema):
    items = fields.List(fields.Nested(UnitNodeSchema), required=True, metadata={"description": "the roots"})
    total = fields.Integer(required=True, metadata={"description": "units in the tree"})


class EnabledPluginSchema(ApiSchema):
    plugin_name = fields.String(required=True)
    enabled = fields.Boolean(required=True)


class UnitDetailSchema(UnitRefSchema):
    parent_id = fields.Integer(allow_none=True)
    path = fields.String(required=True)
    kind_label = fields.String(required=True)
    ancestors = fields.List(fields.Nested(UnitRefSchema), required=True, metadata={"description": "root first"})
    children = fields.List(fields.Nested(UnitRefSchema), required=True)
    plugins = fields.List(fields.Nested(EnabledPluginSchema), required=True)


def kind_label(kind: str, lang: str) -> str:
    try:
        unit_kind = UnitKind(kind)
    except ValueError:
        return kind
    return unit_kind.value if lang == "en" else unit_kind.label_zh


def node(unit, lang: str) -> dict:
    return {**unit_ref(unit, lang), "parent_id": unit.parent_id, "path": unit.path,
            "kind_label": kind_label(unit.kind, lang), "children": []}


@blp.route("")
class OrgUnits(MethodView):
    @blp.response(200, UnitTreeSchema)
    def get(self):
        """The whole tree (public)"""
        ctx = context()
        lang = locale()
        units = org.tree(ctx)
        nodes = {u.id: node(u, lang) for u in units}
        roots = []
        for u in units:  # ordered by path: a parent is always placed before its children
            parent = nodes.get(u.parent_id)
            (parent["children"] if parent is not None else roots).append(nodes[u.id])
        return {"items": roots, "total": len(units)}


@blp.route("/<id:unit_id>")
class OrgUnitItem(MethodView):
    @blp.response(200, UnitDetailSchema)
    def get(self, unit_id):
        """One unit with its ancestors, children and plugins (public)"""
        ctx = context()
        lang = locale()
        unit = org.get_unit(ctx, unit_id, field="unit_id")
        return {**node(unit, lang),
                "ancestors": [unit_ref(a, lang) for a in org.ancestors(ctx, unit)],
                "children": [unit_ref(c, lang) for c in org.children(ctx, unit)],
                "plugins": [{"plugin_name": e.plugin_name, "enabled": e.enabled}
                            for e in programmes.enablements(ctx, unit.id)]}
