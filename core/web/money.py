"""The funds pages (资金): every fund the signed-in user can see with its derived balances, a
fund's entries (oldest first, corrections naming what they correct), and for street and
district administrators a form to allocate money into a fund.

The allocation form is shown as the fund's offers say (``core.services.fund_actions``, the API's
``actions``) and read by ``core.door.money.ALLOCATE``'s schema, as the API's body is. It carries a
fresh idempotency key in a hidden field, so submitting it twice (a double click, a browser retry)
posts the money once.

Every money page labels its figures with the words of ``core.services.money_words``; this
blueprint gives the templates ``money_word(key)`` (the macros of ``pages/money/_words.html``).
"""
from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, request, url_for

from core.door import money as door
from core.money import money_text
from core.services import fund_actions, money_words
from core.services import funds as fund_service
from core.violations import RuleError
from core.web.context import ctx, int_arg, login_required
from core.web.forms import split_errors
from core.web.templating import _t

bp = Blueprint("money", __name__, url_prefix="/t/<tenant>")


@bp.app_template_global("money_word")
def money_word(key: str) -> money_words.MoneyWord:
    return money_words.word(key)


# The funds list's money columns, in the order the page shows them (the fund page's order).
FUND_COLUMNS = ("allocated", "committed", "held", "disbursed", "spent", "available")


@bp.get("/funds")
@login_required
def index():
    c = ctx()
    year = int_arg("year") or c.clock.today().year
    rows = fund_service.visible_funds(c, year=year)
    totals = {k: sum(getattr(b, k) for _, b in rows) for k in FUND_COLUMNS}
    return render_template("pages/money/funds.html", rows=rows, year=year, totals=totals, columns=FUND_COLUMNS)


def _fund_page(fund_id: int, values: dict | None = None, violations=(), status: int = 200):
    c = ctx()
    fund, balance = fund_service.fund_with_balance(c, fund_id)
    entries = fund_service.entries(c, fund.id)
    errors = split_errors(list(violations), "", ("amount", "memo"), c.locale)  # the hidden key's: above the form
    return render_template("pages/money/fund.html", fund=fund, balance=balance, entries=entries,
                           offers=fund_actions.fund_offers(c, fund), errors=errors,
                           values=values or {"amount": "", "memo": "", "key": str(uuid.uuid4())}), status


@bp.get("/funds/<int:fund_id>")
@login_required
def show(fund_id: int):
    return _fund_page(fund_id)


@bp.post("/funds/<int:fund_id>/allocations")
@login_required
def allocate(fund_id: int):
    c = ctx()
    try:
        e = door.ALLOCATE(c, fund_id, **door.ALLOCATE.from_form(request.form))
        amount = e.amount_fen
        c.commit()
    except RuleError as err:
        c.session.rollback()
        typed = {k: request.form.get(k, "") for k in ("amount", "memo", "key")}  # shown again as typed
        return _fund_page(fund_id, typed, err.violations, err.status)
    flash(_t(f"已拨入 {money_text(amount).zh}。", f"{money_text(amount).en} allocated."), "success")
    return redirect(url_for("web.money.show", fund_id=fund_id))
