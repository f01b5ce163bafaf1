"""The migrations and the models agree, and the history runs both ways."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

import core.models  # noqa: F401 - registers the tables
from core import migrate
from core.db import Base


def _core_only(obj, name, type_, reflected, compare_to) -> bool:
    # A plugin's tables sit on core's Base (marked info["plugin"]) but migrate on the plugin's
    # own branch; a test that imported a fixture plugin's models must not make them core's.
    table = obj if type_ == "table" else getattr(obj, "table", None)
    return not (table is not None and "plugin" in getattr(table, "info", {}))


def test_models_match_the_migrated_schema(settings):
    engine = create_engine(settings.migration_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"include_object": _core_only})
            diff = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    # Plugins' own tables live on their own branches; core's must match exactly.
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
