"""Sessions end on the server: signing out, a password change or a disabled account make an old
cookie worthless (proved by replaying it), and a session times out when idle and at its absolute
limit, on the platform's clock (the tests move it, never sleep)."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from core.models import ApiToken, LoginSession, User
from core.services import auth, login_sessions
from tests.clients import Web, is_error, login, text, url
from tests.factories import PASSWORD, acting, later

# Sessions and tokens time out here as a deployment's defaults say (the test world's last its year).
pytestmark = pytest.mark.deployment_timeouts

ME = url("/me")


def _cookie(client) -> str:
    return client.get_cookie("session").value


def _replay(app, cookie: str):
    """A fresh browser that sends a copied cookie."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief


def _signed_in(app, username="luochuan") -> Web:
    web = Web(app.test_client())
    web.login(username)
    return web


def test_signing_out_ends_the_session_on_the_server(app, platform):
    web = _signed_in(app)
    cookie = _cookie(web.client)
    assert _replay(app, cookie).get(ME).get_json()["username"] == "luochuan"  # a copy works while signed in
    r = web.post("/logout")
    assert r.status_code == 302
    # The old cookie, replayed, is nobody: the API says so and the pages send it to sign in.
    thief = _replay(app, cookie)
    body = is_error(thief.get(ME), 401, "unauthenticated")
    assert "登录已结束" in body["message"]
    page = _replay(app, cookie).get("/t/jingan/my")
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    with acting(platform, "jingan", None) as ctx:
        row = ctx.session.scalars(select(LoginSession)).one()
        assert row.ended_at is not None and row.address == "127.0.0.1"


def test_signing_out_of_one_browser_leaves_the_others_and_everywhere_ends_all(app):
    phone, desk = _signed_in(app), _signed_in(app)
    phone_cookie = _cookie(phone.client)
    phone.post("/logout")
    assert _replay(app, phone_cookie).get(ME).status_code == 401
    assert desk.client.get(ME).status_code == 200
    other = _signed_in(app)
    r = desk.post("/logout", {"everywhere": "1"})
    assert r.status_code == 302
    assert other.client.get(ME).status_code == 401


def test_credentials_changed_ends_every_session_and_token(app, client, platform):
    first, second = _signed_in(app), _signed_in(app)
    cookies = [_cookie(first.client), _cookie(second.client)]
    token = login(client, "luochuan")
    assert client.get(ME, headers=token).status_code == 200
    with acting(platform, "jingan", "luochuan") as ctx:
        with ctx.action("user.password_change"):
            ended = auth.credentials_changed(ctx, ctx.actor.user)
    assert ended == {"sessions": 2, "tokens": 1}
    for cookie in cookies:
        assert "登录已结束" in is_error(_replay(app, cookie).get(ME), 401)["message"]
    assert "撤销" in is_error(client.get(ME, headers=token), 401)["message"]
    # Each end is in the audit log under the action that changed the credentials.
    with acting(platform, "jingan", "jingan_admin") as ctx:
        from core.models import AuditEntry
        actions = set(ctx.session.scalars(select(AuditEntry.entity).where(AuditEntry.action == "user.password_change")))
    assert actions == {"login_sessions", "api_tokens", "users"}  # and the change itself, on the user
    # Signing in again works: the change ended what was, not what comes.
    assert _signed_in(app).client.get(ME).status_code == 200


def test_a_disabled_account_is_signed_out_everywhere(app, client, platform):
    web = _signed_in(app)
    token = login(client, "luochuan")
    with acting(platform, "jingan", "jingan_admin") as ctx:
        user = ctx.session.scalars(select(User).where(User.username == "luochuan")).one()
        user.is_active = False
    assert web.client.get(ME).status_code == 401
    assert "停用" in is_error(client.get(ME, headers=token), 401)["message"]


def test_an_idle_session_times_out_and_activity_keeps_it(app, settings):
    assert (settings.session_idle_minutes, settings.session_absolute_hours) == (30, 12)
    web = _signed_in(app)
    with later(minutes=25):
        assert web.client.get(ME).status_code == 200  # activity refreshes the cookie's last-seen
        with later(minutes=25):  # 50 minutes after signing in, 25 after the last request
            assert web.client.get(ME).status_code == 200
            with later(minutes=31):
                body = is_error(web.client.get(ME), 401)
                assert "长时间未操作" in body["message"]
    # The login page says why, once.
    page = web.get("/login").get_data(as_text=True)
    assert "长时间未操作，登录已超时" in page
    assert "长时间未操作" not in web.get("/login").get_data(as_text=True)


def test_a_replayed_cookie_cannot_dodge_the_idle_timeout(app):
    web = _signed_in(app)
    stale = _cookie(web.client)
    with later(minutes=20):
        web.client.get(ME)  # the real browser stays active...
        with later(minutes=15):
            assert web.client.get(ME).status_code == 200
            # ...but the copy taken 35 minutes ago carries its own last-seen moment.
            assert _replay(app, stale).get(ME).status_code == 401


def test_a_session_ends_at_its_absolute_limit_however_active(app):
    web = _signed_in(app)
    for step in range(1, 36):  # a request every 20 minutes, up to 11 h 40 min
        with later(minutes=20 * step):
            assert web.client.get(ME).status_code == 200, step
    with later(hours=12, minutes=1):
        assert "最长时限" in is_error(web.client.get(ME), 401)["message"]


def test_the_session_cookie_is_secure_httponly_and_lax(app):
    web = Web(app.test_client())
    r = web.post("/login", {"username": "luochuan", "password": "tongxin-test"})
    cookie = r.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_the_embedded_server_drops_secure_unless_told(monkeypatch):
    from core.config import Settings
    monkeypatch.delenv("TONGXIN_SECURE_COOKIES", raising=False)
    assert Settings.from_env().secure_cookies is True  # production's default
    monkeypatch.setenv("TONGXIN_SECURE_COOKIES", "0")
    assert Settings.from_env().secure_cookies is False


def test_login_sessions_store_only_a_hash(app, platform):
    web = _signed_in(app)
    data = app.session_interface.get_signing_serializer(app).loads(_cookie(web.client))
    with acting(platform, "jingan", None) as ctx:
        row = ctx.session.scalars(select(LoginSession)).one()
        assert data["sid"] != row.key_hash and len(row.key_hash) == 64
        found = login_sessions.resolve(ctx.session, data["sid"], None, idle=dt.timedelta(minutes=30),
                                       absolute=dt.timedelta(hours=12))
        assert found.user.username == "luochuan"
        assert ctx.session.scalars(select(ApiToken)).all() == []


def test_changing_ones_own_password_keeps_this_browser_and_signs_out_the_others(app):
    here, elsewhere = _signed_in(app), _signed_in(app)
    before = _cookie(here.client)
    r = here.post("/account/password", {"current_password": PASSWORD, "new_password": "晴天去公园散步-2023",
                                        "confirm_password": "晴天去公园散步-2023"})
    assert r.status_code == 302, text(r)
    assert here.get("/inbox").status_code == 200  # a new session in this browser
    assert elsewhere.get("/inbox").status_code == 302  # the other browser is signed out
    assert "登录已结束" in is_error(_replay(app, before).get(ME), 401)["message"]  # and this one's old cookie
