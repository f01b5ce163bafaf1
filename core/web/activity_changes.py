"""Correcting an activity record in the web UI (``/activities/<id>/edit``): the record's form
filled with what it says, its photos and sign-in sheets each with a button to remove it, a form
to add more, and deleting the record with the reason why. Reached from each record on the
activity page (``core.web.delivery``) by the button ``delivery_offers`` offers.

Every POST is an operation of ``core.door.delivery`` read with its own schema; it commits
completely or shows this page again with each problem beside its field, in the refusal's status.
"""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from core.door import delivery as door
from core.i18n import T
from core.permissions import A
from core.services.context import Ctx
from core.services.delivery import activities, plan
from core.services.delivery.common import hours_text, rules_of
from core.services.delivery_actions import delivery_offers
from core.violations import RuleError
from core.web.context import ctx, forbid_unless, login_required
from core.web.forms import split_errors
from core.formats import day_words

bp = Blueprint("activity_changes", __name__, url_prefix="/t/<tenant>")
EDIT_FIELDS = ("held_on", "place", "content", "participant_count", "participants", "volunteer_hours", "plan_task_id",
               "no_task_reason", "public")
FILE_FIELDS = ("photos", "sign_in_sheet")


def participant_lines(record) -> str:
    """The record's names as the form takes them back: a registry person by number, so saving
    the form unchanged keeps every link (``王阿姨#12 2``)."""
    lines = []
    for p in record.participants:
        line = f"{p.name}#{p.person_id}" if p.person_id else p.name
        lines.append(f"{line} {hours_text(p.volunteer_tenths)}" if p.volunteer_tenths else line)
    return "\n".join(lines)


def _form_of(record) -> dict:
    return {"held_on": record.held_on.isoformat(), "place": record.place, "content": record.content,
            "participant_count": record.participant_count, "participants": participant_lines(record),
            "volunteer_hours": hours_text(record.volunteer_tenths), "plan_task_id": record.plan_task_id or "",
            "no_task_reason": record.no_task_reason, "public": "true" if record.public else ""}


def _page(c: Ctx, activity_id: int, section: str | None = None, err: RuleError | None = None):
    record = activities.get_activity(c, activity_id)
    project, tasks, history = plan.project_plan(c, record.project_id)
    offers = delivery_offers(c, project, revisions=history)
    forbid_unless(offers.edit_activity.shown, T("您不能修改该活动记录", "You may not correct this activity record"))
    form = _form_of(record)
    if err is not None and section == "edit":
        form = {name: request.form.get(name, "") for name in EDIT_FIELDS}
        form["participants"] = "\n".join(request.form.getlist("participants"))
    names = {"edit": EDIT_FIELDS, "files": FILE_FIELDS, "delete": ("reason",)}.get(section, ())
    errors = split_errors(err.violations if err else [], "", names, c.locale)
    return render_template(
        "pages/delivery/activity_edit.html", project=project, activity=record, tasks={t.id: t for t in tasks},
        offer=offers.edit_activity, rules=rules_of(c, project), hours=hours_text, form=form, today=c.clock.today(),
        section=section, errors=errors, reason=request.form.get("reason", "") if section == "delete" else "",
        may_sheets=c.can(A.person_read_personal, project).allowed,
    ), err.status if err else 200


@bp.get("/activities/<int:activity_id>/edit")
@login_required
def edit_page(activity_id: int):
    return _page(ctx(), activity_id)


def _done(message: T, project_id: int, anchor: str = ""):
    flash(message.render(ctx().locale), "success")
    return redirect(url_for("web.delivery.activities_page", project_id=project_id) + anchor)


@bp.post("/activities/<int:activity_id>/edit")
@login_required
def edit(activity_id: int):
    c = ctx()
    try:
        record = door.EDIT_ACTIVITY(c, activity_id, **door.EDIT_ACTIVITY.from_form(request.form))
        project_id, held_on = record.project_id, record.held_on
        c.commit()
    except RuleError as err:
        c.session.rollback()
        return _page(c, activity_id, "edit", err)
    return _done(T(f"{day_words(held_on).zh}的活动记录已修改。", f"The activity of {day_words(held_on).en} is corrected."), project_id,
                 f"#activity-{activity_id}")


@bp.post("/activities/<int:activity_id>/files")
@login_required
def add_files(activity_id: int):
    c = ctx()
    try:
        door.ADD_ACTIVITY_FILES(c, activity_id, storage=current_app.extensions["tongxin"].storage,
                                **door.ADD_ACTIVITY_FILES.from_form(request.form, request.files,
                                                                    photos=request.files.getlist("photos")))
        c.commit()
    except RuleError as err:
        c.session.rollback()
        return _page(c, activity_id, "files", err)
    flash(T("照片或签到表已上传。", "The files are added.").render(c.locale), "success")
    return redirect(url_for("web.activity_changes.edit_page", activity_id=activity_id) + "#files")


@bp.post("/activities/<int:activity_id>/files/<int:file_id>/remove")
@login_required
def remove_file(activity_id: int, file_id: int):
    c = ctx()
    try:
        door.REMOVE_ACTIVITY_FILE(c, activity_id, file_id, storage=current_app.extensions["tongxin"].storage)
        c.commit()
    except RuleError as err:
        c.session.rollback()
        if err.status == 404 and (err.violations[0].field or "") == "activity_id":
            raise
        return _page(c, activity_id, "remove", err)
    flash(T("照片或签到表已删除。", "The photo or sheet is removed.").render(c.locale), "success")
    return redirect(url_for("web.activity_changes.edit_page", activity_id=activity_id) + "#files")


@bp.post("/activities/<int:activity_id>/delete")
@login_required
def delete(activity_id: int):
    c = ctx()
    try:
        project_id = door.DELETE_ACTIVITY(c, activity_id, storage=current_app.extensions["tongxin"].storage,
                                          **door.DELETE_ACTIVITY.from_form(request.form))
        c.commit()
    except RuleError as err:
        c.session.rollback()
        if err.status == 404:
            raise
        return _page(c, activity_id, "delete", err)
    return _done(T("活动记录已删除，删除原因已记入操作日志。", "The activity record is deleted; the reason is in the audit log."),
                 project_id)
