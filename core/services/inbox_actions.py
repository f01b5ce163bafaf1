"""What the caller may do now with a notification or a role (see ``core.services.actions``):
mark a notification read (while it is unread) and hand a role over to a successor. The API's
``actions`` fields and the inbox's and handover page's buttons both come from here."""
from __future__ import annotations

from core.i18n import T
from core.models import Membership, Notification
from core.permissions import A
from core.services.actions import Offers, offer
from core.services.context import Ctx

# read: notification.read (core.door.inbox); hand_over: role.hand_over
NOTIFICATION_ACTIONS = ("read",)
ROLE_ACTIONS = ("hand_over",)

ALREADY_READ = T("这条消息已读", "This notification has been read")


def notification_offers(ctx: Ctx, notification: Notification) -> Offers:
    """The addressee marks an unread notification read (an already read one: hidden)."""
    return Offers([offer(ctx, "read", A.notification_read, notification, now=notification.read_at is None,
                         not_now=ALREADY_READ)])


def role_offers(ctx: Ctx, membership: Membership) -> Offers:
    """An administrator at or above the role's unit hands it over to a successor."""
    return Offers([offer(ctx, "hand_over", A.role_hand_over, membership, now=True)])
