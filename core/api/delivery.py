"""Carrying an approved project out: its plan, activity records and people registry.

- ``GET/POST .../projects/<id>/plan``: the plan in force, its revisions, the derived progress and
  what the caller may do (``actions``); the team writes the first plan (revision 1, in force at
  once). ``POST .../plan-tasks/<id>/status``: how far a task has come (the team's).
  ``POST .../projects/<id>/plan/revisions``: a revision of the whole plan with its reason (the
  applicant); ``POST .../plan-revisions/<id>/decision``: the programme's office approves or refuses.
- ``GET/POST .../projects/<id>/activities`` (a page; multipart to record one, with its photos and
  sign-in sheet), ``GET .../activities/<id>``, ``GET .../activities/<id>/files/<id>`` (and
  ``/thumbnail``): a public activity's photos for whoever may see the project; a sign-in sheet only
  for those who may read personal data.
- the people registry is ``core.api.people_registry``'s.

Each action's input is its operation's schema in ``core.door.delivery``, which the web's forms are
read with too; refusals name the field and, where a policy has one, its clause."""
from __future__ import annotations

from flask import current_app, send_file
from flask.views import MethodView
from marshmallow import fields

from core.api.base import (TENANT, TOTAL_HEADER, ApiSchema, Blueprint, PageQuery, context, limit_offset, locale,
                           login_required, page_schema, paged)
from core.api.refusals import CALENDAR, refuses
from core.api.shapes import ActionsField, UserRefSchema, actions, text, user_ref, yuan
from core.door import delivery as door
from core.i18n import T
from core.models import TaskStatus, User
from core.models.delivery import TASK_STATUS_LABELS
from core.permissions import A
from core.services.delivery import activities, plan, progress
from core.services.delivery.common import hours_text
from core.services.delivery_actions import ACTIONS, delivery_offers
from core.services.projects import get_project
from core.violations import NotFound

blp = Blueprint("delivery", __name__, url_prefix=TENANT,
                description="An approved project's plan, activity records and people registry")
OPEN = "project_not_open"
PERIOD = "outside_period"


# -- the plan ------------------------------------------------------------------------------------

