"""A project's archive and close-out pages: the archive as a checklist that fills itself from
what was recorded (with the documents added after approval, and the form to add one), and the
close-out (结项) — the final accounts, what each fund gets back, what still stands in the way,
and the office's form to close. Both are reached from the project page's sections
(``core.web.supervision_panels``); their POSTs go through the door's operations and re-render the
page with the refusal beside the field."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from core.door.supervision import CLOSE_PROJECT, UPLOAD_DOCUMENT
from core.models import ProjectState
from core.permissions import A
from core.services import archive, closeout
from core.services.supervision import offers
from core.violations import RuleError, Violation
from core.web.context import ctx, login_required
from core.web.forms import FormErrors, split_errors
from core.web.templating import _t, money

bp = Blueprint("archive", __name__, url_prefix="/t/<tenant>")


def _archive_page(project_id: int, errors: FormErrors | None = None, status: int = 200):
    c = ctx()
    found = archive.project_archive(c, project_id)
    return render_template("pages/closeout/archive.html", archive=found, project=found.project,
                           offers=offers.project_offers(c, found.project), errors=errors or FormErrors()), status


@bp.get("/projects/<int:project_id>/archive")
@login_required
def page(project_id: int):
    return _archive_page(project_id)


@bp.post("/projects/<int:project_id>/archive/documents")
@login_required
def upload(project_id: int):
    c = ctx()
    try:
        att = UPLOAD_DOCUMENT(c, project_id, **UPLOAD_DOCUMENT.from_form(request.form, request.files),
                              storage=current_app.extensions["tongxin"].storage)
        name = att.filename
        c.commit()
    except RuleError as err:
        c.session.rollback()
        return _archive_page(project_id, split_errors(err.violations, "", ("kind", "file"), c.locale), err.status)
    flash(_t(f"已上传档案材料「{name}」。", f"Added '{name}' to the archive."), "success")
    return redirect(url_for("web.archive.page", project_id=project_id) + "#documents")


def _close_page(project_id: int, violations: list[Violation] | None = None, status: int = 200):
    c = ctx()
    preview = closeout.preview(c, project_id)
    errors = split_errors(violations or [], "", ("summary",), c.locale)
    return render_template("pages/closeout/close.html", preview=preview, project=preview.project,
                           offers=offers.project_offers(c, preview.project, blockers=preview.blockers),
                           errors=errors, summary=request.form.get("summary", "") if violations else "",
                           closed=preview.project.state == ProjectState.closed.value,
                           may_close=c.can(A.project_close, preview.project).allowed), status


@bp.get("/projects/<int:project_id>/close")
@login_required
def close_page(project_id: int):
    return _close_page(project_id)


@bp.post("/projects/<int:project_id>/close")
@login_required
def close(project_id: int):
    c = ctx()
    try:
        row = CLOSE_PROJECT(c, project_id, **CLOSE_PROJECT.from_form(request.form))
        released = row.released_fen
        c.commit()
    except RuleError as err:
        c.session.rollback()
        return _close_page(project_id, err.violations, err.status)
    flash(_t(f"项目已结项，未使用的承诺资金{money(released)}已释放回资金。",
             f"The project is closed; {money(released)} of unused commitments went back to the funds."), "success")
    return redirect(url_for("web.archive.close_page", project_id=project_id))
