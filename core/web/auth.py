"""Signing in and out of one tenant with a username and password (the session cookie keeps
``uid`` and ``tenant_id``; ``core.request_context`` turns them back into the actor)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for

from core import request_context
from core.models import User
from core.services import second_factor
from core.services.auth import authenticate
from core.web import csrf
from core.web.context import ctx
from core.web.templating import _t

bp = Blueprint("auth", __name__, url_prefix="/t/<tenant>")


def _safe_next(target: str | None) -> str | None:
    """Only a path inside this tenant: never another site or another tenant."""
    if not target:
        return None
    prefix = f"/t/{request_context.tenant().slug}/"
    if target.startswith(prefix) and "//" not in target and "\\" not in target:
        return target
    return None


@bp.route("/login", methods=["GET", "POST"])
def login():
    c = ctx()
    next_url = _safe_next(request.values.get("next"))
    if request.method == "GET":
        if c.actor.is_authenticated:
            return redirect(next_url or url_for("web.overview.dashboard"))
        return render_template("pages/login.html", next_url=next_url, username="")
    username = (request.form.get("username") or "").strip()
    user = authenticate(c.session, username, request.form.get("password") or "", c.settings.password_hashing)
    if user is None:
        return render_template("pages/login.html", next_url=next_url, username=username, failed=True), 401
    if second_factor.enabled(user):  # accounts: the password is right, the code comes next
        c.commit()  # authenticate may have upgraded the password hash
        lang = session.get("lang")
        session.clear()
        if lang:
            session["lang"] = lang
        session["pending_uid"], session["pending_tenant_id"] = user.id, request_context.tenant().id
        return redirect(url_for("web.auth.second_factor", next=next_url))
    return _signed_in(c, user, next_url)


@bp.route("/login/second-factor", methods=["GET", "POST"], endpoint="second_factor")
def second_factor_step():
    """accounts: the second step of signing in with a second factor (a code or a recovery code)."""
    c = ctx()
    next_url = _safe_next(request.values.get("next"))
    uid = session.get("pending_uid")
    user = c.session.get(User, uid) if uid and session.get("pending_tenant_id") == request_context.tenant().id else None
    if user is None or not user.is_active:
        return redirect(url_for("web.auth.login"))
    if request.method == "GET":
        return render_template("pages/login_second_factor.html", next_url=next_url)
    if not second_factor.verify(c, user, request.form.get("code") or ""):
        return render_template("pages/login_second_factor.html", next_url=next_url, failed=True), 401
    return _signed_in(c, user, next_url)


def _signed_in(c, user, next_url):
    user_id, name = user.id, user.display_name
    c.commit()  # authenticate may have upgraded the password hash (a recovery code may be spent)
    lang = session.get("lang")
    session.clear()  # a fresh session on sign-in: nothing from before survives but the language
    if lang:
        session["lang"] = lang
    session["uid"] = user_id
    session["tenant_id"] = request_context.tenant().id
    csrf.renew()
    flash(_t(f"欢迎，{name}。", f"Signed in as {name}."), "success")
    return redirect(next_url or url_for("web.overview.dashboard"))


@bp.post("/logout")
def logout():
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_t("您已安全退出。", "You have signed out."), "success")
    return redirect(url_for("web.public.home"))
