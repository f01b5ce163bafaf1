"""one word per thing: stored names follow the glossary (docs/glossary.md)

Issue 11's rename pass gave each collided word one meaning in code, API and docs. Where the
word was also a stored name, this revision renames it, so the schema a newcomer reads says
what the code says:

- **budget item, not budget line.** A fund request keeps the description of the budget item it
  names: ``fund_requests.budget_line`` becomes ``budget_item_description`` ("budget line" is
  only the fund kind 居民自治经费, whose stored kind ``budget_line`` stays).
- **voucher, not receipt.** An expense's proof (凭证/发票) is a voucher; "receipt" is money
  received on a pledge (到账). ``ledger_entries.receipt_attachment_id`` becomes
  ``voucher_attachment_id`` (its check ``..._receipt_only_on_expense`` and foreign key are
  renamed with it), and the attachments that are an expense's voucher change kind from
  ``receipt`` to ``voucher``.

The renames are schema changes and a few values; nothing is recomputed. On PostgreSQL columns
and constraints are renamed in place (row-level security policies, grants and triggers follow
the table, not the name), and values are updated tenant by tenant with ``tongxin.tenant_id``
set, so the forced row-level security policy lets the migration see the rows whatever role
runs it (as 0005 and 0006 do). SQLite cannot rename a constraint, so a table whose constraints
change is rebuilt by SQLite's own recipe, as 0006 does for ``ledger_entries`` (its definition is
read back and edited, every row copied, its indexes and append-only triggers created again;
Alembic's batch mode would lose the triggers); migrations run without SQLite's foreign key
enforcement, which the recipe needs.

What stays: the audit log is append-only, so its older entries keep the words of their day
(an action ``fund_request.receipt``, say). The ledger is append-only too: its rows are copied
(SQLite) or their column renamed (PostgreSQL), never updated.

Revision ID: 0008_glossary
Revises: 0007_stacked_policies
Create Date: 2026-11-28 10:00:00.000000
"""
from __future__ import annotations

import re

from alembic import op
import sqlalchemy as sa

revision = '0008_glossary'
down_revision = '0007_stacked_policies'
branch_labels = None
depends_on = None

# table -> the column renames (old, new) and the constraint renames (old, new), full names.
RENAMES = {
    "fund_requests": {"columns": (("budget_line", "budget_item_description"),), "constraints": ()},
    "ledger_entries": {
        "columns": (("receipt_attachment_id", "voucher_attachment_id"),),
        "constraints": (("ck_ledger_entries_receipt_only_on_expense", "ck_ledger_entries_voucher_only_on_expense"),
                        ("fk_ledger_entries_receipt_attachment_id_attachments",
                         "fk_ledger_entries_voucher_attachment_id_attachments")),
    },
}
# An expense's voucher: the attachment an expense entry names (after the column rename).
VOUCHER_KIND = ("receipt", "voucher")
VOUCHERS = "id IN (SELECT voucher_attachment_id FROM ledger_entries WHERE voucher_attachment_id IS NOT NULL)"


def upgrade() -> None:
    _rename(RENAMES)
    _update_values(f"UPDATE attachments SET kind = '{VOUCHER_KIND[1]}' WHERE kind = '{VOUCHER_KIND[0]}' AND {VOUCHERS}")


def downgrade() -> None:
    _update_values(f"UPDATE attachments SET kind = '{VOUCHER_KIND[0]}' WHERE kind = '{VOUCHER_KIND[1]}' AND {VOUCHERS}")
    _rename({table: {what: tuple((new, old) for old, new in pairs) for what, pairs in spec.items()}
             for table, spec in RENAMES.items()})


def _rename(renames: dict) -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, spec in renames.items():
        if sqlite:
            if spec["constraints"]:
                _rebuild_sqlite(table, spec["columns"], spec["constraints"])
            else:  # SQLite 3.25+ renames a column in place, with the checks and indexes naming it
                for old, new in spec["columns"]:
                    op.execute(f"ALTER TABLE {table} RENAME COLUMN {old} TO {new}")
            continue
        for old, new in spec["columns"]:
            op.execute(f"ALTER TABLE {table} RENAME COLUMN {old} TO {new}")
        for old, new in spec["constraints"]:
            op.execute(f"ALTER TABLE {table} RENAME CONSTRAINT {old} TO {new}")


def _rebuild_sqlite(table: str, columns, constraints) -> None:
    """SQLite's recipe for changing a table's constraints (https://sqlite.org/lang_altertable.html
    §7): the definition is read back and edited (column and constraint names, as whole words),
    so whatever earlier revisions left is kept as it is."""
    bind = op.get_bind()
    table_sql = bind.execute(sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :t"), {"t": table}).scalar()
    extras = [r[0] for r in bind.execute(sa.text(
        "SELECT sql FROM sqlite_master WHERE tbl_name = :t AND type IN ('index', 'trigger') "
        "AND sql IS NOT NULL ORDER BY type, name"), {"t": table})]
    olds = [r[1] for r in bind.execute(sa.text(f"PRAGMA table_info({table})"))]
    # SQLite quotes the name once a table has been renamed (as a rebuild does).
    create_re = re.compile(rf'^CREATE TABLE "?{table}"? \(')
    if not create_re.match(table_sql):
        raise RuntimeError(f"{table} is not as revision 0007 left it; refusing to rebuild it")

    def edit(sql: str) -> str:
        for old, new in (*columns, *constraints):
            sql = re.sub(rf"\b{old}\b", new, sql)
        return sql

    renamed = dict(columns)
    news = [renamed.get(c, c) for c in olds]
    op.execute(create_re.sub(f"CREATE TABLE {table}_rebuilt (", edit(table_sql), count=1))
    op.execute(f"INSERT INTO {table}_rebuilt ({', '.join(news)}) SELECT {', '.join(olds)} FROM {table}")
    op.execute(f"DROP TABLE {table}")
    op.execute(f"ALTER TABLE {table}_rebuilt RENAME TO {table}")
    for sql in extras:
        op.execute(edit(sql))


def _update_values(statement: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        bind.execute(sa.text(statement))
        return
    for (tenant_id,) in bind.execute(sa.text("SELECT id FROM tenants ORDER BY id")).all():
        bind.execute(sa.text("SELECT set_config('tongxin.tenant_id', :t, true)"), {"t": str(tenant_id)})
        bind.execute(sa.text(statement))
    bind.execute(sa.text("SELECT set_config('tongxin.tenant_id', '', true)"))
