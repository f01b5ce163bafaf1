"""Obligations (应交事项) on the web: the list of due items a person may see (reached from the street
overview and the project page), one due item's page with its report form (prefilled from what
the platform knows), its versions and the buttons its offers give; and the posts that save,
hand in, return, accept or issue a 通报, each through its door operation
(``core.door.reporting``). A refused post re-renders the page with each problem beside its field
and the obligation's clause; nothing is half-saved.

A report's list of rows (a town's pilots) is drawn as a table: the columns the platform fills
are shown, the others are inputs named ``<field>-<row>-<subfield>`` with the row's key beside
them; ``read_body`` turns the posted form back into the body the API takes.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import io

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from werkzeug.datastructures import MultiDict

from core.documents import obligation_report
from core.door import reporting as door
from core.forms import describe
from core.i18n import T
from core.models import ItemState
from core.services import obligation_actions
from core.services.spreadsheets import XLSX_MIMETYPE
from core.services.obligations import items as item_service
from core.services.obligations import prefill, reports
from core.violations import RuleError, Violation
from core.models.supervision import VisitKind
from core.web.context import ctx, int_arg, login_required
from core.web.forms import FormErrors, controls, display, read, split_errors
from core.web.templating import _t

bp = Blueprint("reporting", __name__, url_prefix="/t/<tenant>")
PAGE = 25
REVIEW_FIELDS = ("reason", "note", "text")


@dataclass
class Rows:
    """A list-of-rows field as the page draws it."""

    name: str
    label: object
    key: str | None
    readonly: list[tuple[str, object]]    # (subfield, label)
    editable: list[tuple[str, object, bool]]  # (subfield, label, textarea)
    values: list[dict]
    errors: list[str] = field(default_factory=list)


def _rows(form, body: dict, errors: FormErrors) -> list[Rows]:
    out = []
    for name, f in form().fields.items():
        readonly, editable = prefill.row_fields(f)
        if not (readonly or editable):
            continue
        nested = f.inner.schema.fields
        out.append(Rows(name, f.metadata.get("label") or T(name, name), f.metadata.get("key"),
                        [(n, nested[n].metadata.get("label") or T(n, n)) for n in readonly],
                        [(n, nested[n].metadata.get("label") or T(n, n), nested[n].metadata.get("widget") == "textarea")
                         for n in editable],
                        list(body.get(name) or []), errors.by_field.get(name, [])))
    return out


def read_body(form, posted: MultiDict) -> dict:
    """The posted report form as the body the operations take: the plain fields as the schema's
    form reader reads them, each list of rows from its ``<field>-<row>-<subfield>`` inputs."""
    rows_fields = {name for name, f in form().fields.items() if prefill.row_fields(f) != ([], [])}
    body = {k: v for k, v in read(form, posted).items() if k not in rows_fields}
    for name in rows_fields:
        f = form().fields[name]
        key, (_, editable) = f.metadata.get("key"), prefill.row_fields(f)
        rows, i = [], 0
        while f"{name}-{i}-{key or 'index'}" in posted:
            row = {key: _int_or_text(posted.get(f"{name}-{i}-{key}"))} if key else {}
            for sub in editable:
                value = (posted.get(f"{name}-{i}-{sub}") or "").strip()
                if value:
                    row[sub] = value
            rows.append(row)
            i += 1
        body[name] = rows
    return body


def _int_or_text(value):
    value = (value or "").strip()
    return int(value) if value.isdigit() else value


def _page(item_id: int, *, violations: list[Violation] | None = None, section: str | None = None,
          values: dict | None = None, status: int = 200):
    c = ctx()
    item = item_service.get_item(c, item_id)
    offers = obligation_actions.item_offers(c, item)
    obligation = reports.obligation_of(c, item)
    form = obligation.form
    found = prefill.facts(c, item)
    # An obligation met by a supervision visit (the July mid-term supervision) is done on the
    # project's supervision page: the item links to its visit form.
    visit_kind = obligation.fulfilled_by_visit
    visit_form = (url_for("web.supervision.project", project_id=item.project_id, _anchor="new-visit") if visit_kind and item.project_id
                  else url_for("web.supervision.index") if visit_kind else None)
    body = values if section == "report" and values is not None else reports.starting_body(c, item, form, found)
    names = [s.name for s in describe(form)]
    errors = split_errors(violations or [], "body", names, c.locale) if section == "report" else FormErrors()
    rows = _rows(form, body, errors)
    flat = [ctl for ctl in controls(form, body, errors, "r") if ctl.name not in {r.name for r in rows}]
    versions = reports.versions(c, item.id)
    shown = [(v, [(s.label, display(s, (v.body or {}).get(s.name), c.locale)) for s in describe(form)
                  if s.name not in {r.name for r in rows}]) for v in versions]
    review_errors = split_errors(violations or [], "", REVIEW_FIELDS, c.locale) if section in ("review", "notice") else FormErrors()
    # A refusal of a post whose form the page does not show (not the person's to write, say) is
    # said at the top of the page, with its clause.
    card = {"report": offers.save, "review": offers.accept, "notice": offers.notice}.get(section)
    top = list(violations or []) if card is not None and not card.shown else []
    return render_template("pages/obligations/item.html", item=item, offers=offers, facts=found, controls=flat, top=top,
                           rows=rows, errors=errors, versions=shown, clause=item_service.clause(item),
                           accepting=item_service.accepting_unit(c, item), review_errors=review_errors,
                           section=section, values=values or {}, visit_form=visit_form,
                           visit_kind=VisitKind(visit_kind).label if visit_kind else None), status


@bp.get("/obligations")
@login_required
def index():
    c = ctx()
    page = int_arg("page", 1, minimum=1)
    state = request.args.get("state") or None
    if state not in {s.value for s in ItemState}:
        state = None
    overdue = {"1": True, "0": False}.get(request.args.get("overdue", ""))
    # ``project_id``: the archive and the tools link a project's reports here (a source's link).
    rows, total = item_service.list_items(c, programme_id=int_arg("programme"),
                                          project_id=int_arg("project") or int_arg("project_id"),
                                          state=state, overdue=overdue, limit=PAGE, offset=(page - 1) * PAGE)
    return render_template("pages/obligations/list.html", items=rows, total=total, page=page,
                           pages=max(1, -(-total // PAGE)), state=state, overdue=overdue, states=list(ItemState))


@bp.get("/obligations/<int:item_id>")
@login_required
def show(item_id: int):
    return _page(item_id)


@bp.get("/obligations/<int:item_id>/report.xlsx")
@login_required
def workbook(item_id: int):
    """The report as one document (.xlsx): a town's report with a row per pilot."""
    c = ctx()
    item = item_service.get_item(c, item_id)
    data = obligation_report.workbook(item, reports.obligation_of(c, item).form, reports.latest(c, item),
                                      prefill.facts(c, item))
    return send_file(io.BytesIO(data), mimetype=XLSX_MIMETYPE, as_attachment=True,
                     download_name=obligation_report.filename(item))


