"""Passwords (argon2), API tokens (random, stored as SHA-256, with an expiry) and what a change
of credentials ends (``credentials_changed``)."""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import clock_of
from core.i18n import T
from core.models import ApiToken, User
from core.services import login_sessions
from core.violations import RuleError, Violation

TOKEN_PREFIX = "txn_"
MIN_PASSWORD = 8

# Argon2 cost profiles by setting name (Settings.password_hashing). "default" is argon2-cffi's
# recommended RFC 9106 profile; "cheapest" exists so that a test suite that creates hundreds of
# users does not spend half its time hashing: it must never be used for real accounts.
HASHING_PROFILES = {"default": profiles.RFC_9106_LOW_MEMORY, "cheapest": profiles.CHEAPEST}


@functools.cache
def _hasher(profile: str) -> PasswordHasher:
    if profile not in HASHING_PROFILES:
        raise ValueError(f"unknown password hashing profile {profile!r}; one of {sorted(HASHING_PROFILES)}")
    return PasswordHasher.from_parameters(HASHING_PROFILES[profile])


@functools.cache
def _dummy_hash(profile: str) -> str:
    return _hasher(profile).hash("not-a-real-password-0")


def hash_password(password: str, profile: str = "default") -> str:
    if len(password or "") < MIN_PASSWORD:
        raise RuleError(Violation("password_too_short",
                                  T(f"密码至少{MIN_PASSWORD}位", f"The password needs at least {MIN_PASSWORD} characters"),
                                  field="password"))
    return _hasher(profile).hash(password)


def authenticate(session: Session, username: str, password: str, profile: str = "default") -> User | None:
    """The active user of the session's tenant with these credentials, or None.

    The same answer for an unknown user and a wrong password, and the same work (a dummy
    verification), so that responses do not reveal which usernames exist. A hash made with
    other parameters than ``profile``'s is upgraded on the way."""
    hasher = _hasher(profile)
    user = session.scalars(select(User).where(User.username == (username or "").strip())).one_or_none()
    candidate = user.password_hash if user else _dummy_hash(profile)
    try:
        hasher.verify(candidate, password or "")
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.is_active:
        return None
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_lifetime(days: int | None, default: int, maximum: int) -> dt.timedelta:
    """How long a new token lives: ``days`` if asked (1..maximum), else the default."""
    if days is None:
        days = min(default, maximum)
    if not 1 <= days <= maximum:
        raise RuleError(Violation("token_lifetime", T(f"有效期应为 1 至 {maximum} 天", f"The lifetime must be 1 to {maximum} days"),
                                  field="expires_in_days"), status=422)
    return dt.timedelta(days=days)


def issue_token(session: Session, user: User, name: str, lifetime: dt.timedelta = dt.timedelta(days=30)) -> str:
    """Create a token for ``user`` living ``lifetime`` (see ``token_lifetime``); the plain token is
    returned once and never stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = clock_of(session).now()
    session.add(ApiToken(user_id=user.id, name=name[:100] or "api", token_hash=_digest(token),
                         created_at=now, expires_at=now + lifetime))
    session.flush()
    return token


def token_state(row: ApiToken, now: dt.datetime) -> str:
    """``active``, ``revoked`` or ``expired`` (a row without an expiry counts as expired)."""
    if row.revoked_at is not None:
        return "revoked"
    if row.expires_at is None or row.expires_at <= now:
        return "expired"
    return "active"


def token_user(session: Session, token: str) -> tuple[User | None, str | None]:
    """The user a plain token stands for now, or None and why: ``unknown`` (never issued here,
    or another tenant's), ``revoked``, ``expired`` or ``disabled`` (the user's account)."""
    if not token or not token.startswith(TOKEN_PREFIX):
        return None, "unknown"
    row = session.scalars(select(ApiToken).where(ApiToken.token_hash == _digest(token))).one_or_none()
    if row is None:
        return None, "unknown"
    state = token_state(row, clock_of(session).now())
    if state != "active":
        return None, state
    if not row.user.is_active:
        return None, "disabled"
    return row.user, None


def user_for_token(session: Session, token: str) -> User | None:
    return token_user(session, token)[0]


def revoke_token(session: Session, token_id: int, user: User) -> None:
    row = session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id:
        raise RuleError(Violation("not_found", T("未找到该令牌", "Token not found"), field="token_id"), status=404)
    if row.revoked_at is None:
        row.revoked_at = clock_of(session).now()


def token_record(session: Session, token: str) -> ApiToken | None:
    """The stored row of a plain token (to tell an API client the id of the token it holds)."""
    if not token or not token.startswith(TOKEN_PREFIX):
        return None
    return session.scalars(select(ApiToken).where(ApiToken.token_hash == _digest(token))).one_or_none()


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    """The user's tokens, newest first, revoked and expired ones included (they say so)."""
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())))


def set_password(user: User, password: str, profile: str, *, one_time: bool, now) -> None:
    """Store ``password`` for ``user``: a one-time one (an administrator's initial or reset
    password) must be changed at the next sign-in; one the user chose need not. Callers check
    the policy first (``core.services.password_policy``)."""
    user.password_hash = _hasher(profile).hash(password)
    user.must_change_password = one_time
    user.password_changed_at = None if one_time else now


def verify_password(user: User, password: str, profile: str = "default") -> bool:
    """Whether ``password`` is the user's current one (to confirm a change or a second factor's
    removal)."""
    try:
        return _hasher(profile).verify(user.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return False


def credentials_changed(ctx, user: User) -> dict:
    """The one place a change of a user's credentials ends up: a password changed or reset, an
    account disabled or re-enabled, a second factor enrolled or removed. It ends every login
    session of ``user`` (each browser is signed out; a replayed cookie finds its session ended)
    and every API token of theirs not yet revoked (a token obtained with the old credentials
    must not outlive them), and records in the audit log that the credentials changed, by whom,
    under the action the caller named (``ctx.action``: ``password.change``,
    ``user.reset_password``, ``user.disable`` ...). Call it inside that action, before its
    commit. Returns how many sessions and tokens were ended."""
    from core.models.audit import AuditEntry  # the log's own row, as the flush listener writes them
    session = ctx.session
    now = clock_of(session).now()
    ended = login_sessions.end_all(session, user)
    revoked = 0
    for row in session.scalars(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))):
        row.revoked_at = now
        revoked += 1
    action = session.info.get("audit_action") or "credentials.change"
    session.add(AuditEntry(actor_id=ctx.actor.id, action=action, entity="users", entity_id=user.id, before=None,
                           after={"credentials_changed": True, "username": user.username,
                                  "sessions_ended": ended, "tokens_revoked": revoked}))
    session.flush()
    return {"sessions": ended, "tokens": revoked}
