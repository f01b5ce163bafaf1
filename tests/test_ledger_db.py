"""The database itself keeps the ledger append-only and the funds tenant-scoped, whatever the
application does: the runtime role lacks the privileges, a trigger stops even the owner, and
row-level security hides other tenants' money."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from core.services import ledger
from tests.factories import acting, tenant_id, unit_id

YUAN = 100


def _ledger_with_one_entry(platform) -> tuple[int, int]:
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        fund = ledger.create_fund(ctx, unit_id(platform, "jingan", "gonghexinlu"), 2023, "pool", "资金池", cap_fen=1_000 * YUAN)
        ctx.session.flush()
        entry = ledger.allocate(ctx, fund.id, 1_000 * YUAN, "alloc")
        return fund.id, entry.id


TAMPERING = ("UPDATE ledger_entries SET amount_fen = amount_fen * 10",
             "DELETE FROM ledger_entries")


@pytest.mark.parametrize("statement", TAMPERING)
def test_the_runtime_connection_cannot_update_or_delete_entries(platform, statement):
    fund, entry = _ledger_with_one_entry(platform)
    with pytest.raises(DBAPIError) as info, platform.db.scope(tenant_id=tenant_id(platform, "jingan")) as s:
        s.execute(text(statement))
    message = str(info.value.orig)
    if platform.db.is_postgres:  # the runtime role has no UPDATE/DELETE privilege at all
        assert "permission denied" in message
    else:  # SQLite has no roles: the trigger answers
        assert "append-only" in message
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        assert [(e.id, e.amount_fen) for e in ledger.entries(ctx, fund)] == [(entry, 1_000 * YUAN)]


@pytest.mark.postgres  # TRUNCATE and roles are PostgreSQL's
def test_the_runtime_role_cannot_truncate_the_ledger(platform, profile):
    _ledger_with_one_entry(platform)
    with pytest.raises(DBAPIError) as info, platform.db.scope(tenant_id=tenant_id(platform, "jingan")) as s:
        s.execute(text("TRUNCATE ledger_entries"))
    assert "permission denied" in str(info.value.orig)


@pytest.mark.postgres  # the owner is a PostgreSQL role; SQLite's trigger is tested above
@pytest.mark.parametrize("statement", TAMPERING)
def test_even_the_owner_is_stopped_by_the_append_only_trigger(platform, settings, profile, statement):
    fund, entry = _ledger_with_one_entry(platform)
    owner = create_engine(settings.admin_database_url)
    try:
        with pytest.raises(DBAPIError) as info, owner.begin() as conn:
            conn.execute(text(statement))
        assert "ledger_entries is append-only" in str(info.value.orig)
    finally:
        owner.dispose()
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        assert [(e.id, e.amount_fen) for e in ledger.entries(ctx, fund)] == [(entry, 1_000 * YUAN)]


@pytest.mark.postgres  # row-level security is PostgreSQL's; the ORM filter is tested in test_ledger
def test_row_level_security_hides_other_tenants_money(platform, profile):
    fund, _ = _ledger_with_one_entry(platform)
    # Raw SQL, so the ORM's tenant filter is not involved: only the database decides.
    for tenant, expected in ((None, 0), (tenant_id(platform, "jinjiang"), 0), (tenant_id(platform, "jingan"), 1)):
        with platform.db.scope(tenant_id=tenant) as s:
            assert s.scalar(text("SELECT count(*) FROM funds WHERE id = :f"), {"f": fund}) == expected
            assert s.scalar(text("SELECT count(*) FROM ledger_entries WHERE fund_id = :f"), {"f": fund}) == expected
            # (the tenants' own funds from tenants/*.yaml are there too, each only to its tenant)
            seen = set(s.scalars(text("SELECT DISTINCT tenant_id FROM funds UNION SELECT DISTINCT tenant_id FROM ledger_entries")))
            assert seen <= ({tenant} if tenant else set())
    # ... and refuses a row written into another tenant's name
    with pytest.raises(DBAPIError) as info, platform.db.scope(tenant_id=tenant_id(platform, "jinjiang")) as s:
        s.execute(text("INSERT INTO ledger_entries (tenant_id, fund_id, kind, amount_fen, at, memo, idempotency_key) "
                       "VALUES (:t, :f, 'allocation', 100, now(), '', 'sneak')"),
                  {"t": tenant_id(platform, "jingan"), "f": fund})
    assert "row-level security" in str(info.value.orig)
