"""One's own account: changing the password, and the second factor (TOTP) with its QR code.

``init_app`` adds the guard every signed-in web page passes: an account on a one-time password
must change it first, and where ``Settings.require_admin_totp`` is set an administrator
without a second factor must enrol first; until then every other page sends them here.
Both go through the door (``core.door.accounts``), as the API's do.
"""
from __future__ import annotations

from flask import Blueprint, Flask, flash, g, redirect, render_template, request, session, url_for

from core import request_context
from core.door.accounts import BEGIN_SECOND_FACTOR, CHANGE_PASSWORD, CONFIRM_SECOND_FACTOR, REMOVE_SECOND_FACTOR
from core.services import second_factor
from core.services.password_policy import MIN_LENGTH
from core.i18n import T
from core.violations import RuleError, Violation
from core.web.auth import start_session
from core.web.context import ctx, login_required
from core.web.forms import FormErrors, split_errors
from core.web.templating import _t

bp = Blueprint("account", __name__, url_prefix="/t/<tenant>/account")
# The audit action of the new login session a person gets in this browser after changing their
# own credentials (which ends every session they had).
RENEWED = "auth.session_renewed"
PASSWORD_FIELDS = ("current_password", "new_password", "confirm_password")
# What an account that must change its password (or enrol) may still reach.
ALWAYS_OPEN = {"web.account.password", "web.account.second_factor", "web.account.second_factor_begin",
               "web.account.second_factor_confirm", "web.auth.logout", "web.auth.login", "web.auth.second_factor",
               "static"}


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    c = ctx()
    errors, status = FormErrors(), 200
    if request.method == "POST":
        try:
            values = CHANGE_PASSWORD.from_form(request.form)
            if request.form.get("confirm_password", "") != values["new_password"]:
                raise RuleError(Violation("password_mismatch", T("两次输入的新密码不一致", "The two new passwords differ"),
                                          field="confirm_password"))
            CHANGE_PASSWORD(c, **values)
            c.commit()
            start_session(c, c.actor.user, RENEWED)  # the change ended every session, this one too
        except RuleError as err:
            c.session.rollback()
            status, errors = err.status, split_errors(err.violations, "", PASSWORD_FIELDS, c.locale)
        else:
            flash(_t("密码已修改。", "Your password has been changed."), "success")
            return redirect(url_for("web.desk.page"))
    return render_template("pages/account_password.html", errors=errors, min_length=MIN_LENGTH,
                           forced=c.actor.user.must_change_password), status


@bp.get("/second-factor", endpoint="second_factor")
@login_required
def second_factor_page():
    c = ctx()
    user = c.actor.user
    enrolling = None
    if not second_factor.enabled(user) and user.totp_secret:
        uri = second_factor.provisioning_uri(user, request_context.tenant().name)
        enrolling = {"uri": uri, "svg": second_factor.qr_svg(uri), "secret": user.totp_secret}
    return render_template("pages/account_second_factor.html", enabled=second_factor.enabled(user), enrolling=enrolling,
                           required=second_factor.requires_enrolment(c, user), errors=FormErrors(), codes=None)


@bp.post("/second-factor/begin")
@login_required
def second_factor_begin():
    c = ctx()
    try:
        BEGIN_SECOND_FACTOR(c, **BEGIN_SECOND_FACTOR.from_form(request.form))
        c.commit()
    except RuleError as err:
        c.session.rollback()
        flash(err.violations[0].message.render(c.locale), "error")
    return redirect(url_for("web.account.second_factor"))


@bp.post("/second-factor/confirm")
@login_required
def second_factor_confirm():
    c = ctx()
    try:
        codes = CONFIRM_SECOND_FACTOR(c, **CONFIRM_SECOND_FACTOR.from_form(request.form))
        c.commit()
        start_session(c, c.actor.user, RENEWED)  # enrolling ended every session, this one too
    except RuleError as err:
        c.session.rollback()
        user = c.actor.user
        uri = second_factor.provisioning_uri(user, request_context.tenant().name) if user.totp_secret else None
        enrolling = {"uri": uri, "svg": second_factor.qr_svg(uri), "secret": user.totp_secret} if uri else None
        return render_template("pages/account_second_factor.html", enabled=False, enrolling=enrolling,
                               required=second_factor.requires_enrolment(c, user),
                               errors=split_errors(err.violations, "", ("code",), c.locale), codes=None), err.status
    # The recovery codes are shown on this response only, never stored in plain.
    return render_template("pages/account_second_factor.html", enabled=True, enrolling=None, required=False,
                           errors=FormErrors(), codes=codes)


@bp.post("/second-factor/remove")
@login_required
def second_factor_remove():
    c = ctx()
    try:
        REMOVE_SECOND_FACTOR(c, **REMOVE_SECOND_FACTOR.from_form(request.form))
        c.commit()
        start_session(c, c.actor.user, RENEWED)  # removing it ended every session, this one too
    except RuleError as err:
        c.session.rollback()
        return render_template("pages/account_second_factor.html", enabled=True, enrolling=None, required=False,
                               errors=split_errors(err.violations, "", ("current_password",), c.locale),
                               codes=None), err.status
    flash(_t("已停用两步验证。", "The second factor has been removed."), "success")
    return redirect(url_for("web.account.second_factor"))


def init_app(app: Flask, web_roots: set[str]) -> None:
    """The guard of every signed-in web page (the API answers for itself: core.api.accounts)."""

    @app.before_request
    def _first_things_first():
        if not request.blueprints or request.blueprints[-1] not in web_roots or g.get("tenant") is None:
            return None
        if not session.get("sid") or request.endpoint in ALWAYS_OPEN:
            return None
        c = ctx()
        user = c.actor.user
        if user is None:
            return None
        if user.must_change_password:
            flash(_t("您正在使用一次性密码，请先设置自己的新密码。", "You signed in with a one-time password: choose your own first."), "info")
            return redirect(url_for("web.account.password"))
        if second_factor.requires_enrolment(c, user):
            flash(_t("本平台要求管理员启用两步验证，请先完成设置。", "Administrators must use a second factor here: set it up first."), "info")
            return redirect(url_for("web.account.second_factor"))
        return None
