"""Endorsement by an intermediate level: GET .../projects/<id>/endorsements (the history, to
whoever sees the project) and POST .../projects/<id>/endorsement (the applicant's town or
street stamps the application, optionally with a scanned stamp page, or returns it with a
reason the applicant will read). Only where the programme's policy declares the step.

The POST takes JSON, or multipart when a stamp page is uploaded with it."""
from __future__ import annotations

from typing import ClassVar

from flask import current_app, url_for
from flask.views import MethodView
from marshmallow import ValidationError, fields

from core.api.base import (
    TENANT,
    TOTAL_HEADER,
    ApiParser,
    ApiSchema,
    Blueprint,
    PageQuery,
    context,
    limit_offset,
    locale,
    login_required,
    page_schema,
    paged,
)
from core.api.shapes import UnitRefSchema, UserRefSchema, text, unit_ref, user_ref
from core.api.refusals import CALENDAR, refuses
from core.door.applications import ENDORSE, EndorsementJsonSchema
from core.services import endorsement as endorsement_service
from core.services import projects

FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


class JsonOrMultipartParser(ApiParser):
    """One body location read as JSON or as a multipart form, by the request's content type:
    a client that has no file to send keeps to JSON; one that uploads sends multipart."""

    __location_map__: ClassVar[dict] = {**ApiParser.__location_map__, "json_or_multipart": "load_json_or_multipart"}

    def load_json_or_multipart(self, req, schema):
        if req.mimetype in FORM_TYPES:
            return self.load_multipart(req, schema)
        return self.load_json(req, schema)

    def handle_error(self, error, req, schema, *, error_status_code, error_headers):
        # webargs namespaces messages by location; name the field itself, as for any other body.
        messages = error.messages
        if isinstance(messages, dict) and set(messages) == {"json_or_multipart"}:
            error = ValidationError(messages["json_or_multipart"])
        super().handle_error(error, req, schema, error_status_code=error_status_code, error_headers=error_headers)


class EndorsementBlueprint(Blueprint):
    ARGUMENTS_PARSER = JsonOrMultipartParser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING: ClassVar[dict] = {
        **Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING, "json_or_multipart": "multipart/form-data"}


blp = EndorsementBlueprint("endorsements", __name__, url_prefix=f"{TENANT}/projects",
                           description="A town's or street's endorsement (the stamp) before the panel")


# -- schemas -------------------------------------------------------------------------------------

class StampRefSchema(ApiSchema):
    id = fields.Integer(required=True)
    filename = fields.String(required=True)
    url = fields.String(required=True, metadata={"description": "download"})


class EndorsementSchema(ApiSchema):
    id = fields.Integer(required=True)
    outcome = fields.String(required=True, metadata={"enum": list(endorsement_service.OUTCOMES)})
    outcome_label = fields.String(required=True)
    reason = fields.String(required=True, metadata={"description": "required when returned; the applicant reads it"})
    unit = fields.Nested(UnitRefSchema, required=True, metadata={"description": "the endorsing town or street"})
    endorsed_by = fields.Nested(UserRefSchema, required=True)
    endorsed_at = fields.DateTime(required=True)
    stamp = fields.Nested(StampRefSchema, allow_none=True, metadata={"description": "the scanned stamp page, if uploaded"})


EndorsementPageSchema = page_schema(EndorsementSchema, "EndorsementPageSchema")


class EndorsementStepSchema(ApiSchema):
    level = fields.String(required=True, metadata={"description": "the org-unit kind that endorses"})
    label = fields.String(required=True)
    stamp_attachment_kind = fields.String(required=True)
    stamp_required = fields.Boolean(required=True)
    clause = fields.String(allow_none=True)


# -- rendering -----------------------------------------------------------------------------------

def endorsement(e, attachments_by_id: dict, lang: str) -> dict:
    stamp = attachments_by_id.get(e.stamp_attachment_id) if e.stamp_attachment_id else None
    return {
        "id": e.id, "outcome": e.outcome, "outcome_label": text(endorsement_service.OUTCOME_LABELS.get(e.outcome), lang) or e.outcome,
        "reason": e.reason or "", "unit": unit_ref(e.unit, lang), "endorsed_by": user_ref(e.endorsed_by),
        "endorsed_at": e.endorsed_at,
        "stamp": None if stamp is None else {
            "id": stamp.id, "filename": stamp.filename,
            "url": url_for("projects.AttachmentFile", project_id=stamp.project_id, attachment_id=stamp.id)},
    }


def endorsements(ctx, project, lang: str, rows=None) -> list[dict]:
    """``rows``: these endorsements of the project (a page); default: all of them."""
    by_id = {a.id: a for a in project.attachments}
    rows = endorsement_service.endorsements(ctx, project.id) if rows is None else rows
    return [endorsement(e, by_id, lang) for e in rows]


def step(value, lang: str) -> dict | None:
    if value is None:
        return None
    return {"level": value.level, "label": value.label.render(lang), "stamp_attachment_kind": value.stamp_attachment_kind,
            "stamp_required": value.stamp_required, "clause": text(value.clause, lang)}


# -- endpoints -----------------------------------------------------------------------------------

@blp.route("/<id:project_id>/endorsements")
class Endorsements(MethodView):
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, EndorsementPageSchema, headers=TOTAL_HEADER)
    def get(self, query, project_id):
        """The endorsement history of a project, oldest first; the last stands (whoever may see the project)"""
        ctx = context()
        project = projects.get_project(ctx, project_id)
        rows, total = endorsement_service.endorsements_page(ctx, project.id, **limit_offset(query))
        return paged(endorsements(ctx, project, locale(), rows), total, query)


@blp.route("/<id:project_id>/endorsement")
class Endorse(MethodView):
    @login_required
    @blp.arguments(ENDORSE.schema, location="json_or_multipart")
    @blp.doc(requestBody={"content": {"application/json": {"schema": EndorsementJsonSchema}}})
    @blp.response(201, EndorsementSchema)
    @refuses({403: "forbidden", 409: "no_endorsement_step not_awaiting_endorsement", 413: "file_too_large", 415: "file_type", 422: f"invalid_outcome reason_required stamp_required file_empty {CALENDAR}"})
    def post(self, body, project_id):
        """Endorse (stamp) or return a submitted application (administrators of the applicant's town or street)

        JSON, or multipart/form-data with the scanned stamp page as ``stamp``. A return needs a
        reason; the policy may require the stamp page. Outside the phase that allows endorsing,
        the role the phase names may still act, giving ``override_reason``."""
        ctx = context(login=True)
        record = ENDORSE(ctx, project_id, **body, storage=current_app.extensions["tongxin"].storage)
        ctx.commit()
        project = projects.get_project(ctx, project_id)
        return endorsement(record, {a.id: a for a in project.attachments}, locale())
