"""The one place a request's tenant, actor and locale are resolved.

Every tenant-scoped URL starts with ``/t/<tenant>/`` (web) or ``/api/v1/t/<tenant>/`` (API). A
URL value preprocessor pops ``tenant``, looks the slug up and stores it on ``g``; ``url_for``
fills it back in. Nothing else in the code decides which tenant a request is for. A request
without a tenant gets a session that sees no tenant-owned rows.
"""
from __future__ import annotations

import datetime as dt

from flask import Flask, current_app, g, request, session as cookie
from sqlalchemy import select

from core.i18n import Text, negotiate
from core.models import Tenant, User
from core.platform import Platform
from core.clock import clock_of
from core.services import login_sessions
from core.services.auth import token_user
from core.services.context import Actor, Ctx
from core.violations import RuleError, Violation


class UnknownTenant(RuleError):
    status = 404

    def __init__(self, slug: str):
        super().__init__(Violation("unknown_tenant", Text(f"没有名为「{slug}」的辖区", f"There is no tenant '{slug}'"),
                                   field="tenant"))


def platform() -> Platform:
    return current_app.extensions["tongxin"]


def tenant() -> Tenant | None:
    return g.get("tenant")


def _lookup_tenant(slug: str) -> Tenant:
    p = platform()
    with p.db.session() as s:
        found = s.scalars(select(Tenant).where(Tenant.slug == slug)).one_or_none()
        if found is None:
            raise UnknownTenant(slug)
        s.expunge(found)
        return found


def locale() -> str:
    if "locale" not in g:
        explicit = request.args.get("lang") or cookie.get("lang")
        g.locale = negotiate(request.headers.get("Accept-Language"), explicit,
                             default=platform().settings.default_locale)
    return g.locale


def ctx() -> Ctx:
    """The request's unit of work, created on first use and closed at teardown."""
    if "ctx" in g:
        return g.ctx
    p = platform()
    t = tenant()
    s = p.db.session(tenant_id=t.id if t else None)
    actor = Actor.anonymous()
    if t is not None:
        user = _user_from_request(s, t)
        if user is not None:
            actor = Actor.of(user)
            s.info["actor_id"] = user.id
    g.ctx = Ctx(session=s, actor=actor, host=p.host, settings=p.settings,
                tenant_id=t.id if t else 0, locale=locale())
    return g.ctx


# What the session cookie holds about signing in (the rest, e.g. the language, outlives it).
SIGN_IN_KEYS = ("sid", "seen", "tenant_id")


def _user_from_request(s, t: Tenant) -> User | None:
    """The user a bearer token or the session cookie stands for. Why one does not is left on
    ``g`` (``token_refusal``, ``session_ended``) for the 401's message and the login page."""
    auth = request.headers.get("Authorization", "")
    if auth.lower().startswith("bearer "):
        g.auth_kind = "token"
        user, g.token_refusal = token_user(s, auth[7:].strip())
        return user
    key = cookie.get("sid")
    if key and cookie.get("tenant_id") == t.id:
        g.auth_kind = "cookie"
        settings = platform().settings
        found = login_sessions.resolve(s, key, cookie.get("seen"),
                                       idle=dt.timedelta(minutes=settings.session_idle_minutes),
                                       absolute=dt.timedelta(hours=settings.session_absolute_hours))
        if found.user is None:
            g.session_ended = found.reason
            forget_sign_in()
            cookie["signed_out"] = found.reason  # the login page says why
            return None
        if found.refresh_seen:
            cookie["seen"] = clock_of(s).now().timestamp()
        return found.user
    return None


def forget_sign_in() -> None:
    """Drop the signing-in part of the session cookie (the language stays)."""
    for key in SIGN_IN_KEYS:
        cookie.pop(key, None)


def sign_in(key: str, tenant_id: int, now: float) -> None:
    """Put a new login session's key into a fresh session cookie: nothing from before survives
    but the language, and the CSRF token is renewed by the caller."""
    lang = cookie.get("lang")
    cookie.clear()
    if lang:
        cookie["lang"] = lang
    cookie["sid"], cookie["tenant_id"], cookie["seen"] = key, tenant_id, now


def init_app(app: Flask) -> None:
    @app.url_value_preprocessor
    def _pop_tenant(endpoint, values):
        if values and "tenant" in values:
            g.tenant = _lookup_tenant(values.pop("tenant"))

    @app.url_defaults
    def _add_tenant(endpoint, values):
        if "tenant" in values or g.get("tenant") is None:
            return
        if app.url_map.is_endpoint_expecting(endpoint, "tenant"):
            values["tenant"] = g.tenant.slug

    @app.teardown_request
    def _close(exc):
        c = g.pop("ctx", None)
        if c is not None:
            c.session.rollback()  # anything not committed explicitly is discarded
            c.session.close()
