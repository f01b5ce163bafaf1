"""The inbox page (things to do, things that happened), the count in every page's header, and
the page where an office hands a role over to a successor.

The header's count is one statement (``core.services.inbox.summary``), asked once per request
and kept on ``g``: the inbox page reads the same summary for its own counts. Marking read and
handing over go through the door (``core.door.inbox``), as the API's do.
"""
from __future__ import annotations

import logging
from urllib.parse import urlencode

from flask import Blueprint, Flask, flash, g, redirect, render_template, request, url_for

from core import request_context
from core.i18n import T
from core.permissions import A
from core.door.inbox import HAND_OVER, MARK_ALL_READ, MARK_READ
from core.services import handover, inbox
from core.services.inbox.asking import Asking
from core.services.inbox_actions import notification_offers, role_offers
from core.violations import RuleError
from core.web import queries
from core.web.context import ctx, forbid_unless, int_arg, login_required
from core.web.forms import split_errors
from core.web.templating import _t

log = logging.getLogger(__name__)
bp = Blueprint("inbox", __name__, url_prefix="/t/<tenant>")
PAGE = 20
HANDOVER_FIELDS = ("membership_id", "successor_id", "reason")


def counted():
    """The request's inbox summary, read once (None: nobody signed in, or no inbox)."""
    if "inbox_summary" not in g:
        c = ctx()
        g.inbox_summary = (inbox.summary(c, asking=Asking(c, programmes=lambda: queries.all_programmes(c)))
                           if inbox.may_use(c) else None)
    return g.inbox_summary


def _pages(total: int) -> int:
    return max(1, (total + PAGE - 1) // PAGE)


def _url(**changes) -> str:
    args = request.args.to_dict()
    args.update({k: str(v) for k, v in changes.items() if v is not None})
    for k in [k for k, v in changes.items() if v is None]:
        args.pop(k, None)
    return f"{request.path}?{urlencode(args)}" if args else request.path


@bp.get("/inbox")
@login_required
def page():
    c = ctx()
    forbid_unless(inbox.may_use(c), T("您没有任何角色，没有收件箱", "You hold no role, so you have no inbox"))
    summary = counted()
    kind = request.args.get("kind") or None
    kinds = {k.key for k, _ in summary.by_kind}
    if kind not in kinds:
        kind = None
    todo_page = int_arg("page", 1, minimum=1)
    todos, todo_total = inbox.todos_page(c, counted=summary, kind=kind, limit=PAGE, offset=(todo_page - 1) * PAGE)
    note_page = int_arg("npage", 1, minimum=1)
    unread_only = request.args.get("unread") == "1"
    notes, note_total = inbox.notifications_page(c, unread=unread_only, limit=PAGE, offset=(note_page - 1) * PAGE)
    return render_template(
        "pages/inbox.html", summary=summary, kind=kind, todos=todos, todo_total=todo_total, todo_page=todo_page,
        todo_pages=_pages(todo_total), notes=[(n, notification_offers(c, n)) for n in notes], note_total=note_total,
        note_page=note_page, note_pages=_pages(note_total), unread_only=unread_only, url=_url,
        base=url_for("web.public.home").rstrip("/"))  # a to-do's link is relative to the tenant


@bp.post("/inbox/notifications/<int:notification_id>/read")
@login_required
def read(notification_id: int):
    """Mark a notification read; ``open``: and go to the page it links to."""
    c = ctx()
    n = MARK_READ(c, notification_id, **MARK_READ.from_form({}))
    link = n.link
    c.commit()
    if request.form.get("open") and link and link.startswith("/") and not link.startswith("//"):
        return redirect(f"/t/{request_context.tenant().slug}{link}")
    return redirect(url_for("web.inbox.page") + "#notifications")


@bp.post("/inbox/notifications/read")
@login_required
def read_all():
    c = ctx()
    marked = MARK_ALL_READ(c, **MARK_ALL_READ.from_form({}))
    c.commit()
    flash(_t(f"已将{marked}条消息标为已读。", f"Marked {marked} notifications read."), "success")
    return redirect(url_for("web.inbox.page") + "#notifications")


# -- handing a role over ------------------------------------------------------------------------

@bp.route("/handovers", methods=["GET", "POST"])
@login_required
def handovers():
    c = ctx()
    forbid_unless(c.can(A.role_hand_over).allowed,
                  T("只有区级或街道管理员可以办理人员交接", "Only district and street administrators hand roles over"))
    errors, status, values = split_errors([], "", HANDOVER_FIELDS, c.locale), 200, {}
    if request.method == "POST":
        values = request.form
        try:
            record = HAND_OVER(c, **HAND_OVER.from_form(request.form))
            successor = handover.people(c, [record.to_user_id])[record.to_user_id]
            c.commit()
        except RuleError as err:
            c.session.rollback()
            status, errors = err.status, split_errors(err.violations, "", HANDOVER_FIELDS, c.locale)
        else:
            flash(_t(f"已交接给{successor.display_name}，随角色转去待办{record.open_todos}项。",
                     f"Handed over to {successor.display_name}, with {record.open_todos} to-dos."), "success")
            return redirect(url_for("web.inbox.handovers"))
    holdings, _ = handover.handable(c, limit=500)
    chosen = int_arg("membership_id") or (values.get("membership_id", type=int) if values else None)
    preview = None
    if chosen and request.method == "GET":
        membership = next((m for m in holdings if m.id == chosen), None)
        preview = (membership, handover.role_todos(c, membership)) if membership else None
    records, _ = handover.handovers_page(c, limit=50)
    users = handover.people(c, [i for r in records for i in (r.from_user_id, r.to_user_id, r.handed_over_by_id)])
    return render_template("pages/handovers.html", holdings=[(m, role_offers(c, m)) for m in holdings],
                           successors=handover.candidates(c), records=records, users=users, preview=preview,
                           chosen=chosen, values=values, errors=errors), status


def init_app(app: Flask) -> None:
    """The header's count, on every page of the web UI (never failing a page: an error page
    must still render)."""

    @app.context_processor
    def _inbox_count():
        if g.get("tenant") is None:
            return {}
        try:
            return {"inbox_summary": counted()}
        except Exception:  # noqa: BLE001 - the header must never break the page under it
            log.exception("could not count the inbox for the page header")
            return {"inbox_summary": None}
