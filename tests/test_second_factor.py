"""The TOTP second factor (issue 14): enrolment with a locally drawn QR code, the sign-in step on
the web and the API, recovery codes spent once, removal with the password, and the setting that
requires it of administrators."""
from __future__ import annotations

import re

import pyotp
from sqlalchemy import select

from core.models import User
from tests.clients import API, Web, login, text, url
from tests.factories import PASSWORD


def _code(settings, secret: str) -> str:
    return pyotp.TOTP(secret).at(int(settings.clock.now().timestamp()))


def _token_of(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_enrol_on_the_web_then_sign_in_with_a_code_or_a_recovery_code(client, app, settings, platform):
    web = Web(client)
    web.login("ghxl_admin")
    assert web.post("/account/second-factor/begin").status_code == 302
    page = text(web.get("/account/second-factor"))
    assert "<svg" in page and 'id="totp-qr"' in page  # the QR code, drawn here
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
    r = web.post("/account/second-factor/confirm", {"code": "000000"})
    assert r.status_code == 422 and "验证码不正确" in text(r)
    r = web.post("/account/second-factor/confirm", {"code": _code(settings, secret)})
    assert r.status_code == 200
    codes = re.findall(r"<li><code>([0-9a-f]{6}-[0-9a-f]{6})</code></li>", text(r))
    assert len(codes) == 10
    web.logout()

    other = Web(app.test_client())
    r = other.post("/login", {"username": "ghxl_admin", "password": PASSWORD})
    assert r.status_code == 302 and "/login/second-factor" in r.headers["Location"]
    assert other.get("/inbox").status_code == 302  # not signed in yet
    step = text(other.get("/login/second-factor"))
    r = other.client.post(other.url("/login/second-factor"), data={"code": "123456", "csrf_token": _token_of(step)})
    assert r.status_code == 401
    r = other.client.post(other.url("/login/second-factor"), data={"code": codes[0], "csrf_token": _token_of(step)})
    assert r.status_code == 302 and other.get("/inbox").status_code == 200
    other.logout()
    # a recovery code signs in once
    third = Web(app.test_client())
    third.login("ghxl_admin")
    step = text(third.get("/login/second-factor"))
    r = third.client.post(third.url("/login/second-factor"), data={"code": codes[0], "csrf_token": _token_of(step)})
    assert r.status_code == 401


def test_the_api_token_needs_the_code_and_removal_needs_the_password(client, settings, platform):
    headers = login(client, "luochuan")
    r = client.post(url("/me/second-factor"), headers=headers)
    assert r.status_code == 201 and r.get_json()["uri"].startswith("otpauth://totp/")
    secret = r.get_json()["secret"]
    r = client.post(url("/me/second-factor/confirm"), headers=headers, json={"code": _code(settings, secret)})
    assert r.status_code == 200 and len(r.get_json()["recovery_codes"]) == 10
    r = client.post(f"{API}/t/jingan/auth/token", json={"username": "luochuan", "password": PASSWORD})
    assert r.status_code == 401 and r.get_json()["code"] == "second_factor_required"
    r = client.post(f"{API}/t/jingan/auth/token", json={"username": "luochuan", "password": PASSWORD,
                                                         "otp": _code(settings, secret)})
    assert r.status_code == 201
    # Enrolling changed the credentials: the token from before it ended with them.
    assert client.get(url("/me"), headers=headers).status_code == 401
    headers = {"Authorization": f"Bearer {r.get_json()['token']}"}
    r = client.post(url("/me/second-factor/remove"), headers=headers, json={"current_password": "wrong"})
    assert r.status_code == 422
    assert client.post(url("/me/second-factor/remove"), headers=headers, json={"current_password": PASSWORD}).status_code == 204
    with platform.db.session() as s:
        assert s.scalars(select(User.totp_secret).where(User.username == "luochuan")).all() in ([None], [])


def test_the_setting_sends_an_administrator_to_enrol_first(settings, platform):
    import dataclasses

    from core.app import create_app
    strict = create_app(dataclasses.replace(settings, require_admin_totp=True))
    strict.config["TESTING"] = True
    try:
        web = Web(strict.test_client())
        web.login("ghxl_admin")
        r = web.client.get(web.url("/inbox"))
        assert r.status_code == 302 and r.headers["Location"].endswith("/account/second-factor")
        assert 'id="totp-required"' in text(web.client.get(web.url("/account/second-factor")))
        staff = Web(strict.test_client())
        staff.login("luochuan")  # not an administrator: not asked
        assert staff.client.get(staff.url("/inbox")).status_code == 200
    finally:
        strict.extensions["tongxin"].db.dispose()
