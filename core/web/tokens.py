"""The user's own API tokens under their account: list them (active, expired, revoked), ask for
a new one (shown once) and revoke one; and end every login session of theirs ("sign out
everywhere", which ``core.web.auth.logout`` does). Issuing and revoking are the door's
operations (``core.door.tokens``), as the API's ``/auth/tokens`` revoking is."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from core.door import tokens as door
from core.services import auth, login_sessions
from core.violations import RuleError
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


@bp.post("/tokens")
@login_required
def issue():
    c = ctx()
    try:
        issued = door.ISSUE_TOKEN(c, **door.ISSUE_TOKEN.from_form(request.form))
    except RuleError as refused:
        c.session.rollback()
        return _page(422, problems=refused.violations, values=request.form)
    c.commit()
    # Shown on this response only: it is stored as a hash and can never be shown again.
    return _page(issued=issued.token)


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def revoke(token_id: int):
    c = ctx()
    door.REVOKE_TOKEN(c, token_id)
    c.commit()
    flash(_t("令牌已撤销，使用它的程序将无法再访问。", "The token is revoked: programs using it can no longer get in."), "success")
    return redirect(url_for("web.tokens.index"))
