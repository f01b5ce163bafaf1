"""``tongxin restore``: a backup back into a deployment, whole or one tenant at a time.

Rows keep their ids. The ledger and the audit log name rows by id (an entry's project, fund and
correction; an audit entry's object), and so do JSON documents (frozen configs, before/after
images in the audit log): remapping ids would make them name other rows, so they would no longer
say what happened. Instead every id the archive brings is checked to be free in the target
(``_taken``), and the restore is refused, naming the table and the ids, when one is not.

Why that is enough for what a restore is for:
- onto a new server (an empty deployment, or one that has never held rows from this deployment's
  sequences), nothing can hold those ids unless it was made there, which the check names;
- a tenant removed from this deployment and brought back: PostgreSQL's sequences never hand out
  an id twice, so no row made since then can hold one of the removed tenant's ids. (SQLite gives
  a new row the table's highest id plus one, so there a row made after the removal can take the
  removed tenant's highest ids; the check then refuses and names them.)
What it does not cover: merging tenants from two unrelated deployments, whose sequences both
started at 1. Their ids collide, and the restore refuses rather than renumbering.

Nothing is half-restored: every row is written in one transaction, the rows written are read back
and proved identical to the archive's (count and sha256 per table and tenant) before it commits,
and the files are written before the commit and removed again if anything fails."""
from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path

from sqlalchemy import Connection, Table, insert, select, text

from core.backup import connection as db
from core.backup.archive import Archive
from core.backup.codec import columns_of, decode, parents_first
from core.backup.refusal import listed, refuse
from core.backup.rows import digest
from core.backup.tables import sha256_of, storage_root, tables, tenant_ids
from core.config import Settings

BATCH = 500


def restore(settings: Settings, source: Path, slugs: tuple[str, ...] = ()) -> dict[str, dict]:
    """Restore ``slugs`` from the archive (none: all of it; a whole-deployment archive then needs
    an empty deployment). Returns per tenant slug its rows and files restored."""
    everything = tables()
    root = storage_root(settings)
    with Archive.open(source) as archive:
        manifest = archive.manifest
        whole = not slugs and manifest["scope"] == "deployment"
        chosen = {t["slug"]: t["id"] for t in (archive.tenant(s) for s in (slugs or archive.slugs))}
        _same_tables(manifest, everything)
        created: list[Path] = []
        try:
            with db.transaction(settings, write=True) as connection:
                _same_revision(connection, manifest)
                present = tenant_ids(connection)
                if whole and present:
                    raise refuse(f"整库恢复只能恢复到空的部署，而这里已有辖区：{'、'.join(present)}",
                                 f"a whole-deployment restore needs an empty deployment; this one holds "
                                 f"tenants: {', '.join(present)}")
                clash = sorted(set(chosen) & set(present))
                if clash:
                    raise refuse(f"辖区 {'、'.join(clash)} 已存在于此部署，不能再恢复（先移除它，或恢复到别处）",
                                 f"tenant {', '.join(clash)} already exists on this deployment and cannot be "
                                 f"restored again (remove it first, or restore elsewhere)")
                wanted = set(chosen.values())
                _refuse_taken_ids(connection, everything, archive, wanted, present)
                for table in everything:
                    _insert(connection, table, archive, wanted)
                _prove(connection, everything, manifest, chosen)
                _advance_sequences(connection, everything, manifest, chosen)
                for slug, tenant_id in chosen.items():
                    _write_files(archive, root, tenant_id, manifest["files"].get(slug, {}), created)
        except BaseException:
            for path in reversed(created):
                if path.is_dir():
                    _remove_empty(path)
                else:
                    path.unlink(missing_ok=True)
            raise
        return {slug: {"rows": sum(t["tenants"][slug]["rows"] for t in manifest["tables"].values()),
                       "files": len(manifest["files"].get(slug, {}))} for slug in chosen}


def _same_tables(manifest: dict, everything: list[Table]) -> None:
    ours = {t.name: columns_of(t) for t in everything}
    theirs = {name: t["columns"] for name, t in manifest["tables"].items()}
    if ours != theirs:
        differ = sorted(n for n in set(ours) | set(theirs) if ours.get(n) != theirs.get(n))
        raise refuse(f"备份的表结构与此版本的代码不同：{'、'.join(differ)}",
                     f"the backup's tables differ from this version of the code: {', '.join(differ)}")


def _same_revision(connection: Connection, manifest: dict) -> None:
    here = db.revisions(connection)
    if here != manifest["revisions"]:
        raise refuse(f"备份来自修订版 {', '.join(manifest['revisions'])}，此部署处于 {', '.join(here) or '无'}："
                     f"请在同一修订版的部署上恢复（必要时先 tongxin db upgrade 到该修订版）",
                     f"the backup was taken at revision {', '.join(manifest['revisions'])} and this deployment "
                     f"is at {', '.join(here) or 'none'}: restore onto a deployment at the same revision")


