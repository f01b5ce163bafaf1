"""Obligations (应交事项): what falls due under a programme's policies, and their reports.

- ``GET .../obligations``: the due items the caller may see (filters programme, project, state,
  owing unit, overdue), by due date; a page.
- ``GET .../obligations/<id>``: one due item: the obligation as its policy declared it (label,
  clause, who owes it, who accepts it), the period (what it reports on, when it is due, the
  days a report is taken), its state and the daily task's marks (overdue since, escalation
  level, a 通报), the report's form (field descriptions, as the web renders them), the body a
  writer starts from (the draft, the returned version, or prefilled from what the platform
  knows), the facts the platform knows now, every version handed in (with its facts and the
  reviewer's reasons), and what the caller may do with it (``actions``).
- ``GET .../obligations/<id>/report.xlsx``: the report as one document (a town's: a row per pilot);
- ``PUT .../obligations/<id>/report``: write the draft (the owing unit); ``POST .../submission``:
  hand it in (optionally with the body); ``POST .../return`` and ``.../acceptance``: the level the
  policy names returns it with reasons or accepts it; ``POST .../notice``: it issues a 通报 on a
  late unit.

Every action's input is its operation's schema in ``core.door.reporting``, which the web's forms
are read with too; refusals cite the obligation's clause (in English with Accept-Language: en).
"""
from __future__ import annotations

import io

from flask import send_file
from flask.views import MethodView
from marshmallow import fields, validate
from sqlalchemy import select

from core.api.base import (TENANT, TOTAL_HEADER, ApiSchema, Blueprint, PageQuery, QueryId, context,
                           limit_offset, locale, login_required, page_schema, paged)
from core.api.refusals import refuses
from core.api.shapes import ActionsField, FieldSpecSchema, UnitRefSchema, UserRefSchema, actions, field_specs, text, \
    unit_ref, user_ref
from core.documents import obligation_report
from core.door import reporting as door
from core.models import DueItem, ItemState, User
from core.services import obligation_actions as offers
from core.services.obligations import items as item_service
from core.services.obligations import prefill, reports
from core.services.spreadsheets import XLSX_MIMETYPE

blp = Blueprint("obligations", __name__, url_prefix=f"{TENANT}/obligations",
                description="Obligations (应交事项) and their reports")

WINDOW = "not_yet_due period_closed"


class DueItemObligationSchema(ApiSchema):
    policy = fields.String(required=True, metadata={"description": "the policy that declares it"})
    key = fields.String(required=True)
    label = fields.String(required=True)
    clause = fields.String(allow_none=True, metadata={"description": "the clause of the source that asks for it"})
    owed_by = fields.String(required=True, metadata={"enum": ["applicant", "applicant_parent", "programme", "fund_owner"]})
    accepted_by = fields.String(allow_none=True, metadata={"description": "street or district; null: complete once handed in"})


class DueItemPeriodSchema(ApiSchema):
    key = fields.String(required=True)
    label = fields.String(required=True)
    starts = fields.Date(required=True)
    ends = fields.Date(required=True)
    opens = fields.Date(required=True, metadata={"description": "a report is taken from this day"})
    due = fields.Date(required=True)
    closes = fields.Date(required=True, metadata={"description": "the last day a (late) report is taken"})


class DueItemProjectSchema(ApiSchema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)


class DueItemNoticeSchema(ApiSchema):
    text = fields.String(required=True)
    at = fields.DateTime(required=True)


class DueItemSchema(ApiSchema):
    id = fields.Integer(required=True)
    programme_id = fields.Integer(required=True)
    obligation = fields.Nested(DueItemObligationSchema, required=True)
    period = fields.Nested(DueItemPeriodSchema, required=True)
    owner_unit = fields.Nested(UnitRefSchema, required=True, metadata={"description": "the unit that owes it"})
    project = fields.Nested(DueItemProjectSchema, allow_none=True)
    fund_id = fields.Integer(allow_none=True)
    state = fields.String(required=True, metadata={"enum": [s.value for s in ItemState]})
    state_label = fields.String(required=True)
    overdue_since = fields.Date(allow_none=True)
    escalation_level = fields.Integer(required=True, metadata={"description": "the last step of the chain reached"})
    notice = fields.Nested(DueItemNoticeSchema, allow_none=True, metadata={"description": "the 通报 issued, if any"})


ItemPageSchema = page_schema(DueItemSchema, "DueItemPageSchema")


class ReportVersionSchema(ApiSchema):
    number = fields.Integer(required=True)
    state = fields.String(required=True, metadata={"enum": ["draft", "submitted", "returned", "accepted"]})
    body = fields.Dict(required=True)
    facts = fields.Dict(required=True, metadata={"description": "what the platform knew when it was handed in"})
    written_by = fields.Nested(UserRefSchema, allow_none=True)
    submitted_by = fields.Nested(UserRefSchema, allow_none=True)
    submitted_at = fields.DateTime(allow_none=True)
    reviewed_by = fields.Nested(UserRefSchema, allow_none=True)
    reviewed_at = fields.DateTime(allow_none=True)
    review_note = fields.String(required=True, metadata={"description": "the reasons of a return, or the note of an acceptance"})


