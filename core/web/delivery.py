"""Carrying an approved project out, in the web UI: a section of the project page (core's answer
to ``tongxin_project_panels``: the derived progress and the way to the three pages below, or, for
the public, the activities marked public) and the pages of

- the plan (``/projects/<id>/plan``): the tasks with their progress, the team's first plan, a
  revision of the whole plan with its reason, the office's decision, and the plan's history;
- the activity records (``/projects/<id>/activities``): the record form (multipart, with photos and
  the sign-in sheet) and the records, latest first, with their thumbnails;
- the people registry (``/projects/<id>/people``): the three lists, numbers masked unless the
  viewer may read them, the form, removal and the audited Excel export.

Every POST is an operation of ``core.door.delivery`` read with its own schema; it either commits
completely or re-renders its page with each problem beside its field (a plan's rows by number),
in the refusal's status. Buttons come from ``core.services.delivery_actions``, as the API's
``actions`` do."""
from __future__ import annotations

import io
from itertools import zip_longest

from flask import Blueprint, current_app, flash, redirect, render_template, request, send_file, url_for

from core.documents import people_registry
from core.door import delivery as door
from core.i18n import T
from core.models import PersonRole, ProjectState, TaskStatus
from core.models.delivery import TASK_STATUS_LABELS
from core.permissions import A
from core.plugin_host.contributions import Panel
from core.services.context import Ctx
from core.services.delivery import activities, people, plan, progress
from core.services.delivery.common import hours_text, rules_of
from core.services.delivery_actions import delivery_offers
from core.services.spreadsheets import XLSX_MIMETYPE
from core.violations import NotFound, RuleError, Violation
from core.web import queries
from core.web.context import ctx, int_arg, login_required
from core.web.forms import split_errors
from core.formats import day_words

bp = Blueprint("delivery", __name__, url_prefix="/t/<tenant>")
TASK_FIELDS = ("task_id", "title", "owner", "starts_on", "ends_on", "status")
ACTIVITY_FIELDS = ("held_on", "place", "content", "participant_count", "participants", "volunteer_hours",
                   "plan_task_id", "no_task_reason", "public", "photos", "sign_in_sheet")
PERSON_FIELDS = ("role", "name", "gender", "id_number", "mobile", "address", "duty", "skills", "consent", "consent_on",
                 "consent_note")
BLANK_ROWS = 3
PAGE = 20


# -- the project page's section -------------------------------------------------------------------

# A project never approved has nothing carried out; an approved one (and any state after it,
# such as a close-out) shows its records.
NOT_CARRIED_OUT = frozenset(s.value for s in ProjectState) - {ProjectState.approved.value}


def delivery_panel(c: Ctx, project) -> Panel | None:
    """For whoever may see the records: the progress and the way to the plan, the activities and
    the registry. For everyone else: the activities the team marked public."""
    if project.state in NOT_CARRIED_OUT:
        return None
    if c.can(A.delivery_view, project):
        return Panel("pages/delivery/_panel.html", order=35, data={
            "progress": progress.progress(c, project), "offers": delivery_offers(c, project), "hours": hours_text})
    shown = activities.public_activities(c, project.id, limit=6)
    if not shown:
        return None
    return Panel("pages/delivery/_public_panel.html", order=35, data={"activities": shown})


# -- the plan ---------------------------------------------------------------------------------------

def read_tasks(form) -> list[dict]:
    """The plan editor's parallel inputs as the operation's tasks: blank rows skipped, an empty
    input left out (so the schema says "required"), as ``core.web.forms.read_budget`` does."""
    rows = []
    for values in zip_longest(*(form.getlist(name) for name in TASK_FIELDS), fillvalue=""):
        row = {name: (value or "").strip() for name, value in zip(TASK_FIELDS, values)}
        if any(row[name] for name in ("title", "owner", "starts_on", "ends_on")):
            if row["task_id"].isdigit():
                row["task_id"] = int(row["task_id"])
            rows.append({k: v for k, v in row.items() if v != ""})
    return rows


def row_errors(violations: list[Violation], locale: str) -> tuple[dict[int, dict[str, list[str]]], list[Violation]]:
    """``tasks.2.ends_on`` → row 2's end date; anything else above the editor."""
    rows: dict[int, dict[str, list[str]]] = {}
    general = []
    for v in violations:
        parts = (v.field or "").split(".")
        if len(parts) >= 3 and parts[0] == "tasks" and parts[1].isdigit():
            rows.setdefault(int(parts[1]), {}).setdefault(parts[2], []).append(v.message.render(locale))
        else:
            general.append(v)
    return rows, general


