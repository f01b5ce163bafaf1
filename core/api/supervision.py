"""Supervision of approved projects: GET .../supervision/projects (the projects whose supervision
the caller sees: an office its units', a commissioned organisation only those assigned to it),
GET .../projects/<id>/supervision (the checklists that apply, who is assigned, the visits and
rectifications, what the caller may do), POST .../projects/<id>/supervision/assignments (and
.../assignments/end), POST .../projects/<id>/supervision/visits, and the rectification's
POST .../rectifications/<id>/report (the owner) and .../acceptance (the office)."""
from __future__ import annotations

from flask.views import MethodView
from marshmallow import fields

from core.api.base import (TENANT, TOTAL_HEADER, ApiSchema, Blueprint, PageQuery, context, limit_offset, locale,
                           login_required, page_schema, paged)
from core.api.refusals import CALENDAR, refuses
from core.api.shapes import ActionsField, UnitRefSchema, UserRefSchema, actions, text, unit_ref, user_ref
from core.door.supervision import (ACCEPT_RECTIFICATION, ASSIGN, RECORD_VISIT, REPORT_RECTIFICATION, UNASSIGN)
from core.models import User
from core.models.supervision import Answer, VisitKind, VisitMethod
from core.permissions import A
from core.services import supervision
from core.services.supervision import offers

blp = Blueprint("supervision", __name__, url_prefix=TENANT,
                description="Supervision visits (中期督导, 跟踪调研), commissioned organisations and rectifications (整改)")

VISIT_CODES = ("text_required text_too_short text_too_long date_in_future before_approval unknown_checklist_item "
               "duplicate_checklist_item note_required checklist_incomplete due_required invalid_due_date")


# -- schemas -------------------------------------------------------------------------------------

class ChecklistItemSchema(ApiSchema):
    key = fields.String(required=True)
    label = fields.String(required=True)
    clause = fields.String(allow_none=True, metadata={"description": "the clause of the policy it comes from"})
    help = fields.String(allow_none=True)


class ChecklistSchema(ApiSchema):
    policy = fields.String(required=True, metadata={"description": "the policy whose checklist it is (policies stack)"})
    title = fields.String(required=True)
    clause = fields.String(allow_none=True)
    items = fields.List(fields.Nested(ChecklistItemSchema), required=True)


class AnswerSchema(ApiSchema):
    item = fields.String(required=True)
    policy = fields.String(required=True)
    label = fields.String(required=True, metadata={"description": "the item as it was asked"})
    clause = fields.String(allow_none=True)
    answer = fields.String(required=True, metadata={"enum": [a.value for a in Answer]})
    answer_label = fields.String(required=True)
    note = fields.String(required=True)


class RectificationSchema(ApiSchema):
    id = fields.Integer(required=True)
    project_id = fields.Integer(required=True)
    visit_id = fields.Integer(required=True)
    item = fields.String(allow_none=True, metadata={"description": "the checklist item it follows from"})
    description = fields.String(required=True)
    owner_unit = fields.Nested(UnitRefSchema, required=True, metadata={"description": "the applicant unit, who puts it right"})
    due_on = fields.Date(required=True)
    overdue = fields.Boolean(required=True)
    state = fields.String(required=True, metadata={"enum": ["open", "reported", "closed"]})
    state_label = fields.String(required=True)
    report = fields.String(required=True)
    reported_at = fields.DateTime(allow_none=True)
    returned_reason = fields.String(required=True, metadata={"description": "the office's reason when it last returned a report"})
    times_returned = fields.Integer(required=True)
    closed_at = fields.DateTime(allow_none=True)
    acceptance_note = fields.String(required=True)
    actions = ActionsField("RectificationActionSchema", offers.RECTIFICATION_ACTIONS)


class VisitSchema(ApiSchema):
    id = fields.Integer(required=True)
    project_id = fields.Integer(required=True)
    visited_on = fields.Date(required=True)
    kind = fields.String(required=True, metadata={"enum": [k.value for k in VisitKind]})
    kind_label = fields.String(required=True)
    method = fields.String(required=True, metadata={"enum": [m.value for m in VisitMethod]})
    method_label = fields.String(required=True)
    visitors = fields.String(required=True)
    observed = fields.String(required=True)
    advice = fields.String(required=True)
    recorder_role = fields.String(required=True, metadata={"description": "the role the recorder supervised as"})
    recorded_by = fields.Nested(UserRefSchema, allow_none=True)
    recorded_at = fields.DateTime(required=True)
    checklist = fields.List(fields.Nested(AnswerSchema), required=True)
    rectifications = fields.List(fields.Nested(RectificationSchema), required=True)


