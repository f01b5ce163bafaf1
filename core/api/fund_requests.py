"""Monthly fund requests (资金申请), their batches, disbursements, spending and final accounts.

- ``GET/POST .../fund-requests``: the requests the caller may see (filters month, state,
  project); a neighbourhood files one for an approved project (amount in yuan); outside the
  window its policy gives filing, only the role a phase names as approver may, sending its
  ``override_reason``.
- ``GET .../fund-requests/<id>``; actions ``POST .../<id>/supervision`` (the supervision
  committee, where the policy has the step), ``/acceptance`` (the street office: into the month's
  batch), ``/refusal``, ``/withdraw`` (the applicant, while nobody acted), ``/disbursement``
  (the office, once the leader approved), ``/expenses`` (multipart, with the voucher) and
  ``/refunds``.
- the monthly batches (``.../fund-requests/batches``) are in ``core.api.fund_request_batches``.
- ``GET .../fund-requests/projects/<id>/final-accounts`` (JSON) and ``.../final-accounts.xlsx``.

Lists are pages (``page``, ``page_size`` ≤ 100; the envelope of ``core.api.base.paged``). Each
request and batch says what the caller may do with it now (``actions``, from
``core.services.fund_request_actions``, as the web's buttons do). An action that posts ledger
entries (a disbursement of one request or of a whole batch, an expense, a refund) answers 201
with the object it acted on and the entries it posted.

Filing, an expense and a refund require an idempotency ``key`` (see the API's description): the
same key and body again answer the first answer (201, the same request and entries) and record
nothing new, another body under it is a 409, no key is a 400.

Every action's input is its operation's schema in ``core.door.money``, which the web's forms are
read with too. Amounts leave and enter as yuan strings; refusals name the field and, where the policy has
one, the clause (in English with ``Accept-Language: en``)."""
from __future__ import annotations

import io

from flask import current_app, send_file, url_for
from flask.views import MethodView
from marshmallow import fields, validate
from sqlalchemy import select

from core.api.base import (
    TENANT,
    TOTAL_HEADER,
    ApiSchema,
    Blueprint,
    PageQuery,
    QueryId,
    context,
    limit_offset,
    locale,
    login_required,
    page_schema,
    paged,
)
from core.api.refusals import CALENDAR, KEYED, LEDGER, POSTING, refuses
from core.api.shapes import ActionsField, UnitRefSchema, UserRefSchema, actions, unit_ref, user_ref, yuan
from core.models import FundRequestState, User
from core.services import final_accounts as accounts_service
from core.services import fund_request_actions as offers
from core.services import fund_requests as service
from core.services.spreadsheets import XLSX_MIMETYPE
from core.door import Month
from core.door import money as door

blp = Blueprint("fund_requests", __name__, url_prefix=f"{TENANT}/fund-requests",
                description="Monthly fund requests, batches and disbursements")


# -- schemas -------------------------------------------------------------------------------------

class FundRequestProjectSchema(ApiSchema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)


class FundRequestVoucherSchema(ApiSchema):
    entry_id = fields.Integer(required=True, metadata={"description": "the ledger entry of the expense"})
    amount = fields.String(required=True, metadata={"description": "yuan"})
    memo = fields.String(required=True)
    at = fields.DateTime(required=True)
    attachment_id = fields.Integer(allow_none=True)
    filename = fields.String(allow_none=True)
    url = fields.String(allow_none=True, metadata={"description": "download the voucher"})


class FundRequestSchema(ApiSchema):
    id = fields.Integer(required=True)
    project = fields.Nested(FundRequestProjectSchema, required=True)
    applicant_unit = fields.Nested(UnitRefSchema, required=True)
    month = fields.String(required=True, metadata={"description": "YYYY-MM"})
    amount = fields.String(required=True, metadata={"description": "yuan, e.g. '1500.00'"})
    purpose = fields.String(required=True)
    beneficiaries = fields.String(required=True, metadata={"description": "使用对象"})
    budget_item_id = fields.Integer(allow_none=True)
    budget_item_description = fields.String(required=True, metadata={"description": "the budget item's description when the request was filed (kept if the budget changes later)"})
    state = fields.String(required=True, metadata={"enum": [s.value for s in FundRequestState]})
    state_label = fields.String(required=True)
    requested_by = fields.Nested(UserRefSchema, allow_none=True)
    created_at = fields.DateTime(required=True)
    supervised_by = fields.Nested(UserRefSchema, allow_none=True)
    supervised_at = fields.DateTime(allow_none=True)
    supervision_note = fields.String(required=True)
    accepted_by = fields.Nested(UserRefSchema, allow_none=True)
    accepted_at = fields.DateTime(allow_none=True)
    batch_id = fields.Integer(allow_none=True)
    refusal_reason = fields.String(required=True)
    disbursed_at = fields.DateTime(allow_none=True)
    disbursed = fields.String(required=True, metadata={"description": "yuan paid out for it, net of refunds"})
    spent = fields.String(required=True, metadata={"description": "yuan of it spent (expenses recorded)"})
    vouchers = fields.List(fields.Nested(FundRequestVoucherSchema), required=True, metadata={
        "description": "the expenses recorded on the request, each with its voucher (凭证/发票)"})
    actions = ActionsField("FundRequestActionSchema", offers.REQUEST_ACTIONS)


