"""Projects: the list, starting a new one, and the project page's own changes: the applicant fills
the policy's forms (rendered from the plugin's schemas), the budget and the attachments, submits
or withdraws. The page itself is drawn by ``core.web.project_page``.

Every change is one POST that either commits completely or re-renders the page with the
posted values and each problem beside its field; nothing is half-saved.
"""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, send_file, url_for

from core.forms import describe
from core.i18n import T
from core.services import projects as project_service
from core.services.programmes import get_programme
from core.violations import NotFound, RuleError
from core.web import queries
from core.web.context import ctx, forbid_unless, int_arg, login_required
from core.web.forms import FormErrors, read, read_budget, split_errors
from core.door import form_values, load
from core.door.searches import ProjectFilterSchema
from core.services.projects import drafts
from core.web.project_page import Failure, render
from core.web.presenters import programme_view
from core.web.templating import _t
from core.door.applications import ATTACH, CREATE, SAVE_FORM, SET_BUDGET, SUBMIT, WITHDRAW

bp = Blueprint("projects", __name__, url_prefix="/t/<tenant>")
PAGE = 25


# -- list and new -------------------------------------------------------------------------------

def search_args(c) -> tuple[project_service.ProjectSearch, FormErrors]:
    """The list's narrowing from the query string, read by the API's schema (``core.door.searches``):
    input it refuses is said beside its field and narrows nothing, rather than failing the page."""
    values = form_values(ProjectFilterSchema, request.args)
    if "programme_id" not in values and request.args.get("programme", "").isdigit():
        values["programme_id"] = int(request.args["programme"])  # the older links' name
    try:
        return project_service.ProjectSearch.of(load(ProjectFilterSchema, values)), FormErrors()
    except RuleError as err:
        errors = split_errors(err.violations, "", tuple(ProjectFilterSchema().fields), c.locale)
        return project_service.ProjectSearch(), errors


