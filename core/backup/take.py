"""``tongxin backup``: the whole deployment, or some of its tenants, into one archive file.

Every row is read in one transaction (one moment of the database, however long it takes), each
tenant's rows with row-level security's setting naming that tenant. The files are read after,
from the storage root: a file is written before the row that names it commits and is never
changed or removed while its tenant exists (its name is its content's sha256), so every file the
rows name is there."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from core import migrate
from core.backup import connection as db
from core.backup.archive import FORMAT, FORMAT_VERSION, ArchiveWriter
from core.backup.codec import Digest, columns_of
from core.backup.refusal import refuse
from core.backup.rows import read
from core.backup.tables import files_of, sha256_of, storage_root, tables, tenant_ids, tenants_table
from core.clock import of_settings
from core.config import Settings


def take(settings: Settings, destination: Path, slugs: tuple[str, ...] = ()) -> dict:
    """Write the backup and return its manifest. ``slugs`` empty: the whole deployment."""
    everything = tables()
    heads = _code_heads(settings)
    writer = ArchiveWriter(destination)
    try:
        with db.transaction(settings, write=False) as connection:
            at = db.revisions(connection)
            if at != heads:
                raise refuse(f"数据库处于修订版 {', '.join(at) or '无'}，代码为 {', '.join(heads)}：请先运行 tongxin db upgrade",
                             f"the database is at revision {', '.join(at) or 'none'} and the code at "
                             f"{', '.join(heads)}: run `tongxin db upgrade` first")
            known = tenant_ids(connection)
            unknown = [s for s in slugs if s not in known]
            if unknown:
                raise refuse(f"没有辖区 {'、'.join(unknown)}", f"no tenant {', '.join(unknown)}")
            chosen = {slug: known[slug] for slug in (slugs or known)}
            digest = Digest()
            for table in everything:
                for tenant_id in chosen.values():
                    for encoded, text in read(connection, table, tenant_id):
                        writer.add_line(table.name, text)
                        digest.add(table.name, tenant_id, encoded, text)
            t = tenants_table()
            names = dict(connection.execute(select(t.c.id, t.c.name)).all())
        root = storage_root(settings)
        files: dict[str, dict] = {}
        for slug, tenant_id in chosen.items():
            files[slug] = {}
            for key, path in files_of(root, tenant_id).items():
                sha256 = sha256_of(path)
                files[slug][key] = {"sha256": sha256, "bytes": path.stat().st_size}
                writer.add_file(sha256, path)
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "scope": "tenants" if slugs else "deployment",
            "taken_at": of_settings(settings).now().isoformat(),
            "revisions": at,
            "tenants": [{"slug": slug, "id": tid, "name": names.get(tid)} for slug, tid in chosen.items()],
            "tables": {t.name: {"columns": columns_of(t),
                                "tenants": {slug: digest.summary(t.name, tid) for slug, tid in chosen.items()}}
                       for t in everything},
            "files": files,
        }
        writer.finish(manifest, [t.name for t in everything])
    except BaseException:
        writer.abandon()
        raise
    return manifest


def _code_heads(settings: Settings) -> list[str]:
    from alembic.script import ScriptDirectory
    return sorted(ScriptDirectory.from_config(migrate.alembic_config(settings)).get_heads())