FundRequestPageSchema = page_schema(FundRequestSchema, "FundRequestPageSchema")


class FundRequestQuerySchema(PageQuery):
    month = Month()
    state = fields.String(validate=validate.OneOf([s.value for s in FundRequestState]))
    project_id = QueryId()


class FundRequestEntrySchema(ApiSchema):
    id = fields.Integer(required=True)
    fund_id = fields.Integer(required=True)
    kind = fields.String(required=True)
    amount = fields.String(required=True, metadata={"description": "yuan"})
    idempotency_key = fields.String(allow_none=True)


class FundRequestPostingSchema(ApiSchema):
    request = fields.Nested(FundRequestSchema, required=True)
    entries = fields.List(fields.Nested(FundRequestEntrySchema), required=True, metadata={"description": "the ledger entries posted"})


class FinalAccountsRowSchema(ApiSchema):
    budget_item_id = fields.Integer(allow_none=True, metadata={"description": "null: money on no budget item"})
    label = fields.String(required=True)
    budgeted = fields.String(required=True)
    requested = fields.String(required=True)
    disbursed = fields.String(required=True)
    spent = fields.String(required=True)
    balance = fields.String(required=True, metadata={"description": "budgeted − spent"})


class FinalAccountsSchema(ApiSchema):
    project = fields.Nested(FundRequestProjectSchema, required=True)
    committed = fields.String(required=True, metadata={"description": "yuan the approval committed"})
    refunded = fields.String(required=True)
    rows = fields.List(fields.Nested(FinalAccountsRowSchema), required=True, metadata={
        "description": "a row per budget item, then (if any) the money on no budget item"})
    total = fields.Nested(FinalAccountsRowSchema, required=True)
    xlsx_url = fields.String(required=True)


# -- rendering -----------------------------------------------------------------------------------

def users_of(ctx, ids) -> dict[int, User]:
    wanted = {i for i in ids if i}
    return {u.id: u for u in ctx.session.scalars(select(User).where(User.id.in_(wanted)))} if wanted else {}


def render_requests(ctx, rows, lang: str) -> list[dict]:
    users = users_of(ctx, [i for r in rows for i in (r.requested_by_id, r.supervised_by_id, r.accepted_by_id)])
    money, vouchers = {}, {}
    for pid in {r.project_id for r in rows}:
        money.update(service.request_money(ctx, pid))
        vouchers.update(service.vouchers(ctx, pid))
    available = offers.requests_offers(ctx, rows, money)
    out = []
    for r in rows:
        m = money.get(r.id, service.RequestMoney())
        out.append({
            "id": r.id, "project": {"id": r.project.id, "title": r.project.title},
            "applicant_unit": unit_ref(r.project.applicant_unit, lang), "month": r.month, "amount": yuan(r.amount_fen),
            "purpose": r.purpose, "beneficiaries": r.beneficiaries, "budget_item_id": r.budget_item_id,
            "budget_item_description": r.budget_item_description, "state": r.state, "state_label": r.state_enum.label.render(lang),
            "requested_by": user_ref(users.get(r.requested_by_id)), "created_at": r.created_at,
            "supervised_by": user_ref(users.get(r.supervised_by_id)), "supervised_at": r.supervised_at,
            "supervision_note": r.supervision_note, "accepted_by": user_ref(users.get(r.accepted_by_id)),
            "accepted_at": r.accepted_at, "batch_id": r.batch_id, "refusal_reason": r.refusal_reason,
            "disbursed_at": r.disbursed_at, "disbursed": yuan(m.disbursed_total), "spent": yuan(m.spent_total),
            "vouchers": [{"entry_id": e.id, "amount": yuan(e.amount_fen), "memo": e.memo, "at": e.at,
                          "attachment_id": a.id if a else None, "filename": a.filename if a else None,
                          "url": url_for("projects.AttachmentFile", project_id=a.project_id, attachment_id=a.id) if a else None}
                         for e, a in vouchers.get(r.id, [])],
            "actions": actions(available[r.id], lang),
        })
    return out