def _task_rows(tasks) -> list[dict]:
    return [{"task_id": t.id, "title": t.title, "owner": t.owner, "starts_on": t.starts_on.isoformat(),
             "ends_on": t.ends_on.isoformat(), "status": t.status} for t in tasks]


@bp.get("/projects/<int:project_id>/plan")
@login_required
def plan_page(project_id: int):
    return _plan_page(project_id)


def _plan_page(project_id: int, section: str | None = None, err: RuleError | None = None, rows=None):
    c = ctx()
    project, tasks, history = plan.project_plan(c, project_id)
    offers = delivery_offers(c, project, revisions=history)
    errors, general = row_errors(err.violations, c.locale) if err else ({}, [])
    blank = [{}] * BLANK_ROWS
    editor = rows if section == "set" and rows is not None else blank
    proposal = rows if section == "revise" and rows is not None else _task_rows(tasks) + blank
    users = queries.users_by_id(c, [r.requested_by_id for r in history] + [r.decided_by_id for r in history])
    return render_template(
        "pages/delivery/plan.html", project=project, tasks=tasks, revisions=list(reversed(history)), offers=offers,
        progress=progress.progress(c, project), rules=rules_of(c, project), users=users, section=section,
        new_rows=editor, proposal=proposal, row_errors=errors, general=general,
        reason=request.form.get("reason", "") if err else "",
        failed_revision=request.form.get("revision_id", type=int) if section == "decide" else None,
        statuses=[(s.value, TASK_STATUS_LABELS[s]) for s in TaskStatus], labels=plan.REVISION_STATUS_LABELS,
    ), err.status if err else 200


def _done(endpoint: str, message: T, anchor: str = "", **values):
    flash(message.render(ctx().locale), "success")
    return redirect(url_for(endpoint, **values) + anchor)


@bp.post("/projects/<int:project_id>/plan")
@login_required
def set_plan(project_id: int):
    c = ctx()
    rows = read_tasks(request.form)
    try:
        door.SET_PLAN(c, project_id, **door.SET_PLAN.from_form(request.form, tasks=rows))
        c.commit()
    except RuleError as err:
        c.session.rollback()
        return _plan_page(project_id, "set", err, rows)
    return _done("web.delivery.plan_page", T("实施计划已保存。", "The plan is saved."), project_id=project_id)


@bp.post("/plan-tasks/<int:task_id>/status")
@login_required
def task_status(task_id: int):
    c = ctx()
    project_id = request.form.get("project_id", type=int)
    try:
        task = door.TASK_STATUS(c, task_id, **door.TASK_STATUS.from_form(request.form))
        project_id = task.project_id
        c.commit()
    except RuleError as err:
        c.session.rollback()
        if project_id is None:
            raise
        return _plan_page(project_id, "status", err)
    return _done("web.delivery.plan_page", T("任务进度已更新。", "The task's progress is updated."), f"#task-{task_id}",
                 project_id=project_id)


@bp.post("/projects/<int:project_id>/plan/revisions")
@login_required
def revise_plan(project_id: int):
    c = ctx()
    rows = read_tasks(request.form)
    try:
        door.REVISE_PLAN(c, project_id, **door.REVISE_PLAN.from_form(request.form, tasks=rows))
        c.commit()
    except RuleError as err:
        c.session.rollback()
        return _plan_page(project_id, "revise", err, rows)
    return _done("web.delivery.plan_page", T("计划调整申请已提交，等待主管单位审批。", "The revision is filed; the office decides it."),
                 "#revisions", project_id=project_id)


@bp.post("/plan-revisions/<int:revision_id>/decision")
@login_required
def decide_revision(revision_id: int):
    c = ctx()
    project_id = request.form.get("project_id", type=int)
    try:
        revision = door.DECIDE_REVISION(c, revision_id, **door.DECIDE_REVISION.from_form(request.form))
        project_id, approved = revision.project_id, revision.status == "approved"
        c.commit()
    except RuleError as err:
        c.session.rollback()
        if project_id is None:
            raise
        return _plan_page(project_id, "decide", err)
    message = T("已同意，调整后的计划即时生效。", "Approved: the revised plan is in force.") if approved else \
        T("已不同意，申请单位将看到理由。", "Refused; the applicant will read why.")
    return _done("web.delivery.plan_page", message, "#revisions", project_id=project_id)


# -- activity records ----------------------------------------------------------------------------

@bp.get("/projects/<int:project_id>/activities")
@login_required
def activities_page(project_id: int):
    return _activities_page(project_id)


