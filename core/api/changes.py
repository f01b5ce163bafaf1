"""Change requests (项目变更) on approved projects: GET/POST .../projects/<id>/change-requests
(the applicant files one: a reason plus the proposed type and forms) and
POST .../change-requests/<id>/decision (the programme's administrators approve or refuse it).

Nothing about the project changes until a request is approved; the policy may refuse a
request outright (e.g. swapping one project for another), citing its clause."""
from __future__ import annotations

from flask.views import MethodView
from marshmallow import fields

from core.api.base import (
    TENANT,
    TOTAL_HEADER,
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
from core.api.shapes import UserRefSchema, text, user_ref
from core.api.refusals import POLICY, refuses
from core.models import User
from core.services import changes as change_service
from core.services import projects
from core.services.programmes import policy_of
from core.door.applications import DECIDE_CHANGE, REQUEST_CHANGE

blp = Blueprint("changes", __name__, url_prefix=TENANT,
                description="Recorded changes to approved projects, decided by the programme's administrators")


class ChangeRequestSchema(ApiSchema):
    id = fields.Integer(required=True)
    project_id = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"enum": list(change_service.STATUS_LABELS)})
    status_label = fields.String(required=True)
    reason = fields.String(required=True)
    proposed_track = fields.String(allow_none=True, metadata={"description": "null: the type stays"})
    proposed_track_label = fields.String(allow_none=True)
    proposed_forms = fields.Dict(required=True, metadata={"description": "form key → the proposed data (validated)"})
    requested_by = fields.Nested(UserRefSchema, required=True)
    requested_at = fields.DateTime(required=True)
    decided_by = fields.Nested(UserRefSchema, allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    decision_reason = fields.String(required=True)


ChangeRequestPageSchema = page_schema(ChangeRequestSchema, "ChangeRequestPageSchema")


def change_request(ctx, cr, lang: str, project=None) -> dict:
    project = project or projects.get_project(ctx, cr.project_id)
    track_label = None
    if cr.proposed_track:
        policy, config = policy_of(ctx, project.programme)
        track = policy.track(config, cr.proposed_track)
        track_label = track.label.render(lang) if track else cr.proposed_track
    return {
        "id": cr.id, "project_id": cr.project_id, "status": cr.status,
        "status_label": text(change_service.STATUS_LABELS.get(cr.status), lang) or cr.status,
        "reason": cr.reason, "proposed_track": cr.proposed_track, "proposed_track_label": track_label,
        "proposed_forms": dict(cr.proposed_forms or {}),
        "requested_by": user_ref(_user(ctx, cr.requested_by_id)), "requested_at": cr.requested_at,
        "decided_by": user_ref(_user(ctx, cr.decided_by_id)),
        "decided_at": cr.decided_at, "decision_reason": cr.decision_reason or "",
    }


def _user(ctx, user_id: int | None) -> User | None:
    # The session's identity map answers repeated look-ups of the same people.
    return ctx.session.get(User, user_id) if user_id else None


def change_requests(ctx, project, lang: str, rows=None) -> list[dict]:
    """``rows``: these change requests of the project (a page); default: all of them."""
    rows = change_service.change_requests(ctx, project.id) if rows is None else rows
    return [change_request(ctx, cr, lang, project) for cr in rows]


@blp.route("/projects/<id:project_id>/change-requests")
class ChangeRequests(MethodView):
    @login_required
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, ChangeRequestPageSchema, headers=TOTAL_HEADER)
    def get(self, query, project_id):
        """A project's change requests, oldest first (whoever may see the project, signed in)"""
        ctx = context(login=True)
        project = projects.get_project(ctx, project_id)
        rows, total = change_service.change_requests_page(ctx, project.id, **limit_offset(query))
        return paged(change_requests(ctx, project, locale(), rows), total, query)

    @login_required
    @blp.arguments(REQUEST_CHANGE.schema)
    @blp.response(201, ChangeRequestSchema)
    @refuses({403: "forbidden", 409: "not_changeable change_pending project_closed", 422: "unknown_track unknown_form reason_required nothing_to_change invalid_field " + POLICY})
    def post(self, body, project_id):
        """Request a change to an approved project: a reason and the proposed type and forms (the applicant)"""
        ctx = context(login=True)
        cr = REQUEST_CHANGE(ctx, project_id, **body)
        ctx.commit()
        return change_request(ctx, cr, locale())


@blp.route("/change-requests/<id:change_id>/decision")
class ChangeDecision(MethodView):
    @login_required
    @blp.arguments(DECIDE_CHANGE.schema)
    @blp.response(201, ChangeRequestSchema)
    @refuses({403: "forbidden", 409: "change_decided", 422: "reason_required " + POLICY})
    def post(self, body, change_id):
        """Approve (the change is applied) or refuse (with a reason) a change request (the programme's administrators)"""
        ctx = context(login=True)
        cr = DECIDE_CHANGE(ctx, change_id, **body)
        ctx.commit()
        return change_request(ctx, cr, locale())