@bp.get("/projects")
def index():
    c = ctx()
    page = int_arg("page", 1, minimum=1)
    search, errors = search_args(c)
    rows, total = project_service.search_projects(c, search, limit=PAGE, offset=(page - 1) * PAGE)
    views = {p.programme_id: programme_view(c, p.programme) for p in rows}
    programmes = queries.programmes_by_id(c)
    years = sorted({p.year for p in programmes.values()}, reverse=True)
    return render_template("pages/projects.html", projects=rows, total=total, page=page,
                           pages=max(1, -(-total // PAGE)), views=views, search=search, errors=errors,
                           values=request.args, programmes=programmes, years=years,
                           units=queries.search_units(c), states=project_service.state_choices(c),
                           drafts_link=drafts.may_follow(c, list(programmes.values())))


@bp.get("/projects/drafts")
@login_required
def drafts_page():
    """草稿进度: the drafts the street office may follow where the policy lets it (title, unit,
    last edited, how complete; never the content). Without the policy's leave: not found."""
    c = ctx()
    programmes = queries.all_programmes(c)
    if not drafts.may_follow(c, programmes):
        raise NotFound(T("草稿进度", "drafts in progress"))
    return render_template("pages/drafts.html", rows=drafts.followed_drafts(c, programmes))


@bp.route("/programmes/<int:programme_id>/projects/new", methods=["GET", "POST"])
@login_required
def new(programme_id: int):
    c = ctx()
    programme = get_programme(c, programme_id)
    view = programme_view(c, programme)
    kinds = tuple({k for t in view.tracks.values() for k in t.applicant_kinds})
    units = queries.applicant_units(c, within=programme.org_unit, kinds=kinds)
    forbid_unless(bool(units), T("您所在的单位不能申报本年度项目", "None of your units may apply to this programme"))
    # The title's length rule as the door's schema enforces it, shown before anything is typed.
    title_rule = next(f for f in describe(CREATE.schema) if f.name == "title")
    if request.method == "GET":
        return render_template("pages/project_new.html", programme=programme, view=view, units=units,
                               values={"track": request.args.get("track", "")}, errors=FormErrors(),
                               title_rule=title_rule)
    try:
        project = CREATE(c, **CREATE.from_form(request.form, programme_id=programme.id))
        project_id = project.id
        c.commit()
    except RuleError as err:
        c.session.rollback()
        errors = split_errors(err.violations, "", ("track", "applicant_unit_id", "title"), c.locale)
        return render_template("pages/project_new.html", programme=programme, view=view, units=units,
                               values=request.form, errors=errors, title_rule=title_rule), err.status
    flash(_t("项目已创建。请依次填写申报表、预算并上传附件，然后提交。",
             "Project created. Fill in the forms and budget, upload the attachments, then submit."), "success")
    return redirect(url_for("web.projects.show", project_id=project_id))


# -- the project page ---------------------------------------------------------------------------

@bp.get("/projects/<int:project_id>")
def show(project_id: int):
    return render(project_id)


def _after_change(project_id: int, message_zh: str, message_en: str, anchor: str = ""):
    flash(_t(message_zh, message_en), "success")
    return redirect(url_for("web.projects.show", project_id=project_id) + (f"#{anchor}" if anchor else ""))


@bp.post("/projects/<int:project_id>/forms/<form_key>")
@login_required
def save_form(project_id: int, form_key: str):
    c = ctx()
    project = project_service.get_project(c, project_id)
    spec = next((f for f in programme_view(c, project.programme).forms(project.track) if f.key == form_key), None)
    if spec is None:
        raise NotFound(T(f"表单「{form_key}」", f"form '{form_key}'"), field="form_key")
    data = read(spec.schema, request.form)  # the policy's own schema reads its form (validated by the service)
    try:
        SAVE_FORM(c, project_id, form_key, data=data)
        c.commit()
    except RuleError as err:
        c.session.rollback()
        return render(project_id, Failure(form_key, err.violations, values=data), err.status)
    return _after_change(project_id, f"「{spec.label.zh}」已保存。", f"{spec.label.en} saved.", f"form-{form_key}")


@bp.post("/projects/<int:project_id>/budget")
@login_required
def save_budget(project_id: int):
    c = ctx()
    rows = read_budget(request.form)  # the editor's parallel inputs as the API's rows
    try:
        project = SET_BUDGET(c, project_id, **SET_BUDGET.from_form(request.form, items=rows))
        warnings = project_service.budget_warnings(c, project)
        c.commit()
    except RuleError as err:
        c.session.rollback()
        return render(project_id, Failure("budget", err.violations, budget_rows=rows), err.status)
    if warnings:  # saved, but what submission will refuse is said now, with its clause
        said = [(w.message.render(c.locale), w.clause.render(c.locale) if w.clause else "") for w in warnings]
        flash(_t("预算已保存，但提交时将不予通过：" + "；".join(f"{m}（{cl}）" if cl else m for m, cl in said),
                 "Budget saved, but submission will refuse it: " + "; ".join(f"{m} ({cl})" if cl else m for m, cl in said)),
              "warning")
        return redirect(url_for("web.projects.show", project_id=project_id) + "#budget")
    return _after_change(project_id, "预算已保存。", "Budget saved.", "budget")


@bp.post("/projects/<int:project_id>/attachments")
@login_required
def upload(project_id: int):
    c = ctx()
    try:
        att = ATTACH(c, project_id, **ATTACH.from_form(request.form, request.files),
                     storage=current_app.extensions["tongxin"].storage)
        filename = att.filename
        c.commit()
    except RuleError as err:
        c.session.rollback()
        return render(project_id, Failure("attachments", err.violations), err.status)
    return _after_change(project_id, f"附件「{filename}」已上传。", f"Uploaded {filename}.", "attachments")


@bp.get("/projects/<int:project_id>/attachments/<int:attachment_id>")
def download(project_id: int, attachment_id: int):
    """A file of the project: the public may download the kinds its policies mark public
    (``core.services.publication``); anything else sends them to the login page."""
    c = ctx()
    try:
        att = project_service.get_attachment(c, project_id, attachment_id)
    except NotFound:
        if not c.actor.is_authenticated:
            return redirect(url_for("web.auth.login", next=request.full_path.rstrip("?")))
        raise
    path = current_app.extensions["tongxin"].storage.path(att.storage_key)
    if not path.exists():
        raise NotFound(T("附件文件", "attachment file"), field="attachment_id")
    return send_file(path, mimetype=att.content_type, as_attachment=True, download_name=att.filename)


@bp.post("/projects/<int:project_id>/submit")
@login_required
def submit(project_id: int):
    c = ctx()
    try:
        project = SUBMIT(c, project_id)
        view = programme_view(c, project.programme)
        step = view.policy.endorsement(view.config)
        c.commit()
    except RuleError as err:
        c.session.rollback()
        return render(project_id, Failure("submit", err.violations), err.status)
    if step is not None:  # the town or street endorses it before the panel sees it
        return _after_change(project_id, f"项目已提交，等待{step.label.zh}。", f"Submitted; it now awaits the {step.label.en}.")
    return _after_change(project_id, "项目已提交，等待评审小组评审。", "Submitted; the review panel has been told.")


@bp.post("/projects/<int:project_id>/withdraw")
@login_required
def withdraw(project_id: int):
    c = ctx()
    try:
        WITHDRAW(c, project_id)
        c.commit()
    except RuleError as err:
        c.session.rollback()
        return render(project_id, Failure("withdraw", err.violations), err.status)
    return _after_change(project_id, "项目已撤回。", "The project was withdrawn.")
