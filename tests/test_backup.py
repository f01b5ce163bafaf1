"""Backup and restore, as an operator runs them (`tongxin backup`, `restore`, `tenants remove`):
every table (all rows, all columns, as the database holds them) and every file compared before
and after each round trip, in both profiles; on PostgreSQL as the suite's runtime and owner roles."""
from __future__ import annotations

import dataclasses
import json
import os
import tarfile
import uuid

import pytest
from sqlalchemy import create_engine, pool, text

from core import migrate
from core.platform import Platform
from core.services.tenant_definitions import load_file
from tests.backup_kit import assert_identical, drop, empty_deployment, of_tenants, state, with_records
from tests.commands import tongxin
from tests.conftest import PG_HOST, RUN_ID_VAR, WORLD, _pg_exec, _urls
from tests.factories import gonghexinlu_project, tenant_id

# A deployment owner that is not a superuser (as docker-compose's need not be).
OWNER = "tongxin_owner_nosuper"


def test_a_whole_deployment_comes_back_identical_on_a_new_server(settings, platform, tmp_path):
    with_records(platform)
    before = state(settings)
    assert any(k.startswith("file ") for k in before) and before["table ledger_entries"]
    archive = tmp_path / "all.tar.gz"
    out = tongxin(settings, "backup", str(archive)).output
    assert "jingan" in out and "jinjiang" in out and "putuo" in out
    new = empty_deployment(settings, tmp_path)
    try:
        out = tongxin(new, "restore", str(archive)).output
        assert "restored jingan" in out
        assert_identical(before, state(new))
        # The restored deployment goes on: new rows get new ids (PostgreSQL's sequences were
        # advanced past the restored ones), and the ledger still refuses an edit.
        again = Platform.build(new)
        try:
            pid, _ = gonghexinlu_project(again, "luochuan", "ghxl-luochuan", "micro_venture", "恢复之后", "1000")
            assert pid > max(r["id"] for r in before["table projects"])
        finally:
            again.db.dispose()
        assert_append_only(new)
    finally:
        drop(new)


def test_the_archive_keeps_money_in_fen_moments_with_their_offset_and_each_file_once(settings, platform, tmp_path):
    with_records(platform)
    archive = tmp_path / "all.tar.gz"
    tongxin(settings, "backup", str(archive))
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        entries = [json.loads(line) for line in tar.extractfile("rows/ledger_entries.jsonl")]
        members = [m.name for m in tar.getmembers() if m.name.startswith("files/")]
    assert manifest["tables"]["ledger_entries"]["columns"]["amount_fen"] == "integer"
    assert manifest["tables"]["ledger_entries"]["columns"]["at"] == "moment"
    assert 250_050 in {e["amount_fen"] for e in entries}  # 2,500.50 yuan, as fen
    assert all(e["at"].endswith("+00:00") for e in entries)
    assert len(entries) == sum(t["rows"] for t in manifest["tables"]["ledger_entries"]["tenants"].values())
    listed = [f["sha256"] for files in manifest["files"].values() for f in files.values()]
    assert len(listed) > len(set(listed))  # 静安 and 晋江 hold the same PDF ...
    assert sorted(members) == sorted(f"files/{h}" for h in set(listed))  # ... which the archive holds once
    assert manifest["revisions"] and manifest["scope"] == "deployment"


def test_one_tenant_restored_beside_others_leaves_them_byte_identical(settings, platform, tmp_path):
    with_records(platform)
    before = state(settings)
    whole, one = tmp_path / "all.tar.gz", tmp_path / "jinjiang.tar.gz"
    tongxin(settings, "backup", str(whole))
    tongxin(settings, "backup", str(one), "--tenant", "jinjiang")
    new = empty_deployment(settings, tmp_path)
    try:
        # A new server holding the other tenants first ...
        tongxin(new, "restore", str(whole), "--tenant", "jingan", "--tenant", "putuo")
        others = state(new)
        ids = {tenant_id(platform, "jingan"), tenant_id(platform, "putuo")}
        assert_identical(of_tenants(before, ids), others)
        # ... then 晋江 from its own backup: the others untouched, 晋江 as it was.
        tongxin(new, "restore", str(one))
        after = state(new)
        assert_identical(others, of_tenants(after, ids))
        assert_identical(before, after)
    finally:
        drop(new)


