"""The owner's connection, one transaction per backup, restore or removal.

Backup, restore and removal connect with the owner URL (``TONGXIN_ADMIN_DATABASE_URL``, else the
runtime URL): a restore advances sequences (the runtime role may only use them) and a removal
switches the append-only triggers off for its own transaction (only a table's owner may). The
owner is still under FORCE row-level security unless it is a superuser, so every read and write
of a tenant's rows runs with ``tongxin.tenant_id`` set to that tenant in the transaction, and
every statement also names the tenant itself, as the application does.

SQLite's Python driver starts transactions lazily and commits before DDL; this engine begins
every transaction explicitly instead, so a removal's dropping and re-creating of triggers and a
restore's rows commit or roll back together."""
from __future__ import annotations

import contextlib
from typing import Iterator

from sqlalchemy import Connection, create_engine, event, pool, text

from core.config import Settings
from core.db import TENANT_SETTING


@contextlib.contextmanager
def transaction(settings: Settings, *, write: bool) -> Iterator[Connection]:
    """One transaction on the owner connection: committed when the block ends, rolled back on
    any error. Reads see one moment of the database (PostgreSQL REPEATABLE READ; SQLite's
    transaction, which ``write`` takes with the write lock from its start)."""
    url = settings.migration_url
    engine = create_engine(url, poolclass=pool.NullPool)
    if engine.dialect.name == "sqlite":
        _explicit_sqlite_transactions(engine, "BEGIN IMMEDIATE" if write else "BEGIN")
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "postgresql":
                connection = connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                if engine.dialect.name == "sqlite":
                    # Checked at commit: the whole restore or removal is one change.
                    connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
                yield connection
    finally:
        engine.dispose()


def _explicit_sqlite_transactions(engine, begin: str) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # the driver's own BEGIN/COMMIT off: ours below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection) -> None:
        connection.exec_driver_sql(begin)


def for_tenant(connection: Connection, tenant_id: int | None) -> None:
    """Row-level security's setting for the rest of the transaction (PostgreSQL)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT set_config(:name, :value, true)"),
                           {"name": TENANT_SETTING, "value": "" if tenant_id is None else str(int(tenant_id))})


def revisions(connection: Connection) -> list[str]:
    """The schema revisions the database is at (one per Alembic branch)."""
    return sorted(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())


@contextlib.contextmanager
def append_only_lifted(connection: Connection) -> Iterator[None]:
    """The append-only triggers (ledger, audit log) off for the rest of this transaction only,
    and on again before it commits: removing a tenant deletes its entries, and nothing else may.
    DDL is transactional on both databases, so a failure leaves them as they were."""
    if connection.dialect.name == "postgresql":
        triggers = connection.execute(text(
            "SELECT tgrelid::regclass::text, tgname FROM pg_trigger "
            "WHERE tgfoid = 'tongxin_append_only'::regproc AND NOT tgisinternal ORDER BY 1, 2")).all()
        for table, name in triggers:
            connection.exec_driver_sql(f'ALTER TABLE {table} DISABLE TRIGGER "{name}"')
        yield
        for table, name in triggers:
            connection.exec_driver_sql(f'ALTER TABLE {table} ENABLE TRIGGER "{name}"')
        return
    triggers = connection.execute(text(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND upper(sql) LIKE '%BEFORE DELETE%' "
        "ORDER BY name")).all()
    for name, _ in triggers:
        connection.exec_driver_sql(f'DROP TRIGGER "{name}"')
    yield
    for _, sql in triggers:
        connection.exec_driver_sql(sql)