class PlanTaskSchema(ApiSchema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    owner = fields.String(required=True)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    status = fields.String(required=True, metadata={"enum": [s.value for s in TaskStatus]})
    status_label = fields.String(required=True)


class RevisionTaskSchema(ApiSchema):
    task_id = fields.Integer(allow_none=True, metadata={"description": "null: a task this revision adds"})
    title = fields.String(required=True)
    owner = fields.String(required=True)
    starts_on = fields.String(required=True, metadata={"format": "date"})
    ends_on = fields.String(required=True, metadata={"format": "date"})
    status = fields.String(required=True)


class PlanRevisionSchema(ApiSchema):
    id = fields.Integer(required=True)
    project_id = fields.Integer(required=True)
    number = fields.Integer(required=True, metadata={"description": "1: the plan the team wrote first"})
    status = fields.String(required=True, metadata={"enum": list(plan.REVISION_STATUS_LABELS)})
    status_label = fields.String(required=True)
    reason = fields.String(required=True)
    tasks = fields.List(fields.Nested(RevisionTaskSchema), required=True,
                        metadata={"description": "the whole plan as it stands (pending: as proposed) after this revision"})
    requested_by = fields.Nested(UserRefSchema, allow_none=True)
    requested_at = fields.DateTime(required=True)
    decided_by = fields.Nested(UserRefSchema, allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    decision_reason = fields.String(required=True)


class ProgressSchema(ApiSchema):
    tasks = fields.Integer(required=True, metadata={"description": "tasks of the plan, dropped ones left out"})
    tasks_done = fields.Integer(required=True)
    tasks_in_progress = fields.Integer(required=True)
    tasks_dropped = fields.Integer(required=True)
    committed = fields.String(required=True, metadata={"description": "yuan committed to the project (the ledger)"})
    disbursed = fields.String(required=True)
    spent = fields.String(required=True)
    activities = fields.Integer(required=True)
    public_activities = fields.Integer(required=True)
    participants = fields.Integer(required=True)
    volunteer_hours = fields.String(required=True, metadata={"description": "hours, e.g. '12.5'"})
    people = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True,
                         metadata={"description": "registered people by role"})


class PlanSchema(ApiSchema):
    project_id = fields.Integer(required=True)
    tasks = fields.List(fields.Nested(PlanTaskSchema), required=True)
    revisions = fields.List(fields.Nested(PlanRevisionSchema), required=True)
    progress = fields.Nested(ProgressSchema, required=True,
                             metadata={"description": "derived from the records and the ledger, never typed in"})
    actions = ActionsField("DeliveryActionSchema", ACTIONS)


def _user(ctx, user_id):
    return user_ref(ctx.session.get(User, user_id)) if user_id else None


def task_shape(task, lang: str) -> dict:
    return {"id": task.id, "title": task.title, "owner": task.owner, "starts_on": task.starts_on,
            "ends_on": task.ends_on, "status": task.status, "status_label": TASK_STATUS_LABELS[TaskStatus(task.status)].render(lang)}


def revision_shape(ctx, r, lang: str) -> dict:
    return {"id": r.id, "project_id": r.project_id, "number": r.number, "status": r.status,
            "status_label": text(plan.REVISION_STATUS_LABELS.get(r.status), lang) or r.status, "reason": r.reason,
            "tasks": list(r.tasks or []), "requested_by": _user(ctx, r.requested_by_id), "requested_at": r.requested_at,
            "decided_by": _user(ctx, r.decided_by_id), "decided_at": r.decided_at, "decision_reason": r.decision_reason or ""}


def progress_shape(p) -> dict:
    return {"tasks": p.tasks, "tasks_done": p.tasks_done, "tasks_in_progress": p.tasks_in_progress,
            "tasks_dropped": p.tasks_dropped, "committed": yuan(p.committed_fen), "disbursed": yuan(p.disbursed_fen),
            "spent": yuan(p.spent_fen), "activities": p.activities, "public_activities": p.public_activities,
            "participants": p.participants, "volunteer_hours": hours_text(p.volunteer_tenths), "people": p.people}


def plan_shape(ctx, project_id: int) -> dict:
    lang = locale()
    project, tasks, history = plan.project_plan(ctx, project_id)
    return {"project_id": project.id, "tasks": [task_shape(t, lang) for t in tasks],
            "revisions": [revision_shape(ctx, r, lang) for r in history],
            "progress": progress_shape(progress.progress(ctx, project)),
            "actions": actions(delivery_offers(ctx, project, revisions=history), lang)}


PLAN_CODES = f"{PERIOD} plan_empty too_many_tasks task_ends_before_start unknown_task dropped_in_new_plan"


@blp.route("/projects/<id:project_id>/plan")
class Plan(MethodView):
    @login_required
    @blp.response(200, PlanSchema)
    @refuses({403: "forbidden"})
    def get(self, project_id):
        """The project's plan, its revisions and its derived progress (whoever may see its records)"""
        return plan_shape(context(login=True), project_id)

    @login_required
    @blp.arguments(door.SET_PLAN.schema)
    @blp.response(201, PlanSchema)
    @refuses({403: "forbidden", 409: f"{OPEN} plan_exists", 422: f"{PLAN_CODES} {CALENDAR}"})
    def post(self, body, project_id):
        """Write the project's first plan, in force at once (the applicant's team, once the project is approved)"""
        ctx = context(login=True)
        door.SET_PLAN(ctx, project_id, **body)
        ctx.commit()
        return plan_shape(ctx, project_id)


@blp.route("/plan-tasks/<id:task_id>/status")
class TaskStatusResource(MethodView):
    @login_required
    @blp.arguments(door.TASK_STATUS.schema)
    @blp.response(200, PlanTaskSchema)
    @refuses({403: "forbidden", 409: f"{OPEN} task_dropped", 422: f"invalid_status {CALENDAR}"})
    def post(self, body, task_id):
        """How far a task has come: planned, in progress or done (the team; dropping one is a revision)"""
        ctx = context(login=True)
        task = door.TASK_STATUS(ctx, task_id, **body)
        ctx.commit()
        return task_shape(task, locale())


@blp.route("/projects/<id:project_id>/plan/revisions")
class Revisions(MethodView):
    @login_required
    @blp.arguments(door.REVISE_PLAN.schema)
    @blp.response(201, PlanRevisionSchema)
    @refuses({403: "forbidden", 409: f"{OPEN} plan_missing revision_pending",
              422: f"{PLAN_CODES} task_missing reason_required nothing_to_change"})
    def post(self, body, project_id):
        """Request a revision: the whole plan as it should stand, with the reason (the applicant)"""
        ctx = context(login=True)
        revision = door.REVISE_PLAN(ctx, project_id, **body)
        ctx.commit()
        return revision_shape(ctx, revision, locale())


@blp.route("/plan-revisions/<id:revision_id>/decision")
class RevisionDecision(MethodView):
    @login_required
    @blp.arguments(door.DECIDE_REVISION.schema)
    @blp.response(201, PlanRevisionSchema)
    @refuses({403: "forbidden", 409: f"{OPEN} revision_decided", 422: "reason_required"})
    def post(self, body, revision_id):
        """Approve (the proposed plan is in force) or refuse (with a reason) a revision (the programme's office)"""
        ctx = context(login=True)
        revision = door.DECIDE_REVISION(ctx, revision_id, **body)
        ctx.commit()
        return revision_shape(ctx, revision, locale())


# -- activity records ------------------------------------------------------------------------------

class ActivityFileSchema(ApiSchema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"enum": ["photo", "sign_in"]})
    filename = fields.String(required=True)
    content_type = fields.String(required=True)
    size = fields.Integer(required=True)
    width = fields.Integer(allow_none=True)
    height = fields.Integer(allow_none=True)


