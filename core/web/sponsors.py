"""Co-governance funds (共治金), sponsors' pledges and claims, in the web UI:

- ``/co-funds``: the funds the signed-in staff keep, with what was pledged, received and spent,
  and the funds their programmes' policies declare but nobody has set up yet (one button);
- ``/co-funds/<id>``: one fund: its sponsors, every pledge with its derived status, and the
  forms the staff use at the council meeting (record a pledge and claim) and afterwards (money
  received); a street administrator may register a further sponsor there;
- ``/my-pledges``: a sponsor's own page (我的认捐): each pledge, the project it claimed and what
  that project's money paid for, with the vouchers; staff open the same page per sponsor at
  ``/sponsors/<id>``;
- a section of the project page listing who claimed the project.

Every POST is an operation of ``core.door.money``, its form read by the operation's own input
schema (the API's); it commits completely or re-renders the page with each problem beside its
field. The forms shown are the fund's offers (``core.services.fund_actions``), as the API's
``actions`` say.
"""
from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, request, url_for

from core.door import Id, InputSchema, form_values, load
from core.door import money as door
from core.i18n import T
from core.money import money_text
from core.models import SponsorKind
from core.plugin_host.contributions import Panel
from core.services import fund_actions, pledges
from core.services.programmes import list_programmes
from core.violations import RuleError, Violation
from core.web.context import ctx, login_required
from core.web.forms import FormErrors, split_errors
from core.web.templating import _t

bp = Blueprint("sponsors", __name__, url_prefix="/t/<tenant>")
PLEDGE_FIELDS = ("sponsor_id", "amount", "in_kind", "project_id", "occasion", "pledged_on", "key", "override_reason")
RECEIPT_FIELDS = ("pledge_id", "amount", "memo", "key")
SPONSOR_FIELDS = ("name", "kind", "contact", "user_id")


class PledgeChoice(InputSchema):
    """Which pledge the money received is for: the receipt form chooses it from a list, where the
    API names it in the URL (``door.RECEIVE`` reads the rest)."""

    pledge_id = Id(required=True, metadata={"label": T("认捐", "Pledge")})


def _key() -> str:
    """A fresh request key for a form: sending the same form twice posts once."""
    return uuid.uuid4().hex


def _typed(names) -> dict:
    """What was typed into a refused form, to show it again."""
    return {name: request.form.get(name, "") for name in names}


# -- the funds ------------------------------------------------------------------------------------

@bp.get("/co-funds")
@login_required
def funds():
    c = ctx()
    states = [pledges.fund_state(c, f) for f in pledges.sponsor_funds(c)]
    openings = [o for o in pledges.fund_openings(c, list_programmes(c)) if o.fund is None]
    return render_template("pages/sponsors/funds.html", states=states, openings=openings,
                           own=pledges.own_sponsors(c))


@bp.post("/co-funds/open")
@login_required
def open_fund():
    c = ctx()
    try:
        fund = door.OPEN_SPONSOR_FUND(c, **door.OPEN_SPONSOR_FUND.from_form(request.form))
        fund_id = fund.id
        c.commit()
    except RuleError as err:
        c.session.rollback()
        for v in err.violations:
            flash(v.message.render(c.locale), "error")
        return redirect(url_for("web.sponsors.funds"))
    flash(_t("共治金台账已设立，可以登记认捐。", "The fund is set up; pledges can be recorded."), "success")
    return redirect(url_for("web.sponsors.fund", fund_id=fund_id))


@bp.get("/co-funds/<int:fund_id>")
@login_required
def fund(fund_id: int):
    return _render_fund(fund_id)


