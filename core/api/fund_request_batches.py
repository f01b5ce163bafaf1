"""The street's monthly batches of fund requests (资金申请月度汇总): ``GET .../fund-requests/batches``
(a page, newest month first), ``GET .../batches/<id>``, ``POST .../batches/<id>/approval`` (a
street leader, within their authority) and ``/disbursement`` (every approved request of it, all
or nothing: 201 with the batch and the ledger entries posted, as a request's own disbursement
answers with the request and its entries). Each batch says what the caller may do with it now
(``actions``, from ``core.services.fund_request_actions``). The requests themselves are
``core.api.fund_requests``."""
from __future__ import annotations

from flask.views import MethodView
from marshmallow import fields, validate

from core.api.base import (
    TENANT,
    TOTAL_HEADER,
    ApiSchema,
    Blueprint,
    PageQuery,
    context,
    limit_offset,
    locale,
    login_required,
    page_schema,
    paged,
)
from core.api.fund_requests import (
    FundRequestEntrySchema,
    FundRequestSchema,
    render_entries,
    render_requests,
    users_of,
)
from core.api.refusals import LEDGER, POSTING, refuses
from core.api.shapes import ActionsField, UnitRefSchema, UserRefSchema, actions, unit_ref, user_ref, yuan
from core.models import BatchState
from core.services import fund_request_actions as offers
from core.services import fund_requests as service
from core.door import Month
from core.door import money as door

blp = Blueprint("fund_request_batches", __name__, url_prefix=f"{TENANT}/fund-requests",
                description="The street's monthly batches of fund requests: the leader's approval and the disbursement")


# -- schemas -------------------------------------------------------------------------------------

class FundRequestBatchSchema(ApiSchema):
    id = fields.Integer(required=True)
    street_unit = fields.Nested(UnitRefSchema, required=True)
    month = fields.String(required=True)
    state = fields.String(required=True, metadata={"enum": [s.value for s in BatchState]})
    state_label = fields.String(required=True)
    total = fields.String(required=True, metadata={"description": "yuan: the accepted requests (once approved: the approved total)"})
    approved_by = fields.Nested(UserRefSchema, allow_none=True)
    approved_at = fields.DateTime(allow_none=True)
    approved_total = fields.String(allow_none=True)
    my_authority = fields.String(allow_none=True, metadata={
        "description": "yuan: the caller's authority limit as a leader of the street (null: none or not a leader)"})
    requests = fields.List(fields.Nested(FundRequestSchema), required=True)
    actions = ActionsField("FundRequestBatchActionSchema", offers.BATCH_ACTIONS)


FundRequestBatchPageSchema = page_schema(FundRequestBatchSchema, "FundRequestBatchPageSchema")


class FundRequestBatchPostingSchema(ApiSchema):
    batch = fields.Nested(FundRequestBatchSchema, required=True)
    entries = fields.List(fields.Nested(FundRequestEntrySchema), required=True, metadata={"description": "the ledger entries posted"})


class FundRequestBatchQuerySchema(PageQuery):
    month = Month()
    state = fields.String(validate=validate.OneOf([s.value for s in BatchState]))


# -- rendering -----------------------------------------------------------------------------------

def _batches(ctx, batches, lang: str) -> list[dict]:
    """Batches with their requests: the requests of all of them read at once, the caller's
    authority once per street."""
    users = users_of(ctx, [b.approved_by_id for b in batches])
    requests = service.batches_requests(ctx, [b.id for b in batches])
    rendered = {d["id"]: d for d in render_requests(ctx, [r for rows in requests.values() for r in rows], lang)}
    authority = {}
    out = []
    for batch in batches:
        if batch.street_unit_id not in authority:
            authority[batch.street_unit_id] = service.authority_fen(ctx, batch.street_unit)
        is_leader, limit = authority[batch.street_unit_id]
        rows = requests.get(batch.id, [])
        total = service.batch_total(ctx, batch, rows)
        out.append({
            "id": batch.id, "street_unit": unit_ref(batch.street_unit, lang), "month": batch.month, "state": batch.state,
            "state_label": BatchState(batch.state).label.render(lang), "total": yuan(total),
            "approved_by": user_ref(users.get(batch.approved_by_id)), "approved_at": batch.approved_at,
            "approved_total": yuan(batch.approved_total_fen), "my_authority": yuan(limit) if is_leader else None,
            "requests": [rendered[r.id] for r in rows],
            "actions": actions(offers.batch_offers(ctx, batch, total=total, requests=rows,
                                                   authority=(is_leader, limit)), lang),
        })
    return out


def _batch(ctx, batch, lang: str) -> dict:
    return _batches(ctx, [batch], lang)[0]


# -- endpoints -----------------------------------------------------------------------------------

@blp.route("/batches")
class Batches(MethodView):
    @login_required
    @blp.arguments(FundRequestBatchQuerySchema, location="query")
    @blp.response(200, FundRequestBatchPageSchema, headers=TOTAL_HEADER)
    def get(self, query):
        """The monthly batches of the streets the caller administers or leads, newest month first"""
        ctx = context(login=True)
        rows, total = service.list_batches(ctx, month=query.get("month"), state=query.get("state"),
                                           **limit_offset(query))
        return paged(_batches(ctx, rows, locale()), total, query)


@blp.route("/batches/<id:batch_id>")
class BatchItem(MethodView):
    @login_required
    @blp.response(200, FundRequestBatchSchema)
    def get(self, batch_id):
        """A batch with its requests, its total and the caller's authority"""
        ctx = context(login=True)
        return _batch(ctx, service.get_batch(ctx, batch_id), locale())


@blp.route("/batches/<id:batch_id>/approval")
class BatchApproval(MethodView):
    @login_required
    @blp.response(200, FundRequestBatchSchema)
    @refuses({403: "forbidden over_authority", 409: "batch_already_approved batch_empty"})
    def post(self, batch_id):
        """A street leader approves the month's batch (its total must be within their authority)"""
        ctx = context(login=True)
        door.APPROVE_BATCH(ctx, batch_id)
        ctx.commit()
        return _batch(ctx, service.get_batch(ctx, batch_id), locale())


@blp.route("/batches/<id:batch_id>/disbursement")
class BatchDisbursement(MethodView):
    @login_required
    @blp.response(201, FundRequestBatchPostingSchema)
    @refuses({403: "forbidden", 409: f"batch_not_approved nothing_to_disburse already_disbursed wrong_state idempotency_conflict {LEDGER}", 422: POSTING})
    def post(self, batch_id):
        """Record the disbursement of every approved request of an approved batch (all or nothing)"""
        ctx = context(login=True)
        paid = [r.id for r in door.DISBURSE_BATCH(ctx, batch_id)]
        ctx.commit()
        return {"batch": _batch(ctx, service.get_batch(ctx, batch_id), locale()),
                "entries": render_entries(service.disbursement_entries(ctx, paid))}
