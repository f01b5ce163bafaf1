"""Reading a tenant's rows as the archive's lines (``core.backup.codec``), in id order."""
from __future__ import annotations

from typing import Iterator

from sqlalchemy import Connection, Table, select

from core.backup.codec import Digest, columns_of, encode, line
from core.backup.connection import for_tenant


def read(connection: Connection, table: Table, tenant_id: int) -> Iterator[tuple[dict, str]]:
    """(encoded row, its line) of one tenant's rows of ``table``, by id. The tenant's own row
    when ``table`` is ``tenants``."""
    kinds = columns_of(table)
    json_columns = [name for name, kind in kinds.items() if kind == "json"]
    # A JSON column's SQL NULL and a stored JSON null read back alike: ask which it is.
    flags = [table.c[name].is_(None).label(f"sql_null_{i}") for i, name in enumerate(json_columns)]
    owner = table.c.id if table.name == "tenants" else table.c.tenant_id
    for_tenant(connection, tenant_id)
    stmt = select(table, *flags).where(owner == tenant_id).order_by(table.c.id)
    for found in connection.execute(stmt).mappings():
        nulls = {name: bool(found[f"sql_null_{i}"]) for i, name in enumerate(json_columns)}
        encoded = {name: encode(kind, found[table.c[name]], nulls.get(name, False)) for name, kind in kinds.items()}
        yield encoded, line(encoded)


def digest(connection: Connection, tables: list[Table], tenant_id: int) -> Digest:
    """Counts and sha256 of every table's rows of one tenant, as they are now."""
    found = Digest()
    for table in tables:
        for encoded, text in read(connection, table, tenant_id):
            found.add(table.name, tenant_id, encoded, text)
    return found
