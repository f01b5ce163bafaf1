"""The `tongxin` command line, run as an operator would: settings from TONGXIN_* variables."""
from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select

from core.cli import main
from core.models import Tenant
from core.services.auth import user_for_token
from tests.commands import env_of, snapshot, tongxin

WORLD = sorted(str(p) for p in (Path(__file__).resolve().parent / "world").glob("*.yaml"))


def test_tenants_load_twice_changes_nothing(settings, platform):
    before = snapshot(platform)
    assert {slug for _, slug, _ in before["tenants"]} == {"jingan", "jinjiang", "putuo"}
    assert before[("jingan", "programmes")] == 2 and before[("jingan", "panel_members")] == 3
    first = tongxin(settings, "tenants", "load")  # the files of TONGXIN_TENANTS_DIR: the test world's
    assert "jingan" in first.output and "jinjiang" in first.output and "putuo" in first.output
    tongxin(settings, "tenants", "load", *WORLD)  # named on the command line
    after = snapshot(platform)
    assert after == before


def test_plugins_list_json(settings):
    data = json.loads(tongxin(settings, "plugins", "list", "--json").output)
    assert data["load_errors"] == {}
    names = {p["name"]: p for p in data["plugins"]}
    assert "gonghexinlu" in names
    assert names["gonghexinlu"]["title"]["zh"] and names["gonghexinlu"]["version"]


def test_users_token_prints_a_working_token(settings, platform):
    token = tongxin(settings, "users", "token", "--tenant", "jingan", "--username", "ghxl_admin").output.strip()
    assert token.startswith("txn_") and len(token.splitlines()) == 1
    with platform.db.session() as s:
        ids = dict(s.execute(select(Tenant.slug, Tenant.id)).all())
    with platform.db.session(tenant_id=ids["jingan"]) as s:
        user = user_for_token(s, token)
        assert user is not None and user.username == "ghxl_admin"
    with platform.db.session(tenant_id=ids["jinjiang"]) as s:  # a token works in its own tenant only
        assert user_for_token(s, token) is None


def test_users_token_for_an_unknown_user_fails_with_a_clear_message(settings):
    result = CliRunner().invoke(main, ["users", "token", "--tenant", "jingan", "--username", "nobody"],
                                env=env_of(settings))
    assert result.exit_code != 0 and "nobody" in result.output
    result = CliRunner().invoke(main, ["users", "token", "--tenant", "nowhere", "--username", "ghxl_admin"],
                                env=env_of(settings))
    assert result.exit_code != 0 and "nowhere" in result.output


def test_the_printed_token_authenticates_api_calls(settings, client):
    token = tongxin(settings, "users", "token", "--tenant", "jingan", "--username", "ghxl_admin").output.strip()
    me = client.get("/api/v1/t/jingan/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200, me.get_data(as_text=True)
    assert "ghxl_admin" in me.get_data(as_text=True)
    assert client.get("/api/v1/t/jinjiang/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