class AssigneeSchema(ApiSchema):
    project_id = fields.Integer(required=True)
    user = fields.Nested(UserRefSchema, required=True)
    assigned_at = fields.DateTime(required=True)
    ended_at = fields.DateTime(allow_none=True)


class SupervisionSchema(ApiSchema):
    project_id = fields.Integer(required=True)
    title = fields.String(required=True)
    state = fields.String(required=True)
    checklists = fields.List(fields.Nested(ChecklistSchema), required=True)
    assignees = fields.List(fields.Nested(AssigneeSchema), required=True)
    candidates = fields.List(fields.Nested(UserRefSchema), required=True, metadata={
        "description": "logins the caller could assign (empty unless the caller assigns)"})
    visits = fields.List(fields.Nested(VisitSchema), required=True, metadata={"description": "newest first"})
    rectifications = fields.List(fields.Nested(RectificationSchema), required=True, metadata={"description": "oldest first"})
    actions = ActionsField("SupervisionActionSchema", offers.PROJECT_ACTIONS)


class SupervisedProjectSchema(ApiSchema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    state = fields.String(required=True)
    applicant_unit = fields.Nested(UnitRefSchema, required=True)
    programme_id = fields.Integer(required=True)
    visits = fields.Integer(required=True)
    last_visit = fields.Date(allow_none=True)
    open_rectifications = fields.Integer(required=True)
    overdue = fields.Integer(required=True, metadata={"description": "open rectifications past their due date"})


SupervisedProjectPageSchema = page_schema(SupervisedProjectSchema, "SupervisedProjectPageSchema")


# -- rendering -----------------------------------------------------------------------------------

def _t(doc: dict | None, lang: str) -> str | None:
    return None if doc is None else (doc.get("en") or doc.get("zh") if lang == "en" else doc.get("zh"))


def render_rectification(ctx, row, project, lang: str) -> dict:
    return {"id": row.id, "project_id": row.project_id, "visit_id": row.visit_id, "item": row.item,
            "description": row.description, "owner_unit": unit_ref(row.owner_unit, lang), "due_on": row.due_on,
            "overdue": supervision.is_overdue(ctx, row), "state": row.state, "state_label": row.state_enum.label.render(lang),
            "report": row.report, "reported_at": row.reported_at, "returned_reason": row.returned_reason,
            "times_returned": row.times_returned, "closed_at": row.closed_at, "acceptance_note": row.acceptance_note,
            "actions": actions(offers.rectification_offers(ctx, row, project), lang)}


def render_visit(ctx, visit, project, lang: str) -> dict:
    return {"id": visit.id, "project_id": visit.project_id, "visited_on": visit.visited_on, "kind": visit.kind,
            "kind_label": VisitKind(visit.kind).label.render(lang), "method": visit.method,
            "method_label": VisitMethod(visit.method).label.render(lang), "visitors": visit.visitors,
            "observed": visit.observed, "advice": visit.advice, "recorder_role": visit.recorder_role,
            "recorded_by": user_ref(ctx.session.get(User, visit.recorded_by_id) if visit.recorded_by_id else None),
            "recorded_at": visit.recorded_at,
            "checklist": [{"item": a["item"], "policy": a.get("policy", ""), "label": _t(a.get("label"), lang) or a["item"],
                           "clause": _t(a.get("clause"), lang), "answer": a["answer"],
                           "answer_label": Answer(a["answer"]).label.render(lang), "note": a.get("note", "")}
                          for a in visit.checklist or []],
            "rectifications": [render_rectification(ctx, r, project, lang) for r in visit.rectifications]}


def _assignee(assignment, user) -> dict:
    return {"project_id": assignment.project_id, "user": user_ref(user), "assigned_at": assignment.assigned_at,
            "ended_at": assignment.ended_at}


def render_supervision(ctx, project, lang: str) -> dict:
    found = supervision.checklists(ctx, project)
    may_assign = ctx.can(A.supervision_assign, project).allowed
    return {
        "project_id": project.id, "title": project.title, "state": project.state,
        "checklists": [{"policy": c.policy, "title": c.title.render(lang), "clause": text(c.clause, lang),
                        "items": [{"key": i.key, "label": i.label.render(lang), "clause": text(i.clause, lang),
                                   "help": text(i.help, lang) or None} for i in c.items]} for c in found],
        "assignees": [_assignee(a, u) for a, u in supervision.assignees(ctx, project)],
        "candidates": [user_ref(u) for u in supervision.candidates(ctx, project)] if may_assign else [],
        "visits": [render_visit(ctx, v, project, lang) for v in supervision.visits(ctx, project)],
        "rectifications": [render_rectification(ctx, r, project, lang) for r in supervision.rectifications(ctx, project)],
        "actions": actions(offers.project_offers(ctx, project), lang),
    }


# -- resources -------------------------------------------------------------------------------------

@blp.route("/supervision/projects")
class SupervisedProjects(MethodView):
    @login_required
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, SupervisedProjectPageSchema, headers=TOTAL_HEADER)
    def get(self, query):
        """Approved and closed projects whose supervision the caller sees (a commissioned organisation: only those assigned to it)"""
        ctx, lang = context(login=True), locale()
        rows, total = supervision.supervised_projects(ctx, **limit_offset(query))
        progress = supervision.progress(ctx, [p.id for p in rows])
        items = [{"id": p.id, "title": p.title, "state": p.state, "applicant_unit": unit_ref(p.applicant_unit, lang),
                  "programme_id": p.programme_id, "visits": progress[p.id].visits, "last_visit": progress[p.id].last_visit,
                  "open_rectifications": progress[p.id].open_rectifications, "overdue": progress[p.id].overdue}
                 for p in rows]
        return paged(items, total, query)