def _request(ctx, request_id: int) -> dict:
    return render_requests(ctx, [service.get_request(ctx, request_id)], locale())[0]


def render_entries(entries) -> list[dict]:
    return [{"id": e.id, "fund_id": e.fund_id, "kind": e.kind, "amount": yuan(e.amount_fen),
             "idempotency_key": e.idempotency_key} for e in entries]


def _row(row, lang: str) -> dict:
    label = row.label.render(lang) if hasattr(row.label, "render") else str(row.label)
    return {"budget_item_id": row.budget_item_id, "label": label,
            **{key: yuan(value) for key, value in row.values().items()}}


# -- requests ------------------------------------------------------------------------------------

@blp.route("")
class FundRequests(MethodView):
    @login_required
    @blp.arguments(FundRequestQuerySchema, location="query")
    @blp.response(200, FundRequestPageSchema, headers=TOTAL_HEADER)
    def get(self, query):
        """Fund requests the caller may see (their unit's, or those under the units they accept, sign off or lead), oldest first"""
        ctx = context(login=True)
        rows, total = service.list_requests(ctx, month=query.get("month"), state=query.get("state"),
                                            project_id=query.get("project_id"), **limit_offset(query))
        return paged(render_requests(ctx, rows, locale()), total, query)

    @login_required
    @blp.arguments(door.FILE_REQUEST.schema)
    @blp.response(201, FundRequestSchema)
    @refuses({400: KEYED, 403: "forbidden", 404: "not_found", 409: "project_not_approved project_closed no_street idempotency_conflict", 422: f"invalid_amount invalid_idempotency_key purpose_required purpose_too_long invalid_purpose beneficiaries_required beneficiaries_too_long invalid_beneficiaries invalid_month budget_item_not_in_project over_approved_budget over_budget_item {CALENDAR}"})
    def post(self, body):
        """File a fund request for an approved project (refused beyond its approved money or its budget item's)"""
        ctx = context(login=True)
        req = door.FILE_REQUEST(ctx, **body)
        ctx.commit()
        return _request(ctx, req.id)


@blp.route("/<id:request_id>")
class FundRequestItem(MethodView):
    @login_required
    @blp.response(200, FundRequestSchema)
    def get(self, request_id):
        """A fund request with what it disbursed and spent, and its vouchers"""
        ctx = context(login=True)
        return _request(ctx, request_id)


@blp.route("/<id:request_id>/supervision")
class Supervision(MethodView):
    @login_required
    @blp.arguments(door.SUPERVISE_REQUEST.schema)
    @blp.response(200, FundRequestSchema)
    @refuses({403: "forbidden", 409: "no_supervision_step wrong_state", 422: "reason_required note_too_long invalid_note"})
    def post(self, body, request_id):
        """The supervision committee's sign-off (where the policy has it): approve with a note, or refuse with a reason"""
        ctx = context(login=True)
        door.SUPERVISE_REQUEST(ctx, request_id, **body)
        ctx.commit()
        return _request(ctx, request_id)


@blp.route("/<id:request_id>/acceptance")
class Accept(MethodView):
    @login_required
    @blp.arguments(door.ACCEPT_REQUEST.schema)
    @blp.response(200, FundRequestSchema)
    @refuses({403: "forbidden", 409: "wrong_state needs_supervision batch_already_approved project_not_approved no_street", 422: "invalid_month over_approved_budget over_budget_item"})
    def post(self, body, request_id):
        """The street office accepts a request: measured again against the budget, it joins the month's batch"""
        ctx = context(login=True)
        door.ACCEPT_REQUEST(ctx, request_id, **body)
        ctx.commit()
        return _request(ctx, request_id)


@blp.route("/<id:request_id>/refusal")
class Refusal(MethodView):
    @login_required
    @blp.arguments(door.REFUSE_REQUEST.schema)
    @blp.response(200, FundRequestSchema)
    @refuses({403: "forbidden", 409: "wrong_state needs_supervision no_supervision_step", 422: "reason_required"})
    def post(self, body, request_id):
        """Refuse a request with the reason the applicant reads (the supervision committee or the street office)"""
        ctx = context(login=True)
        door.REFUSE_REQUEST(ctx, request_id, **body)
        ctx.commit()
        return _request(ctx, request_id)


