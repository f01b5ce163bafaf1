"""API tokens expire (a default and a maximum lifetime), their owner lists and revokes them (API
and a page under their account), and an expired or revoked token is a 401 that says which."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.clients import API, Web, is_error, login, url
from tests.factories import PASSWORD, later

# Sessions and tokens time out here as a deployment's defaults say (the test world's last its year).
pytestmark = pytest.mark.deployment_timeouts

ME = url("/me")


def _issue(client, **body):
    return client.post(url("/auth/token"), json={"username": "luochuan", "password": PASSWORD, **body})


def test_a_token_lives_the_default_and_never_beyond_the_maximum(client, settings):
    r = _issue(client)
    assert r.status_code == 201
    body = r.get_json()
    created, expires = (dt.datetime.fromisoformat(body[k]) for k in ("created_at", "expires_at"))
    assert expires - created == dt.timedelta(days=settings.token_days_default) and body["state"] == "active"
    r = _issue(client, expires_in_days=7)
    assert dt.datetime.fromisoformat(r.get_json()["expires_at"]) - created < dt.timedelta(days=7, minutes=1)
    refused = is_error(_issue(client, expires_in_days=settings.token_days_max + 1), 422, "token_lifetime")
    assert refused["errors"][0]["field"] == "expires_in_days" and "90" in refused["message"]


def test_an_expired_token_is_refused_saying_so(client):
    headers = {"Authorization": f"Bearer {_issue(client, expires_in_days=1).get_json()['token']}"}
    assert client.get(ME, headers=headers).status_code == 200
    with later(days=1, seconds=1):
        body = is_error(client.get(ME, headers=headers), 401, "unauthenticated")
        assert "已过期" in body["message"]
        english = client.get(ME, headers={**headers, "Accept-Language": "en"}).get_json()
        assert "expired" in english["message"]
        # Listed as expired to its owner, who signs in with a new one.
        fresh = login(client, "luochuan")
        states = {t["name"]: t["state"] for t in client.get(url("/auth/tokens"), headers=fresh).get_json()["items"]}
        assert "expired" in states.values() and "active" in states.values()


def test_the_owner_lists_and_revokes_a_token_and_a_revoked_token_says_so(client):
    keep, drop = login(client, "luochuan"), _issue(client, name="脚本").get_json()
    dropped = {"Authorization": f"Bearer {drop['token']}"}
    listed = client.get(url("/auth/tokens"), headers=keep).get_json()["items"]
    assert [t["name"] for t in listed][:2] == ["脚本", "tests"] and all("token" not in t for t in listed)
    assert client.delete(url(f"/auth/tokens/{drop['id']}"), headers=keep).status_code == 204
    assert "撤销" in is_error(client.get(ME, headers=dropped), 401)["message"]
    states = {t["id"]: t["state"] for t in client.get(url("/auth/tokens"), headers=keep).get_json()["items"]}
    assert states[drop["id"]] == "revoked"
    # Someone else's token is not theirs to revoke (nor to learn exists).
    other = login(client, "yanchang")
    is_error(client.delete(url(f"/auth/tokens/{drop['id']}"), headers=other), 404)


def test_a_token_of_nowhere_is_refused_as_invalid(client):
    body = is_error(client.get(ME, headers={"Authorization": "Bearer txn_nothing"}), 401)
    assert "无效" in body["message"]
    token = login(client, "luochuan")
    assert client.get(f"{API}/t/jinjiang/me", headers=token).status_code == 401


def test_the_account_page_creates_shows_once_lists_and_revokes(app):
    web = Web(app.test_client())
    web.login("luochuan")
    page = web.get("/account/tokens")
    assert page.status_code == 200 and "我的令牌" in page.get_data(as_text=True)
    refused = web.post("/account/tokens", {"name": "导出", "expires_in_days": "91"})
    assert refused.status_code == 422 and "有效期应为 1 至 90 天" in refused.get_data(as_text=True)
    made = web.post("/account/tokens", {"name": "导出脚本", "expires_in_days": "14"})
    html = made.get_data(as_text=True)
    token = re.search(r'class="token-value">(txn_[^<]+)<', html).group(1)
    assert "只显示这一次" in html
    api = app.test_client()
    assert api.get(ME, headers={"Authorization": f"Bearer {token}"}).status_code == 200
    listing = web.get("/account/tokens").get_data(as_text=True)
    assert "导出脚本" in listing and token not in listing and "有效" in listing
    token_id = re.search(r'id="token-(\d+)"', listing).group(1)
    r = web.post(f"/account/tokens/{token_id}/revoke")
    assert r.status_code == 302
    assert "已撤销" in web.get("/account/tokens").get_data(as_text=True)
    assert api.get(ME, headers={"Authorization": f"Bearer {token}"}).status_code == 401
    # Another user cannot revoke it by guessing its id.
    other = Web(app.test_client())
    other.login("yanchang")
    assert other.post(f"/account/tokens/{token_id}/revoke").status_code == 404
