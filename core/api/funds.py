"""Funds and their ledger: GET .../funds (with derived balances), a fund's entries, a
project's funding; POST allocations, transfers and corrections (street or district
administrators at or above the fund's unit). A policy's fund is addressed by programme, unit
and the policy's fund key (``POST .../funds/policy-funds``), so a street can allocate a
neighbourhood's line before anything was committed from it.

Every POST carries an idempotency ``key``: sending the same request again returns the entry
already posted instead of posting twice; the same key with other content is a 409."""
from __future__ import annotations

from flask.views import MethodView
from marshmallow import fields, validate

from core.api.base import (
    TENANT,
    TOTAL_HEADER,
    ApiSchema,
    Blueprint,
    PageQuery,
    QueryId,
    QueryWhole,
    context,
    limit_offset,
    locale,
    login_required,
    page_schema,
    paged,
)
from core.api.shapes import ActionsField, UnitRefSchema, actions, text, unit_ref, yuan
from core.api.refusals import KEYED, POSTING, refuses
from core.door import money as door
from core.models import EntryKind, FundKind
from core.services import fund_actions as offers
from core.services import funding, funds, ledger
from core.services.projects import get_project

blp = Blueprint("funds", __name__, url_prefix=f"{TENANT}/funds",
                description="Funds, allocations and the append-only ledger (balances are derived)")


class BalanceSchema(ApiSchema):
    cap = fields.String(allow_none=True, metadata={"description": "yuan; null: bounded by allocations only"})
    allocated = fields.String(required=True)
    committed = fields.String(required=True)
    disbursed = fields.String(required=True)
    spent = fields.String(required=True)
    held = fields.String(required=True, metadata={
        "description": "set aside for sponsors' claims of projects not decided yet (a claim holds its money from "
                       "the moment it is made, whether or not it has arrived)"})
    available = fields.String(required=True, metadata={
        "description": "what may still be committed: min(allocated, cap) − committed − held; below zero while the "
                       "fund holds more for claims than it has received"})


class FundSchema(ApiSchema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True, metadata={"enum": [k.value for k in FundKind]})
    kind_label = fields.String(required=True)
    tier = fields.String(allow_none=True)
    year = fields.Integer(required=True)
    org_unit = fields.Nested(UnitRefSchema, required=True)
    balance = fields.Nested(BalanceSchema, required=True)
    actions = ActionsField("FundActionSchema", offers.FUND_ACTIONS)


FundPageSchema = page_schema(FundSchema, "FundPageSchema")


class FundQuery(PageQuery):
    year = QueryWhole(validate=validate.Range(min=2000, max=2100))
    org_unit_id = QueryId(metadata={"description": "funds of this unit only"})
    within_unit_id = QueryId(metadata={"description": "funds of this unit and every unit below it"})


class EntrySchema(ApiSchema):
    id = fields.Integer(required=True)
    fund_id = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"enum": [k.value for k in EntryKind]})
    kind_label = fields.String(required=True)
    amount = fields.String(required=True, metadata={"description": "yuan, always positive; the kind says the direction"})
    project_id = fields.Integer(allow_none=True)
    memo = fields.String(required=True)
    at = fields.DateTime(required=True)
    key = fields.String(allow_none=True)
    corrects_id = fields.Integer(allow_none=True)
    transfer_id = fields.String(allow_none=True)
    voucher_attachment_id = fields.Integer(allow_none=True)
    pledge_id = fields.Integer(allow_none=True)
    fund_request_id = fields.Integer(allow_none=True)


EntryPageSchema = page_schema(EntrySchema, "EntryPageSchema")


class EntryListSchema(ApiSchema):
    items = fields.List(fields.Nested(EntrySchema), required=True,
                        metadata={"description": "the pair posted: out of the source fund, then into the target"})


class ProjectFundingSchema(ApiSchema):
    project_id = fields.Integer(required=True)
    items = fields.List(fields.Nested(type("ProjectFundLine", (ApiSchema,), {
        "fund": fields.Nested(FundSchema, required=True),
        "committed": fields.String(required=True),
        "disbursed": fields.String(required=True),
        "spent": fields.String(required=True),
    })), required=True, metadata={"description": "the project's own share of each fund, in the funding plan's order"})


def balance(b: ledger.Balance) -> dict:
    return {"cap": yuan(b.cap_fen), "allocated": yuan(b.allocated), "committed": yuan(b.committed),
            "disbursed": yuan(b.disbursed), "spent": yuan(b.spent), "held": yuan(b.held), "available": yuan(b.available)}


def fund(ctx, f, b: ledger.Balance, lang: str) -> dict:
    return {"id": f.id, "name": f.name, "kind": f.kind, "kind_label": text(f.kind_enum.label, lang), "tier": f.tier,
            "year": f.year, "org_unit": unit_ref(f.org_unit, lang), "balance": balance(b),
            "actions": actions(offers.fund_offers(ctx, f), lang)}


