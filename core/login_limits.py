"""Limits on guessing passwords: failed sign-ins (web) and token requests (API) counted per
account and per client address, with a lockout that says when to try again.

Flask-Limiter (one ``Limiter`` per app, made by the app factory) holds the storage and the
window arithmetic: Redis in production, so that every web process shares one count, and memory
in the embedded profile (``Settings.limiter_storage``). The counting is done here rather than by
decorating the two views, because only *failed* attempts count and a locked account is refused
before its password is even checked (the right password during a lockout is refused the same
way, so a lockout is no oracle). Each limit is a fixed window that starts at the first failure:
after ``login_limit_account`` failures for one username of one tenant, or ``login_limit_address``
from one address, both are refused until the window ends. A successful sign-in clears its
account's count, not its address's.

The limiter's time is real time (Redis keeps its own); tests move the memory storage's clock.
"""
from __future__ import annotations

import math
import time

from flask import Flask, current_app, request
from flask_limiter import Limiter
from limits import parse

from core.i18n import T
from core.violations import RuleError, Violation

EXTENSION = "tongxin.login_limits"


class TooManyAttempts(RuleError):
    """429 with Retry-After: the account or the address is locked out for ``retry_after`` seconds."""

    status = 429

    def __init__(self, retry_after: int):
        self.retry_after = max(1, int(retry_after))
        minutes = math.ceil(self.retry_after / 60)
        super().__init__(Violation("too_many_attempts", T(
            f"登录失败次数过多，已暂时锁定。请在 {minutes} 分钟后再试（{self.retry_after} 秒）。",
            f"Too many failed sign-in attempts: locked for now. Try again in {minutes} minute(s) "
            f"({self.retry_after} seconds)."), field="password"))
        self.headers = {"Retry-After": str(self.retry_after)}


class LoginLimits:
    """The two limits of one app, over its limiter's storage."""

    def __init__(self, limiter: Limiter, per_account: str, per_address: str, prefix: str):
        self.limiter = limiter
        self.per_account, self.per_address = parse(per_account), parse(per_address)
        self.prefix = prefix

    def _keys(self, tenant: str, username: str, address: str | None):
        account = (self.per_account, self.prefix, "login-account", tenant, (username or "").strip().lower()[:64] or "-")
        source = (self.per_address, self.prefix, "login-address", address or "-")
        return account, source

    def check(self, tenant: str, username: str, address: str | None) -> None:
        """Refuse (``TooManyAttempts``) while the account or the address is locked out."""
        strategy = self.limiter.limiter
        waits = []
        for item, *key in self._keys(tenant, username, address):
            if not strategy.test(item, *key):
                reset = strategy.get_window_stats(item, *key).reset_time
                waits.append(reset - _now())
        if waits:
            raise TooManyAttempts(math.ceil(max(waits)))

    def failed(self, tenant: str, username: str, address: str | None) -> None:
        strategy = self.limiter.limiter
        for item, *key in self._keys(tenant, username, address):
            strategy.hit(item, *key)

    def succeeded(self, tenant: str, username: str, address: str | None) -> None:
        account, _ = self._keys(tenant, username, address)
        item, *key = account
        self.limiter.limiter.clear(item, *key)


def _now() -> float:
    """The limiter's time (its storage's): real time; the memory storage's in tests."""
    return time.time()


def init_app(app: Flask) -> None:
    settings = app.extensions["tongxin"].settings
    # No limit applies to any route by itself: LoginLimits counts what it is told.
    limiter = Limiter(key_func=lambda: request.remote_addr or "-", app=app, storage_uri=settings.limiter_storage,
                      strategy="fixed-window", headers_enabled=False, default_limits=[])
    app.extensions[EXTENSION] = LoginLimits(limiter, settings.login_limit_account, settings.login_limit_address,
                                            settings.ratelimit_key_prefix)


def limits() -> LoginLimits:
    return current_app.extensions[EXTENSION]


def address() -> str | None:
    """The client's address as the app sees it (behind a proxy, what ``proxy_hops`` trusts)."""
    return request.remote_addr
