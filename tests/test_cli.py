"""The `tongxin` command line, run as an operator would: settings from TONGXIN_* variables."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

import core.models  # noqa: F401 - registers every table
from core.cli import main
from core.db import Base
from core.models import Tenant, User
from core.platform import Platform
from core.config import Settings
from core.services.auth import user_for_token
from core.tenancy import TenantOwned

TENANT_MODELS = sorted((m.class_ for m in Base.registry.mappers if issubclass(m.class_, TenantOwned)),
                       key=lambda cls: cls.__name__)


def env_of(settings: Settings) -> dict[str, str]:
    return {
        "TONGXIN_DATABASE_URL": settings.database_url,
        "TONGXIN_ADMIN_DATABASE_URL": settings.admin_database_url or "",
        "TONGXIN_RUNTIME_ROLE": settings.runtime_role,
        "TONGXIN_STORAGE_DIR": settings.storage_dir,
        "TONGXIN_TODAY": settings.today or "",
        "TONGXIN_BROKER_URL": "",
    }


def tongxin(settings: Settings, *args: str):
    result = CliRunner().invoke(main, list(args), env=env_of(settings), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def snapshot(platform: Platform) -> dict:
    """Every tenant-owned table's row count per tenant, and each user's password hash."""
    out: dict = {}
    with platform.db.session() as s:
        tenants = s.execute(select(Tenant.id, Tenant.slug, Tenant.name).order_by(Tenant.id)).all()
    out["tenants"] = tenants
    for tid, slug, _ in tenants:
        with platform.db.session(tenant_id=tid) as s:
            for model in TENANT_MODELS:
                out[(slug, model.__tablename__)] = s.scalar(select(func.count()).select_from(model))
            out[(slug, "passwords")] = s.execute(select(User.username, User.password_hash).order_by(User.id)).all()
    return out


def test_tenants_load_twice_changes_nothing(settings, platform):
    before = snapshot(platform)
    assert {slug for _, slug, _ in before["tenants"]} == {"jingan", "jinjiang", "putuo"}
    assert before[("jingan", "programmes")] == 2 and before[("jingan", "panel_members")] == 3
    first = tongxin(settings, "tenants", "load")
    assert "jingan" in first.output and "jinjiang" in first.output and "putuo" in first.output
    tongxin(settings, "tenants", "load")
    after = snapshot(platform)
    assert after == before


def test_demo_prepares_a_fresh_database_and_a_second_load_is_a_no_op(tmp_path):
    """What scripts/demo runs, minus serving: migrate and load from nothing."""
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'demo.db'}", storage_dir=str(tmp_path / "files"),
                        today="2023-03-01")
    out = tongxin(settings, "demo", "--no-serve").output
    assert "tongxin-demo" in out
    assert "demo year played" in out
    platform = Platform.build(settings)
    try:
        loaded = snapshot(platform)
        assert loaded[("jingan", "users")] >= 8 and loaded[("jingan", "programmes")] == 2
        tongxin(settings, "tenants", "load")
        assert snapshot(platform) == loaded
        assert "already played" in tongxin(settings, "demo", "--no-serve").output
        assert snapshot(platform) == loaded
    finally:
        platform.db.dispose()


def test_the_demo_years_books_reconcile_and_a_corrupted_copy_does_not(tmp_path):
    """`tongxin money reconcile` passes on the demo (every money rule exercised) and fails on a
    copy whose ledger was altered behind the append-only trigger's back."""
    import sqlite3
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'demo.db'}", storage_dir=str(tmp_path / "files"),
                        today="2023-03-15")
    tongxin(settings, "demo", "--no-serve")
    ok = CliRunner().invoke(main, ["money", "reconcile"], env=env_of(settings))
    assert ok.exit_code == 0, ok.output
    table = ok.output
    assert "对账通过" in table
    for fund, committed in (("自治项目资金池", "19,800.00"), ("社区共治金", "40,000.00"), ("晋江市级试点补助", "100,000.00")):
        assert any(fund in line and committed in line for line in table.splitlines()), (fund, table)

    with sqlite3.connect(tmp_path / "demo.db") as source, sqlite3.connect(tmp_path / "corrupted.db") as copy:
        source.backup(copy)  # (a file copy could miss pages still in the write-ahead log)
    db = sqlite3.connect(tmp_path / "corrupted.db")
    db.execute("DROP TRIGGER ledger_entries_no_update")
    # Someone "fixes" the pool by shrinking the allocation under its commitments.
    db.execute("UPDATE ledger_entries SET amount_fen = 1000000 WHERE kind = 'allocation' AND memo LIKE '2023%' "
               "AND fund_id = (SELECT id FROM funds WHERE kind = 'pool')")
    db.commit()
    db.close()
    corrupted = Settings(database_url=f"sqlite:///{tmp_path / 'corrupted.db'}", storage_dir=str(tmp_path / "files"))
    bad = CliRunner().invoke(main, ["money", "reconcile"], env=env_of(corrupted))
    assert bad.exit_code == 1
    assert "不通过" in bad.output


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
    rules = {r.rule for r in client.application.url_map.iter_rules()}
    if not any(r.startswith("/api/v1/t/") and r.endswith("/me") for r in rules):
        pytest.skip("the API has no /me endpoint in this build")
    token = tongxin(settings, "users", "token", "--tenant", "jingan", "--username", "ghxl_admin").output.strip()
    me = client.get("/api/v1/t/jingan/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200, me.get_data(as_text=True)
    assert "ghxl_admin" in me.get_data(as_text=True)
    assert client.get("/api/v1/t/jinjiang/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_readme_lists_every_demo_login():
    """The README's logins table is what tenants/*.yaml creates: same users, same tenants."""
    import re
    from pathlib import Path

    import yaml
    root = Path(__file__).resolve().parent.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    table = {(m.group(1), m.group(2)) for m in re.finditer(r"^\| (\w+) \S+ \| `(\w+)` \|", readme, re.M)}
    defined = set()
    for f in sorted((root / "tenants").glob("*.yaml")):
        data = yaml.safe_load(f.read_text(encoding="utf-8"))
        for user in data.get("users") or []:
            assert user["password"] == "tongxin-demo", user["username"]
            defined.add((data["slug"], user["username"]))
    assert table == defined
    assert "`tongxin-demo`" in readme and "scripts/demo" in readme and "scripts/test" in readme
