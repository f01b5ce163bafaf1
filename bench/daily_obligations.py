"""How the daily obligations task scales with the number of projects: time and SQL statements.

    python bench/daily_obligations.py [--sizes 100,10000] [--pg 127.0.0.1:5432]

For each size N it builds a fresh database (SQLite in a temporary folder by default; with
``--pg``, a scratch PostgreSQL database migrated as the owner and used as the runtime role, so
row-level security is in force) holding one street with 20 neighbourhoods, its 2023 programme
under 共和新路's policy and N approved projects (bulk inserts, not the services: this measures the
task, not the building), then runs the task body of three days, as beat's worker would
(``core.tasks.jobs.obligations_daily``):

- 1 June: the programme's obligations are frozen and every project's due items opened;
- 11 July: the second-quarter reports are a day late: marked overdue, the neighbourhood
  committees told (and the stage review's reminder sent);
- 17 July: a week late: the street office told.

It prints, per size and day, what the run did (items opened, items marked overdue, notices
sent), its wall time and the statements it issued, and the ratio of each to the smallest size,
all measured in this one run. The statements should not grow with N (a ratio of 1.00); the time
grows with the rows the database writes, not with round trips. Numbers depend on the machine;
read the ratios, not the absolutes. Exit 1 if the statement count differs between sizes.
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DAYS = ("2023-06-01", "2023-07-11", "2023-07-17")
NEIGHBOURHOODS = 20
POLICY = "gonghexinlu"


def _world(platform, projects: int) -> int:
    """The tenant, its tree, people, programme and ``projects`` approved projects; its id."""
    from sqlalchemy import insert

    from core.clock import SHANGHAI
    from core.models import Decision, Membership, OrgUnit, Programme, Project, Tenant, User
    policy = platform.host.policy(POLICY)
    config = policy.config({})
    with platform.db.scope() as s:
        tenant = Tenant(slug=f"bench-{uuid.uuid4().hex[:6]}", name="基准测试区")
        s.add(tenant)
        s.flush()
        tenant_id = tenant.id
    with platform.db.scope(tenant_id=tenant_id) as s:
        root = OrgUnit(kind="district", code="bench", name="基准测试区", path="")
        s.add(root)
        s.flush()
        root.path = f"/{root.id}/"
        street = OrgUnit(kind="street", code="bench-street", name="基准街道", parent_id=root.id, path="")
        s.add(street)
        s.flush()
        street.path = f"{root.path}{street.id}/"
        hoods = []
        for i in range(NEIGHBOURHOODS):
            hood = OrgUnit(kind="neighbourhood", code=f"bench-{i}", name=f"基准居民区{i}", parent_id=street.id, path="")
            s.add(hood)
            s.flush()
            hood.path = f"{street.path}{hood.id}/"
            hoods.append(hood.id)
        people = [("office", "street_admin", street.id), ("leader", "street_leader", street.id)] + [
            (f"staff{i}", "neighbourhood_staff", hood) for i, hood in enumerate(hoods)]
        deciders = []
        for username, role, unit in people:
            user = User(username=username, display_name=username, password_hash="-")
            s.add(user)
            s.flush()
            deciders.append(user.id)
            s.add(Membership(user_id=user.id, org_unit_id=unit, role=role))
        programme = Programme(org_unit_id=street.id, plugin_name=POLICY, plugin_version=policy.info.version, year=2023,
                              title="基准街道2023年度自治项目", config=policy.stored_config({}),
                              phases=[p.as_json() for p in policy.phases(config, 2023)])
        s.add(programme)
        s.flush()
        made = dt.datetime(2023, 3, 10, 10, tzinfo=SHANGHAI)
        decided = dt.datetime(2023, 3, 20, 10, tzinfo=SHANGHAI)
        conn = s.connection()
        for start in range(0, projects, 5000):  # in chunks, so memory stays flat at any size
            chunk = range(start, min(start + 5000, projects))
            result = conn.execute(insert(Project.__table__).returning(Project.__table__.c.id), [
                {"tenant_id": tenant_id, "programme_id": programme.id, "applicant_unit_id": hoods[i % len(hoods)],
                 "track": "micro_venture", "title": f"微项目{i}", "forms": {}, "tags": [], "state": "approved",
                 "requested_fen": 300_000, "created_at": made, "version": 1} for i in chunk])
            ids = [row[0] for row in result]
            conn.execute(insert(Decision.__table__), [
                {"tenant_id": tenant_id, "project_id": pid, "outcome": "approved", "explanation": "",
                 "approved_fen": 300_000, "approvals": [], "details": {}, "funding": [], "decided_by_id": deciders[0],
                 "decided_at": decided} for pid in ids])
    return tenant_id


def _measure(settings, size: int) -> list[tuple[str, dict, float, int]]:
    from sqlalchemy import event

    from core.platform import Platform
    from core.tasks import jobs
    platform = Platform.build(settings)
    try:
        tenant_id = _world(platform, size)
        out = []
        for day in DAYS:
            statements: list[str] = []

            def _count(conn, cursor, statement, parameters, context, executemany):
                statements.append(statement)

            event.listen(platform.db.engine, "before_cursor_execute", _count)
            started = time.perf_counter()
            report = jobs.obligations_daily(platform.db, tenant_id, day=day, host=platform.host)
            seconds = time.perf_counter() - started
            event.remove(platform.db.engine, "before_cursor_execute", _count)
            out.append((day, report, seconds, len(statements)))
        return out
    finally:
        platform.db.dispose()


def _settings_for(args, folder: Path):
    from core import migrate
    from core.config import Settings
    if args.pg:
        name = f"tongxin_bench_{uuid.uuid4().hex[:8]}"
        import psycopg
        with psycopg.connect(f"postgresql://postgres@{args.pg}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        settings = Settings(database_url=f"postgresql+psycopg://{args.runtime_role}@{args.pg}/{name}",
                            admin_database_url=f"postgresql+psycopg://postgres@{args.pg}/{name}",
                            runtime_role=args.runtime_role, storage_dir=str(folder / "files"))
    else:
        name = None
        settings = Settings(database_url=f"sqlite:///{folder / f'bench-{uuid.uuid4().hex[:6]}.db'}",
                            storage_dir=str(folder / "files"))
    migrate.upgrade(settings)
    return settings, name


def _drop(args, name: str | None) -> None:
    if args.pg and name:
        import psycopg
        with psycopg.connect(f"postgresql://postgres@{args.pg}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,10000", help="comma-separated project counts (default 100,10000)")
    parser.add_argument("--pg", default=None, help="host:port (user postgres) to run on PostgreSQL; default SQLite")
    parser.add_argument("--runtime-role", default="tongxin_app")
    args = parser.parse_args(argv)
    sizes = [int(n) for n in args.sizes.split(",") if n.strip()]

    print(f"每日应交事项任务：{'PostgreSQL' if args.pg else 'SQLite'}，一个街道、{NEIGHBOURHOODS}个居民区、N个已立项项目")
    print(f"the daily obligations task on {'PostgreSQL' if args.pg else 'SQLite'}: one street, {NEIGHBOURHOODS} "
          f"neighbourhoods, N approved projects\n")
    header = (f"{'N':>7} {'day':>10} {'opened':>7} {'overdue':>8} {'notices':>8} {'seconds':>8} {'statements':>11}"
              f" {'time ratio':>11} {'stmt ratio':>11}")
    print(header)
    print("-" * len(header))
    base: dict[str, tuple[float, int]] = {}
    counts: dict[str, set[int]] = {}
    with tempfile.TemporaryDirectory(prefix="tongxin-bench-") as tmp:
        for size in sizes:
            settings, name = _settings_for(args, Path(tmp))
            try:
                for day, report, seconds, statements in _measure(settings, size):
                    first_seconds, first_statements = base.setdefault(day, (seconds, statements))
                    counts.setdefault(day, set()).add(statements)
                    print(f"{size:>7} {day:>10} {report['opened']:>7} {report['overdue']:>8} {report['notified']:>8} "
                          f"{seconds:>8.3f} {statements:>11} {seconds / first_seconds:>11.2f} "
                          f"{statements / first_statements:>11.2f}")
            finally:
                _drop(args, name)
    same = all(len(found) == 1 for found in counts.values())
    print("\nstatements independent of N:", "ok" if same else "FAILED (they grow with the number of projects)")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
