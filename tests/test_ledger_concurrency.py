"""Caps hold under concurrency: several processes, each with its own engine (as the runtime role on
PostgreSQL), fire commitments at one pool with a small cap at the same moment. The committed
total never passes the cap, no approval overdraws, and every refusal explains itself with the
cap, the committed total and the request. On SQLite the same test exercises the write lock the
ledger takes with BEGIN IMMEDIATE."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select, text

from core.models import LedgerEntry
from core.services import ledger
from core.violations import RuleError
from tests.factories import acting, run_processes, tenant_id, unit_id

YUAN = 100
CAP = 1_000 * YUAN
AMOUNT = 30 * YUAN          # 33 fit under the cap (990 yuan); the 34th would overdraw
FITS = CAP // AMOUNT
PROCESSES = 4
ATTEMPTS = 15               # 60 requests for 33 places


def _worker(settings, tenant, username, fund_id, worker_no, barrier, results) -> None:
    """One client: its own platform (engine, pool), then commitments as fast as it can."""
    from core.platform import Platform
    from core.services.context import Actor, Ctx
    from core.models import User
    platform = Platform.build(settings)
    approved, refused, errors = 0, [], []
    try:
        with platform.db.session(tenant_id=tenant) as s:
            actor = Actor.of(s.scalars(select(User).where(User.username == username)).one())
        barrier.wait(timeout=60)
        for i in range(ATTEMPTS):
            session = platform.db.session(tenant_id=tenant, actor_id=actor.id)
            ctx = Ctx(session=session, actor=actor, host=platform.host, settings=settings, tenant_id=tenant)
            try:
                ledger.commit(ctx, fund_id, AMOUNT, None, f"worker{worker_no}-request{i}")
                ctx.commit()
                approved += 1
            except RuleError as exc:
                session.rollback()
                refused.append([(v.code, v.message.zh, v.message.en) for v in exc.violations])
            except Exception as exc:  # reported to the parent, which fails the test with it
                session.rollback()
                errors.append(repr(exc))
            finally:
                session.close()
    except Exception as exc:
        errors.append(repr(exc))
    finally:
        platform.db.dispose()
        results.put((worker_no, approved, refused, errors))


def test_concurrent_commitments_from_several_processes_never_pass_the_cap(platform, settings):
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        pool = ledger.create_fund(ctx, unit_id(platform, "jingan", "gonghexinlu"), 2023, "pool", "资金池", cap_fen=CAP)
        ctx.session.flush()
        ledger.allocate(ctx, pool.id, 10 * CAP, "allocation")
        pool_id = pool.id
    tid = tenant_id(platform, "jingan")

    reports = run_processes(_worker, [(settings, tid, "ghxl_admin", pool_id, n) for n in range(PROCESSES)])

    errors = [e for _, _, _, errs in reports for e in errs]
    assert errors == []
    approved = sum(a for _, a, _, _ in reports)
    refusals = [r for _, _, rs, _ in reports for r in rs]
    assert approved + len(refusals) == PROCESSES * ATTEMPTS

    with acting(platform, "jingan", "ghxl_admin") as ctx:
        committed = ledger.balance(ctx, pool_id).committed
        rows = ctx.session.scalar(select(func.count()).select_from(LedgerEntry).where(
            LedgerEntry.fund_id == pool_id, LedgerEntry.kind == "commitment"))
    overdraws = max(0, approved - FITS)
    assert committed <= CAP
    assert overdraws == 0
    # Not one place was lost to a spurious refusal either: exactly as many as fit were approved.
    assert approved == rows == FITS and committed == FITS * AMOUNT
    # Every refusal says why, with the numbers: the cap, the committed total at that moment (all
    # places taken: 990 yuan), and the request.
    for violations in refusals:
        assert [code for code, _, _ in violations] == ["over_cap"]
        _, zh, en = violations[0]
        assert "上限 1,000.00元" in zh and "已承诺 990.00元" in zh and "本次承诺（立项） 30.00元" in zh, zh
        assert "cap 1,000.00" in en and "committed 990.00" in en


# SQLite's single writer lock serialises the two postings, so the key check would see the first.
@pytest.mark.postgres
def test_the_same_key_raced_into_two_funds_is_a_conflict_not_a_crash(platform, profile):
    """The key is checked under one fund's lock; the same key sent at the same moment to another
    fund meets the unique index instead, and still gets a 409 with its reason."""
    funds = []
    for name in ("资金池甲", "资金池乙"):
        with acting(platform, "jingan", "ghxl_admin") as ctx:
            f = ledger.create_fund(ctx, unit_id(platform, "jingan", "gonghexinlu"), 2023, "pool", name, cap_fen=CAP)
            ctx.session.flush()
            ledger.allocate(ctx, f.id, CAP, f"allocation-{f.id}")
            funds.append(f.id)
    outcome: dict = {}
    with acting(platform, "jingan", "ghxl_admin") as first:
        ledger.commit(first, funds[0], AMOUNT, None, "same-key")  # written, not yet committed
        second_pid = []

        def second() -> None:
            try:
                with acting(platform, "jingan", "ghxl_admin") as ctx:
                    second_pid.append(ctx.session.scalar(text("SELECT pg_backend_pid()")))
                    ledger.commit(ctx, funds[1], AMOUNT, None, "same-key")
            except RuleError as exc:
                outcome["error"] = exc

        thread = threading.Thread(target=second)
        thread.start()
        # Let the first commit only once the second is waiting on the key's unique index entry.
        with platform.db.engine.connect() as watcher:
            while True:
                waiting = watcher.execute(text(
                    "SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid"), {"pid": second_pid[0] if second_pid else 0}).scalar()
                if waiting == "Lock":
                    break
                thread.join(timeout=0.05)
                assert thread.is_alive(), outcome
    thread.join(timeout=60)
    error = outcome["error"]
    assert [v.code for v in error.violations] == ["idempotency_conflict"] and error.status == 409
    assert "same-key" in error.violations[0].message.zh
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        both = ledger.balances(ctx, funds)
        assert (both[funds[0]].committed, both[funds[1]].committed) == (AMOUNT, 0)
