"""What a deployment holds: its tables in the order their foreign keys allow, its tenants, and
its tenants' files under the storage root."""
from __future__ import annotations

import hashlib
import importlib
from pathlib import Path

from sqlalchemy import Connection, Table, select

from core.backup.refusal import refuse
from core.config import Settings
from core.db import Base
from core.services.storage import Storage

PARTIAL = ".part"  # a file still being written by Storage.save: not yet stored


def tables() -> list[Table]:
    """Every table of core and of the installed plugins, parents before children: ``tenants``
    first, then the tenant-owned ones (each has ``tenant_id``)."""
    from core.plugin_host.manager import PluginHost
    importlib.import_module("core.models")  # registers core's tables
    PluginHost()  # importing the plugins registers theirs
    found = list(Base.metadata.sorted_tables)
    shared = [t.name for t in found if t.name != "tenants" and "tenant_id" not in t.c]
    if found[0].name != "tenants" or shared:
        # A backup is per tenant; a table of no tenant would be left out silently.
        raise refuse(f"这些表不属于任何辖区，备份无法按辖区处理：{'、'.join(shared)}",
                     f"these tables belong to no tenant, so a backup cannot handle them: {', '.join(shared)}")
    return found


def tenants_table() -> Table:
    return Base.metadata.tables["tenants"]


def tenant_ids(connection: Connection) -> dict[str, int]:
    """slug -> id of every tenant (``tenants`` has no row-level security: it is the index)."""
    t = tenants_table()
    return dict(connection.execute(select(t.c.slug, t.c.id).order_by(t.c.id)).all())


def storage_root(settings: Settings) -> Path:
    return Storage(settings.storage_dir, settings.max_upload_bytes).root


def files_of(root: Path, tenant_id: int) -> dict[str, Path]:
    """A tenant's stored files (``<root>/<tenant id>/...``, as ``Storage.save`` keeps them), by
    their path under the tenant's folder."""
    folder = root / str(tenant_id)
    if not folder.is_dir():
        return {}
    return {p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.endswith(PARTIAL)}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
