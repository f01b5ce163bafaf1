"""Mail that could not be sent, for the tenant's administrator (``/admin/mail``): who was to get
which notification, when, how often it was tried and the SMTP server's last answer, with a
button to send one again and one to send them all (``core.door.mail``; the buttons come from
``core.services.mail_actions``)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for

from core.door import mail as door
from core.i18n import T
from core.models import DeliveryState
from core.services import mail_failures
from core.services.mail_actions import mail_offers, retry_all_offer
from core.violations import RuleError
from core.web.context import ctx, int_arg, login_required

bp = Blueprint("mail", __name__, url_prefix="/t/<tenant>/admin")
PAGE = 30


def _page(err: RuleError | None = None):
    c = ctx()
    page = int_arg("page", 1, minimum=1)
    rows, total = mail_failures.failed_mail(c, limit=PAGE, offset=(page - 1) * PAGE)
    return render_template("admin/mail.html", rows=[(r, mail_offers(c, r.delivery)) for r in rows], total=total,
                           page=page, pages=max(1, -(-total // PAGE)), retry_all=retry_all_offer(c, total),
                           mail_on=c.settings.mail_enabled, problems=err.violations if err else [],
                           labels={s.value: s.label for s in DeliveryState}), err.status if err else 200


@bp.get("/mail")
@login_required
def failed():
    return _page()


def _after(fn, message: T):
    c = ctx()
    try:
        fn(c)
        c.commit()  # the sender starts once the retry is committed
    except RuleError as err:
        c.session.rollback()
        if err.status in (403, 404):
            raise
        return _page(err)
    flash(message.render(c.locale), "success")
    return redirect(url_for("web.mail.failed"))


@bp.post("/mail/<int:delivery_id>/retry")
@login_required
def retry(delivery_id: int):
    return _after(lambda c: door.RETRY_MAIL(c, delivery_id),
                  T("已重新发送；如仍失败，会继续显示在这里。", "Sent again; if it fails again it stays listed here."))


@bp.post("/mail/retry")
@login_required
def retry_all():
    return _after(lambda c: door.RETRY_ALL_MAIL(c),
                  T("已全部重新发送；仍失败的会继续显示在这里。", "All sent again; those that fail again stay listed here."))