class ParticipantSchema(ApiSchema):
    name = fields.String(required=True)
    person_id = fields.Integer(allow_none=True, metadata={"description": "the registry's person, where the name is one"})
    volunteer_hours = fields.String(required=True)


class ActivitySchema(ApiSchema):
    id = fields.Integer(required=True)
    project_id = fields.Integer(required=True)
    held_on = fields.Date(required=True)
    place = fields.String(required=True)
    content = fields.String(required=True)
    plan_task_id = fields.Integer(allow_none=True)
    no_task_reason = fields.String(required=True)
    participant_count = fields.Integer(required=True)
    volunteer_hours = fields.String(required=True)
    public = fields.Boolean(required=True, metadata={"description": "may be shown to the public"})
    participants = fields.List(fields.Nested(ParticipantSchema), required=True,
                               metadata={"description": "empty for whoever may not see the registry"})
    files = fields.List(fields.Nested(ActivityFileSchema), required=True)
    created_at = fields.DateTime(required=True)


ActivityPageSchema = page_schema(ActivitySchema, "ActivityPageSchema")


def activity_shape(ctx, record, insider: bool | None = None) -> dict:
    """``insider``: the caller may see the project's records (names and sign-in sheets); asked
    when not given (a list's caller has been asked once already)."""
    if insider is None:
        insider = ctx.can(A.delivery_view, get_project(ctx, record.project_id)).allowed
    return {"id": record.id, "project_id": record.project_id, "held_on": record.held_on, "place": record.place,
            "content": record.content, "plan_task_id": record.plan_task_id, "no_task_reason": record.no_task_reason,
            "participant_count": record.participant_count, "volunteer_hours": hours_text(record.volunteer_tenths),
            "public": record.public, "created_at": record.created_at,
            "participants": [{"name": p.name, "person_id": p.person_id, "volunteer_hours": hours_text(p.volunteer_tenths)}
                             for p in record.participants] if insider else [],
            "files": [{"id": f.id, "kind": f.kind, "filename": f.filename, "content_type": f.content_type, "size": f.size,
                       "width": f.width, "height": f.height} for f in record.files if insider or f.kind == "photo"]}


