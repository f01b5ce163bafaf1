"""The migrations and the models agree, and the history runs both ways."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

import core.models  # noqa: F401 - registers the tables
from core import migrate
from core.db import Base


def test_models_match_the_migrated_schema(settings):
    engine = create_engine(settings.migration_url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        engine.dispose()
    # Plugins' own tables live on their own metadata and branches; core's must match exactly.
    assert diff == []


def test_downgrade_to_nothing_and_up_again(settings):
    migrate.downgrade(settings, "base")
    engine = create_engine(settings.migration_url)
    try:
        assert not {"projects", "tenants"} & set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    migrate.upgrade(settings)
    engine = create_engine(settings.migration_url)
    try:
        assert {"projects", "tenants", "endorsements", "ledger_entries"} <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
