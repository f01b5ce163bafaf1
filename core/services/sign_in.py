"""One attempt to sign in with a username and password, as the web's login form and the API's
token request both make it: refused while the account or the address is locked out (the limits
of ``core.login_limits``, handed in), checked, counted when it fails, and recorded in the audit
log either way with the client's address and the way in (``web``, ``api``), never the password.

An account with a second factor (``core.services.second_factor``) is signed in only by its
code as well (``second_step``): its right password alone is not a success, and a wrong code
counts against the same limits as a wrong password, so the code cannot be guessed at leisure.

A failed attempt's record is committed before the refusal is raised, so it survives the 401."""
from __future__ import annotations

from typing import Protocol

from sqlalchemy import select

from core.i18n import T
from core.models import AuditEntry, User
from core.services import second_factor
from core.services.auth import authenticate
from core.services.context import Ctx
from core.violations import RuleError, Violation

SUCCEEDED, FAILED = "auth.login", "auth.login_failed"


class Limits(Protocol):
    def check(self, tenant: str, username: str, address: str | None) -> None: ...
    def failed(self, tenant: str, username: str, address: str | None) -> None: ...
    def succeeded(self, tenant: str, username: str, address: str | None) -> None: ...


class SecondFactorRequired(RuleError):
    status = 401

    def __init__(self):
        super().__init__(Violation("second_factor_required",
                                   T("该账号已启用两步验证：验证码不正确或未提供", "This account has a second factor: its code is "
                                     "missing or wrong"), field="otp"))


class InvalidCredentials(RuleError):
    status = 401

    def __init__(self):
        # One answer for an unknown user and a wrong password: no probing for usernames.
        super().__init__(Violation("invalid_credentials", T("用户名或密码不正确", "Wrong username or password"),
                                   field="password"))


def record(ctx: Ctx, action: str, user_id: int | None, username: str, address: str | None, via: str) -> None:
    """An audit entry about a sign-in attempt (about the user named, when there is one)."""
    ctx.session.add(AuditEntry(actor_id=user_id if action == SUCCEEDED else None, action=action, entity="users",
                               entity_id=user_id, before=None,
                               after={"username": (username or "")[:64], "address": address, "via": via}))
    ctx.session.flush()


def attempt(ctx: Ctx, tenant: str, username: str, password: str, address: str | None, via: str,
            limits: Limits) -> User:
    """The user these credentials sign in, or a refusal: ``TooManyAttempts`` (429, from the
    limits) or ``InvalidCredentials`` (401). The caller starts the session or issues the token
    and commits."""
    username = (username or "").strip()
    limits.check(tenant, username, address)
    user = authenticate(ctx.session, username, password, ctx.settings.password_hashing)
    if user is None:
        limits.failed(tenant, username, address)
        named = ctx.session.scalar(select(User.id).where(User.username == username)) if username else None
        record(ctx, FAILED, named, username, address, via)
        ctx.commit()
        raise InvalidCredentials()
    if second_factor.enabled(user):
        return user  # the password is right; signing in completes with the code (second_step)
    _succeeded(ctx, tenant, user, address, via, limits)
    return user


def second_step(ctx: Ctx, tenant: str, user: User, code: str | None, address: str | None, via: str,
                limits: Limits) -> None:
    """Complete the sign-in of ``user`` (whose password was right) with their second factor's
    code or a recovery code: ``SecondFactorRequired`` (401) when it is missing or wrong, counted
    and recorded as a failed attempt; ``TooManyAttempts`` while locked out."""
    limits.check(tenant, user.username, address)
    if not second_factor.verify(ctx, user, code or ""):
        limits.failed(tenant, user.username, address)
        record(ctx, FAILED, user.id, user.username, address, via)
        ctx.commit()  # the failure's record (a recovery code is never spent by a failed attempt)
        raise SecondFactorRequired()
    _succeeded(ctx, tenant, user, address, via, limits)


def _succeeded(ctx: Ctx, tenant: str, user: User, address: str | None, via: str, limits: Limits) -> None:
    limits.succeeded(tenant, user.username, address)
    ctx.session.info["actor_id"] = user.id  # the audit log names who signed in
    record(ctx, SUCCEEDED, user.id, user.username, address, via)
