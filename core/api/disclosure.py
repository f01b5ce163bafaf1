"""Public disclosure (村(居)务公开) and the district's money view.

- ``GET .../disclosure/units/<unit_id>?year=``: a unit's approved projects with their sources,
  approval, disbursements and spending, and the unit's funds (anyone may read it);
- ``GET .../disclosure/projects/<id>``: the same for one approved project;
- ``GET .../disclosure/units/<unit_id>/report.xlsx?year=``: the residents' congress report;
- ``GET .../disclosure/district?year=`` and ``district.xlsx``: per street and per fund,
  committed, disbursed, spent and remaining (district and street administrators).

Money leaves as yuan strings ("4800.50"); a refund or a correction in a list is negative.
"""
from __future__ import annotations

import io

from flask import send_file, url_for
from flask.views import MethodView
from marshmallow import fields, validate

from core.api.base import TENANT, ApiSchema, Blueprint, QueryWhole, context, locale, login_required
from core.api.shapes import UnitRefSchema, text, unit_ref, yuan
from core.api.refusals import refuses
from core.documents import disclosure_report, money_report
from core.models import FundKind
from core.services import disclosure, money_overview
from core.services.ledger import YEARS
from core.services.spreadsheets import XLSX_MIMETYPE

blp = Blueprint("disclosure", __name__, url_prefix=f"{TENANT}/disclosure",
                description="Public disclosure and the district's money view")

XLSX_RESPONSE = {"200": {"description": "an Excel workbook (.xlsx)", "content": {
    XLSX_MIMETYPE: {"schema": {"type": "string", "format": "binary"}}}}}


# -- schemas -------------------------------------------------------------------------------------

class YearQuerySchema(ApiSchema):
    year = QueryWhole(validate=validate.Range(min=YEARS.start, max=YEARS.stop - 1),
                 metadata={"description": "default: this year (or the latest year with data)"})


class DisclosedFundSchema(ApiSchema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True, metadata={"enum": ["budget_line", "pool", "subsidy", "sponsor_fund"]})
    kind_label = fields.String(required=True)
    tier = fields.String(allow_none=True)
    year = fields.Integer(required=True)
    unit = fields.Nested(UnitRefSchema, required=True, metadata={"description": "the unit that holds the fund"})
    cap = fields.String(allow_none=True, metadata={"description": "yuan; none: no cap"})


class FundBalanceSchema(ApiSchema):
    fund = fields.Nested(DisclosedFundSchema, required=True)
    allocated = fields.String(required=True, metadata={"description": "yuan"})
    committed = fields.String(required=True, metadata={"description": "yuan"})
    disbursed = fields.String(required=True, metadata={"description": "yuan"})
    spent = fields.String(required=True, metadata={"description": "yuan"})
    available = fields.String(required=True, metadata={"description": "yuan that may still be committed"})


class DisclosureSourceSchema(ApiSchema):
    fund = fields.Nested(DisclosedFundSchema, required=True)
    committed = fields.String(required=True, metadata={"description": "yuan, this project's share"})
    disbursed = fields.String(required=True)
    spent = fields.String(required=True)


class DisclosurePledgeSchema(ApiSchema):
    id = fields.Integer(required=True)
    sponsor = fields.String(required=True, metadata={"description": "an individual donor is not named"})
    sponsor_kind = fields.String(required=True)
    sponsor_kind_label = fields.String(required=True)
    fund_id = fields.Integer(required=True)
    fund_name = fields.String(required=True)
    project_id = fields.Integer(allow_none=True, metadata={"description": "the claimed project, if disclosed"})
    claimed = fields.Boolean(required=True, metadata={"description": "the pledge claims a project (disclosed or not yet)"})
    promised = fields.String(required=True, metadata={"description": "yuan"})
    received = fields.String(required=True, metadata={"description": "yuan: allocations naming the pledge"})
    in_kind = fields.String(required=True)
    occasion = fields.String(required=True)
    pledged_on = fields.Date(required=True)


class DisclosureApprovalSchema(ApiSchema):
    decided_on = fields.Date(required=True)
    approved_amount = fields.String(allow_none=True, metadata={"description": "yuan"})


class DisclosureMovementSchema(ApiSchema):
    entry_id = fields.Integer(required=True)
    date = fields.Date(required=True)
    kind = fields.String(required=True, metadata={"enum": ["disbursement", "refund", "expense", "correction"]})
    kind_label = fields.String(required=True)
    corrects_kind = fields.String(allow_none=True, metadata={"description": "for a correction: what it corrects"})
    fund_id = fields.Integer(required=True)
    fund_name = fields.String(required=True)
    amount = fields.String(required=True, metadata={"description": "yuan, signed: a refund or correction is negative"})
    memo = fields.String(required=True)
    purpose = fields.String(required=True, metadata={"description": "the fund request's purpose, if any"})
    month = fields.String(required=True, metadata={"description": "the fund request's month (YYYY-MM), if any"})
    has_voucher = fields.Boolean(required=True, metadata={"description": "a voucher (凭证) is on file (the file is not public)"})


