"""The database: one engine and one `sessionmaker` that web, CLI, tasks and tests share.

Every session carries the tenant it works for in ``session.info["tenant_id"]`` (see
``core.tenancy``), the acting user in ``session.info["actor_id"]`` (see ``core.models.auditing``) and its
platform's clock in ``session.info["clock"]`` (see ``core.clock``).
On PostgreSQL the tenant is also written into the transaction-local setting
``tongxin.tenant_id``, which the row-level-security policies read: a session without a tenant
sees no tenant-owned rows at all, in the application filter and in the database.
"""
from __future__ import annotations

import contextlib
from typing import Iterator

from sqlalchemy import BigInteger, JSON, MetaData, create_engine, event, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from core.clock import Clock

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# JSON documents are JSONB on PostgreSQL, JSON text on SQLite.
JSONDoc = JSON().with_variant(JSONB(), "postgresql")
# Money is integer fen everywhere. SQLite's INTEGER is 64-bit already.
Fen = BigInteger


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


TENANT_SETTING = "tongxin.tenant_id"
CONNECT_TIMEOUT = 5  # seconds
# What every face says when the database cannot be reached: try again in this many seconds
# (the Retry-After of the web pages and the API; the CLI's message; the worker retries itself).
RETRY_AFTER = 30
# PostgreSQL's SQLSTATEs of a server that is not there for now: a connection exception (class
# 08), shutting down or starting up (57P01-57P03), out of connections.
_UNAVAILABLE_STATES = ("57P01", "57P02", "57P03", "53300")


def unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` means the database cannot be reached now (down, restarting, refusing
    connections), as opposed to a statement that failed: the former is a 503 to try again,
    never a 500. A connection dropped mid-request counts (``connection_invalidated``)."""
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    orig = exc.orig
    if type(orig).__module__.startswith("psycopg"):
        import psycopg
        if not isinstance(orig, (psycopg.OperationalError, psycopg.InterfaceError)):
            return False
        state = getattr(orig, "sqlstate", None)  # None: no server answered at all
        return state is None or state.startswith("08") or state in _UNAVAILABLE_STATES
    if type(orig).__name__ != "OperationalError":
        return False
    text_ = str(orig).lower()  # SQLite: a locked or missing database file
    return "locked" in text_ or "unable to open" in text_


class Database:
    """Owns the engine and the session factory of one application instance."""

    def __init__(self, url: str, *, clock: Clock | None = None, echo: bool = False):
        kwargs: dict = {"echo": echo, "future": True}
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"check_same_thread": False}
        else:
            # pool_pre_ping: a connection the server dropped (a restart) is replaced before use,
            # so the first request after the database is back succeeds. connect_timeout: an
            # unreachable server fails within seconds, answered as 503 (``unavailable``).
            kwargs.update(pool_pre_ping=True, pool_size=5, max_overflow=10,
                          connect_args={"connect_timeout": CONNECT_TIMEOUT})
        self.url = url
        # The platform's clock, handed to every session (None: the real clock).
        self.clock = clock or Clock()
        self.engine: Engine = create_engine(url, **kwargs)
        self.is_postgres = self.engine.dialect.name == "postgresql"
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)
        if not self.is_postgres:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        else:
            event.listen(self.sessionmaker, "after_begin", _set_tenant_setting)

    def session(self, tenant_id: int | None = None, actor_id: int | None = None, **info) -> Session:
        """A new session bound to one tenant (None: no tenant-owned rows are visible)."""
        return self.sessionmaker(info={"tenant_id": tenant_id, "actor_id": actor_id, "clock": self.clock, **info})

    @contextlib.contextmanager
    def scope(self, tenant_id: int | None = None, actor_id: int | None = None, **info) -> Iterator[Session]:
        """A unit of work: commit on success, roll back on any error, always close."""
        session = self.session(tenant_id, actor_id, **info)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _set_tenant_setting(session: Session, _transaction, connection) -> None:
    tenant_id = session.info.get("tenant_id")
    # is_local=true: the setting dies with the transaction, so a pooled connection never
    # carries one tenant's id into another tenant's request.
    connection.execute(
        text("SELECT set_config(:name, :value, true)"),
        {"name": TENANT_SETTING, "value": "" if tenant_id is None else str(int(tenant_id))},
    )
