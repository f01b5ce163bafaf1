"""A project's archive, tools and close-out: GET .../projects/<id>/archive (the policies' archive
items, each with what the records show, and the documents added), POST .../archive/documents
(multipart: kind + file), GET .../projects/<id>/tools (each tool of the policies with where it
is done, or not yet available), GET .../projects/<id>/closeout (what closing would release and
what stands in the way, or the close-out once done) and POST .../projects/<id>/closeout."""
from __future__ import annotations

from flask import current_app, url_for
from flask.views import MethodView
from marshmallow import fields

from core.api.base import TENANT, ApiSchema, Blueprint, context, locale, login_required
from core.api.refusals import CALENDAR, LEDGER, POSTING, refuses
from core.api.shapes import ActionsField, UserRefSchema, ViolationSchema, actions, text, user_ref, violations, yuan
from core.door.supervision import CLOSE_PROJECT, UPLOAD_DOCUMENT
from core.models import User
from core.plugin_host.sources import Link
from core.services import archive, closeout
from core.services.supervision import offers, project_for_supervision

blp = Blueprint("closeout", __name__, url_prefix=f"{TENANT}/projects",
                description="A project's archive (档案), tools and close-out (结项)")


def _url(link: Link | None, project_id: int) -> str | None:
    """The web page where the records are made (the API has no page of its own for them)."""
    if link is None:
        return None
    return url_for(link.endpoint, project_id=project_id, _anchor=link.anchor, **link.params)


# -- schemas -------------------------------------------------------------------------------------

class EvidenceSchema(ApiSchema):
    source = fields.String(required=True, metadata={"description": "the record source's key"})
    label = fields.String(required=True)
    found = fields.Boolean(required=True)
    registered = fields.Boolean(required=True, metadata={"description": "false: the platform keeps no such records yet"})
    detail = fields.String(required=True)
    count = fields.Integer(required=True)
    url = fields.String(allow_none=True, metadata={"description": "the web page where these records are made"})


class ArchiveItemSchema(ApiSchema):
    key = fields.String(required=True)
    label = fields.String(required=True)
    clause = fields.String(allow_none=True)
    need = fields.String(required=True, metadata={"enum": ["all", "any"]})
    complete = fields.Boolean(required=True)
    evidence = fields.List(fields.Nested(EvidenceSchema), required=True)