def _activities_page(project_id: int, err: RuleError | None = None):
    c = ctx()
    page = int_arg("page", 1, minimum=1)
    rows, total = activities.activities_page(c, project_id, limit=PAGE, offset=(page - 1) * PAGE)
    project, tasks, history = plan.project_plan(c, project_id)
    form = {name: request.form.get(name, "") for name in ACTIVITY_FIELDS} if err else {"participant_count": ""}
    if err:
        form["participants"] = "\n".join(request.form.getlist("participants"))
    return render_template(
        "pages/delivery/activities.html", project=project, activities=rows, total=total, page=page,
        pages=max(1, -(-total // PAGE)), tasks={t.id: t for t in tasks}, offers=delivery_offers(c, project, revisions=history),
        rules=rules_of(c, project), hours=hours_text, form=form, today=c.clock.today(),
        errors=split_errors(err.violations, "", ACTIVITY_FIELDS, c.locale) if err else split_errors([], "", (), c.locale),
        may_sheets=c.can(A.person_read_personal, project).allowed,
    ), err.status if err else 200


@bp.post("/projects/<int:project_id>/activities")
@login_required
def record_activity(project_id: int):
    c = ctx()
    try:
        record = door.RECORD_ACTIVITY(c, project_id, storage=current_app.extensions["tongxin"].storage,
                                      **door.RECORD_ACTIVITY.from_form(request.form, request.files,
                                                                       photos=request.files.getlist("photos")))
        held_on = record.held_on
        c.commit()
    except RuleError as err:
        c.session.rollback()
        return _activities_page(project_id, err)
    return _done("web.delivery.activities_page", T(f"{day_words(held_on).zh}的活动已登记。", f"The activity of {day_words(held_on).en} is recorded."),
                 project_id=project_id)


def _file(activity_id: int, file_id: int, thumbnail: bool):
    found = activities.activity_file(ctx(), activity_id, file_id)
    key = found.thumb_key if thumbnail else found.storage_key
    path = current_app.extensions["tongxin"].storage.path(key) if key else None
    if path is None or not path.is_file():
        raise NotFound(T("活动文件", "activity file"), field="file_id")
    return send_file(path, mimetype="image/jpeg" if thumbnail else found.content_type,
                     as_attachment=found.kind == "sign_in" and not thumbnail, download_name=found.filename)


@bp.get("/activities/<int:activity_id>/files/<int:file_id>")
def activity_file(activity_id: int, file_id: int):
    return _file(activity_id, file_id, thumbnail=False)


@bp.get("/activities/<int:activity_id>/files/<int:file_id>/thumbnail")
def activity_thumbnail(activity_id: int, file_id: int):
    return _file(activity_id, file_id, thumbnail=True)


# -- the people registry -------------------------------------------------------------------------

@bp.get("/projects/<int:project_id>/people")
@login_required
def people_page(project_id: int):
    return _people_page(project_id)


def _people_page(project_id: int, err: RuleError | None = None):
    c = ctx()
    project, rows, full = people.registry(c, project_id)
    rules = rules_of(c, project)
    form = {name: request.form.get(name, "") for name in PERSON_FIELDS} if err else {"role": "volunteer"}
    return render_template(
        "pages/delivery/people.html", project=project, lists=[(r, [v for v in rows if v.person.role == r.value]) for r in PersonRole],
        full=full, rules=rules, retention=people.retention_text(c, project), offers=delivery_offers(c, project),
        form=form, genders=people.GENDERS, hours=hours_text, today=c.clock.today(),
        errors=split_errors(err.violations, "", PERSON_FIELDS, c.locale) if err else split_errors([], "", (), c.locale),
    ), err.status if err else 200


@bp.post("/projects/<int:project_id>/people")
@login_required
def add_person(project_id: int):
    c = ctx()
    try:
        person = door.ADD_PERSON(c, project_id, **door.ADD_PERSON.from_form(request.form))
        name = person.name
        c.commit()
    except RuleError as err:
        c.session.rollback()
        return _people_page(project_id, err)
    return _done("web.delivery.people_page", T(f"「{name}」已登记。", f"{name} is registered."), project_id=project_id)


@bp.post("/people/<int:person_id>/remove")
@login_required
def remove_person(person_id: int):
    c = ctx()
    person = people.get_person(c, person_id)
    project_id, name = person.project_id, person.name
    door.REMOVE_PERSON(c, person_id)
    c.commit()
    return _done("web.delivery.people_page", T(f"「{name}」的信息已删除。", f"{name}'s data is deleted."), project_id=project_id)


@bp.get("/projects/<int:project_id>/people.xlsx")
@login_required
def people_xlsx(project_id: int):
    c = ctx()
    data, filename = people_registry.export(c, project_id)
    c.commit()  # the export's audit entry
    return send_file(io.BytesIO(data), mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=filename)