@blp.route("/projects/<id:project_id>/supervision")
class ProjectSupervision(MethodView):
    @login_required
    @blp.response(200, SupervisionSchema)
    @refuses({403: "forbidden"})
    def get(self, project_id):
        """A project's supervision: the checklists that apply, assignments, visits and rectifications"""
        ctx = context(login=True)
        return render_supervision(ctx, supervision.project_for_supervision(ctx, project_id), locale())


@blp.route("/projects/<id:project_id>/supervision/assignments")
class Assignments(MethodView):
    @login_required
    @blp.arguments(ASSIGN.schema)
    @blp.response(201, AssigneeSchema)
    @refuses({403: "forbidden", 409: "project_not_approved", 422: "not_commissioned"})
    def post(self, body, project_id):
        """Assign the project to a commissioned organisation's login (the street office)"""
        ctx = context(login=True)
        row = ASSIGN(ctx, project_id, **body)
        ctx.commit()
        return _assignee(row, ctx.session.get(User, row.user_id))


@blp.route("/projects/<id:project_id>/supervision/assignments/end")
class EndAssignment(MethodView):
    @login_required
    @blp.arguments(UNASSIGN.schema)
    @blp.response(200, AssigneeSchema)
    @refuses({403: "forbidden"})
    def post(self, body, project_id):
        """End an organisation's assignment: it no longer sees the project (its visits stay)"""
        ctx = context(login=True)
        row = UNASSIGN(ctx, project_id, **body)
        ctx.commit()
        return _assignee(row, ctx.session.get(User, row.user_id))


@blp.route("/projects/<id:project_id>/supervision/visits")
class Visits(MethodView):
    @login_required
    @blp.arguments(RECORD_VISIT.schema)
    @blp.response(201, VisitSchema)
    @refuses({403: "forbidden", 409: "project_not_approved project_closed", 422: f"{VISIT_CODES} {CALENDAR}"})
    def post(self, body, project_id):
        """Record a supervision visit with its checklist answers and the rectifications it opens (the office, or the organisation assigned)"""
        ctx = context(login=True)
        visit = RECORD_VISIT(ctx, project_id, **body)
        ctx.commit()
        return render_visit(ctx, visit, supervision.project_for_supervision(ctx, project_id), locale())


@blp.route("/rectifications/<id:rectification_id>/report")
class RectificationReport(MethodView):
    @login_required
    @blp.arguments(REPORT_RECTIFICATION.schema)
    @blp.response(200, RectificationSchema)
    @refuses({403: "forbidden", 409: "wrong_state project_closed", 422: "text_required text_too_short text_too_long"})
    def post(self, body, rectification_id):
        """Report what was done to put a rectification right (its owner, the applicant unit)"""
        ctx = context(login=True)
        row = REPORT_RECTIFICATION(ctx, rectification_id, **body)
        ctx.commit()
        return render_rectification(ctx, row, supervision.project_for_supervision(ctx, row.project_id), locale())


@blp.route("/rectifications/<id:rectification_id>/acceptance")
class RectificationAcceptance(MethodView):
    @login_required
    @blp.arguments(ACCEPT_RECTIFICATION.schema)
    @blp.response(200, RectificationSchema)
    @refuses({403: "forbidden", 409: "wrong_state project_closed", 422: "text_required text_too_short text_too_long"})
    def post(self, body, rectification_id):
        """Accept a reported rectification (it is closed) or return it with a reason (the street office)"""
        ctx = context(login=True)
        row = ACCEPT_RECTIFICATION(ctx, rectification_id, **body)
        ctx.commit()
        return render_rectification(ctx, row, supervision.project_for_supervision(ctx, row.project_id), locale())
