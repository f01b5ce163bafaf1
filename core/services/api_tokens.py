"""One's own API tokens as operations of the door (``core.door.tokens``): issue one from the
account page, revoke one (the web's account page and the API's ``DELETE /auth/tokens/<id>``).
The rows, the hashing and the lifetimes are ``core.services.auth``'s.

Not here: the exchange of a username and password for a token (``POST /auth/token``). It is a
sign-in, answered before there is anyone to ask the permission table about, and limited and
recorded as sign-ins are (``core.services.sign_in``)."""
from __future__ import annotations

from dataclasses import dataclass

from core.i18n import T
from core.models import ApiToken
from core.permissions import A
from core.services import auth
from core.services.context import Ctx
from core.violations import RuleError, Violation

SIGN_IN_FIRST = T("请先登录", "Sign in first")


@dataclass(frozen=True)
class Issued:
    """A new token: the plain value (shown once, never stored) and its stored row."""

    token: str
    row: ApiToken


def issue(ctx: Ctx, name: str, expires_in_days: int | None = None) -> Issued:
    """The signed-in user asks for a token of their own, living ``expires_in_days`` (the
    deployment's default if not given, never past its maximum)."""
    ctx.require(A.token_manage, None, SIGN_IN_FIRST)
    name = (name or "").strip()
    if not name:
        raise RuleError(Violation("required", T("请填写令牌名称", "Give the token a name"), field="name"), status=422)
    lifetime = auth.token_lifetime(expires_in_days, ctx.settings.token_days_default, ctx.settings.token_days_max)
    with ctx.action("auth.token_issue"):
        token = auth.issue_token(ctx.session, ctx.actor.user, name, lifetime)
    return Issued(token, auth.token_record(ctx.session, token))


def revoke(ctx: Ctx, token_id: int) -> None:
    """The signed-in user revokes one of their tokens; another's is not found (404), whatever
    its id, so ids tell nothing."""
    ctx.require(A.token_manage, None, SIGN_IN_FIRST)
    with ctx.action("auth.token_revoke"):
        auth.revoke_token(ctx.session, token_id, ctx.actor.user)
