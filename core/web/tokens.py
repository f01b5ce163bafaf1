"""The user's own API tokens under their account: list them (active, expired, revoked), ask for
a new one (shown once) and revoke one; and end every login session of theirs ("sign out
everywhere", which ``core.web.auth.logout`` does). The same services as the API's
``/auth/tokens`` (``core.services.auth``)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from core.i18n import T
from core.services import auth, login_sessions
from core.violations import RuleError, Violation
from core.web.context import ctx, login_required
from core.web.templating import _t

bp = Blueprint("tokens", __name__, url_prefix="/t/<tenant>/account")


def _page(status: int = 200, **kw):
    c = ctx()
    user = c.actor.user
    values = {"tokens": auth.tokens_of(c.session, user), "now": c.clock.now(), "issued": None, "problems": [],
              "values": {}, "sessions": login_sessions.open_sessions(c.session, user),
              "days_default": c.settings.token_days_default, "days_max": c.settings.token_days_max,
              "config_idle": c.settings.session_idle_minutes, "config_absolute": c.settings.session_absolute_hours,
              "states": {"active": _t("有效", "active"), "expired": _t("已过期", "expired"),
                         "revoked": _t("已撤销", "revoked")},
              "state_of": auth.token_state, **kw}
    return render_template("pages/account/tokens.html", **values), status


@bp.get("/tokens")
@login_required
def index():
    return _page()


def _days(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 4:
        raise RuleError(Violation("token_lifetime", T("有效期应为整数天数", "The lifetime is a whole number of days"),
                                  field="expires_in_days"))
    return int(raw)


@bp.post("/tokens")
@login_required
def issue():
    c = ctx()
    name = (request.form.get("name") or "").strip()[:100]
    try:
        if not name:
            raise RuleError(Violation("required", T("请填写令牌名称", "Give the token a name"), field="name"))
        lifetime = auth.token_lifetime(_days(request.form.get("expires_in_days")), c.settings.token_days_default,
                                       c.settings.token_days_max)
    except RuleError as refused:
        return _page(422, problems=refused.violations, values=request.form)
    with c.action("auth.token_issue"):
        token = auth.issue_token(c.session, c.actor.user, name, lifetime)
    c.commit()
    # Shown on this response only: it is stored as a hash and can never be shown again.
    return _page(issued=token)


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def revoke(token_id: int):
    c = ctx()
    with c.action("auth.token_revoke"):
        auth.revoke_token(c.session, token_id, c.actor.user)
    c.commit()
    flash(_t("令牌已撤销，使用它的程序将无法再访问。", "The token is revoked: programs using it can no longer get in."), "success")
    return redirect(url_for("web.tokens.index"))