def test_a_removed_tenant_comes_back_identical(settings, platform, tmp_path):
    with_records(platform)
    before = state(settings)
    jingan = tenant_id(platform, "jingan")
    others = {tenant_id(platform, "jinjiang"), tenant_id(platform, "putuo")}
    archive = tmp_path / "jingan.tar.gz"
    tongxin(settings, "backup", str(archive), "--tenant", "jingan")
    out = tongxin(settings, "tenants", "remove", "jingan", "--backup", str(archive), "--yes").output
    assert "removed tenant jingan" in out
    gone = state(settings)
    assert of_tenants(gone, {jingan}) == {k: [] for k in of_tenants(gone, {jingan})}  # no row, no file left
    assert not (tmp_path / "files" / str(jingan)).exists()
    assert of_tenants(gone, others) == of_tenants(before, others)
    assert_append_only(settings)  # the triggers are back after the removal
    tongxin(settings, "restore", str(archive))
    assert_identical(before, state(settings))
    assert_append_only(settings)


def assert_append_only(settings) -> None:
    """The append-only triggers are in force: the ledger's on both databases, the audit log's on
    PostgreSQL (SQLite has none for the audit log: migration 0001 gives it only there)."""
    engine = create_engine(settings.migration_url, poolclass=pool.NullPool)
    tables = ("ledger_entries",) if engine.dialect.name == "sqlite" else ("ledger_entries", "audit_entries")
    try:
        for table in tables:
            with engine.connect() as c:
                try:
                    c.execute(text(f"DELETE FROM {table}"))
                except Exception as exc:  # the trigger's refusal, whatever the driver calls it
                    assert "append-only" in str(exc), exc
                else:
                    raise AssertionError(f"{table} accepted a DELETE")
                finally:
                    c.rollback()
    finally:
        engine.dispose()


def test_a_new_row_after_restore_in_the_restored_tenant_gets_a_new_id(settings, platform, tmp_path):
    first, _ = gonghexinlu_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "备份之前", "1000")
    archive = tmp_path / "jingan.tar.gz"
    tongxin(settings, "backup", str(archive), "--tenant", "jingan")
    tongxin(settings, "tenants", "remove", "jingan", "--backup", str(archive), "--yes")
    tongxin(settings, "restore", str(archive))
    pid, _ = gonghexinlu_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "恢复之后", "1000")
    assert pid > first


@pytest.mark.postgres
def test_an_owner_that_is_no_superuser_backs_up_removes_and_restores_under_row_level_security(settings, tmp_path):
    """The suite's owner is a superuser, which row-level security lets through; a deployment's
    owner need not be, and FORCE row-level security then applies to it: every step must name
    its tenant in the transaction."""
    name = f"tongxin_t_{os.environ[RUN_ID_VAR]}_{uuid.uuid4().hex[:8]}"
    _pg_exec(f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{OWNER}') THEN "
             f"CREATE ROLE {OWNER} LOGIN NOSUPERUSER NOBYPASSRLS; END IF; END $$")
    _pg_exec(f'CREATE DATABASE "{name}" OWNER {OWNER}')
    runtime, _ = _urls(name)
    own = dataclasses.replace(settings, database_url=runtime, storage_dir=str(tmp_path / "own-files"),
                              admin_database_url=f"postgresql+psycopg://{OWNER}@{PG_HOST}/{name}")
    try:
        migrate.upgrade(own)
        p = Platform.build(own)
        try:
            for world in sorted(WORLD.glob("*.yaml")):
                load_file(p, world)
            with_records(p)
        finally:
            p.db.dispose()
        before = state(own)  # read as the suite's superuser: everything
        archive = tmp_path / "jingan.tar.gz"
        tongxin(own, "backup", str(archive), "--tenant", "jingan")
        tongxin(own, "tenants", "remove", "jingan", "--backup", str(archive), "--yes")
        assert state(own) != before
        tongxin(own, "restore", str(archive))
        assert_identical(before, state(own))
    finally:
        _pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
