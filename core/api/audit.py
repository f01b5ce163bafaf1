"""GET .../audit: the tenant's append-only log of changes (administrators only), narrowed by
unit, person, kind of thing, action and Shanghai days; every read is recorded in the log
itself (``audit.read``). GET .../audit/export.xlsx: what the same filter shows, as a workbook in the
reader's language (recorded as ``audit.export``).

Each entry keeps its stored values (``before`` / ``after``, column by column) and its time in
ISO 8601 with its offset, and says the same in words beside them (``action_label``,
``entity_label``, ``changes``), as the audit page shows it."""
from __future__ import annotations

import io

from flask import send_file
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
    locale,
    login_required,
    page_schema,
    paged,
)
from core.api.refusals import refuses
from core.api.shapes import UserRefSchema, user_ref
from core.documents import audit_log as audit_document
from core.services import audit_log, audit_view
from core.services.spreadsheets import XLSX_MIMETYPE

blp = Blueprint("audit", __name__, url_prefix=f"{TENANT}/audit",
                description="Who changed what, when, with the values before and after")
XLSX_RESPONSE = {"200": {"description": "an Excel workbook (.xlsx)", "content": {
    XLSX_MIMETYPE: {"schema": {"type": "string", "format": "binary"}}}}}


class ChangeSchema(ApiSchema):
    label = fields.String(required=True, metadata={"description": "the field, in the reader's language"})
    before = fields.String(allow_none=True, metadata={"description": "null: a creation, or a document that changed"})
    after = fields.String(allow_none=True, metadata={"description": "null: a deletion"})


class AuditEntrySchema(ApiSchema):
    id = fields.Integer(required=True)
    at = fields.DateTime(required=True)
    actor = fields.Nested(UserRefSchema, allow_none=True, metadata={"description": "null: the system"})
    action = fields.String(required=True, metadata={"description": "e.g. project.submit, review.decide, create"})
    action_label = fields.String(required=True, metadata={"description": "the action in words, e.g. 提交申报"})
    entity = fields.String(required=True, metadata={"description": "table, e.g. projects"})
    entity_label = fields.String(required=True, metadata={"description": "the thing in words, e.g. 项目「口袋花园」"})
    entity_id = fields.Integer(allow_none=True)
    org_unit_id = fields.Integer(allow_none=True, metadata={"description": "the unit the entry is about; null: tenant-wide"})
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)
    changes = fields.List(fields.Nested(ChangeSchema), required=True,
                          metadata={"description": "the change in words, internal fields left out"})


AuditPageSchema = page_schema(AuditEntrySchema, "AuditPageSchema")


class AuditFilterSchema(ApiSchema):
    entity = fields.String(validate=validate.Length(min=1, max=64), metadata={"description": "e.g. projects"})
    entity_id = QueryId()
    unit_id = QueryId(metadata={"description": "entries about this unit and the units below it"})
    actor_id = QueryId(metadata={"description": "entries of this person's actions"})
    action = fields.String(validate=validate.Length(min=1, max=64), metadata={"description": "e.g. project.submit"})
    since = fields.Date(metadata={"description": "from this day (Asia/Shanghai), included"})
    until = fields.Date(metadata={"description": "to this day (Asia/Shanghai), included"})


class AuditQuerySchema(PageQuery, AuditFilterSchema):
    pass


def _filter(query: dict) -> audit_log.AuditFilter:
    return audit_log.AuditFilter(**{k: query.get(k) for k in
                                    ("entity", "entity_id", "unit_id", "actor_id", "action", "since", "until")})


@blp.route("")
class Audit(MethodView):
    @login_required
    @blp.arguments(AuditQuerySchema, location="query")
    @blp.response(200, AuditPageSchema, headers=TOTAL_HEADER)
    @refuses({403: "forbidden", 422: "date_range_reversed"})
    def get(self, query):
        """The audit log, newest first"""
        ctx = context(login=True)
        rows, total = audit_log.entries(ctx, _filter(query), **limit_offset(query))
        views = audit_view.present(ctx, rows, locale())
        ctx.commit()  # the read itself is in the log
        return paged([{"id": e.id, "at": e.at, "actor": user_ref(u), "action": e.action, "action_label": v.action,
                       "entity": e.entity, "entity_label": v.thing, "entity_id": e.entity_id,
                       "org_unit_id": e.org_unit_id, "before": e.before, "after": e.after,
                       "changes": [c.__dict__ for c in v.changes]}
                      for (e, u), v in zip(rows, views)], total, query)


@blp.route("/export.xlsx")
class AuditWorkbook(MethodView):
    @login_required
    @blp.arguments(AuditFilterSchema, location="query")
    @blp.doc(responses=XLSX_RESPONSE)
    @refuses({403: "forbidden", 422: "date_range_reversed"})
    def get(self, query):
        """What the filter shows (at most 10,000 entries, newest first) as .xlsx; the export is recorded in the log"""
        ctx = context(login=True)
        rows, total = audit_log.for_export(ctx, _filter(query))
        data = audit_document.workbook(audit_view.present(ctx, rows, locale()), total, locale())
        ctx.commit()
        return send_file(io.BytesIO(data), mimetype=XLSX_MIMETYPE, as_attachment=True,
                         download_name="audit-log.xlsx")

