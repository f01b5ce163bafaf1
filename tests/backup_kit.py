"""What the backup tests share: a deployment with records and files in it, an empty deployment
to restore into (a new server), and every table and file of a deployment read as raw as the
database and the disk hold them, to compare before and after."""
from __future__ import annotations

import dataclasses
import io
import os
import uuid
from pathlib import Path

from sqlalchemy import create_engine, inspect, pool, text

from core import migrate
from core.config import Settings
from tests import figures
from tests.conftest import RUN_ID_VAR, _pg_exec, _urls
from tests.delivery_factories import activity, jpeg_with_gps, project_with_plan
from tests.factories import IMPLEMENTATION_DAY, jinjiang_project, on_day
from tests.money_factories import build


def with_records(platform) -> None:
    """The test world with a year's records: 共和新路's money scenario (ledger entries with a
    correction, pledges, a fund request, a voucher file, the audit log), an activity with a photo
    and its thumbnail, and a 晋江 application holding the same PDF as 静安's (one file in the
    archive for both)."""
    build(platform)
    pid, (first, *_) = project_with_plan(platform, title="楼道花园")
    with on_day(IMPLEMENTATION_DAY):
        activity(platform, pid, first, photos=[("IMG_0001.JPG", io.BytesIO(jpeg_with_gps((320, 240))))])
    jinjiang_project(platform, "qinghua", "jj-qingyang-a")


def empty_deployment(settings: Settings, tmp_path: Path, revision: str = "heads") -> Settings:
    """A new server in the same profile: a migrated database with no tenant, its own files."""
    files = tmp_path / f"files-{uuid.uuid4().hex[:6]}"
    if settings.database_url.startswith("sqlite"):
        fresh = dataclasses.replace(settings, database_url=f"sqlite:///{tmp_path / f'new-{uuid.uuid4().hex[:6]}.db'}",
                                    storage_dir=str(files))
    else:
        name = f"tongxin_t_{os.environ[RUN_ID_VAR]}_{uuid.uuid4().hex[:8]}"  # dropped with the run's
        _pg_exec(f'CREATE DATABASE "{name}"')
        runtime, admin = _urls(name)
        fresh = dataclasses.replace(settings, database_url=runtime, admin_database_url=admin, storage_dir=str(files))
    migrate.upgrade(fresh, revision)
    return fresh


def drop(settings: Settings) -> None:
    if not settings.database_url.startswith("sqlite"):
        _pg_exec(f'DROP DATABASE IF EXISTS "{settings.database_url.rsplit("/", 1)[1]}" WITH (FORCE)')


def tables_of(settings: Settings) -> dict[str, list[tuple]]:
    """Every table's rows, every column, by id, as the driver reads them (SQLite: the stored text
    of moments and JSON documents), read as the owner (the suite's owner is a superuser, so it
    sees every tenant's rows)."""
    engine = create_engine(settings.migration_url, poolclass=pool.NullPool)
    try:
        with engine.connect() as c:
            names = sorted(n for n in inspect(c).get_table_names() if n != "alembic_version")
            return {n: [dict(r._mapping) for r in c.execute(text(f'SELECT * FROM "{n}" ORDER BY id'))] for n in names}
    finally:
        engine.dispose()


def files_of(settings: Settings) -> dict[str, bytes]:
    root = Path(settings.storage_dir)
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def state(settings: Settings) -> dict:
    """A deployment's every row and every file."""
    return {**{f"table {k}": v for k, v in tables_of(settings).items()},
            **{f"file {k}": v for k, v in files_of(settings).items()}}


def of_tenants(found: dict, tenant_ids: set[int]) -> dict:
    """The part of ``state`` that belongs to some tenants: their rows, their files."""
    out = {}
    for key, value in found.items():
        if key.startswith("file "):
            if int(key.split()[1].split("/")[0]) in tenant_ids:
                out[key] = value
        else:
            owner = "id" if key == "table tenants" else "tenant_id"
            out[key] = [r for r in value if r[owner] in tenant_ids]
    return out


def assert_identical(before: dict, after: dict) -> None:
    """The round trip's verdict, counted for the test command's closing figures."""
    differing = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    if differing:
        figures.record("backup_round_trips_differing", len(differing))
    else:
        figures.record("backup_round_trips")
    assert differing == [], f"differ after the round trip: {differing}; first: {_first(before, after, differing[0])}"


def _first(before: dict, after: dict, key: str) -> str:
    """Where the first difference of ``key`` is: the row and column, or the file."""
    b, a = before.get(key), after.get(key)
    if not isinstance(b, list) or not isinstance(a, list):
        return f"{key}: {'missing' if a is None else 'extra' if b is None else 'other content'}"
    for old, new in zip(b, a):
        for column in old:
            if old[column] != new.get(column):
                return f"{key} id {old.get('id')} {column}: {old[column]!r} → {new.get(column)!r}"
    return f"{key}: {len(b)} rows before, {len(a)} after"