ACTIVITY_CODES = (f"{PERIOD} place_required content_required activity_in_future unknown_task task_dropped task_or_reason "
                  "invalid_participant invalid_hours unknown_person ambiguous_person too_many_names count_below_names "
                  "sign_in_required hours_below_names too_many_photos file_empty")


@blp.route("/projects/<id:project_id>/activities")
class Activities(MethodView):
    @login_required
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, ActivityPageSchema, headers=TOTAL_HEADER)
    @refuses({403: "forbidden"})
    def get(self, query, project_id):
        """The project's activity records, latest first (whoever may see its records)"""
        ctx = context(login=True)
        rows, total = activities.activities_page(ctx, project_id, **limit_offset(query))
        return paged([activity_shape(ctx, r, insider=True) for r in rows], total, query)

    @login_required
    @blp.arguments(door.RECORD_ACTIVITY.schema, location="multipart")
    @blp.response(201, ActivitySchema)
    @refuses({403: "forbidden", 409: OPEN, 413: "file_too_large image_too_large", 415: "file_type image_unreadable",
              422: f"{ACTIVITY_CODES} {CALENDAR}"})
    def post(self, body, project_id):
        """Record an activity held (multipart: its fields, its photos and its sign-in sheet; the team)"""
        ctx = context(login=True)
        record = door.RECORD_ACTIVITY(ctx, project_id, storage=current_app.extensions["tongxin"].storage, **body)
        ctx.commit()
        return activity_shape(ctx, record, insider=True)


@blp.route("/activities/<id:activity_id>")
class Activity(MethodView):
    @blp.response(200, ActivitySchema)
    def get(self, activity_id):
        """One activity record: a public one for whoever may see the project, any for whoever may see its records"""
        ctx = context()
        return activity_shape(ctx, activities.get_activity(ctx, activity_id))


def _send(ctx, activity_id: int, file_id: int, thumbnail: bool):
    found = activities.activity_file(ctx, activity_id, file_id)
    key = found.thumb_key if thumbnail else found.storage_key
    path = current_app.extensions["tongxin"].storage.path(key) if key else None
    if path is None or not path.is_file():
        raise NotFound(T("活动文件", "activity file"), field="file_id")
    response = send_file(path, mimetype="image/jpeg" if thumbnail else found.content_type,
                         as_attachment=not thumbnail and found.kind == "sign_in", download_name=found.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


FILE_TYPES = {kind: {"schema": {"type": "string", "format": "binary"}} for kind in activities.SHEET_TYPES}


@blp.route("/activities/<id:activity_id>/files/<id:file_id>")
class ActivityFileResource(MethodView):
    @blp.doc(responses={"200": {"description": "the stored file (a photo without its metadata)", "content": FILE_TYPES}})
    @refuses({403: "forbidden"})
    def get(self, activity_id, file_id):
        """A photo or sign-in sheet of an activity (a sign-in sheet only for those who may read personal data)"""
        return _send(context(), activity_id, file_id, thumbnail=False)


@blp.route("/activities/<id:activity_id>/files/<id:file_id>/thumbnail")
class ActivityThumbnail(MethodView):
    @blp.doc(responses={"200": {"description": "a JPEG thumbnail", "content": {
        "image/jpeg": {"schema": {"type": "string", "format": "binary"}}}}})
    @refuses({403: "forbidden"})
    def get(self, activity_id, file_id):
        """A photo's thumbnail (a PDF sign-in sheet has none: 404)"""
        return _send(context(), activity_id, file_id, thumbnail=True)
