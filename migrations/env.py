"""Alembic environment: core's history plus one branch per plugin that has tables.

The URL is the owner connection (TONGXIN_ADMIN_DATABASE_URL, else TONGXIN_DATABASE_URL), or the
one passed in by ``core.migrate`` through ``config.attributes["url"]``."""
from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

import core.models  # noqa: F401 - registers the tables
from core.config import Settings
from core.db import Base

config = context.config
url = config.attributes.get("url") or Settings.from_env().migration_url
target_metadata = Base.metadata


def run_offline() -> None:
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=connection.dialect.name == "sqlite")
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