def _render_fund(fund_id: int, section: str | None = None, err: RuleError | None = None, values: dict | None = None):
    c = ctx()
    f = pledges.get_sponsor_fund(c, fund_id)
    state = pledges.fund_state(c, f)
    rows = pledges.pledge_rows(c, state.pledges)
    violations = err.violations if err else []

    def errors(name: str, fields) -> FormErrors:
        # The request key is a hidden field: a refusal of it is shown above the form.
        shown = [f for f in fields if f != "key"]
        return split_errors(violations, "", shown, c.locale) if section == name else FormErrors()

    def form(name: str, defaults: dict) -> dict:
        return {**defaults, **(values or {})} if section == name else defaults

    body = render_template(
        "pages/sponsors/fund.html", fund=f, state=state, rows=rows,
        sponsors=pledges.eligible_sponsors(c, f.org_unit), projects=pledges.claimable_projects(c, f),
        offers=fund_actions.sponsor_fund_offers(c, state), kinds=list(SponsorKind),
        pledge_form=form("pledge", {"sponsor_id": "", "amount": "", "in_kind": "", "project_id": "", "occasion": "",
                                    "pledged_on": "", "key": _key(), "override_reason": ""}),
        pledge_errors=errors("pledge", PLEDGE_FIELDS),
        receipt_form=form("receipt", {"pledge_id": "", "amount": "", "memo": "", "key": _key()}),
        receipt_errors=errors("receipt", RECEIPT_FIELDS),
        sponsor_form=form("sponsor", {"name": "", "kind": "", "contact": ""}),
        sponsor_errors=errors("sponsor", SPONSOR_FIELDS),
        outstanding=[r for r in rows if r.state.outstanding > 0], clause=pledges.fund_clause(c, f),
    )
    return body, (err.status if err else 200)


@bp.post("/co-funds/<int:fund_id>/pledges")
@login_required
def record_pledge(fund_id: int):
    c = ctx()
    try:
        row = door.PLEDGE(c, **door.PLEDGE.from_form(request.form, fund_id=fund_id))
        name = row.sponsor.name if row.sponsor else ""
        c.commit()
    except RuleError as err:
        c.session.rollback()
        return _render_fund(fund_id, "pledge", err, _typed(PLEDGE_FIELDS))
    flash(_t(f"已登记「{name}」的认捐。", f"Pledge of {name} recorded."), "success")
    return redirect(url_for("web.sponsors.fund", fund_id=fund_id) + "#pledges")


@bp.post("/co-funds/<int:fund_id>/receipts")
@login_required
def record_receipt(fund_id: int):
    c = ctx()
    try:
        pledge_id = load(PledgeChoice, form_values(PledgeChoice, request.form))["pledge_id"]
        if pledges.get_pledge(c, pledge_id).fund_id != fund_id:  # the URL's fund and the form's pledge disagree
            raise RuleError(Violation("not_found", T("该认捐不属于本共治金", "That pledge is not to this fund"), field="pledge_id"))
        got = door.RECEIVE(c, pledge_id, **door.RECEIVE.from_form(request.form))
        earmarked = got.commitment.amount_fen if got.commitment else 0
        c.commit()
    except RuleError as err:
        c.session.rollback()
        return _render_fund(fund_id, "receipt", err, _typed(RECEIPT_FIELDS))
    message = _t("到账已登记。", "Receipt recorded.")
    if earmarked:
        message += _t(f"其中 {money_text(earmarked).zh}已专项用于认领的项目。",
                      f" {money_text(earmarked).en} earmarked for the claimed project.")
    flash(message, "success")
    return redirect(url_for("web.sponsors.fund", fund_id=fund_id) + "#pledges")


@bp.post("/co-funds/<int:fund_id>/sponsors")
@login_required
def register(fund_id: int):
    c = ctx()
    try:
        f = pledges.get_sponsor_fund(c, fund_id)
        s = door.REGISTER_SPONSOR(c, **door.REGISTER_SPONSOR.from_form(request.form, org_unit_id=f.org_unit_id))
        name = s.name
        c.commit()
    except RuleError as err:
        c.session.rollback()
        return _render_fund(fund_id, "sponsor", err, _typed(SPONSOR_FIELDS))
    flash(_t(f"已登记共建单位「{name}」。", f"Sponsor {name} registered."), "success")
    return redirect(url_for("web.sponsors.fund", fund_id=fund_id) + "#sponsors")


# -- the sponsor's own page -----------------------------------------------------------------------

@bp.get("/my-pledges")
@login_required
def mine():
    c = ctx()
    views = [pledges.sponsor_view(c, s.id) for s in pledges.own_sponsors(c)]
    return render_template("pages/sponsors/sponsor.html", views=views, own=True)


@bp.get("/sponsors/<int:sponsor_id>")
@login_required
def sponsor(sponsor_id: int):
    c = ctx()
    return render_template("pages/sponsors/sponsor.html", views=[pledges.sponsor_view(c, sponsor_id)], own=False)


# -- the project page -----------------------------------------------------------------------------

def claims_panel(c, project):
    """Who claimed the project at the council meeting, and how far their money got: a section
    of the project page (``core.web.project_panels``)."""
    rows = pledges.claims_of(c, project)
    if not rows:
        return None
    return Panel("pages/sponsors/_project_claims.html", {"rows": rows}, order=40)
