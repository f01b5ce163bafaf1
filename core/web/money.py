"""The funds pages (资金): every fund the signed-in user can see with its derived balances, a
fund's entries (oldest first, corrections naming what they correct), and for street and
district administrators a form to allocate money into a fund.

The allocation form carries a fresh idempotency key in a hidden field, so submitting it twice
(a double click, a browser retry) posts the money once.
"""
from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, request, url_for

from core.money import parse_yuan
from core.services import funds as fund_service
from core.violations import RuleError
from core.web.context import ctx, int_arg, login_required
from core.web.forms import split_errors
from core.web.templating import _t

bp = Blueprint("money", __name__, url_prefix="/t/<tenant>")


@bp.get("/funds")
@login_required
def index():
    c = ctx()
    year = int_arg("year") or c.clock.today().year
    rows = fund_service.visible_funds(c, year=year)
    totals = {k: sum(getattr(b, k) for _, b in rows) for k in ("allocated", "committed", "disbursed", "spent", "available")}
    return render_template("pages/money/funds.html", rows=rows, year=year, totals=totals,
                           manages={f.id for f, _ in rows if fund_service.may_manage(c, f)})


def _fund_page(fund_id: int, values: dict | None = None, violations=(), status: int = 200):
    c = ctx()
    fund, balance = fund_service.fund_with_balance(c, fund_id)
    entries = fund_service.entries(c, fund.id)
    errors = split_errors(list(violations), "", ("amount", "memo", "key"), c.locale)
    return render_template("pages/money/fund.html", fund=fund, balance=balance, entries=entries,
                           may_manage=fund_service.may_manage(c, fund), errors=errors,
                           values=values or {"amount": "", "memo": "", "key": str(uuid.uuid4())}), status


@bp.get("/funds/<int:fund_id>")
@login_required
def show(fund_id: int):
    return _fund_page(fund_id)


@bp.post("/funds/<int:fund_id>/allocations")
@login_required
def allocate(fund_id: int):
    c = ctx()
    values = {k: request.form.get(k, "") for k in ("amount", "memo", "key")}
    try:
        fund_service.allocate(c, fund_id, parse_yuan(values["amount"]), values["key"], values["memo"])
        c.commit()
    except RuleError as err:
        c.session.rollback()
        return _fund_page(fund_id, values, err.violations, err.status)
    flash(_t(f"已拨入 {values['amount']} 元。", f"{values['amount']} yuan allocated."), "success")
    return redirect(url_for("web.money.show", fund_id=fund_id))
