"""Each refusal of `tongxin restore` and `tongxin tenants remove`, in Chinese and English, naming
what stopped it; and that a refused or failed restore leaves no row and no file behind."""
from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.backup_kit import drop, empty_deployment, state, with_records
from tests.commands import invoke, tongxin
from tests.factories import gonghexinlu_project, tenant_id

WORLD = Path(__file__).resolve().parent / "world"


class Backups(dict):
    """The backups of the test's deployment (with records), taken when first asked for:
    ``backups["all"]``, or one tenant's by its slug."""

    def __init__(self, settings, folder: Path):
        super().__init__()
        self.settings, self.folder = settings, folder

    def __missing__(self, name: str) -> Path:
        path = self[name] = self.folder / f"{name}.tar.gz"
        tongxin(self.settings, "backup", str(path), *(() if name == "all" else ("--tenant", name)))
        return path


@pytest.fixture
def backups(settings, platform, tmp_path) -> Backups:
    with_records(platform)
    return Backups(settings, tmp_path)


@pytest.fixture
def new_server(settings, tmp_path):
    new = empty_deployment(settings, tmp_path)
    yield new
    drop(new)


def refused(settings, *args: str) -> str:
    before = state(settings)
    result = invoke(settings, *args)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert state(settings) == before  # nothing written, nothing removed
    return result.output


def test_a_deployment_at_another_schema_revision_is_refused(settings, backups, tmp_path):
    older = empty_deployment(settings, tmp_path, "0011_supervision_close")
    try:
        out = refused(older, "restore", str(backups["all"]))
        assert "0012_obligations" in out and "0011_supervision_close" in out
        assert "修订版" in out and "same revision" in out
    finally:
        drop(older)


def test_a_tenant_the_deployment_holds_is_not_restored_again(settings, backups):
    out = refused(settings, "restore", str(backups["jinjiang"]))
    assert "辖区 jinjiang 已存在" in out and "tenant jinjiang already exists" in out


def test_a_whole_deployment_is_restored_only_onto_an_empty_one(settings, backups):
    out = refused(settings, "restore", str(backups["all"]))
    assert "空的部署" in out and "needs an empty deployment" in out and "jingan" in out


def test_ids_held_on_the_target_are_named_and_nothing_is_renumbered(settings, backups, new_server):
    # An unrelated deployment: it made its own tenant first, whose rows hold the ids 静安's have.
    tongxin(new_server, "tenants", "load", str(WORLD / "putuo.yaml"))
    out = refused(new_server, "restore", str(backups["all"]), "--tenant", "jingan")
    assert "已有行占用了备份里的 id" in out and "never renumbers" in out
    assert "tenants 的 id 1" in out and "tenants ids 1" in out and "org_units ids 1, 2" in out


def test_a_tenant_is_removed_only_with_yes(settings, backups):
    out = refused(settings, "tenants", "remove", "jingan", "--backup", str(backups["jingan"]))
    assert "--yes" in out and "删除其全部数据" in out


def test_a_tenant_is_removed_only_with_a_backup_taken_after_its_last_change(settings, platform, backups):
    stale = backups["jingan"]
    gonghexinlu_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "备份之后", "1000")
    out = refused(settings, "tenants", "remove", "jingan", "--backup", str(stale), "--yes")
    assert "在备份之后有改动" in out and "changed after the backup" in out
    assert "projects" in out and "rows in the backup" in out


def test_a_tenant_is_removed_only_with_a_backup_that_holds_it(settings, backups):
    out = refused(settings, "tenants", "remove", "jingan", "--backup", str(backups["putuo"]), "--yes")
    assert "没有辖区 jingan" in out and "holds no tenant jingan" in out


def test_a_damaged_file_in_the_backup_leaves_nothing_restored(settings, backups, new_server, tmp_path):
    manifest = _manifest(backups["all"])
    # 静安's last file (the restore writes a tenant's files in the order of their paths) is
    # damaged: the ones written before it must go again.
    written = [f["sha256"] for _, f in sorted(manifest["files"]["jingan"].items())]
    victim = written[-1]
    assert len(set(written) - {victim}) >= 2
    bad = _altered(backups["all"], tmp_path / "bad.tar.gz", f"files/{victim}", lambda data: data + b"x")
    out = refused(new_server, "restore", str(bad))
    assert "sha256" in out and victim in out
    assert not Path(new_server.storage_dir).exists() or not any(p.is_file() for p in Path(new_server.storage_dir).rglob("*"))
    # The same damage stops a removal relying on that backup.
    out = refused(settings, "tenants", "remove", "jingan", "--backup", str(bad), "--yes")
    assert victim in out


def test_a_row_altered_in_the_backup_is_refused_after_writing_and_rolled_back(settings, backups, new_server, tmp_path):
    def more_money(data: bytes) -> bytes:
        rows = [json.loads(line) for line in data.decode().splitlines()]
        rows[0]["amount_fen"] += 100
        return "".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for r in rows).encode()

    bad = _altered(backups["all"], tmp_path / "bad.tar.gz", "rows/ledger_entries.jsonl", more_money)
    out = refused(new_server, "restore", str(bad))
    assert "ledger_entries" in out and "differ from the backup" in out and "与备份不符" in out
    assert not Path(new_server.storage_dir).exists() or not any(p.is_file() for p in Path(new_server.storage_dir).rglob("*"))


def _manifest(archive: Path) -> dict:
    with tarfile.open(archive) as tar:
        return json.loads(tar.extractfile("manifest.json").read())


def _altered(source: Path, target: Path, member: str, change) -> Path:
    with tarfile.open(source) as old, tarfile.open(target, "w:gz") as new:
        for info in old.getmembers():
            data = old.extractfile(info).read()
            if info.name == member:
                data = change(data)
                info.size = len(data)
            new.addfile(info, io.BytesIO(data))
    return target


def test_a_change_that_keeps_every_count_still_makes_the_backup_stale(settings, platform, backups):
    stale = backups["jingan"]
    with platform.db.scope(tenant_id=tenant_id(platform, "jingan")) as s:  # no new row, not even an audit entry
        s.execute(text("UPDATE projects SET title = '改了名字' WHERE id = (SELECT min(id) FROM projects)"))
    out = refused(settings, "tenants", "remove", "jingan", "--backup", str(stale), "--yes")
    assert "projects（行数相同，内容有变）" in out and "projects (same rows, changed contents)" in out
