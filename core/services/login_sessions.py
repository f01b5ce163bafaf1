"""Login sessions: a signed-in browser, recorded on the server so that it can be ended there.

The session cookie (signed by Flask) carries a random key; the ``login_sessions`` row keeps only
its SHA-256. A request is signed in while its row exists, has not ended, belongs to an active user,
is younger than the absolute timeout and was last seen within the idle timeout. Signing out ends
the row; a password change or a disabled account end every row of the user
(``core.services.auth.credentials_changed``). A replayed cookie then finds its row ended.

Looking the row up is the one statement a signed-in request already paid to load its user (the
row brings its user in the same SELECT), so the check costs no extra statement per page.

Times are the platform's clock (``core.clock``): tests move it instead of sleeping. The idle
timeout is measured from the moment the cookie last carried (``seen``), which the request
refreshes: it needs no write to the database on each request.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import clock_of
from core.models import LoginSession, User

# How often the cookie's ``seen`` is refreshed: often enough for the idle timeout's minutes, rarely
# enough that most responses do not set a new cookie.
SEEN_RESOLUTION = dt.timedelta(seconds=60)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def start(session: Session, user: User, address: str | None) -> str:
    """A new login session for ``user``; the plain key (for the cookie) is returned once."""
    key = secrets.token_urlsafe(32)
    session.add(LoginSession(user_id=user.id, key_hash=_digest(key), address=(address or "")[:64] or None))
    session.flush()
    return key


def end(session: Session, key: str | None) -> None:
    """End the login session of this key (signing out); an unknown or ended key changes nothing."""
    if not key:
        return
    row = session.scalars(select(LoginSession).where(LoginSession.key_hash == _digest(key))).one_or_none()
    if row is not None and row.ended_at is None:
        row.ended_at = clock_of(session).now()


def end_all(session: Session, user: User | int) -> int:
    """End every open login session of a user; the number ended."""
    user_id = user if isinstance(user, int) else user.id
    now = clock_of(session).now()
    # Row by row through the ORM (a user has a handful), so that each end is in the audit log.
    rows = list(session.scalars(select(LoginSession).where(LoginSession.user_id == user_id,
                                                           LoginSession.ended_at.is_(None))))
    for row in rows:
        row.ended_at = now
    return len(rows)


@dataclass(frozen=True)
class Found:
    """What a session cookie resolves to: the user, or why not (``reason``: ``ended``, ``idle``,
    ``expired``) and whether the cookie's ``seen`` should be refreshed."""

    user: User | None
    reason: str | None = None
    refresh_seen: bool = False


def resolve(session: Session, key: str | None, seen: float | None, *, idle: dt.timedelta,
            absolute: dt.timedelta) -> Found:
    """The user a cookie's key and last-seen moment (POSIX seconds on the platform's clock) stand
    for now, in one statement."""
    if not key:
        return Found(None, "ended")
    row = session.scalars(select(LoginSession).where(LoginSession.key_hash == _digest(key))).one_or_none()
    if row is None or row.ended_at is not None or not row.user.is_active:
        return Found(None, "ended")
    now = clock_of(session).now()
    if now - row.created_at >= absolute:
        return Found(None, "expired")
    last = dt.datetime.fromtimestamp(seen, dt.timezone.utc) if seen is not None else row.created_at
    if now - last >= idle:
        return Found(None, "idle")
    return Found(row.user, refresh_seen=now - last >= SEEN_RESOLUTION or seen is None)


def open_sessions(session: Session, user: User) -> list[LoginSession]:
    """The user's login sessions that have not ended, newest first (timeouts aside)."""
    return list(session.scalars(select(LoginSession).where(LoginSession.user_id == user.id,
                                                          LoginSession.ended_at.is_(None))
                                .order_by(LoginSession.id.desc())))