@blp.route("/<id:request_id>/withdraw")
class Withdraw(MethodView):
    @login_required
    @blp.response(200, FundRequestSchema)
    @refuses({403: "forbidden", 409: "wrong_state"})
    def post(self, request_id):
        """The applicant withdraws a request nobody has acted on yet"""
        ctx = context(login=True)
        door.WITHDRAW_REQUEST(ctx, request_id)
        ctx.commit()
        return _request(ctx, request_id)


@blp.route("/<id:request_id>/disbursement")
class Disbursement(MethodView):
    @login_required
    @blp.response(201, FundRequestPostingSchema)
    @refuses({403: "forbidden", 409: f"wrong_state already_disbursed idempotency_conflict {LEDGER}", 422: POSTING})
    def post(self, request_id):
        """Record that an approved request was paid out (once; split over the project's funds in plan order)"""
        ctx = context(login=True)
        entries = door.DISBURSE_REQUEST(ctx, request_id)
        ctx.commit()
        return {"request": _request(ctx, request_id), "entries": render_entries(entries)}


@blp.route("/<id:request_id>/expenses")
class Expenses(MethodView):
    @login_required
    @blp.arguments(door.RECORD_EXPENSE.schema, location="multipart")
    @blp.response(201, FundRequestPostingSchema)
    @refuses({400: KEYED, 403: "forbidden", 409: "wrong_state idempotency_conflict project_closed", 413: "file_too_large", 415: "file_type", 422: f"over_request_disbursed voucher_required file_empty memo_required memo_too_long invalid_memo {POSTING}"})
    def post(self, body, request_id):
        """Record spending of a disbursed request's money with its voucher (multipart: amount, memo, voucher)"""
        ctx = context(login=True)
        entries = door.RECORD_EXPENSE(ctx, request_id, storage=current_app.extensions["tongxin"].storage, **body)
        ctx.commit()
        return {"request": _request(ctx, request_id), "entries": render_entries(entries)}


@blp.route("/<id:request_id>/refunds")
class Refunds(MethodView):
    @login_required
    @blp.arguments(door.REFUND.schema)
    @blp.response(201, FundRequestPostingSchema)
    @refuses({400: KEYED, 403: "forbidden", 409: "wrong_state idempotency_conflict project_closed", 422: f"over_request_unspent memo_too_long invalid_memo {POSTING}"})
    def post(self, body, request_id):
        """Return unspent money of a disbursed request to its funds"""
        ctx = context(login=True)
        entries = door.REFUND(ctx, request_id, **body)
        ctx.commit()
        return {"request": _request(ctx, request_id), "entries": render_entries(entries)}


# -- final accounts ------------------------------------------------------------------------------

@blp.route("/projects/<id:project_id>/final-accounts")
class FinalAccounts(MethodView):
    @login_required
    @blp.response(200, FinalAccountsSchema)
    @refuses({403: "forbidden"})
    def get(self, project_id):
        """A project's final accounts (决算表): per budget item budgeted, requested, disbursed, spent and balance"""
        ctx = context(login=True)
        lang = locale()
        fa = accounts_service.final_accounts(ctx, project_id)
        return {"project": {"id": fa.project.id, "title": fa.project.title}, "committed": yuan(fa.committed),
                "refunded": yuan(fa.refunded), "rows": [_row(row, lang) for row in fa.rows],
                "total": _row(fa.total, lang),
                "xlsx_url": url_for("fund_requests.FinalAccountsWorkbook", project_id=project_id)}


@blp.route("/projects/<id:project_id>/final-accounts.xlsx")
class FinalAccountsWorkbook(MethodView):
    @login_required
    @blp.doc(responses={"200": {"description": "the final accounts as an Excel workbook", "content": {
        XLSX_MIMETYPE: {"schema": {"type": "string", "format": "binary"}}}}})
    @refuses({403: "forbidden"})
    def get(self, project_id):
        """The final accounts as an .xlsx (Chinese headers; amounts as numbers with two decimals)"""
        ctx = context(login=True)
        fa = accounts_service.final_accounts(ctx, project_id)
        data = accounts_service.workbook(fa, locale())
        return send_file(io.BytesIO(data), mimetype=XLSX_MIMETYPE, as_attachment=True,
                         download_name=accounts_service.filename(fa))
