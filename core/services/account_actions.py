"""What an office may do now with an account (see ``core.services.actions``): reset its
password, disable it or re-enable it. The users page's buttons and the API's ``actions`` field
both come from here."""
from __future__ import annotations

from core.i18n import T
from core.models import User
from core.permissions import A
from core.services.accounts import NOT_YOURS, may_manage
from core.services.actions import Offer, Offers
from core.services.context import Ctx

# reset_password, disable, enable: user.reset_password, user.disable, user.enable (core.door.accounts)
USER_ACTIONS = ("reset_password", "disable", "enable")
OWN = T("不能停用自己的账号", "You cannot disable your own account")


def user_offers(ctx: Ctx, user: User) -> Offers:
    """An office manages the accounts whose every role is at its units: reset any of them,
    disable an active one (not its own), re-enable a disabled one."""
    if not ctx.can(A.user_manage).allowed or not may_manage(ctx, user):
        return Offers([Offer(key, A.user_manage, False, NOT_YOURS, False) for key in USER_ACTIONS])
    own = user.id == ctx.actor.id
    return Offers([
        Offer("reset_password", A.user_manage, True, None, True),
        Offer("disable", A.user_manage, False, OWN, True) if own and user.is_active
        else Offer("disable", A.user_manage, user.is_active, None, user.is_active),
        Offer("enable", A.user_manage, not user.is_active, None, not user.is_active),
    ])
