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
- **the office accepts; "check" is no one's step.** The street office's step on a fund request
  is its acceptance (审核): the state ``checked`` becomes ``accepted`` (the check constraint
  ``ck_fund_requests_state_known`` lists the new word) and ``fund_requests.checked_by_id`` /
  ``checked_at`` become ``accepted_by_id`` / ``accepted_at``.

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
from typing import NamedTuple

from alembic import op
import sqlalchemy as sa

revision = '0008_glossary'
down_revision = '0007_stacked_policies'
branch_labels = None
depends_on = None



class ValueRename(NamedTuple):
    """A stored value renamed in ``column``, whose check ``check`` lists ``listed`` ('{}' the value)."""
    column: str
    check: str
    old: str
    new: str
    listed: tuple[str, ...]

    def reversed(self) -> "ValueRename":
        return self._replace(old=self.new, new=self.old)

    def states(self, word: str) -> str:
        return f"{self.column} IN (" + ", ".join(f"'{v.format(word)}'" for v in self.listed) + ")"


# table -> the column renames (old, new), the constraint renames (old, new, full names) and the
# value renamed, if any.
RENAMES = {
    "fund_requests": {
        "columns": (("budget_line", "budget_item_description"), ("checked_by_id", "accepted_by_id"),
                    ("checked_at", "accepted_at")),
        "constraints": (("fk_fund_requests_checked_by_id_users", "fk_fund_requests_accepted_by_id_users"),),
        "values": ValueRename("state", "ck_fund_requests_state_known", "checked", "accepted",
                              ('submitted', 'supervised', '{}', 'approved', 'disbursed', 'refused', 'withdrawn')),
    },
    "ledger_entries": {
        "columns": (("receipt_attachment_id", "voucher_attachment_id"),),
        "constraints": (("ck_ledger_entries_receipt_only_on_expense", "ck_ledger_entries_voucher_only_on_expense"),
                        ("fk_ledger_entries_receipt_attachment_id_attachments",
                         "fk_ledger_entries_voucher_attachment_id_attachments")),
        "values": None,
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
    _rename({table: {"columns": _reverse(spec["columns"]), "constraints": _reverse(spec["constraints"]),
                     "values": spec["values"] and spec["values"].reversed()}
             for table, spec in RENAMES.items()})


def _reverse(pairs):
    return tuple((new, old) for old, new in pairs)


def _rename(renames: dict) -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, spec in renames.items():
        if sqlite:
            if spec["constraints"] or spec["values"]:
                _rebuild_sqlite(table, spec["columns"], spec["constraints"], spec["values"])
            else:  # SQLite 3.25+ renames a column in place, with the checks and indexes naming it
                for old, new in spec["columns"]:
                    op.execute(f"ALTER TABLE {table} RENAME COLUMN {old} TO {new}")
            continue
        for old, new in spec["columns"]:
            op.execute(f"ALTER TABLE {table} RENAME COLUMN {old} TO {new}")
        for old, new in spec["constraints"]:
            op.execute(f"ALTER TABLE {table} RENAME CONSTRAINT {old} TO {new}")
        if spec["values"]:
            v = spec["values"]
            op.execute(f"ALTER TABLE {table} DROP CONSTRAINT {v.check}")
            _update_values(f"UPDATE {table} SET {v.column} = '{v.new}' WHERE {v.column} = '{v.old}'")
            op.execute(f"ALTER TABLE {table} ADD CONSTRAINT {v.check} CHECK ({v.states(v.new)})")


def _rebuild_sqlite(table: str, columns, constraints, values: ValueRename | None) -> None:
    """SQLite's recipe for changing a table's constraints (https://sqlite.org/lang_altertable.html
    §7): the definition is read back and edited (column and constraint names, as whole words, and
    the list of a renamed value's check), so whatever earlier revisions left is kept as it is;
    the renamed value is renamed in the rows as they are copied."""
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

    new_sql = edit(table_sql)
    renamed = dict(columns)
    news = [renamed.get(c, c) for c in olds]
    selected = list(olds)
    if values:
        v = values
        listed = f"CONSTRAINT {v.check} CHECK ({v.states(v.old)})"
        if listed not in new_sql:
            raise RuntimeError(f"{table}'s {v.check} is not as revision 0007 left it; refusing to rebuild it")
        new_sql = new_sql.replace(listed, f"CONSTRAINT {v.check} CHECK ({v.states(v.new)})")
        selected[olds.index(v.column)] = f"CASE {v.column} WHEN '{v.old}' THEN '{v.new}' ELSE {v.column} END"
    op.execute(create_re.sub(f"CREATE TABLE {table}_rebuilt (", new_sql, count=1))
    op.execute(f"INSERT INTO {table}_rebuilt ({', '.join(news)}) SELECT {', '.join(selected)} FROM {table}")
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
