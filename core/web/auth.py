"""Signing in and out of one tenant with a username and password.

Signing in starts a login session (``core.services.login_sessions``) whose key the session
cookie carries; ``core.request_context`` turns it back into the actor on each request, within
the idle and absolute timeouts. Signing out ends that login session on the server, so the old
cookie, replayed, is nobody; "sign out everywhere" ends every one of the user's. Attempts are
limited per account and per address (``core.login_limits``) and recorded (``core.services.sign_in``)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for

from core import login_limits, request_context
from core.models import User
from core.services import login_sessions, second_factor, sign_in
from core.web import csrf
from core.web.context import ctx
from core.web.templating import _t

bp = Blueprint("auth", __name__, url_prefix="/t/<tenant>")

# Why the previous sign-in ended, as the login page says it (request_context leaves the reason).
ENDED = {
    "ended": ("您的登录已结束（已在别处退出，或密码、账号状态已更改），请重新登录。",
              "Your sign-in has ended (signed out elsewhere, or the password or account changed). Please sign in again."),
    "idle": ("长时间未操作，登录已超时，请重新登录。", "You were signed out after a while without activity. Please sign in again."),
    "expired": ("登录已超过最长时限，请重新登录。", "Your sign-in reached its time limit. Please sign in again."),
}


def _safe_next(target: str | None) -> str | None:
    """Only a path inside this tenant: never another site or another tenant."""
    if not target:
        return None
    prefix = f"/t/{request_context.tenant().slug}/"
    if target.startswith(prefix) and "//" not in target and "\\" not in target:
        return target
    return None


def _page(status: int = 200, **kw):
    ended = session.pop("signed_out", None)
    notice = _t(*ENDED[ended]) if ended in ENDED and status == 200 else None
    values = {"next_url": None, "username": "", "failed": False, "locked": None, "notice": notice, **kw}
    return render_template("pages/login.html", **values), status


@bp.route("/login", methods=["GET", "POST"])
def login():
    c = ctx()
    next_url = _safe_next(request.values.get("next"))
    if request.method == "GET":
        if c.actor.is_authenticated:
            return redirect(next_url or url_for("web.desk.page"))
        return _page(next_url=next_url)
    username = (request.form.get("username") or "").strip()
    tenant = request_context.tenant()
    address = login_limits.address()
    try:
        user = sign_in.attempt(c, tenant.slug, username, request.form.get("password") or "", address, "web",
                               login_limits.limits())
    except login_limits.TooManyAttempts as refused:
        body, status = _page(429, next_url=next_url, username=username, locked=refused)
        return body, status, refused.headers
    except sign_in.InvalidCredentials:
        return _page(401, next_url=next_url, username=username, failed=True)
    if second_factor.enabled(user):  # the password is right, the code comes next
        c.commit()  # authenticate may have upgraded the password hash
        request_context.forget_sign_in()
        session["pending_uid"], session["pending_tenant_id"] = user.id, tenant.id
        return redirect(url_for("web.auth.second_factor", next=next_url))
    return _signed_in(c, user, address, next_url)


@bp.route("/login/second-factor", methods=["GET", "POST"], endpoint="second_factor")
def second_factor_step():
    """The second step of signing in with a second factor (a code or a recovery code)."""
    c = ctx()
    next_url = _safe_next(request.values.get("next"))
    tenant = request_context.tenant()
    uid = session.get("pending_uid")
    user = c.session.get(User, uid) if uid and session.get("pending_tenant_id") == tenant.id else None
    if user is None or not user.is_active:
        return redirect(url_for("web.auth.login"))
    if request.method == "GET":
        return render_template("pages/login_second_factor.html", next_url=next_url)
    address = login_limits.address()
    try:
        sign_in.second_step(c, tenant.slug, user, request.form.get("code"), address, "web", login_limits.limits())
    except login_limits.TooManyAttempts as refused:
        return (render_template("pages/login_second_factor.html", next_url=next_url, locked=refused), 429,
                refused.headers)
    except sign_in.SecondFactorRequired:
        return render_template("pages/login_second_factor.html", next_url=next_url, failed=True), 401
    return _signed_in(c, user, address, next_url)


def _signed_in(c, user, address, next_url):
    """Start the login session whose key the (fresh) session cookie carries."""
    name = user.display_name
    start_session(c, user, sign_in.SUCCEEDED, address)
    flash(_t(f"欢迎，{name}。", f"Signed in as {name}."), "success")
    return redirect(next_url or url_for("web.desk.page"))


def start_session(c, user, action: str, address: str | None = None) -> None:
    """Start a login session for ``user`` in this browser, under ``action``, and put its key into
    a fresh session cookie with a new CSRF token. Also how a person stays signed in here after
    changing their own credentials, which ends every session they had, this one included."""
    with c.action(action):
        key = login_sessions.start(c.session, user, address or login_limits.address())
    c.commit()  # the login session, the audit entry and a hash authenticate may have upgraded
    request_context.sign_in(key, request_context.tenant().id, c.clock.now().timestamp())
    csrf.renew()


@bp.post("/logout")
def logout():
    """End this browser's login session; with ``everywhere``, every one of the user's."""
    c = ctx()
    with c.action("auth.logout"):
        if request.form.get("everywhere") and c.actor.is_authenticated:
            login_sessions.end_all(c.session, c.actor.user)
        else:
            login_sessions.end(c.session, session.get("sid"))
    c.commit()
    request_context.forget_sign_in()
    session.pop("csrf", None)
    flash(_t("您已安全退出。", "You have signed out."), "success")
    return redirect(url_for("web.public.home"))