@bp.post("/obligations/<int:item_id>/report")
@login_required
def write(item_id: int):
    """Save the draft, or hand it in (the button pressed says which)."""
    c = ctx()
    item = item_service.get_item(c, item_id)
    body = read_body(reports.obligation_of(c, item).form, request.form)
    handing_in = request.form.get("do") == "submit"
    try:
        if handing_in:
            door.SUBMIT_REPORT(c, item_id, **door.SUBMIT_REPORT.from_form(MultiDict(), body=body))
        else:
            door.SAVE_REPORT(c, item_id, **door.SAVE_REPORT.from_form(MultiDict(), body=body))
        c.commit()
    except RuleError as err:
        c.session.rollback()
        return _page(item_id, violations=err.violations, section="report", values=body, status=err.status)
    flash(_t("报告已提交。", "Report handed in.") if handing_in else _t("草稿已保存。", "Draft saved."), "success")
    return redirect(url_for("web.reporting.show", item_id=item_id))


@bp.post("/obligations/<int:item_id>/review")
@login_required
def review(item_id: int):
    """Accept the report handed in, or return it with reasons."""
    c = ctx()
    accepting = request.form.get("do") == "accept"
    op = door.ACCEPT_REPORT if accepting else door.RETURN_REPORT
    try:
        op(c, item_id, **op.from_form(request.form))
        c.commit()
    except RuleError as err:
        c.session.rollback()
        return _page(item_id, violations=err.violations, section="review", values=request.form.to_dict(), status=err.status)
    flash(_t("报告已通过。", "Report accepted.") if accepting else _t("报告已退回。", "Report returned."), "success")
    return redirect(url_for("web.reporting.show", item_id=item_id))


@bp.post("/obligations/<int:item_id>/notice")
@login_required
def notice(item_id: int):
    c = ctx()
    try:
        door.ISSUE_NOTICE(c, item_id, **door.ISSUE_NOTICE.from_form(request.form))
        c.commit()
    except RuleError as err:
        c.session.rollback()
        return _page(item_id, violations=err.violations, section="notice", values=request.form.to_dict(), status=err.status)
    flash(_t("已通报。", "Notice issued."), "success")
    return redirect(url_for("web.reporting.show", item_id=item_id))
