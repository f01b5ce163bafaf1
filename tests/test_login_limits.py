"""Guessing passwords is limited: failed sign-ins (web) and token requests (API) are counted per
account and per address; past the limit both are refused with 429, a message in Chinese (English
when asked) and Retry-After, even with the right password, until the window ends. Every attempt,
failed or not, is in the audit log with its address and never its password.

The embedded profile counts in memory: the tests move the limiter's time (its storage's clock)
instead of sleeping. In the production profile the count is on Redis, shared by every web process."""
from __future__ import annotations

import json
import time
import types
import uuid

import pytest
from sqlalchemy import select

import core.login_limits
import limits.storage.memory
from core.app import create_app
from core.models import AuditEntry
from tests.clients import Web, is_error, url
from tests.factories import PASSWORD, acting

WRONG = "not-the-password-1"


@pytest.fixture
def limiter_time(monkeypatch):
    """Move the memory storage's time (and the lockout's arithmetic) forward: ``move(seconds)``."""
    offset = [0.0]
    shifted = types.SimpleNamespace(time=lambda: time.time() + offset[0])
    monkeypatch.setattr(limits.storage.memory, "time", shifted)
    monkeypatch.setattr(core.login_limits, "_now", shifted.time)

    def move(seconds: float) -> None:
        offset[0] += seconds
    return move


def _web_login(app, username, password, address="10.0.0.1"):
    web = Web(app.test_client())
    return web.post("/login", {"username": username, "password": password},
                    environ_base={"REMOTE_ADDR": address})


def _token(client, username, password, address="10.0.0.1", **headers):
    return client.post(url("/auth/token"), json={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address}, headers=headers)


def test_a_hundred_wrong_passwords_lock_the_account_until_the_window_ends(app, limiter_time):
    answers = [_web_login(app, "luochuan", WRONG).status_code for _ in range(100)]
    assert answers[:10] == [401] * 10 and set(answers[10:]) == {429}
    # The right password is refused too while the lockout lasts, saying when to come back.
    r = _web_login(app, "luochuan", PASSWORD)
    assert r.status_code == 429
    retry = int(r.headers["Retry-After"])
    assert 0 < retry <= 15 * 60
    assert "登录失败次数过多" in r.get_data(as_text=True) and "分钟后再试" in r.get_data(as_text=True)
    # ...from any address: the account is what is locked.
    assert _web_login(app, "luochuan", PASSWORD, address="10.9.9.9").status_code == 429
    limiter_time(retry - 5)
    assert _web_login(app, "luochuan", PASSWORD).status_code == 429
    limiter_time(10)
    assert _web_login(app, "luochuan", PASSWORD).status_code == 302  # the window ended: signed in


def test_the_api_token_endpoint_shares_the_account_count_and_answers_429(app, client, limiter_time):
    for _ in range(6):
        assert _web_login(app, "luochuan", WRONG).status_code == 401
    for _ in range(4):
        is_error(_token(client, "luochuan", WRONG), 401, "invalid_credentials")
    r = _token(client, "luochuan", PASSWORD)
    body = is_error(r, 429, "too_many_attempts")
    assert int(r.headers["Retry-After"]) > 0 and "登录失败次数过多" in body["message"]
    english = _token(client, "luochuan", PASSWORD, **{"Accept-Language": "en"}).get_json()
    assert english["message"].startswith("Too many failed sign-in attempts") and "Try again in" in english["message"]
    # Another account is not locked by this one's failures.
    assert _token(client, "yanchang", PASSWORD).status_code == 201
    limiter_time(15 * 60 + 1)
    assert _token(client, "luochuan", PASSWORD).status_code == 201


def test_one_address_guessing_many_accounts_is_locked_out(app, client, limiter_time):
    for i in range(50):  # a different (unknown) username each time: only the address adds up
        assert _token(client, f"guess{i}", WRONG, address="10.6.6.6").status_code == 401
    is_error(_token(client, "luochuan", PASSWORD, address="10.6.6.6"), 429, "too_many_attempts")
    assert _token(client, "luochuan", PASSWORD, address="10.7.7.7").status_code == 201


def test_a_success_clears_the_account_count(app, limiter_time):
    for _ in range(9):
        assert _web_login(app, "luochuan", WRONG).status_code == 401
    assert _web_login(app, "luochuan", PASSWORD).status_code == 302
    for _ in range(9):
        assert _web_login(app, "luochuan", WRONG).status_code == 401
    assert _web_login(app, "luochuan", PASSWORD).status_code == 302


def test_failed_and_successful_sign_ins_are_audited_with_address_never_password(app, client, platform, limiter_time):
    _web_login(app, "luochuan", WRONG, address="10.1.2.3")
    _web_login(app, "nobody-here", WRONG, address="10.1.2.4")
    _web_login(app, "luochuan", PASSWORD, address="10.1.2.5")
    _token(client, "luochuan", WRONG, address="10.1.2.6")
    _token(client, "luochuan", PASSWORD, address="10.1.2.7")
    with acting(platform, "jingan", None) as ctx:
        entries = ctx.session.scalars(select(AuditEntry).where(AuditEntry.action.like("auth.login%"), AuditEntry.entity == "users")
                                      .order_by(AuditEntry.id)).all()
        everything = json.dumps([e.after for e in ctx.session.scalars(select(AuditEntry))], ensure_ascii=False)
        luochuan = ctx.session.scalar(select(AuditEntry.entity_id).where(AuditEntry.action == "auth.login", AuditEntry.entity == "users").limit(1))
    seen = [(e.action, e.after["username"], e.after["address"], e.after["via"], e.entity_id is not None) for e in entries]
    assert seen == [
        ("auth.login_failed", "luochuan", "10.1.2.3", "web", True),
        ("auth.login_failed", "nobody-here", "10.1.2.4", "web", False),
        ("auth.login", "luochuan", "10.1.2.5", "web", True),
        ("auth.login_failed", "luochuan", "10.1.2.6", "api", True),
        ("auth.login", "luochuan", "10.1.2.7", "api", True),
    ]
    assert entries[2].actor_id == luochuan and entries[0].actor_id is None
    assert WRONG not in everything and PASSWORD not in everything


@pytest.mark.postgres
def test_in_production_the_lockout_is_on_redis_and_shared_by_every_web_process(settings):
    """Two apps (two gunicorn workers) on one Redis: failures on one lock the account on the other."""
    import redis
    prefix = f"tongxin-test-{uuid.uuid4().hex[:8]}"
    settings.ratelimit_storage_url, settings.ratelimit_key_prefix = "redis://127.0.0.1:6379/0", prefix
    one, two = create_app(settings), create_app(settings)
    try:
        assert type(one.extensions[core.login_limits.EXTENSION].limiter.storage).__name__ == "RedisStorage"
        for _ in range(10):
            assert _web_login(one, "luochuan", WRONG).status_code == 401
        r = _token(two.test_client(), "luochuan", PASSWORD)
        is_error(r, 429, "too_many_attempts")
        assert 0 < int(r.headers["Retry-After"]) <= 15 * 60
        keys = redis.Redis.from_url("redis://127.0.0.1:6379/0").keys(f"*{prefix}*")
        assert keys, "the counts live on Redis"
    finally:
        client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
        for key in client.keys(f"*{prefix}*"):
            client.delete(key)
        for app in (one, two):
            app.extensions["tongxin"].db.dispose()