class ReportRowsSchema(ApiSchema):
    name = fields.String(required=True, metadata={"description": "the list field"})
    key = fields.String(allow_none=True, metadata={"description": "the row's key: send it with each row"})
    readonly = fields.List(fields.String(), required=True, metadata={"description": "filled from the platform's facts"})
    editable = fields.List(fields.String(), required=True)


class DueItemDetailSchema(DueItemSchema):
    form = fields.List(fields.Nested(FieldSpecSchema), required=True, metadata={"description": "the report's fields"})
    rows = fields.List(fields.Nested(ReportRowsSchema), required=True, metadata={
        "description": "list fields kept in step with the facts (one row per pilot ...)"})
    body = fields.Dict(required=True, metadata={"description": "what a writer starts from"})
    facts = fields.Dict(required=True, metadata={"description": "what the platform knows now (money in fen)"})
    versions = fields.List(fields.Nested(ReportVersionSchema), required=True)
    actions = ActionsField("DueItemActionSchema", offers.ITEM_ACTIONS)


class DueItemQuerySchema(PageQuery):
    programme_id = QueryId()
    project_id = QueryId()
    owner_unit_id = QueryId()
    state = fields.String(validate=validate.OneOf([s.value for s in ItemState]))
    # A query string holds text: "true" or "false", as the document's enum says.
    overdue = fields.String(validate=validate.OneOf(["true", "false"]), metadata={
        "description": "true: only items marked overdue; false: only those not"})


def _item(item: DueItem, lang: str) -> dict:
    row, p = item.obligation, item.period
    return {
        "id": item.id, "programme_id": item.programme_id,
        "obligation": {"policy": row.policy, "key": row.key, "label": text(row.label, lang),
                       "clause": text(item_service.clause(item), lang), "owed_by": row.owed_by,
                       "accepted_by": row.accepted_by},
        "period": {"key": p.key, "label": text(p.label, lang), "starts": p.starts_on, "ends": p.ends_on,
                   "opens": p.opens_on, "due": p.due_on, "closes": p.closes_on},
        "owner_unit": unit_ref(item.owner_unit, lang),
        "project": None, "fund_id": item.fund_id, "state": item.state,
        "state_label": text(item.state_enum.label, lang), "overdue_since": item.overdue_since,
        "escalation_level": item.escalation_level,
        "notice": {"text": item.notice_text, "at": item.noticed_at} if item.noticed_at else None,
    }


def _with_projects(ctx, rendered: list[dict], rows: list[DueItem]) -> list[dict]:
    from core.models import Project
    ids = {r.project_id for r in rows if r.project_id}
    titles = dict(ctx.session.execute(select(Project.id, Project.title).where(Project.id.in_(ids))).all()) if ids else {}
    for out, r in zip(rendered, rows):
        out["project"] = {"id": r.project_id, "title": titles.get(r.project_id, "")} if r.project_id else None
    return rendered


