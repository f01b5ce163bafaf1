"""Alembic environment: core's history plus one branch per plugin that has tables.

Run through ``core.migrate``, which passes the owner connection's URL, the runtime role (which
the revisions grant data access to) and the plugin host whose branches are in
``version_locations`` through ``config.attributes``. Without them (a bare ``alembic`` call) the
URL comes from the environment (TONGXIN_ADMIN_DATABASE_URL, else TONGXIN_DATABASE_URL) and
the installed plugins are discovered here.

Plugins' models live on core's ``Base`` (see docs/plugins.md), so once the host has imported
the plugins, ``Base.metadata`` describes core's and the plugins' tables together, which is
what autogenerate compares with.
"""
from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

import core.models  # noqa: F401 - registers core's tables
from core.config import Settings
from core.db import Base
from core.plugin_host.manager import PluginHost

config = context.config
url = config.attributes.get("url") or Settings.from_env().migration_url
if config.attributes.get("host") is None:
    config.attributes["host"] = PluginHost()  # importing the plugins registers their models
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