def _owner(table: Table) -> str:
    return "id" if table.name == "tenants" else "tenant_id"


def _refuse_taken_ids(connection: Connection, everything: list[Table], archive: Archive,
                      wanted: set[int], present: dict[str, int]) -> None:
    taken: dict[str, list[int]] = {}
    for table in everything:
        ids = sorted(r["id"] for r in archive.lines(table.name) if r[_owner(table)] in wanted)
        if not ids:
            continue
        found: set[int] = set()
        within = (table.c.id >= ids[0]) & (table.c.id <= ids[-1])
        if table.name == "tenants":
            found |= set(connection.execute(select(table.c.id).where(within)).scalars())
        else:
            # Each tenant's rows are visible only under its own setting (row-level security).
            for tenant_id in present.values():
                db.for_tenant(connection, tenant_id)
                found |= set(connection.execute(
                    select(table.c.id).where(within, table.c.tenant_id == tenant_id)).scalars())
        clash = sorted(found.intersection(ids))
        if clash:
            taken[table.name] = clash
    if taken:
        zh = "；".join(f"{name} 的 id {listed(ids)}" for name, ids in taken.items())
        en = "; ".join(f"{name} ids {listed(ids)}" for name, ids in taken.items())
        raise refuse(f"此部署中已有行占用了备份里的 id，恢复不会改编号：{zh}",
                     f"rows on this deployment already hold ids the backup brings, and a restore never "
                     f"renumbers: {en}")


def _insert(connection: Connection, table: Table, archive: Archive, wanted: set[int]) -> None:
    kinds = archive.manifest["tables"][table.name]["columns"]
    by_tenant: dict[int, list[dict]] = defaultdict(list)
    for row in archive.lines(table.name):
        if row[_owner(table)] in wanted:
            by_tenant[row[_owner(table)]].append(row)
    for tenant_id, rows in by_tenant.items():
        db.for_tenant(connection, tenant_id)
        ordered = [{name: decode(kinds[name], row[name]) for name in kinds} for row in parents_first(rows, table)]
        for start in range(0, len(ordered), BATCH):
            connection.execute(insert(table), ordered[start:start + BATCH])


def _prove(connection: Connection, everything: list[Table], manifest: dict, chosen: dict[str, int]) -> None:
    """Read back what was written; refuse (and roll back) unless it is the archive's, table by table."""
    wrong = []
    for slug, tenant_id in chosen.items():
        found = digest(connection, everything, tenant_id)
        for table in everything:
            expected = manifest["tables"][table.name]["tenants"][slug]
            if found.summary(table.name, tenant_id) != expected:
                wrong.append(f"{slug}.{table.name}")
    if wrong:
        raise refuse(f"写入后读回的行与备份不符，已撤销：{'、'.join(wrong)}",
                     f"the rows read back differ from the backup, nothing was kept: {', '.join(wrong)}")


def _advance_sequences(connection: Connection, everything: list[Table], manifest: dict, chosen: dict[str, int]) -> None:
    """PostgreSQL: each table's id sequence past the highest id restored, so new rows never take
    a restored id (never moved back). SQLite needs nothing: a new row gets the highest id + 1."""
    if connection.dialect.name != "postgresql":
        return
    for table in everything:
        top = max((manifest["tables"][table.name]["tenants"][slug]["max_id"] for slug in chosen), default=0)
        if not top:
            continue
        sequence = connection.execute(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table.name}).scalar()
        if sequence is None:
            continue
        last, called = connection.execute(text(f"SELECT last_value, is_called FROM {sequence}")).one()
        if top > last or (top == last and not called):
            connection.execute(text("SELECT setval(:s, :v, true)"), {"s": sequence, "v": top})


def _write_files(archive: Archive, root: Path, tenant_id: int, files: dict[str, dict], created: list[Path]) -> None:
    folder = (root / str(tenant_id)).resolve()
    for key, info in sorted(files.items()):
        target = (folder / key).resolve()
        if folder not in target.parents:
            raise refuse(f"备份中的文件路径 {key} 不在辖区的文件夹内", f"the file path {key} in the backup leaves the tenant's folder")
        data = archive.file_bytes(info["sha256"])
        if target.exists() and sha256_of(target) == info["sha256"]:
            continue
        missing = [p for p in [target.parent, *target.parent.parents] if not p.exists()]
        target.parent.mkdir(parents=True, exist_ok=True)
        created.extend(reversed(missing))
        partial = target.with_name(target.name + ".part")
        partial.write_bytes(data)
        existed = target.exists()
        os.replace(partial, target)
        if not existed:
            created.append(target)


def _remove_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass
