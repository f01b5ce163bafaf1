"""activity records corrected and deleted: the runtime role may delete their rows

Until now an activity record, its files and its participants were written once (0010 revoked the
runtime role's DELETE on them). Issue 13 asks that a record be corrected and deleted through the
door (``activity.edit``, ``activity.delete``, ``activity.add_files``, ``activity.remove_file``:
``core.services.delivery.activity_changes``): a correction replaces the names on the sign-in
list (so each volunteer's hours follow), a removed photo's row goes, and a deleted record goes
with its participants and files, so that every number derived from the records (progress,
volunteer hours, prefilled reports, the archive) follows without a "deleted" flag each reader
must remember. The history is the audit log's, which stays append-only: each deleted row's
values, with the reason given. No schema change and nothing to backfill.

Revision ID: 0015_acts
Revises: 0014_accounts
Create Date: 2026-11-29 10:00:00.000000
"""
from __future__ import annotations

from alembic import op

from core.plugin_host.migration_helpers import runtime_role

revision = '0015_acts'
down_revision = '0014_accounts'
branch_labels = None
depends_on = None

TABLES = ("activity_records", "activity_files", "activity_participants")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        role = runtime_role()
        for table in TABLES:
            op.execute(f"GRANT DELETE ON {table} TO {role}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        role = runtime_role()
        for table in TABLES:
            op.execute(f"REVOKE DELETE ON {table} FROM {role}")
