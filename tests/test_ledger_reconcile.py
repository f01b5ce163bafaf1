"""`tongxin money reconcile`: passes on books written through the services, fails with the
reasons on a deliberately corrupted copy (tampered behind the trigger's back, or bogus rows)."""
from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import text

from core.cli import main
from core.services import ledger, projects
from core.services.reconcile import reconcile
from tests.factories import acting, programme_id, tenant_id, unit_id

YUAN = 100


def _books(platform) -> dict[str, int]:
    """A year of one street's money: every kind of entry, written through the services."""
    with acting(platform, "jingan", "luochuan") as ctx:
        project = projects.create_project(ctx, programme_id(platform), unit_id(platform, "jingan", "ghxl-luochuan"),
                                          "micro_venture", "口袋花园").id
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        pool = ledger.create_fund(ctx, unit_id(platform, "jingan", "gonghexinlu"), 2023, "pool", "资金池", cap_fen=2_000 * YUAN)
        line = ledger.create_fund(ctx, unit_id(platform, "jingan", "ghxl-luochuan"), 2023, "budget_line", "居民自治经费（专项）")
        subsidy = ledger.create_fund(ctx, unit_id(platform, "jingan", "gonghexinlu"), 2023, "subsidy", "区级补助", tier="区级")
        ctx.session.flush()
        ledger.allocate(ctx, pool.id, 5_000 * YUAN, "a-pool")
        ledger.allocate(ctx, subsidy.id, 800 * YUAN, "a-subsidy")
        commitment = ledger.commit(ctx, pool.id, 1_500 * YUAN, project, "c-1")
        ledger.disburse(ctx, pool.id, 1_000 * YUAN, project, "d-1")
        ledger.expense(ctx, pool.id, 700 * YUAN, project, "e-1")
        ledger.refund(ctx, pool.id, 100 * YUAN, project, "r-1")
        ledger.release(ctx, pool.id, 200 * YUAN, project, "rel-1")
        ledger.transfer(ctx, pool.id, line.id, 1_000 * YUAN, "t-1")
        ledger.commit(ctx, line.id, 900 * YUAN, project, "c-2")
        ledger.correct(ctx, commitment.id, "fix-1", "多记了100元", amount_fen=100 * YUAN)
        return {"pool": pool.id, "line": line.id, "subsidy": subsidy.id, "commitment": commitment.id, "project": project}


def _run(settings, *args):
    env = {"TONGXIN_DATABASE_URL": settings.database_url, "TONGXIN_ADMIN_DATABASE_URL": settings.admin_database_url or "",
           "TONGXIN_RUNTIME_ROLE": settings.runtime_role, "TONGXIN_STORAGE_DIR": settings.storage_dir}
    return CliRunner().invoke(main, ["money", "reconcile", *args], env=env)


def test_reconcile_passes_on_books_written_through_the_services(platform, settings):
    ids = _books(platform)
    with acting(platform, "jingan", None) as ctx:
        checks = {c.fund_id: c for c in reconcile(ctx)}
    assert all(c.ok for c in checks.values()), {i: [p.zh for p in c.problems] for i, c in checks.items()}
    pool = checks[ids["pool"]].balance
    assert (pool.allocated, pool.committed, pool.disbursed, pool.spent) == (4_000 * YUAN, 1_200 * YUAN, 900 * YUAN, 700 * YUAN)
    result = _run(settings)
    assert result.exit_code == 0, result.output
    assert "对账通过" in result.output and "资金池" in result.output and "区级补助·区级" in result.output
    assert "1,200.00" in result.output  # the pool's committed total in the table
    other = _run(settings, "--tenant", "jinjiang")
    assert other.exit_code == 0 and "资金池" not in other.output  # another tenant's books only
    assert _run(settings, "--tenant", "nowhere").exit_code != 0


def _tamper(platform, settings, sql: str, params: dict) -> None:
    """As the owner, get around the append-only trigger for one statement, then restore it."""
    if platform.db.is_postgres:
        from sqlalchemy import create_engine
        owner = create_engine(settings.admin_database_url)
        with owner.begin() as conn:
            conn.execute(text("ALTER TABLE ledger_entries DISABLE TRIGGER ledger_entries_append_only"))
            conn.execute(text(sql), params)
            conn.execute(text("ALTER TABLE ledger_entries ENABLE TRIGGER ledger_entries_append_only"))
        owner.dispose()
    else:
        with platform.db.engine.begin() as conn:
            create = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'ledger_entries_no_update'")).scalar_one()
            conn.execute(text("DROP TRIGGER ledger_entries_no_update"))
            conn.execute(text(sql), params)
            conn.execute(text(create))


def test_reconcile_fails_when_an_entry_was_tampered_with_behind_the_triggers_back(platform, settings):
    ids = _books(platform)
    # The commitment now says 5,000 yuan: the pool's 2,000 yuan cap is overdrawn.
    _tamper(platform, settings, "UPDATE ledger_entries SET amount_fen = :a WHERE id = :id",
            {"a": 5_000 * YUAN, "id": ids["commitment"]})
    with acting(platform, "jingan", None) as ctx:
        checks = {c.fund_id: c for c in reconcile(ctx)}
    problems = [p.zh for p in checks[ids["pool"]].problems]
    assert any("已承诺 4,700.00元 超过上限 2,000.00元" in p for p in problems), problems
    assert any("已承诺 4,700.00元 超过到位 4,000.00元" in p for p in problems), problems
    assert checks[ids["line"]].ok and checks[ids["subsidy"]].ok
    result = _run(settings, "--tenant", "jingan")
    assert result.exit_code == 1
    assert "对账不通过" in result.stderr and "超过上限" in result.stderr and "不通过" in result.stdout


def test_reconcile_fails_on_bogus_rows_that_break_the_ledgers_invariants(platform, settings):
    ids = _books(platform)
    insert = ("INSERT INTO ledger_entries (tenant_id, fund_id, kind, amount_fen, at, memo, idempotency_key, corrects_id, transfer_id) "
              "VALUES (:t, :f, :k, :a, CURRENT_TIMESTAMP, 'bogus', :key, :c, :tid)")
    tid = tenant_id(platform, "jingan")
    bogus = [
        # a correction in the subsidy fund naming the pool's commitment
        dict(f=ids["subsidy"], k="correction", a=100, key="bogus-1", c=ids["commitment"], tid=None),
        # half a transfer
        dict(f=ids["subsidy"], k="transfer_out", a=300 * YUAN, key="bogus-2", c=None, tid="00000000-0000-0000-0000-000000000000"),
        # a refund of money the line never paid out
        dict(f=ids["line"], k="refund", a=50 * YUAN, key="bogus-3", c=None, tid=None),
    ]
    # Inserting is all the runtime connection may do; that is enough to break the books.
    with platform.db.scope(tenant_id=tid) as s:
        for row in bogus:
            s.execute(text(insert), {"t": tid, **row})
    with acting(platform, "jingan", None) as ctx:
        checks = {c.fund_id: c for c in reconcile(ctx)}
    subsidy = " | ".join(p.zh for p in checks[ids["subsidy"]].problems)
    assert f"指向的条目#{ids['commitment']}不存在或不属于本资金" in subsidy
    assert "不成对" in subsidy
    line = " | ".join(p.zh for p in checks[ids["line"]].problems)
    assert "已拨付为负数" in line
    assert checks[ids["pool"]].ok
    result = _run(settings)
    assert result.exit_code == 1 and "不成对" in result.stderr and "transfer" in result.stderr
