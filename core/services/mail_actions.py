"""What the caller may do with a failed mail now (see ``core.services.actions``): send it
again, or all of them. The page's buttons and the API's ``actions`` both come from here; the
state half is the service's own guard (``core.services.mail_failures``), asked without acting."""
from __future__ import annotations

from core.i18n import T
from core.models import MailDelivery
from core.permissions import A
from core.services.actions import Offers, offer
from core.services.context import Ctx
from core.services.mail_failures import FAILED, MAIL_OFF

ACTIONS = ("retry",)


def mail_offers(ctx: Ctx, delivery: MailDelivery) -> Offers:
    off = None if ctx.settings.mail_enabled else MAIL_OFF
    return Offers([offer(ctx, "retry", A.mail_manage, None, now=delivery.state in FAILED,
                         not_now=T("这封邮件不需要重发", "This mail needs no resending"), blocked=off)])


def retry_all_offer(ctx: Ctx, failed: int):
    """The page's "send them all again" button, for ``failed`` mails."""
    off = None if ctx.settings.mail_enabled else MAIL_OFF
    return offer(ctx, "retry_all", A.mail_manage, None, now=failed > 0,
                 not_now=T("没有发送失败的邮件", "No mail has failed"), blocked=off)