class DisclosedProjectSchema(ApiSchema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    track = fields.String(required=True)
    track_label = fields.String(required=True)
    applicant_unit = fields.Nested(UnitRefSchema, required=True)
    programme_id = fields.Integer(required=True)
    programme_title = fields.String(required=True)
    year = fields.Integer(required=True)


class ProjectTotalsSchema(ApiSchema):
    committed = fields.String(required=True)
    disbursed = fields.String(required=True)
    spent = fields.String(required=True)
    undisbursed = fields.String(required=True)
    unspent = fields.String(required=True)
    promised = fields.String(required=True, metadata={"description": "pledges claiming the project"})
    received = fields.String(required=True)


class ProjectDisclosureSchema(ApiSchema):
    project = fields.Nested(DisclosedProjectSchema, required=True)
    approval = fields.Nested(DisclosureApprovalSchema, allow_none=True)
    sources = fields.List(fields.Nested(DisclosureSourceSchema), required=True)
    pledges = fields.List(fields.Nested(DisclosurePledgeSchema), required=True)
    disbursements = fields.List(fields.Nested(DisclosureMovementSchema), required=True)
    spending = fields.List(fields.Nested(DisclosureMovementSchema), required=True)
    totals = fields.Nested(ProjectTotalsSchema, required=True)


class UnitTotalsSchema(ApiSchema):
    approved = fields.String(required=True)
    committed = fields.String(required=True)
    disbursed = fields.String(required=True)
    spent = fields.String(required=True)


class UnitDisclosureSchema(ApiSchema):
    unit = fields.Nested(UnitRefSchema, required=True)
    year = fields.Integer(required=True)
    years = fields.List(fields.Integer(), required=True, metadata={"description": "years with data, newest first"})
    projects = fields.List(fields.Nested(ProjectDisclosureSchema), required=True)
    funds = fields.List(fields.Nested(FundBalanceSchema), required=True, metadata={
        "description": "the funds held by the unit and the units below it"})
    pledges = fields.List(fields.Nested(DisclosurePledgeSchema), required=True)
    totals = fields.Nested(UnitTotalsSchema, required=True, metadata={"description": "over the projects"})
    report_url = fields.String(required=True)


class MoneyFiguresSchema(ApiSchema):
    funds = fields.Integer(required=True)
    allocated = fields.String(required=True)
    committed = fields.String(required=True)
    disbursed = fields.String(required=True)
    spent = fields.String(required=True)
    available = fields.String(required=True, metadata={"description": "remaining: may still be committed"})
    cap = fields.String(allow_none=True, metadata={"description": "sum of the caps of capped funds"})


class MoneyStreetSchema(ApiSchema):
    unit = fields.Nested(UnitRefSchema, required=True)
    name = fields.String(required=True)
    own_level = fields.Boolean(required=True, metadata={"description": "funds held above the streets"})
    totals = fields.Nested(MoneyFiguresSchema, required=True)
    funds = fields.List(fields.Nested(FundBalanceSchema), required=True)


class MoneyOverviewSchema(ApiSchema):
    year = fields.Integer(required=True)
    years = fields.List(fields.Integer(), required=True)
    streets = fields.List(fields.Nested(MoneyStreetSchema), required=True)
    totals = fields.Nested(MoneyFiguresSchema, required=True)


# -- rendering -----------------------------------------------------------------------------------

def fund_ref(fund, lang: str) -> dict:
    kind = FundKind(fund.kind)
    return {"id": fund.id, "name": fund.name, "kind": fund.kind, "kind_label": kind.label.render(lang),
            "tier": fund.tier, "year": fund.year, "unit": unit_ref(fund.org_unit, lang), "cap": yuan(fund.cap_fen)}


def fund_balance(fund, b, lang: str) -> dict:
    return {"fund": fund_ref(fund, lang), "allocated": yuan(b.allocated), "committed": yuan(b.committed),
            "disbursed": yuan(b.disbursed), "spent": yuan(b.spent), "available": yuan(b.available)}


def pledge(p: disclosure.PledgeLine, lang: str) -> dict:
    return {"id": p.id, "sponsor": text(p.sponsor_name, lang), "sponsor_kind": p.sponsor_kind,
            "sponsor_kind_label": text(p.sponsor_kind_label, lang), "fund_id": p.fund_id, "fund_name": p.fund_name,
            "project_id": p.project_id, "claimed": p.claimed, "promised": yuan(p.promised_fen), "received": yuan(p.received_fen),
            "in_kind": p.in_kind, "occasion": p.occasion, "pledged_on": p.pledged_on}


def movement(m: disclosure.Movement, lang: str) -> dict:
    return {"entry_id": m.entry_id, "date": m.on, "kind": m.kind, "kind_label": text(m.label, lang),
            "corrects_kind": m.corrected_kind, "fund_id": m.fund_id, "fund_name": m.fund_name,
            "amount": yuan(m.amount_fen), "memo": m.memo, "purpose": m.purpose, "month": m.month,
            "has_voucher": m.has_voucher}


def project_disclosure(d: disclosure.ProjectDisclosure, lang: str) -> dict:
    p = d.project
    return {
        "project": {"id": p.id, "title": p.title, "track": p.track, "track_label": text(d.track_label, lang),
                    "applicant_unit": unit_ref(p.applicant_unit, lang), "programme_id": p.programme_id,
                    "programme_title": p.programme.title, "year": p.programme.year},
        "approval": None if d.approval is None else {"decided_on": d.approval.decided_on,
                                                     "approved_amount": yuan(d.approval.approved_fen)},
        "sources": [{"fund": fund_ref(s.fund, lang), "committed": yuan(s.committed_fen), "disbursed": yuan(s.disbursed_fen),
                     "spent": yuan(s.spent_fen)} for s in d.sources],
        "pledges": [pledge(x, lang) for x in d.pledges],
        "disbursements": [movement(m, lang) for m in d.disbursements],
        "spending": [movement(m, lang) for m in d.spending],
        "totals": {"committed": yuan(d.committed_fen), "disbursed": yuan(d.disbursed_fen), "spent": yuan(d.spent_fen),
                   "undisbursed": yuan(d.undisbursed_fen), "unspent": yuan(d.unspent_fen),
                   "promised": yuan(d.promised_fen), "received": yuan(d.received_fen)},
    }


def figures(t: money_overview.Figures) -> dict:
    return {"funds": t.funds, "allocated": yuan(t.allocated), "committed": yuan(t.committed),
            "disbursed": yuan(t.disbursed), "spent": yuan(t.spent), "available": yuan(t.available), "cap": yuan(t.cap_fen)}


def _xlsx(data: bytes, filename: str):
    return send_file(io.BytesIO(data), mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=filename)


# -- endpoints -----------------------------------------------------------------------------------

@blp.route("/units/<id:unit_id>")
class UnitDisclosure(MethodView):
    @blp.arguments(YearQuerySchema, location="query")
    @blp.response(200, UnitDisclosureSchema)
    def get(self, query, unit_id):
        """A unit's disclosure for a year: approved projects' sources, approvals, disbursements, spending; its funds"""
        ctx = context()
        lang = locale()
        d = disclosure.unit_disclosure(ctx, unit_id, query.get("year"))
        return {"unit": unit_ref(d.unit, lang), "year": d.year, "years": d.years,
                "projects": [project_disclosure(p, lang) for p in d.projects],
                "funds": [fund_balance(f.fund, f.balance, lang) for f in d.funds],
                "pledges": [pledge(x, lang) for x in d.pledges],
                "totals": {"approved": yuan(d.approved_fen), "committed": yuan(d.total("committed_fen")),
                           "disbursed": yuan(d.total("disbursed_fen")), "spent": yuan(d.total("spent_fen"))},
                "report_url": url_for("disclosure.UnitReport", unit_id=d.unit.id, year=d.year)}


@blp.route("/units/<id:unit_id>/report.xlsx")
class UnitReport(MethodView):
    @blp.arguments(YearQuerySchema, location="query")
    @blp.doc(responses=XLSX_RESPONSE)
    def get(self, query, unit_id):
        """The residents' congress report (.xlsx): sheets 资金来源, 立项审批, 拨付, 支出 and the unit's funds"""
        ctx = context()
        d = disclosure.unit_disclosure(ctx, unit_id, query.get("year"))
        return _xlsx(disclosure_report.report_workbook(d), f"{d.unit.name}{d.year}年度资金公开.xlsx")


@blp.route("/projects/<id:project_id>")
class ProjectDisclosure(MethodView):
    @blp.response(200, ProjectDisclosureSchema)
    def get(self, project_id):
        """One approved project's sources, approval, disbursements and spending"""
        ctx = context()
        return project_disclosure(disclosure.project_disclosure(ctx, project_id), locale())


def _overview(o: money_overview.MoneyOverview, lang: str) -> dict:
    return {"year": o.year, "years": o.years, "totals": figures(o.totals),
            "streets": [{"unit": unit_ref(g.unit, lang), "name": money_overview.group_name(g), "own_level": g.own_level,
                         "totals": figures(g.totals),
                         "funds": [fund_balance(r.fund, r.balance, lang) for r in g.rows]} for g in o.groups]}


@blp.route("/district")
class District(MethodView):
    @login_required
    @blp.arguments(YearQuerySchema, location="query")
    @blp.response(200, MoneyOverviewSchema)
    @refuses({403: "forbidden"})
    def get(self, query):
        """Per street and per fund: committed, disbursed, spent, remaining (district admins: every street; street admins: theirs)"""
        ctx = context(login=True)
        return _overview(money_overview.overview(ctx, query.get("year")), locale())


@blp.route("/district.xlsx")
class DistrictExport(MethodView):
    @login_required
    @blp.arguments(YearQuerySchema, location="query")
    @blp.doc(responses=XLSX_RESPONSE)
    @refuses({403: "forbidden"})
    def get(self, query):
        """The district view as .xlsx: a per-street summary sheet and a per-fund detail sheet"""
        ctx = context(login=True)
        o = money_overview.overview(ctx, query.get("year"))
        return _xlsx(money_report.workbook(o), f"{o.year}年度各街道资金使用情况.xlsx")
