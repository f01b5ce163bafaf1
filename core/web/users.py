"""The offices' accounts of their units: the list, creating one, disabling, re-enabling and
resetting, and importing a unit's accounts from a spreadsheet.

Every action goes through the door (``core.door.accounts``); the buttons come from the offers
(``core.services.account_actions``). A one-time password (a new account's, a reset one, an
import's) is shown on the response to the POST that made it and nowhere else: it is not kept
in the session, a flash message or the log.
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from core.door.accounts import CREATE_USER, DISABLE_USER, ENABLE_USER, IMPORT_USERS, RESET_PASSWORD
from core.i18n import T
from core.models import Role
from core.permissions import A
from core.services import accounts
from core.services.account_actions import user_offers
from core.violations import RuleError
from core.web.context import ctx, forbid_unless, int_arg, login_required
from core.web.forms import FormErrors, split_errors
from core.web.templating import _t

bp = Blueprint("users", __name__, url_prefix="/t/<tenant>/admin/users")
PAGE = 50
CREATE_FIELDS = ("username", "display_name", "unit_id", "role", "email")
IMPORT_FIELDS = ("unit_id", "file")


def _page(c, *, status=200, create_errors=None, import_errors=None, values=None, issued=None):
    forbid_unless(c.can(A.user_manage).allowed, T("只有区级或街道管理员可以管理账号", "Only district and street administrators manage accounts"))
    query = (request.args.get("q") or "").strip()[:64]
    page = int_arg("page", 1, minimum=1)
    users, total = accounts.users_page(c, query=query or None, limit=PAGE, offset=(page - 1) * PAGE)
    return render_template("admin/users.html", users=[(u, user_offers(c, u)) for u in users], total=total, page=page,
                           pages=max(1, (total + PAGE - 1) // PAGE), query=query, units=accounts.manageable_units(c),
                           role_keys=[r.value for r in Role], create_errors=create_errors or FormErrors(),
                           import_errors=import_errors or FormErrors(), values=values or {}, issued=issued), status


@bp.get("/")
@login_required
def index():
    return _page(ctx())


@bp.post("/")
@login_required
def create():
    c = ctx()
    try:
        user, password = CREATE_USER(c, **CREATE_USER.from_form(request.form))
        issued = [(user.username, user.display_name, password)]
        c.commit()
    except RuleError as err:
        c.session.rollback()
        return _page(c, status=err.status, values=request.form,
                     create_errors=split_errors(err.violations, "", CREATE_FIELDS, c.locale))
    return _page(c, issued=issued)


@bp.post("/import")
@login_required
def import_file():
    c = ctx()
    try:
        created = IMPORT_USERS(c, **IMPORT_USERS.from_form(request.form, request.files))
        issued = [(u.username, u.display_name, p) for u, p in created]
        c.commit()
    except RuleError as err:
        c.session.rollback()
        return _page(c, status=err.status, import_errors=split_errors(err.violations, "", ("unit_id",), c.locale))
    return _page(c, issued=issued)


@bp.post("/<int:user_id>/reset-password")
@login_required
def reset(user_id: int):
    c = ctx()
    user, password = RESET_PASSWORD(c, user_id, **RESET_PASSWORD.from_form(request.form))
    issued = [(user.username, user.display_name, password)]
    c.commit()
    return _page(c, issued=issued)


@bp.post("/<int:user_id>/disable")
@login_required
def disable(user_id: int):
    c = ctx()
    user = DISABLE_USER(c, user_id, **DISABLE_USER.from_form(request.form))
    name = user.display_name
    c.commit()
    flash(_t(f"已停用账号：{name}。", f"Disabled {name}."), "success")
    return redirect(url_for("web.users.index"))


@bp.post("/<int:user_id>/enable")
@login_required
def enable(user_id: int):
    c = ctx()
    user = ENABLE_USER(c, user_id, **ENABLE_USER.from_form(request.form))
    name = user.display_name
    c.commit()
    flash(_t(f"已重新启用账号：{name}。", f"Re-enabled {name}."), "success")
    return redirect(url_for("web.users.index"))
