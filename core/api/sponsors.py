"""Sponsors (共建单位), their pledges and claims (认捐 / 认领), and what the money paid for.

- ``GET/POST .../sponsors``: list the sponsors (of a unit, or of the caller's units); register one
  (street or district administrators).
- ``GET .../sponsors/<id>``: the sponsor's view: each pledge with its derived status, the project
  it claimed and the expenses that project's money paid for, with vouchers (the sponsor's own
  login, or staff and supervisors at or above its unit).
- ``GET/POST .../sponsors/funds``: the co-governance funds the caller keeps, with what was
  pledged, received and spent (and what the caller may do with each, ``actions``); set up the
  one a programme's policy declares for a unit.
- ``GET/POST .../sponsors/pledges``: pledges by fund, sponsor or claimed project, with their
  derived status; record a pledge (and a claim) at the council meeting.
- ``POST .../sponsors/pledges/<id>/receipts``: money arrived for a pledge.

Amounts leave and enter as yuan strings; floats, negatives and fractions of a fen are refused,
naming the field. Pledge status is derived from the ledger (see ``core.services.pledges``).
"""
from __future__ import annotations

from flask import url_for
from flask.views import MethodView
from marshmallow import fields

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
from core.api.shapes import ActionsField, UnitRefSchema, actions, text, unit_ref, yuan
from core.api.refusals import CALENDAR, KEYED, POSTING, refuses
from core.door import money as door
from core.models import SponsorKind
from core.services import fund_actions as offers
from core.services import pledges

blp = Blueprint("sponsors", __name__, url_prefix=f"{TENANT}/sponsors", description="Sponsors, pledges and claims")

STATUSES = list(pledges.STATUS_LABELS)


# -- shapes ----------------------------------------------------------------------------------------

class SponsorSchema(ApiSchema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True, metadata={"enum": [k.value for k in SponsorKind]})
    kind_label = fields.String(required=True)
    contact = fields.String(required=True)
    org_unit = fields.Nested(UnitRefSchema, required=True, metadata={"description": "the unit it is registered (twinned) with"})
    has_login = fields.Boolean(required=True)


SponsorPageSchema = page_schema(SponsorSchema, "SponsorPageSchema")


class SponsorQuery(PageQuery):
    org_unit_id = QueryId(load_default=None, metadata={"description": "sponsors that may pledge to this unit's funds"})