def _detail(ctx, item_id: int) -> dict:
    lang = locale()
    item = item_service.get_item(ctx, item_id)
    out = _with_projects(ctx, [_item(item, lang)], [item])[0]
    versions = reports.versions(ctx, item.id)
    ids = {i for v in versions for i in (v.written_by_id, v.submitted_by_id, v.reviewed_by_id) if i}
    people = {u.id: u for u in ctx.session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    found = prefill.facts(ctx, item)
    form = reports.obligation_of(ctx, item).form
    specs, body = field_specs(form, lang), reports.starting_body(ctx, item, form, found)
    rows = [{"name": name, "key": f.metadata.get("key"), "readonly": prefill.row_fields(f)[0],
             "editable": prefill.row_fields(f)[1]}
            for name, f in form().fields.items() if prefill.row_fields(f) != ([], [])]
    out.update({
        "form": specs, "rows": rows, "body": body, "facts": found,
        "versions": [{"number": v.number, "state": v.state, "body": v.body or {}, "facts": v.facts or {},
                      "written_by": user_ref(people.get(v.written_by_id)),
                      "submitted_by": user_ref(people.get(v.submitted_by_id)), "submitted_at": v.submitted_at,
                      "reviewed_by": user_ref(people.get(v.reviewed_by_id)), "reviewed_at": v.reviewed_at,
                      "review_note": v.review_note or ""} for v in versions],
        "actions": actions(offers.item_offers(ctx, item), lang),
    })
    return out


@blp.route("")
class Items(MethodView):
    @login_required
    @blp.arguments(DueItemQuerySchema, location="query")
    @blp.response(200, ItemPageSchema, headers=TOTAL_HEADER)
    def get(self, query):
        """Due items the caller may see (their units' and those of the units below them), by due date"""
        ctx = context(login=True)
        rows, total = item_service.list_items(
            ctx, programme_id=query.get("programme_id"), project_id=query.get("project_id"),
            owner_unit_id=query.get("owner_unit_id"), state=query.get("state"),
            overdue={"true": True, "false": False}.get(query.get("overdue", "")),
            **limit_offset(query))
        lang = locale()
        return paged(_with_projects(ctx, [_item(r, lang) for r in rows], rows), total, query)


@blp.route("/<id:item_id>")
class Item(MethodView):
    @login_required
    @blp.response(200, DueItemDetailSchema)
    @refuses({404: "not_found", 409: "obligation_withdrawn"})
    def get(self, item_id):
        """A due item with its form, what the platform knows, its versions and the caller's actions"""
        return _detail(context(login=True), item_id)


@blp.route("/<id:item_id>/report.xlsx")
class ReportWorkbook(MethodView):
    @login_required
    @blp.doc(responses={"200": {"description": "the report as an Excel workbook", "content": {
        XLSX_MIMETYPE: {"schema": {"type": "string", "format": "binary"}}}}})
    @refuses({404: "not_found", 409: "obligation_withdrawn"})
    def get(self, item_id):
        """The report (its latest version) as one .xlsx: its fields, and each row of a list (a town's pilots) with its money"""
        ctx = context(login=True)
        item = item_service.get_item(ctx, item_id)
        data = obligation_report.workbook(item, reports.obligation_of(ctx, item).form, reports.latest(ctx, item),
                                          prefill.facts(ctx, item))
        return send_file(io.BytesIO(data), mimetype=XLSX_MIMETYPE, as_attachment=True,
                         download_name=obligation_report.filename(item))


@blp.route("/<id:item_id>/report")
class Report(MethodView):
    @login_required
    @blp.arguments(door.SAVE_REPORT.schema)
    @blp.response(200, DueItemDetailSchema)
    @refuses({403: "not_owed", 404: "not_found", 409: "already_submitted period_closed obligation_withdrawn conflict",
              422: "invalid_field"})
    def put(self, body, item_id):
        """Write (save) the draft of the report: only the unit that owes it, while it is owed"""
        ctx = context(login=True)
        door.SAVE_REPORT(ctx, item_id, **body)
        ctx.commit()
        return _detail(ctx, item_id)


@blp.route("/<id:item_id>/submission")
class Submission(MethodView):
    @login_required
    @blp.arguments(door.SUBMIT_REPORT.schema)
    @blp.response(200, DueItemDetailSchema)
    @refuses({403: "not_owed", 404: "not_found", 409: f"already_submitted {WINDOW} obligation_withdrawn conflict",
              422: "invalid_field report_missing"})
    def post(self, body, item_id):
        """Hand the report in (with its body, or the saved draft): the facts the platform knows are frozen into the version"""
        ctx = context(login=True)
        door.SUBMIT_REPORT(ctx, item_id, **body)
        ctx.commit()
        return _detail(ctx, item_id)


@blp.route("/<id:item_id>/return")
class Return(MethodView):
    @login_required
    @blp.arguments(door.RETURN_REPORT.schema)
    @blp.response(200, DueItemDetailSchema)
    @refuses({403: "own_report not_reviewer", 404: "not_found", 409: "not_submitted no_review conflict",
              422: "reason_required"})
    def post(self, body, item_id):
        """Return the report handed in, with the reasons its writers read (the level the policy names)"""
        ctx = context(login=True)
        door.RETURN_REPORT(ctx, item_id, **body)
        ctx.commit()
        return _detail(ctx, item_id)


@blp.route("/<id:item_id>/acceptance")
class Acceptance(MethodView):
    @login_required
    @blp.arguments(door.ACCEPT_REPORT.schema)
    @blp.response(200, DueItemDetailSchema)
    @refuses({403: "own_report not_reviewer", 404: "not_found", 409: "not_submitted no_review conflict"})
    def post(self, body, item_id):
        """Accept the report handed in (the level the policy names)"""
        ctx = context(login=True)
        door.ACCEPT_REPORT(ctx, item_id, **body)
        ctx.commit()
        return _detail(ctx, item_id)


@blp.route("/<id:item_id>/notice")
class Notice(MethodView):
    @login_required
    @blp.arguments(door.ISSUE_NOTICE.schema)
    @blp.response(200, DueItemDetailSchema)
    @refuses({403: "own_report not_reviewer", 404: "not_found", 409: "not_late already_noticed no_review conflict",
              422: "reason_required"})
    def post(self, body, item_id):
        """Issue a 通报 on the unit that is late with it (the level the policy names)"""
        ctx = context(login=True)
        door.ISSUE_NOTICE(ctx, item_id, **body)
        ctx.commit()
        return _detail(ctx, item_id)
