"""Smoke tests of the demo itself: what `scripts/demo` prepares from the shipped tenants/ files
and tenants/demo_year.py. These are the only tests that read tenants/; logic tests build their
own world (tests/world/, tests/factories.py), so adding, changing or removing a demo tenant
file can only ever concern the tests in this file.

Each test runs twice: on the demo as shipped, and with a made-up street's tenant file
(tests/demo_additions/) dropped in beside the demo's files, as an outside plugin author or a
district adding a street would do.
"""
from __future__ import annotations

import re
import sqlite3

from sqlalchemy import select

from core.app import create_app
from core.models import Programme, Tenant, User
from core.platform import Platform
from tests.commands import invoke, snapshot, tongxin
from tests.demo_kit import DEMO_PASSWORD, ROOT

pytest_plugins = ["tests.demo_kit"]  # the demo fixtures: prepared_demo, demo

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _readme_logins() -> set[tuple[str, str]]:
    return {(m.group(1), m.group(2)) for m in re.finditer(r"^\| (\w+) \S+ \| `(\w+)` \|", README, re.M)}


def test_demo_a_second_load_and_a_second_demo_change_nothing(demo):
    platform = Platform.build(demo)
    try:
        loaded = snapshot(platform)
        assert {slug for _, slug, _ in loaded["tenants"]} >= {"jingan", "jinjiang"}
        tongxin(demo, "tenants", "load")
        assert snapshot(platform) == loaded
        assert "already played" in tongxin(demo, "demo", "--no-serve").output
        assert snapshot(platform) == loaded
    finally:
        platform.db.dispose()


def test_demo_years_books_reconcile_and_a_corrupted_copy_does_not(demo, tmp_path):
    """`tongxin money reconcile` passes on the demo (every money rule exercised) and fails on a
    copy whose ledger was altered behind the append-only trigger's back."""
    ok = invoke(demo, "money", "reconcile")
    assert ok.exit_code == 0, ok.output
    table = ok.output
    assert "对账通过" in table
    # 2023's commitments: the pool's 15,000 excess and 4,800 micro-venture project (closed in December,
    # releasing the 600 never paid out), 海园's 40,000 from its fund, 晋江's two city-level pilots
    # (100,000 and, within its budget, 80,000).
    for fund, committed in (("自治项目资金池", "19,200.00"), ("社区共治金", "40,000.00"), ("晋江市级试点补助", "180,000.00")):
        assert any(fund in line and committed in line for line in table.splitlines()), (fund, table)

    db = sqlite3.connect(tmp_path / "demo.db")
    db.execute("DROP TRIGGER ledger_entries_no_update")
    # Someone "fixes" the pool by shrinking the allocation under its commitments.
    db.execute("UPDATE ledger_entries SET amount_fen = 1000000 WHERE kind = 'allocation' AND memo LIKE '2023%' "
               "AND fund_id = (SELECT id FROM funds WHERE kind = 'pool' ORDER BY id LIMIT 1)")
    db.commit()
    db.close()
    bad = invoke(demo, "money", "reconcile")
    assert bad.exit_code == 1
    assert "不通过" in bad.output


def _signs_in(app, tenant: str, username: str) -> bool:
    """Does ``username`` sign in to ``tenant``'s pages with the demo password (a fresh browser)?"""
    client = app.test_client()
    client.get(f"/t/{tenant}/login")
    with client.session_transaction() as sess:
        token = sess.get("csrf")
    answer = client.post(f"/t/{tenant}/login", data={"username": username, "password": DEMO_PASSWORD,
                                                      "csrf_token": token})
    return answer.status_code == 302


def test_demo_every_login_in_the_readme_signs_in(demo):
    """The README's logins table names demo accounts that exist and sign in with the README's
    password (a tenant file the README does not know may add more)."""
    logins = _readme_logins()
    assert len(logins) >= 20 and f"`{DEMO_PASSWORD}`" in README
    app = create_app(demo)
    try:
        refused = [(tenant, username) for tenant, username in sorted(logins) if not _signs_in(app, tenant, username)]
    finally:
        app.extensions["tongxin"].db.dispose()
    assert refused == []


def test_demo_a_new_street_file_joins_its_district(demo):
    """The made-up street's file extends 静安区 beside the demo's own streets (as shipped, the
    folder holds whatever tenants/ holds: nothing is assumed absent)."""
    platform = Platform.build(demo)
    try:
        with platform.db.session() as s:
            jingan = s.scalars(select(Tenant.id).where(Tenant.slug == "jingan")).one()
        with platform.db.session(tenant_id=jingan) as s:
            titles = set(s.scalars(select(Programme.title)))
            users = set(s.scalars(select(User.username)))
    finally:
        platform.db.dispose()
    assert "共和新路街道2023年度居民区自治项目" in titles
    if demo.extra["variant"] == "with-new-street":
        assert "天目西路街道2023年度居民区自治项目（虚构）" in titles
        assert {"tmxl_admin", "tmxl_chair", "beizhan"} <= users
        app = create_app(demo)
        try:
            assert all(_signs_in(app, "jingan", u) for u in ("tmxl_admin", "tmxl_chair", "beizhan"))
        finally:
            app.extensions["tongxin"].db.dispose()