class FundRefSchema(ApiSchema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    year = fields.Integer(required=True)
    org_unit = fields.Nested(UnitRefSchema, required=True)


class ProjectRefSchema(ApiSchema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    state = fields.String(required=True)


class SponsorRefSchema(ApiSchema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class PledgeSchema(ApiSchema):
    id = fields.Integer(required=True)
    sponsor = fields.Nested(SponsorRefSchema, required=True)
    fund = fields.Nested(FundRefSchema, required=True)
    project = fields.Nested(ProjectRefSchema, allow_none=True, metadata={"description": "the project claimed (认领)"})
    amount = fields.String(required=True, metadata={"description": "yuan promised"})
    in_kind = fields.String(required=True)
    occasion = fields.String(required=True)
    pledged_on = fields.Date(required=True)
    year = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"enum": STATUSES, "description": "derived from the ledger"})
    status_label = fields.String(required=True)
    received = fields.String(required=True, metadata={"description": "yuan received"})
    spent = fields.String(required=True, metadata={"description": "yuan of it spent (first in, first out)"})
    outstanding = fields.String(required=True, metadata={"description": "yuan promised but not received"})


PledgePageSchema = page_schema(PledgeSchema, "PledgePageSchema")


class PledgeQuery(PageQuery):
    fund_id = QueryId(load_default=None)
    sponsor_id = QueryId(load_default=None)
    project_id = QueryId(load_default=None, metadata={"description": "who claimed this project"})


class EntryRefSchema(ApiSchema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    amount = fields.String(required=True)
    project_id = fields.Integer(allow_none=True)
    memo = fields.String(required=True)


class ReceiptSchema(ApiSchema):
    allocation = fields.Nested(EntryRefSchema, required=True, metadata={"description": "the money put into the fund"})
    commitment = fields.Nested(EntryRefSchema, allow_none=True,
                               metadata={"description": "the part earmarked for the claimed, approved project"})
    pledge = fields.Nested(PledgeSchema, required=True)


class ExpenseProjectSchema(ApiSchema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)


class ExpenseSchema(ApiSchema):
    entry_id = fields.Integer(required=True)
    at = fields.DateTime(required=True)
    amount = fields.String(required=True)
    memo = fields.String(required=True)
    project = fields.Nested(ExpenseProjectSchema, allow_none=True)
    voucher = fields.String(allow_none=True, metadata={"description": "URL of the expense's voucher (凭证/发票)"})
    voucher_filename = fields.String(allow_none=True)


class PledgeViewSchema(PledgeSchema):
    paid_for = fields.List(fields.Nested(ExpenseSchema), required=True,
                           metadata={"description": "the claimed project's expenses from the fund (all the fund's for an unclaimed pledge)"})


class SponsorViewSchema(ApiSchema):
    sponsor = fields.Nested(SponsorSchema, required=True)
    promised = fields.String(required=True)
    received = fields.String(required=True)
    spent = fields.String(required=True)
    pledges = fields.List(fields.Nested(PledgeViewSchema), required=True)


class FundSummarySchema(ApiSchema):
    fund = fields.Nested(FundRefSchema, required=True)
    cap = fields.String(allow_none=True, metadata={"description": "the most that may be pledged in the year (yuan)"})
    promised = fields.String(required=True)
    received = fields.String(required=True)
    committed = fields.String(required=True)
    spent = fields.String(required=True)
    available = fields.String(required=True)
    actions = ActionsField("SponsorFundActionSchema", offers.SPONSOR_FUND_ACTIONS)


FundSummaryPageSchema = page_schema(FundSummarySchema, "FundSummaryPageSchema")


# -- converters -----------------------------------------------------------------------------------

def sponsor_out(s, lang: str) -> dict:
    return {"id": s.id, "name": s.name, "kind": s.kind, "kind_label": s.kind_enum.label.render(lang),
            "contact": s.contact or "", "org_unit": unit_ref(s.org_unit, lang), "has_login": s.user_id is not None}


def fund_ref(f, lang: str) -> dict:
    return {"id": f.id, "name": f.name, "year": f.year, "org_unit": unit_ref(f.org_unit, lang)}


def project_ref(p) -> dict | None:
    return None if p is None else {"id": p.id, "title": p.title, "state": p.state}


def pledge_out(row: pledges.PledgeRow, lang: str) -> dict:
    p, st = row.pledge, row.state
    return {"id": p.id, "sponsor": {"id": p.sponsor.id, "name": p.sponsor.name}, "fund": fund_ref(row.fund, lang),
            "project": project_ref(row.project), "amount": yuan(p.amount_fen), "in_kind": p.in_kind or "",
            "occasion": p.occasion or "", "pledged_on": p.pledged_on, "year": p.year, "status": st.status,
            "status_label": text(st.status_label, lang), "received": yuan(st.received), "spent": yuan(st.spent),
            "outstanding": yuan(st.outstanding)}


def entry_out(e) -> dict | None:
    return None if e is None else {"id": e.id, "kind": e.kind, "amount": yuan(e.amount_fen), "project_id": e.project_id,
                                   "memo": e.memo or ""}


def expense_out(e: pledges.Expense) -> dict:
    voucher = e.voucher
    return {"entry_id": e.entry_id, "at": e.at, "amount": yuan(e.amount_fen), "memo": e.memo,
            "project": {"id": e.project_id, "title": e.project_title} if e.project_id else None,
            "voucher": (url_for("projects.AttachmentFile", project_id=voucher.project_id, attachment_id=voucher.id)
                        if voucher else None),
            "voucher_filename": voucher.filename if voucher else None}


def fund_summary(ctx, fund, lang: str) -> dict:
    st = pledges.fund_state(ctx, fund)
    b = st.balance
    return {"fund": fund_ref(fund, lang), "cap": yuan(fund.cap_fen), "promised": yuan(st.promised),
            "received": yuan(st.received), "committed": yuan(b.committed), "spent": yuan(b.spent),
            "available": yuan(b.available), "actions": actions(offers.sponsor_fund_offers(ctx, st), lang)}


def _row(ctx, pledge_id: int) -> pledges.PledgeRow:
    [row] = pledges.pledge_rows(ctx, [pledges.get_pledge(ctx, pledge_id)])
    return row


# -- endpoints ------------------------------------------------------------------------------------

@blp.route("")
class Sponsors(MethodView):
    @login_required
    @blp.arguments(SponsorQuery, location="query")
    @blp.response(200, SponsorPageSchema, headers=TOTAL_HEADER)
    @refuses({403: "forbidden", 404: "not_found"})
    def get(self, query):
        """Sponsors that may pledge to a unit's funds (nearest unit first), or those of the caller's units"""
        ctx = context(login=True)
        rows, total = pledges.sponsors_page(ctx, query["org_unit_id"], **limit_offset(query))
        return paged([sponsor_out(s, locale()) for s in rows], total, query)

    @login_required
    @blp.arguments(door.REGISTER_SPONSOR.schema)
    @blp.response(201, SponsorSchema)
    @refuses({403: "forbidden", 404: "not_found", 409: "sponsor_exists", 422: "invalid_name invalid_contact invalid_kind user_not_found"})
    def post(self, body):
        """Register a sponsor with the unit it twins with (street or district administrators)"""
        ctx = context(login=True)
        s = door.REGISTER_SPONSOR(ctx, **body)
        ctx.commit()
        return sponsor_out(s, locale())


@blp.route("/<id:sponsor_id>")
class SponsorView(MethodView):
    @login_required
    @blp.response(200, SponsorViewSchema)
    @refuses({403: "forbidden"})
    def get(self, sponsor_id):
        """What the sponsor pledged, what arrived and what it paid for (its login, or staff)"""
        ctx = context(login=True)
        view = pledges.sponsor_view(ctx, sponsor_id)
        lang = locale()
        items = []
        for v in view.pledges:
            out = pledge_out(pledges.PledgeRow(v.pledge, v.state, v.fund, v.project), lang)
            out["paid_for"] = [expense_out(e) for e in v.paid_for]
            items.append(out)
        return {"sponsor": sponsor_out(view.sponsor, lang), "promised": yuan(view.promised),
                "received": yuan(view.received), "spent": yuan(view.spent), "pledges": items}


@blp.route("/funds")
class Funds(MethodView):
    @login_required
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, FundSummaryPageSchema, headers=TOTAL_HEADER)
    def get(self, query):
        """The co-governance funds the caller keeps: pledged, received, committed, spent, available"""
        ctx = context(login=True)
        lang = locale()
        funds, total = pledges.sponsor_funds_page(ctx, **limit_offset(query))
        return paged([fund_summary(ctx, fund, lang) for fund in funds], total, query)

    @login_required
    @blp.arguments(door.OPEN_SPONSOR_FUND.schema)
    @blp.response(201, FundSummarySchema)
    @refuses({403: "forbidden", 404: "not_found", 422: "unit_outside_programme no_pledge_fund"})
    def post(self, body):
        """Set up (or find) the co-governance fund a programme's policy declares for a unit, so pledges can be recorded (its staff)"""
        ctx = context(login=True)
        fund = door.OPEN_SPONSOR_FUND(ctx, **body)
        ctx.commit()
        return fund_summary(ctx, fund, locale())


@blp.route("/pledges")
class Pledges(MethodView):
    @login_required
    @blp.arguments(PledgeQuery, location="query")
    @blp.response(200, PledgePageSchema, headers=TOTAL_HEADER)
    @refuses({404: "not_found"})
    def get(self, query):
        """Pledges by fund, sponsor and/or claimed project, oldest first, with their derived status"""
        ctx = context(login=True)
        rows, total = pledges.pledges_page(ctx, fund_id=query["fund_id"], sponsor_id=query["sponsor_id"],
                                           project_id=query["project_id"], **limit_offset(query))
        return paged([pledge_out(r, locale()) for r in rows], total, query)

    @login_required
    @blp.arguments(door.PLEDGE.schema)
    @blp.response(201, PledgeSchema)
    @refuses({400: KEYED, 403: "forbidden", 404: "not_found", 409: "idempotency_conflict", 422: f"not_a_sponsor not_a_pledge_fund invalid_amount nothing_promised invalid_in_kind invalid_occasion invalid_date date_in_future claim_not_announced claim_outside_fund over_cap invalid_idempotency_key {CALENDAR}"})
    def post(self, body):
        """Record a pledge, optionally claiming an announced project (the fund's staff, or the sponsor itself)"""
        ctx = context(login=True)
        p = door.PLEDGE(ctx, **body)
        ctx.commit()
        return pledge_out(_row(ctx, p.id), locale())


@blp.route("/pledges/<id:pledge_id>/receipts")
class Receipts(MethodView):
    @login_required
    @blp.arguments(door.RECEIVE.schema)
    @blp.response(201, ReceiptSchema)
    @refuses({400: KEYED, 403: "forbidden", 409: "idempotency_conflict", 422: f"over_pledge {POSTING}"})
    def post(self, body, pledge_id):
        """Money arrived for a pledge: put into the fund (and earmarked for its claimed, approved project)"""
        ctx = context(login=True)
        got = door.RECEIVE(ctx, pledge_id, **body)
        ctx.commit()
        return {"allocation": entry_out(got.allocation), "commitment": entry_out(got.commitment),
                "pledge": pledge_out(_row(ctx, pledge_id), locale())}
