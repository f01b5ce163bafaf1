"""one word per thing: stored names follow the glossary (docs/glossary.md)

Issue 11's rename pass gave each collided word one meaning in code, API and docs. Where the
word was also a stored name, this revision renames it, so the schema a newcomer reads says
what the code says:

- **budget item, not budget line.** A fund request keeps the description of the budget item it
  names: ``fund_requests.budget_line`` becomes ``budget_item_description`` ("budget line" is
  only the fund kind 居民自治经费, whose stored kind ``budget_line`` stays).

The renames are schema changes and a few values; nothing is recomputed. On PostgreSQL the
columns and constraints are renamed in place (their row-level security policies, grants and
triggers follow the table, not the name). On SQLite a column is renamed in place
(``ALTER TABLE ... RENAME COLUMN``, SQLite 3.25+, which rewrites the CHECK constraints,
indexes and triggers that name it); a table whose CHECK constraints change is rebuilt by
SQLite's own recipe, as 0006 does for ``ledger_entries`` (Alembic's batch mode would lose the
append-only triggers).

What stays: the audit log is append-only, so its older entries keep the words of their day.

Revision ID: 0008_glossary
Revises: 0007_stacked_policies
Create Date: 2026-11-28 10:00:00.000000
"""
from __future__ import annotations

from alembic import op

revision = '0008_glossary'
down_revision = '0007_stacked_policies'
branch_labels = None
depends_on = None

# (table, old column, new column)
COLUMNS = (
    ("fund_requests", "budget_line", "budget_item_description"),
)


def upgrade() -> None:
    _rename_columns(COLUMNS)


def downgrade() -> None:
    _rename_columns(tuple((table, new, old) for table, old, new in reversed(COLUMNS)))


def _rename_columns(columns) -> None:
    for table, old, new in columns:
        op.execute(f"ALTER TABLE {table} RENAME COLUMN {old} TO {new}")