def entry(e, lang: str) -> dict:
    return {"id": e.id, "fund_id": e.fund_id, "kind": e.kind, "kind_label": text(e.kind_enum.label, lang),
            "amount": yuan(e.amount_fen), "project_id": e.project_id, "memo": e.memo, "at": e.at,
            "key": e.idempotency_key, "corrects_id": e.corrects_id, "transfer_id": e.transfer_id,
            "voucher_attachment_id": e.voucher_attachment_id, "pledge_id": e.pledge_id,
            "fund_request_id": e.fund_request_id}


@blp.route("")
class Funds(MethodView):
    @login_required
    @blp.arguments(FundQuery, location="query")
    @blp.response(200, FundPageSchema, headers=TOTAL_HEADER)
    @refuses({403: "forbidden", 404: "not_found"})
    def get(self, query):
        """Funds the caller may see, with their derived balances (one aggregate query per page)."""
        ctx = context()
        rows, total = funds.visible_funds_page(ctx, year=query.get("year"), org_unit_id=query.get("org_unit_id"),
                                               within_unit_id=query.get("within_unit_id"), **limit_offset(query))
        return paged([fund(ctx, f, b, locale()) for f, b in rows], total, query)


@blp.route("/<id:fund_id>")
class OneFund(MethodView):
    @login_required
    @blp.response(200, FundSchema)
    @refuses({403: "forbidden"})
    def get(self, fund_id):
        """One fund with its derived balance."""
        ctx = context()
        f, b = funds.fund_with_balance(ctx, fund_id)
        return fund(ctx, f, b, locale())


@blp.route("/<id:fund_id>/entries")
class Entries(MethodView):
    @login_required
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, EntryPageSchema, headers=TOTAL_HEADER)
    @refuses({403: "forbidden"})
    def get(self, query, fund_id):
        """The fund's entries, oldest first. Entries are never changed; a correction is a new
        entry naming the one it corrects."""
        ctx = context()
        rows, total = funds.entries_page(ctx, fund_id, **limit_offset(query))
        return paged([entry(e, locale()) for e in rows], total, query)


@blp.route("/policy-funds")
class PolicyFunds(MethodView):
    @login_required
    @blp.arguments(door.POLICY_FUND.schema)
    @blp.response(200, FundSchema)
    @refuses({403: "forbidden", 404: "not_found", 409: "fund_exists", 422: "unit_outside_programme unknown_fund"})
    def post(self, body):
        """Find (or, for an administrator, set up) the fund a programme's policy names by key."""
        ctx = context()
        f = door.POLICY_FUND(ctx, **body)
        ctx.commit()
        return fund(ctx, f, ledger.balance(ctx, f.id), locale())


@blp.route("/<id:fund_id>/allocations")
class Allocations(MethodView):
    @login_required
    @blp.arguments(door.ALLOCATE.schema)
    @blp.response(201, EntrySchema)
    @refuses({400: KEYED, 403: "forbidden", 409: "idempotency_conflict", 422: POSTING})
    def post(self, body, fund_id):
        """Put money into the fund (the year's budget, a line's amount)."""
        ctx = context()
        e = door.ALLOCATE(ctx, fund_id, **body)
        ctx.commit()
        return entry(e, locale())


@blp.route("/transfers")
class Transfers(MethodView):
    @login_required
    @blp.arguments(door.TRANSFER.schema)
    @blp.response(201, EntryListSchema)
    @refuses({400: KEYED, 403: "forbidden", 404: "not_found", 409: "idempotency_conflict", 422: f"transfer_same_fund {POSTING}"})
    def post(self, body):
        """Move uncommitted money between two funds: a paired out/in."""
        ctx = context()
        out, into = door.TRANSFER(ctx, **body)
        ctx.commit()
        return {"items": [entry(out, locale()), entry(into, locale())]}


@blp.route("/entries/<id:entry_id>/corrections")
class Corrections(MethodView):
    @login_required
    @blp.arguments(door.CORRECT.schema)
    @blp.response(201, EntrySchema)
    @refuses({400: KEYED, 403: "forbidden", 409: "idempotency_conflict", 422: f"not_correctable correction_exceeds_entry {POSTING}"})
    def post(self, body, entry_id):
        """Reverse (part of) an entry with a new entry that names it and says why."""
        ctx = context()
        e = door.CORRECT(ctx, entry_id, **body)
        ctx.commit()
        return entry(e, locale())


@blp.route("/projects/<id:project_id>")
class ProjectFunding(MethodView):
    @login_required
    @blp.response(200, ProjectFundingSchema)
    def get(self, project_id):
        """Where a project's money comes from and how much of it was paid out and spent."""
        ctx = context()
        project = get_project(ctx, project_id)
        lines = funding.approved_funding(ctx, project)
        totals = ledger.balances(ctx, [f.id for f, _ in lines])
        return {"project_id": project.id, "items": [
            {"fund": fund(ctx, f, totals[f.id], locale()), "committed": yuan(b.committed), "disbursed": yuan(b.disbursed),
             "spent": yuan(b.spent)} for f, b in lines]}