class ArchiveDocumentSchema(ApiSchema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    filename = fields.String(required=True)
    uploaded_at = fields.DateTime(required=True)
    url = fields.String(required=True)


class KindSchema(ApiSchema):
    value = fields.String(required=True)
    label = fields.String(required=True)


class ArchiveSchema(ApiSchema):
    project_id = fields.Integer(required=True)
    complete = fields.Integer(required=True, metadata={"description": "items complete"})
    total = fields.Integer(required=True)
    archive_items = fields.List(fields.Nested(ArchiveItemSchema), required=True, metadata={
        "description": "the items of the policies' archives, in order (bounded by the policies: not paged)"})
    documents = fields.List(fields.Nested(ArchiveDocumentSchema), required=True)
    kinds = fields.List(fields.Nested(KindSchema), required=True, metadata={"description": "what a document may be uploaded as"})
    actions = ActionsField("ArchiveActionSchema", offers.PROJECT_ACTIONS)


class ToolSchema(ApiSchema):
    key = fields.String(required=True)
    number = fields.Integer(required=True)
    label = fields.String(required=True)
    stage = fields.String(required=True)
    note = fields.String(required=True)
    clause = fields.String(allow_none=True)
    available = fields.Boolean(required=True, metadata={"description": "false: not yet available on the platform"})
    url = fields.String(allow_none=True)
    detail = fields.String(allow_none=True, metadata={"description": "what is there so far"})


class ToolsSchema(ApiSchema):
    project_id = fields.Integer(required=True)
    tools = fields.List(fields.Nested(ToolSchema), required=True, metadata={
        "description": "the tools of the policies, in order (bounded by the policies: not paged)"})


class ReleaseSchema(ApiSchema):
    fund_id = fields.Integer(required=True)
    fund = fields.String(required=True)
    amount = fields.String(required=True, metadata={"description": "yuan committed and never paid out"})


class CloseoutRecordSchema(ApiSchema):
    closed_at = fields.DateTime(required=True)
    closed_by = fields.Nested(UserRefSchema, allow_none=True)
    summary = fields.String(required=True)
    committed = fields.String(required=True, metadata={"description": "yuan committed before the release"})
    disbursed = fields.String(required=True)
    spent = fields.String(required=True)
    released = fields.String(required=True, metadata={"description": "yuan released to the funds"})


class CloseoutSchema(ApiSchema):
    project_id = fields.Integer(required=True)
    state = fields.String(required=True)
    committed = fields.String(required=True, metadata={"description": "yuan the approval committed (net of releases)"})
    spent = fields.String(required=True)
    releases = fields.List(fields.Nested(ReleaseSchema), required=True, metadata={"description": "what closing now would release"})
    blockers = fields.List(fields.Nested(ViolationSchema), required=True, metadata={"description": "what stands in the way"})
    closeout = fields.Nested(CloseoutRecordSchema, allow_none=True, metadata={"description": "null until closed"})
    xlsx_url = fields.String(required=True, metadata={"description": "the final accounts (tool 12) as .xlsx"})
    actions = ActionsField("CloseoutActionSchema", offers.PROJECT_ACTIONS)


# -- rendering -------------------------------------------------------------------------------------

def render_archive(ctx, found, lang: str) -> dict:
    pid = found.project.id
    return {
        "project_id": pid, "complete": found.complete, "total": len(found.rows),
        "archive_items": [{"key": r.item.key, "label": r.item.label.render(lang), "clause": text(r.item.clause, lang),
                   "need": r.item.need, "complete": r.complete,
                   "evidence": [{"source": f.evidence.source, "label": f.evidence.label.render(lang), "found": f.finding.found,
                                 "registered": f.finding.registered, "detail": f.finding.detail.render(lang),
                                 "count": f.finding.count, "url": _url(f.finding.link, pid)} for f in r.found]}
                  for r in found.rows],
        "documents": [_document(a) for a in found.documents],
        "kinds": [{"value": k, "label": label.render(lang)} for k, label in found.kinds],
        "actions": actions(offers.project_offers(ctx, found.project), lang),
    }


def _document(att) -> dict:
    return {"id": att.id, "kind": att.kind, "filename": att.filename, "uploaded_at": att.uploaded_at,
            "url": url_for("projects.AttachmentFile", project_id=att.project_id, attachment_id=att.id)}


def render_closeout(ctx, preview, lang: str) -> dict:
    row = preview.closeout
    record = None if row is None else {
        "closed_at": row.closed_at, "closed_by": user_ref(ctx.session.get(User, row.closed_by_id) if row.closed_by_id else None),
        "summary": row.summary, "committed": yuan(row.committed_fen), "disbursed": yuan(row.disbursed_fen),
        "spent": yuan(row.spent_fen), "released": yuan(row.released_fen)}
    return {"project_id": preview.project.id, "state": preview.project.state, "committed": yuan(preview.accounts.committed),
            "spent": yuan(preview.accounts.total.spent),
            "releases": [{"fund_id": f.id, "fund": f.name, "amount": yuan(amount)} for f, amount in preview.releases],
            "blockers": violations(preview.blockers, lang), "closeout": record,
            "xlsx_url": url_for("fund_requests.FinalAccountsWorkbook", project_id=preview.project.id),
            "actions": actions(offers.project_offers(ctx, preview.project, blockers=preview.blockers), lang)}


# -- resources -------------------------------------------------------------------------------------

@blp.route("/<id:project_id>/archive")
class Archive(MethodView):
    @login_required
    @blp.response(200, ArchiveSchema)
    @refuses({403: "forbidden"})
    def get(self, project_id):
        """The project's archive: each item of its policies' archives, complete or missing, from what was recorded"""
        ctx = context(login=True)
        return render_archive(ctx, archive.project_archive(ctx, project_id), locale())


@blp.route("/<id:project_id>/archive/documents")
class ArchiveDocuments(MethodView):
    @login_required
    @blp.arguments(UPLOAD_DOCUMENT.schema, location="multipart")
    @blp.response(201, ArchiveDocumentSchema)
    @refuses({403: "forbidden", 409: "project_not_approved project_closed", 413: "file_too_large", 415: "file_type",
              422: "unknown_archive_kind file_missing file_empty"})
    def post(self, body, project_id):
        """Add a document to the archive (multipart: kind + file; the applicant, after approval)"""
        ctx = context(login=True)
        att = UPLOAD_DOCUMENT(ctx, project_id, **body, storage=current_app.extensions["tongxin"].storage)
        ctx.commit()
        return _document(att)


@blp.route("/<id:project_id>/tools")
class Tools(MethodView):
    @login_required
    @blp.response(200, ToolsSchema)
    @refuses({403: "forbidden"})
    def get(self, project_id):
        """The tools (forms and registers) of the project's policies, each with where it is done"""
        ctx, lang = context(login=True), locale()
        project = project_for_supervision(ctx, project_id)
        return {"project_id": project.id, "tools": [{
            "key": r.tool.key, "number": r.tool.number, "label": r.tool.label.render(lang), "stage": r.tool.stage.render(lang),
            "note": r.tool.note.render(lang), "clause": text(r.tool.clause, lang), "available": r.available,
            "url": _url(r.link, project.id), "detail": text(r.finding.detail, lang) if r.finding else None}
            for r in archive.project_tools(ctx, project)]}


@blp.route("/<id:project_id>/closeout")
class Closeout(MethodView):
    @login_required
    @blp.response(200, CloseoutSchema)
    @refuses({403: "forbidden"})
    def get(self, project_id):
        """What closing the project would release and what stands in the way; the close-out once done"""
        ctx = context(login=True)
        return render_closeout(ctx, closeout.preview(ctx, project_id), locale())

    @login_required
    @blp.arguments(CLOSE_PROJECT.schema)
    @blp.response(201, CloseoutSchema)
    @refuses({403: "forbidden", 409: f"project_closed project_not_approved open_fund_requests unspent_money "
                                     f"open_rectifications change_pending idempotency_conflict {LEDGER}",
              422: f"text_required text_too_short text_too_long {CALENDAR} {POSTING}"})
    def post(self, body, project_id):
        """Close the project (the programme's office): final accounts kept, unspent commitments released to the funds"""
        ctx = context(login=True)
        CLOSE_PROJECT(ctx, project_id, **body)
        ctx.commit()
        return render_closeout(ctx, closeout.preview(ctx, project_id), locale())
