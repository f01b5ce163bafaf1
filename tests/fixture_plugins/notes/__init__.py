"""A test-only plugin with a table of its own (``fixture_notes_notes``), migrated by its own
Alembic branch ``fixture_notes`` in ``migrations/``.

A real plugin would import its models here, so that the ORM and Alembic's autogenerate see
them whenever the plugin is loaded. This fixture imports ``models`` only in the test that uses
the ORM, so that its table joins core's metadata in no other test.
"""
from __future__ import annotations

from pathlib import Path

from marshmallow import Schema

from core.plugin_host.toolkit import PolicyInfo, T, hookimpl

NAME = "fixture_notes"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class NotesConfig(Schema):
    pass


@hookimpl
def tongxin_policy():
    return PolicyInfo(name=NAME, title=T("便签（测试）", "Notes (test)"), version="1",
                      config_schema=NotesConfig, source=T("《测试》", "Test"))


@hookimpl
def tongxin_migration_dirs():
    return [str(MIGRATIONS)]
