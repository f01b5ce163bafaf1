"""Supervision pages: the projects under supervision (an office's, or a commissioned
organisation's assigned ones), and one project's supervision — the checklists that apply, who is
assigned, the visits and their rectifications, the form for a new visit (its checklist answered
item by item, the rectifications it opens) and the owner's report and the office's acceptance.

Every POST goes through the door's operation with the schema the API uses; a refusal re-renders
the page with the posted values and each problem beside its field, in the refusal's status.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import zip_longest

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from core.door.supervision import ACCEPT_RECTIFICATION, ASSIGN, RECORD_VISIT, REPORT_RECTIFICATION, UNASSIGN
from core.i18n import T
from core.models.supervision import ANSWER_LABELS, VISIT_KIND_LABELS, VISIT_METHOD_LABELS
from core.permissions import A
from core.services import supervision
from core.services.supervision import offers
from core.violations import RuleError, Violation
from core.web.context import ctx, forbid_unless, int_arg, login_required
from core.web.forms import FormErrors, split_errors
from core.web.templating import _t

bp = Blueprint("supervision", __name__, url_prefix="/t/<tenant>")
PAGE = 25
VISIT_FIELDS = ("visited_on", "kind", "method", "visitors", "observed", "advice")
BLANK_RECTIFICATIONS = 2


@dataclass
class VisitForm:
    """The new-visit form as posted (or empty), with its problems placed: per field, per
    checklist item (by key), per rectification row, and for the form as a whole."""

    values: dict = field(default_factory=dict)
    answers: dict = field(default_factory=dict)        # item key -> {"answer", "note"}
    rows: list = field(default_factory=list)           # rectification rows as posted
    errors: FormErrors = field(default_factory=FormErrors)
    item_errors: dict = field(default_factory=dict)    # item key -> [message]
    row_errors: dict = field(default_factory=dict)     # row index -> {field: [message]}
    checklist_errors: list = field(default_factory=list)

    @property
    def refused(self) -> bool:
        """Posted and refused: what it holds is not saved (the page's unsaved-changes guard)."""
        return bool(self.errors or self.item_errors or self.row_errors or self.checklist_errors)


def _posted_answers(form: MultiDict, keys: list[str]) -> list[dict]:
    out = []
    for key in keys:
        answer = (form.get(f"answer-{key}") or "").strip()
        if answer:
            out.append({"item": key, "answer": answer, "note": (form.get(f"note-{key}") or "").strip()})
    return out


def _posted_rows(form: MultiDict) -> list[dict]:
    rows = []
    for description, due, item in zip_longest(form.getlist("rect_description"), form.getlist("rect_due_on"),
                                              form.getlist("rect_item"), fillvalue=""):
        row = {"description": description.strip(), "due_on": due.strip(), "item": item.strip() or None}
        if row["description"] or row["due_on"]:
            rows.append({k: v for k, v in row.items() if v not in ("", None)})
    return rows


def _placed(violations: list[Violation], answers: list[dict], rows: list[dict], locale: str) -> VisitForm:
    form = VisitForm(errors=split_errors([v for v in violations if (v.field or "").split(".")[0] in VISIT_FIELDS],
                                         "", VISIT_FIELDS, locale))
    for v in violations:
        parts = (v.field or "").split(".")
        message = v.message.render(locale)
        if parts[0] == "checklist" and len(parts) > 1 and parts[1].isdigit() and int(parts[1]) < len(answers):
            form.item_errors.setdefault(answers[int(parts[1])]["item"], []).append(message)
        elif parts[0] == "rectifications" and len(parts) > 2 and parts[1].isdigit():
            form.row_errors.setdefault(int(parts[1]), {}).setdefault(parts[2], []).append(message)
        elif parts[0] not in VISIT_FIELDS:
            form.checklist_errors.append(v)
    return form


def _by_value(labels: dict) -> dict:
    return {k.value: label for k, label in labels.items()}


def _page(project_id: int, visit_form: VisitForm | None = None, status: int = 200, failure: tuple | None = None):
    c = ctx()
    project = supervision.project_for_supervision(c, project_id)
    found = supervision.checklists(c, project)
    visit_form = visit_form or VisitForm(values={"visited_on": c.clock.today().isoformat(), "kind": "", "method": "visit"})
    rows = visit_form.rows + [{}] * BLANK_RECTIFICATIONS
    rects = supervision.rectifications(c, project)
    return render_template(
        "pages/supervision/project.html", project=project, checklists=found, form=visit_form, rect_rows=rows,
        offers=offers.project_offers(c, project), visits=supervision.visits(c, project), rectifications=rects,
        rect_offers={r.id: offers.rectification_offers(c, r, project) for r in rects},
        overdue={r.id for r in rects if supervision.is_overdue(c, r)}, failure=failure,
        assignees=supervision.assignees(c, project),
        candidates=supervision.candidates(c, project) if c.can(A.supervision_assign, project).allowed else [],
        kinds=_by_value(VISIT_KIND_LABELS), methods=_by_value(VISIT_METHOD_LABELS), answers=_by_value(ANSWER_LABELS), today=c.clock.today()), status


# -- pages ---------------------------------------------------------------------------------------

@bp.get("/supervision")
@login_required
def index():
    c = ctx()
    forbid_unless(c.can(A.supervision_view).allowed, T("您没有可查看督导记录的项目", "You supervise no projects"))
    page = int_arg("page", 1, minimum=1)
    rows, total = supervision.supervised_projects(c, limit=PAGE, offset=(page - 1) * PAGE)
    return render_template("pages/supervision/index.html", projects=rows, total=total, page=page,
                           pages=max(1, -(-total // PAGE)), progress=supervision.progress(c, [p.id for p in rows]))


@bp.get("/projects/<int:project_id>/supervision")
@login_required
def project(project_id: int):
    return _page(project_id)


# -- actions ---------------------------------------------------------------------------------------

def _back(project_id: int, anchor: str = ""):
    return redirect(url_for("web.supervision.project", project_id=project_id) + (f"#{anchor}" if anchor else ""))


@bp.post("/projects/<int:project_id>/supervision/visits")
@login_required
def record(project_id: int):
    c = ctx()
    found = supervision.checklists(c, supervision.project_for_supervision(c, project_id))
    answers = _posted_answers(request.form, [i.key for ch in found for i in ch.items])
    rows = _posted_rows(request.form)
    try:
        visit = RECORD_VISIT(c, project_id, **RECORD_VISIT.from_form(request.form, checklist=answers, rectifications=rows))
        opened = len(visit.rectifications)
        c.commit()
    except RuleError as err:
        c.session.rollback()
        form = _placed(err.violations, answers, rows, c.locale)
        form.values = {k: request.form.get(k, "") for k in VISIT_FIELDS}
        form.answers = {a["item"]: a for a in answers}
        form.rows = [{"description": r.get("description", ""), "due_on": r.get("due_on", ""), "item": r.get("item") or ""}
                     for r in rows]
        return _page(project_id, form, err.status)
    flash(_t(f"督导记录已保存{f'，提出整改事项{opened}项' if opened else ''}。",
             f"Visit recorded{f', {opened} rectification(s) opened' if opened else ''}."), "success")
    return _back(project_id, "visits")


@bp.post("/projects/<int:project_id>/supervision/assign")
@login_required
def assign(project_id: int):
    return _assignment(project_id, ASSIGN, _t("已指派督导机构。", "Assigned."))


@bp.post("/projects/<int:project_id>/supervision/unassign")
@login_required
def unassign(project_id: int):
    return _assignment(project_id, UNASSIGN, _t("已结束该机构的督导指派。", "Assignment ended."))


def _assignment(project_id: int, op, done: str):
    c = ctx()
    try:
        op(c, project_id, **op.from_form(request.form))
        c.commit()
    except RuleError as err:
        c.session.rollback()
        return _page(project_id, status=err.status, failure=("assignment", None, err.violations))
    flash(done, "success")
    return _back(project_id, "assignment")


@bp.post("/rectifications/<int:rectification_id>/report")
@login_required
def report(rectification_id: int):
    return _rectification(rectification_id, REPORT_RECTIFICATION, lambda row: _t(
        "已报告整改情况，待街道社区自治办确认。", "Reported; the street office will accept it."))


@bp.post("/rectifications/<int:rectification_id>/accept")
@login_required
def accept(rectification_id: int):
    return _rectification(rectification_id, ACCEPT_RECTIFICATION, lambda row: _t(
        "已确认整改完成。", "Accepted: the rectification is closed.") if row.state == "closed" else _t(
        "已退回，责任单位将看到退回理由。", "Returned; the owner will read why."))


def _rectification(rectification_id: int, op, done):
    c = ctx()
    project_id = request.form.get("project_id", type=int)  # where to show a refusal (the page's own field)
    try:
        row = op(c, rectification_id, **op.from_form(request.form))
        project_id = row.project_id
        message = done(row)
        c.commit()
    except RuleError as err:
        c.session.rollback()
        if project_id is None:
            raise
        return _page(project_id, status=err.status, failure=("rectification", rectification_id, err.violations))
    flash(message, "success")
    return _back(project_id, f"rectification-{rectification_id}")

