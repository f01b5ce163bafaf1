"""Projects from draft to submission: list, create, read, fill in the policy's forms, set the
budget, attach files, submit and withdraw. Review (scores, decisions) is in ``core.api.review``;
what a project looks like in the answers is ``core.api.project_detail``.

Money leaves and enters as yuan strings ("4800.50"); the services keep integer fen. A project
the actor may not see is a 404, the same as one that does not exist (no probing of ids)."""
from __future__ import annotations

from flask import current_app, send_file
from flask.views import MethodView

from core.api.base import (
    TENANT,
    TOTAL_HEADER,
    Blueprint,
    PageQuery,
    context,
    limit_offset,
    locale,
    login_required,
    page_schema,
    paged,
)
# The project's schemas and rendering: their own module; DecisionSchema and decision are
# re-exported for the review endpoints that know them here.
from core.api.project_detail import (  # noqa: F401
    AttachmentSchema,
    DecisionSchema,
    ProjectDetailSchema,
    ProjectSummarySchema,
    attachment,
    decision,
    detail,
    summary,
)
from core.api.refusals import CALENDAR, POLICY, refuses
from core.door.searches import ProjectFilterSchema
from core.door.applications import ATTACH, CREATE, SAVE_FORM, SET_BUDGET, SUBMIT, WITHDRAW
from core.i18n import T
from core.services import projects
from core.services.programmes import policy_of
from core.services.storage import STORED_TYPES
from core.violations import NotFound

blp = Blueprint("projects", __name__, url_prefix=f"{TENANT}/projects",
                description="Applications: forms, budget, attachments, submission")


# -- the list's schemas (a project's own are core.api.project_detail's) --------------------------------

ProjectPageSchema = page_schema(ProjectSummarySchema, "ProjectPageSchema")


class ProjectQuerySchema(PageQuery, ProjectFilterSchema):
    """A page of the list, narrowed as the web's list is (one schema: ``core.door.searches``)."""


def _reread(ctx, project_id: int) -> dict:
    return detail(ctx, projects.get_project(ctx, project_id), locale())


# -- endpoints -----------------------------------------------------------------------------------

@blp.route("")
class Projects(MethodView):
    @blp.arguments(ProjectQuerySchema, location="query")
    @blp.response(200, ProjectPageSchema, headers=TOTAL_HEADER)
    def get(self, query):
        """Projects the caller may see, newest first (anonymous: approved ones), narrowed by words of the title, the applicant unit, state, year, programme and track"""
        ctx = context()
        lang = locale()
        rows, total = projects.search_projects(ctx, projects.ProjectSearch.of(query), **limit_offset(query))
        return paged([summary(p, lang) for p in rows], total, query)

    @login_required
    @blp.arguments(CREATE.schema)
    @blp.response(201, ProjectDetailSchema)
    @refuses({403: "forbidden", 404: "not_found", 422: f"unknown_track wrong_applicant_kind outside_programme invalid_title {CALENDAR} " + POLICY})
    def post(self, body):
        """Start a draft application for a unit the caller may apply for"""
        ctx = context(login=True)
        project = CREATE(ctx, **body)
        ctx.commit()
        return _reread(ctx, project.id)


@blp.route("/<id:project_id>")
class ProjectItem(MethodView):
    @blp.response(200, ProjectDetailSchema)
    def get(self, project_id):
        """A project with forms, budget, attachments, decisions and what blocks submission"""
        ctx = context()
        return _reread(ctx, project_id)


@blp.route("/<id:project_id>/forms/<key:form_key>")
class ProjectForm(MethodView):
    @login_required
    @blp.arguments(SAVE_FORM.schema)
    @blp.response(200, ProjectDetailSchema)
    @refuses({403: "forbidden", 409: "not_editable", 422: f"invalid_form invalid_field {CALENDAR}"})
    def put(self, body, project_id, form_key):
        """Save one of the policy's forms (validated by its schema; nothing is saved unless all is valid)"""
        ctx = context(login=True)
        SAVE_FORM(ctx, project_id, form_key, data=body)
        ctx.commit()
        return _reread(ctx, project_id)


@blp.route("/<id:project_id>/budget")
class ProjectBudget(MethodView):
    @login_required
    @blp.arguments(SET_BUDGET.schema)
    @blp.response(200, ProjectDetailSchema)
    @refuses({403: "forbidden", 409: "not_editable", 422: f"invalid_budget budget_too_many budget_description budget_amount budget_category budget_too_large {CALENDAR}"})
    def put(self, body, project_id):
        """Replace the budget items (amounts in yuan)"""
        ctx = context(login=True)
        SET_BUDGET(ctx, project_id, **body)
        ctx.commit()
        return _reread(ctx, project_id)


@blp.route("/<id:project_id>/attachments")
class ProjectAttachments(MethodView):
    @login_required
    @blp.arguments(ATTACH.schema, location="multipart")
    @blp.response(201, AttachmentSchema)
    @refuses({403: "forbidden", 409: "not_editable", 413: "file_too_large", 415: "file_type", 422: f"unknown_attachment_kind file_missing file_empty {CALENDAR}"})
    def post(self, body, project_id):
        """Attach a file (multipart: kind + file); its type is checked by content, its size by the limit"""
        ctx = context(login=True)
        att = ATTACH(ctx, project_id, **body, storage=current_app.extensions["tongxin"].storage)
        ctx.commit()
        project = projects.get_project(ctx, project_id)
        policy, config = policy_of(ctx, project.programme)
        return attachment(att, {k.key: k for k in policy.attachment_kinds(config)}, locale())


@blp.route("/<id:project_id>/attachments/<id:attachment_id>")
class AttachmentFile(MethodView):
    @blp.doc(responses={"200": {"description": "the stored file, with the type sniffed from its content", "content": {
        kind: {"schema": {"type": "string", "format": "binary"}} for kind in STORED_TYPES}}})
    def get(self, project_id, attachment_id):
        """Download an attachment (whoever may see the project)"""
        ctx = context()
        att = projects.get_attachment(ctx, project_id, attachment_id)
        path = current_app.extensions["tongxin"].storage.path(att.storage_key)
        if not path.is_file():
            raise NotFound(T("附件文件", "attachment file"), field="attachment_id")
        response = send_file(path, mimetype=att.content_type, as_attachment=True, download_name=att.filename)
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


@blp.route("/<id:project_id>/submit")
class Submit(MethodView):
    @login_required
    @blp.response(200, ProjectDetailSchema)
    @refuses({403: "forbidden", 409: "not_editable", 422: f"{CALENDAR} form_missing attachment_missing invalid_field " + POLICY})
    def post(self, project_id):
        """Submit for review: refused with every problem named (window, forms, attachments, the policy's rules)"""
        ctx = context(login=True)
        SUBMIT(ctx, project_id)
        ctx.commit()
        return _reread(ctx, project_id)


@blp.route("/<id:project_id>/withdraw")
class Withdraw(MethodView):
    @login_required
    @blp.response(200, ProjectDetailSchema)
    @refuses({403: "forbidden", 409: "not_withdrawable"})
    def post(self, project_id):
        """Withdraw a draft, submitted or returned application"""
        ctx = context(login=True)
        WITHDRAW(ctx, project_id)
        ctx.commit()
        return _reread(ctx, project_id)
