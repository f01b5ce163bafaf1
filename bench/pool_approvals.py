"""How many approvals per second one capped pool sustains with N concurrent clients.

    python bench/pool_approvals.py [--clients 1,2,4,8] [--requests 200] [--pg 127.0.0.1:5432]

Against PostgreSQL (the production profile) it creates a scratch database, migrates it as the
owner (postgres), and for each N starts N client processes, each with its own engine as the
runtime role, that commit small amounts to one fresh pool as fast as they can. The pool's cap is
90% of what the clients ask for, so the last requests are refused and the cap is really
contended. It prints, per N, approvals and requests per second, the ratio to N=1 measured in
the same run, and the overdraw count (approvals beyond the cap), which must be 0; it exits 1
if it is not, or if any request failed with an error instead of an answer. The database is
dropped at the end.

Numbers depend on the machine; read the ratios, not the absolutes. Timing covers only the
commitments (processes start and connect first, then wait at a barrier).
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

AMOUNT_FEN = 100  # one yuan per approval: "small amounts"


def _client(settings, tenant_id: int, fund_id: int, client_no: int, requests: int, barrier, results) -> None:
    from core.platform import Platform
    from core.services import ledger
    from core.services.context import Actor, Ctx
    from core.violations import RuleError
    platform = Platform.build(settings)
    approved = refused = 0
    errors: list[str] = []
    # Connect before the clock starts, so the pool's first connection is not timed.
    with platform.db.session(tenant_id=tenant_id) as s:
        s.connection()
    barrier.wait()
    started = time.monotonic()  # CLOCK_MONOTONIC: comparable across processes on one machine
    for i in range(requests):
        session = platform.db.session(tenant_id=tenant_id)
        ctx = Ctx(session=session, actor=Actor.anonymous(), host=platform.host, settings=settings, tenant_id=tenant_id)
        try:
            ledger.commit(ctx, fund_id, AMOUNT_FEN, None, f"bench-{fund_id}-{client_no}-{i}")
            ctx.commit()
            approved += 1
        except RuleError:
            session.rollback()
            refused += 1
        except Exception as exc:  # counted and shown: a request must get an answer, not an error
            session.rollback()
            errors.append(repr(exc))
        finally:
            session.close()
    finished = time.monotonic()
    platform.db.dispose()
    results.put((started, finished, approved, refused, errors))


def _setup(settings) -> tuple[int, int]:
    """A tenant with one street, as the runtime role would see it."""
    from core.models import OrgUnit, Tenant
    from core.platform import Platform
    platform = Platform.build(settings)
    with platform.db.scope() as s:
        tenant = Tenant(slug="bench", name="基准测试区")
        s.add(tenant)
        s.flush()
        tenant_id = tenant.id
    with platform.db.scope(tenant_id=tenant_id) as s:
        street = OrgUnit(kind="street", code="bench-street", name="基准街道", path="")
        s.add(street)
        s.flush()
        street.path = f"/{street.id}/"
        street_id = street.id
    platform.db.dispose()
    return tenant_id, street_id


def _pool(settings, tenant_id: int, street_id: int, n: int, cap_fen: int) -> int:
    from core.platform import Platform
    from core.services import ledger
    from core.services.context import Actor, Ctx
    platform = Platform.build(settings)
    with platform.db.scope(tenant_id=tenant_id) as s:
        ctx = Ctx(session=s, actor=Actor.anonymous(), host=platform.host, settings=settings, tenant_id=tenant_id)
        fund = ledger.create_fund(ctx, street_id, 2023, "pool", f"资金池（{n}个客户端）", cap_fen=cap_fen)
        s.flush()
        ledger.allocate(ctx, fund.id, cap_fen * 10, f"bench-allocation-{fund.id}")
        fund_id = fund.id
    platform.db.dispose()
    return fund_id


def _committed(settings, tenant_id: int, fund_id: int) -> tuple[int, int]:
    from sqlalchemy import func, select

    from core.models import LedgerEntry
    from core.platform import Platform
    from core.services import ledger
    from core.services.context import Actor, Ctx
    platform = Platform.build(settings)
    with platform.db.scope(tenant_id=tenant_id) as s:
        ctx = Ctx(session=s, actor=Actor.anonymous(), host=platform.host, settings=settings, tenant_id=tenant_id)
        committed = ledger.balance(ctx, fund_id).committed
        rows = s.scalar(select(func.count()).select_from(LedgerEntry).where(
            LedgerEntry.fund_id == fund_id, LedgerEntry.kind == "commitment"))
    platform.db.dispose()
    return committed, rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", default="1,2,4,8", help="comma-separated client counts (default 1,2,4,8)")
    parser.add_argument("--requests", type=int, default=200, help="commitments each client attempts (default 200)")
    parser.add_argument("--pg", default=os.environ.get("TONGXIN_TEST_PG", "127.0.0.1:5432"), help="host:port, user postgres")
    parser.add_argument("--runtime-role", default="tongxin_app")
    args = parser.parse_args(argv)
    counts = [int(c) for c in args.clients.split(",") if c.strip()]

    from core import migrate
    from core.config import Settings

    name = f"tongxin_bench_{uuid.uuid4().hex[:8]}"
    admin = f"postgresql://postgres@{args.pg}/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    failed = False
    try:
        settings = Settings(database_url=f"postgresql+psycopg://{args.runtime_role}@{args.pg}/{name}",
                            admin_database_url=f"postgresql+psycopg://postgres@{args.pg}/{name}",
                            runtime_role=args.runtime_role, storage_dir=str(Path("/tmp") / name))
        migrate.upgrade(settings)
        tenant_id, street_id = _setup(settings)
        spawn = mp.get_context("spawn")
        print(f"一个资金池、N个并发客户端，每个客户端 {args.requests} 次承诺、每次 {AMOUNT_FEN / 100:.2f} 元；上限为请求总额的90%")
        print(f"one pool, N concurrent clients x {args.requests} commitments of {AMOUNT_FEN} fen; cap = 90% of the asks\n")
        header = f"{'N':>3} {'requests':>9} {'approved':>9} {'refused':>8} {'seconds':>8} {'approvals/s':>12} {'requests/s':>11} {'ratio':>6} {'overdraw':>9}"
        print(header)
        print("-" * len(header))
        base = None
        for n in counts:
            total = n * args.requests
            fits = (total * 9) // 10
            fund_id = _pool(settings, tenant_id, street_id, n, fits * AMOUNT_FEN)
            barrier, results = spawn.Barrier(n), spawn.Queue()
            procs = [spawn.Process(target=_client, args=(settings, tenant_id, fund_id, c, args.requests, barrier, results))
                     for c in range(n)]
            for p in procs:
                p.start()
            reports = [results.get(timeout=600) for _ in procs]
            for p in procs:
                p.join()
            seconds = max(r[1] for r in reports) - min(r[0] for r in reports)
            approved = sum(r[2] for r in reports)
            refused = sum(r[3] for r in reports)
            errors = [e for r in reports for e in r[4]]
            committed, rows = _committed(settings, tenant_id, fund_id)
            overdraw = max(0, rows - fits) + (1 if committed > fits * AMOUNT_FEN else 0)
            rate = approved / seconds
            base = base or rate
            print(f"{n:>3} {total:>9} {approved:>9} {refused:>8} {seconds:>8.2f} {rate:>12.1f} {total / seconds:>11.1f} "
                  f"{rate / base:>6.2f} {overdraw:>9}")
            if errors:
                print(f"    {len(errors)} errors, first: {errors[0]}")
            if rows < fits:
                print(f"    {fits - rows} places under the cap were refused")
            if overdraw or errors or approved != rows or rows != fits:
                failed = True
        print("\noverdraw count must be 0:", "FAILED" if failed else "ok (0 in every round)")
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
