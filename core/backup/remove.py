"""``tongxin tenants remove``: a tenant's rows and files gone, only with a backup that holds them.

The backup must be of this tenant (same slug and id), intact (every table's lines and every file
match the sha256 its manifest records) and taken after the tenant's last change: each table's
live rows, encoded as the backup encodes them, must have the backup's count and sha256, and the
tenant's stored files must be the backup's. Then one transaction deletes the rows, children
before parents, with the append-only triggers off for that transaction only (the ledger and the
audit log refuse a DELETE otherwise, even to the owner); the files go once it has committed.

On PostgreSQL the transaction is REPEATABLE READ: a row written for the tenant after the check
read its snapshot makes the final DELETE of the tenant fail (its foreign key still names the
tenant) rather than vanish unbacked. SQLite's write lock is held from the start."""
from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import Connection, delete

from core.backup import connection as db
from core.backup.archive import Archive
from core.backup.codec import Digest, line
from core.backup.refusal import refuse
from core.backup.rows import digest
from core.backup.tables import files_of, storage_root, tables, tenant_ids
from core.config import Settings


def remove(settings: Settings, slug: str, backup: Path) -> dict:
    everything = tables()
    root = storage_root(settings)
    with Archive.open(backup) as archive:
        kept = archive.tenant(slug)
        _intact(archive, everything, kept)
        with db.transaction(settings, write=True) as connection:
            tenant_id = tenant_ids(connection).get(slug)
            if tenant_id is None:
                raise refuse(f"没有辖区 {slug}", f"no tenant {slug}")
            if tenant_id != kept["id"]:
                raise refuse(f"备份中的辖区 {slug} 编号为 {kept['id']}，此部署中为 {tenant_id}：不是同一个辖区",
                             f"the backup's tenant {slug} has id {kept['id']}, this deployment's has {tenant_id}: "
                             f"not the same tenant")
            _unchanged(connection, everything, archive.manifest, slug, tenant_id)
            live_files = files_of(root, tenant_id)
            unbacked = sorted(set(live_files) - set(archive.manifest["files"].get(slug, {})))
            if unbacked:
                raise refuse(f"辖区 {slug} 有 {len(unbacked)} 个文件不在备份中（如 {unbacked[0]}）：请重新备份",
                             f"{len(unbacked)} files of tenant {slug} are not in the backup (e.g. {unbacked[0]}): "
                             f"take a new backup")
            rows = _delete(connection, everything, tenant_id)
        folder = root / str(tenant_id)
        if folder.exists():
            shutil.rmtree(folder)
    return {"rows": rows, "files": len(live_files)}


def _intact(archive: Archive, everything, kept: dict) -> None:
    """The backup still holds what its manifest says for this tenant, so it can bring it back."""
    slug, tenant_id = kept["slug"], kept["id"]
    found = Digest()
    for table in everything:
        owner = "id" if table.name == "tenants" else "tenant_id"
        for row in archive.lines(table.name):
            if row[owner] == tenant_id:
                found.add(table.name, tenant_id, row, line(row))
    damaged = [t.name for t in everything
               if found.summary(t.name, tenant_id) != archive.manifest["tables"][t.name]["tenants"].get(slug)]
    if damaged:
        raise refuse(f"备份文件中辖区 {slug} 的这些表与其清单不符（文件已损坏？）：{'、'.join(damaged)}",
                     f"the backup's tables of tenant {slug} do not match its manifest (damaged file?): "
                     f"{', '.join(damaged)}")
    for info in archive.manifest["files"].get(slug, {}).values():
        archive.file_bytes(info["sha256"])  # refuses a missing or altered file


def _unchanged(connection: Connection, everything, manifest: dict, slug: str, tenant_id: int) -> None:
    live = digest(connection, everything, tenant_id)
    zh, en = [], []
    for table in everything:
        kept = manifest["tables"][table.name]["tenants"][slug]
        now = live.summary(table.name, tenant_id)
        if now == kept:
            continue
        if now["rows"] != kept["rows"]:
            zh.append(f"{table.name}（备份 {kept['rows']} 行，现有 {now['rows']} 行）")
            en.append(f"{table.name} ({kept['rows']} rows in the backup, {now['rows']} now)")
        else:
            zh.append(f"{table.name}（行数相同，内容有变）")
            en.append(f"{table.name} (same rows, changed contents)")
    if zh:
        raise refuse(f"辖区 {slug} 在备份之后有改动，请重新备份后再移除：{'；'.join(zh)}",
                     f"tenant {slug} changed after the backup was taken; take a new backup first: {'; '.join(en)}")


def _delete(connection: Connection, everything, tenant_id: int) -> int:
    removed = 0
    db.for_tenant(connection, tenant_id)
    with db.append_only_lifted(connection):
        for table in reversed(everything[1:]):
            removed += connection.execute(delete(table).where(table.c.tenant_id == tenant_id)).rowcount
        tenants = everything[0]
        removed += connection.execute(delete(tenants).where(tenants.c.id == tenant_id)).rowcount
    return removed
