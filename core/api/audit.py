"""GET .../audit: the tenant's append-only log of changes (administrators only); every read is
recorded in the log itself (``audit.read``)."""
from __future__ import annotations

from flask.views import MethodView
from marshmallow import fields, validate

from core.api.base import (
    TENANT,
    TOTAL_HEADER,
    ApiSchema,
    Blueprint,
    PageQuery,
    QueryId,
    context,
    limit_offset,
    login_required,
    page_schema,
    paged,
)
from core.api.refusals import refuses
from core.api.shapes import UserRefSchema, user_ref
from core.services import audit_log

blp = Blueprint("audit", __name__, url_prefix=f"{TENANT}/audit",
                description="Who changed what, when, with the values before and after")


class AuditEntrySchema(ApiSchema):
    id = fields.Integer(required=True)
    at = fields.DateTime(required=True)
    actor = fields.Nested(UserRefSchema, allow_none=True, metadata={"description": "null: the system"})
    action = fields.String(required=True, metadata={"description": "e.g. project.submit, review.decide, create"})
    entity = fields.String(required=True, metadata={"description": "table, e.g. projects"})
    entity_id = fields.Integer(allow_none=True)
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)


AuditPageSchema = page_schema(AuditEntrySchema, "AuditPageSchema")


class AuditQuerySchema(PageQuery):
    entity = fields.String(validate=validate.Length(min=1, max=64), metadata={"description": "e.g. projects"})
    entity_id = QueryId()


@blp.route("")
class Audit(MethodView):
    @login_required
    @blp.arguments(AuditQuerySchema, location="query")
    @blp.response(200, AuditPageSchema, headers=TOTAL_HEADER)
    @refuses({403: "forbidden"})
    def get(self, query):
        """The audit log, newest first"""
        ctx = context(login=True)
        rows, total = audit_log.entries(ctx, entity=query.get("entity"), entity_id=query.get("entity_id"),
                                        **limit_offset(query))
        ctx.commit()  # the read itself is in the log
        return paged([{"id": e.id, "at": e.at, "actor": user_ref(u), "action": e.action, "entity": e.entity,
                       "entity_id": e.entity_id, "before": e.before, "after": e.after} for e, u in rows], total, query)
