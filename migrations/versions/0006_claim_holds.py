"""claim holds in the ledger, and each decision's funding by source

Two things issue 10 asks of the money:

- **A claim holds its amount.** Ledger entries gain two kinds, ``hold`` (money a fund sets aside
  for the project a sponsor's pledge claims, until the project is decided) and ``hold_release``
  (the hold ended), and a check that every hold names its pledge and its project
  (``ck_ledger_entries_hold_names_claim``). ``ck_ledger_entries_kind_known`` is replaced by the
  longer list.
- **One truth per amount.** ``decisions.funding`` records where an approval's money comes from,
  source by source (see ``core.services.funding``); [] for other outcomes.

On PostgreSQL the constraints are dropped and added in place. SQLite cannot change a table's
CHECK constraints, so ``ledger_entries`` is rebuilt by SQLite's own recipe (create the new
table under another name, copy every row, drop the old, rename the new, then create its indexes
and append-only triggers again from the definitions read before the drop). Alembic's batch mode
is not used: it would lose the triggers, as 0004 notes. Migrations run without SQLite's foreign
key enforcement (core.db turns it on for the application's connections only), which the recipe
needs: the self-reference ``corrects_id`` names the table being replaced.

The backfill: every approved decision written before this revision gets its funding from what
it committed, the entries keyed ``decision:<id>:<fund key>`` (the fund's name, with its tier for
a subsidy), and, if they add up to less than the approved amount, one more line for the rest,
"其他来源" (other sources), with no fund: the policy that would name it is not for a migration
to consult. On PostgreSQL the backfill runs tenant by tenant with ``tongxin.tenant_id`` set, so
the forced row-level security policy lets the owner see the rows (as 0005 does).

The downgrade forgets the holds (their rows are deleted: the kinds would break the old check;
on PostgreSQL with the append-only trigger disabled for the transaction) and the funding column.

Revision ID: 0006_claim_holds
Revises: 0005_audit_units
Create Date: 2026-11-25 10:00:00.000000
"""
from __future__ import annotations

import json
import re

from alembic import op
import sqlalchemy as sa
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

revision = '0006_claim_holds'
down_revision = '0005_audit_units'
branch_labels = None
depends_on = None

JSONDoc = sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql')
OLD_KINDS = ('allocation', 'commitment', 'release', 'disbursement', 'expense', 'refund', 'transfer_out',
             'transfer_in', 'correction')
NEW_KINDS = OLD_KINDS + ('hold', 'hold_release')
HOLD_CHECK = "kind NOT IN ('hold', 'hold_release') OR (project_id IS NOT NULL AND pledge_id IS NOT NULL)"
OTHER_SOURCES = {"zh": "其他来源", "en": "other sources"}


def _kinds_check(kinds: tuple[str, ...]) -> str:
    return "kind IN (" + ", ".join(f"'{k}'" for k in kinds) + ")"


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        _rebuild_ledger_sqlite(NEW_KINDS, hold_check=True)
    else:
        op.drop_constraint(op.f('ck_ledger_entries_kind_known'), 'ledger_entries', type_='check')
        op.create_check_constraint(op.f('ck_ledger_entries_kind_known'), 'ledger_entries', _kinds_check(NEW_KINDS))
        op.create_check_constraint(op.f('ck_ledger_entries_hold_names_claim'), 'ledger_entries', HOLD_CHECK)
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('funding', JSONDoc, nullable=False, server_default='[]'))
    _backfill(bind)


def _rebuild_ledger_sqlite(kinds: tuple[str, ...], *, hold_check: bool, keep_kinds: tuple[str, ...] | None = None) -> None:
    """SQLite's recipe for changing a table's constraints (https://sqlite.org/lang_altertable.html
    §7), on ``ledger_entries``: its definition is read back and edited, so columns added by
    earlier revisions are kept as they are."""
    bind = op.get_bind()
    table_sql = bind.execute(sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'ledger_entries'")).scalar()
    extras = [r[0] for r in bind.execute(sa.text(
        "SELECT sql FROM sqlite_master WHERE tbl_name = 'ledger_entries' AND type IN ('index', 'trigger') "
        "AND sql IS NOT NULL ORDER BY type, name"))]
    columns = [r[1] for r in bind.execute(sa.text("PRAGMA table_info(ledger_entries)"))]
    kinds_re = re.compile(r"CONSTRAINT ck_ledger_entries_kind_known CHECK \(kind IN \([^)]*\)\)")
    # SQLite quotes the name once a table has been renamed (as the upgrade's rebuild does).
    create_re = re.compile(r'^CREATE TABLE "?ledger_entries"? \(')
    if not kinds_re.search(table_sql) or not create_re.match(table_sql):
        raise RuntimeError("ledger_entries is not as revision 0005 left it; refusing to rebuild it")
    new_sql = kinds_re.sub(f"CONSTRAINT ck_ledger_entries_kind_known CHECK ({_kinds_check(kinds)})", table_sql)
    hold_re = re.compile(r", \n\tCONSTRAINT ck_ledger_entries_hold_names_claim CHECK \(.*?\)\)(?=, \n)")
    new_sql = hold_re.sub("", new_sql)
    if hold_check:
        new_sql = new_sql.replace("\n\tCONSTRAINT ck_ledger_entries_amount_positive",
                                  f"\n\tCONSTRAINT ck_ledger_entries_hold_names_claim CHECK ({HOLD_CHECK}), "
                                  "\n\tCONSTRAINT ck_ledger_entries_amount_positive", 1)
    new_sql = create_re.sub("CREATE TABLE ledger_entries_rebuilt (", new_sql, count=1)
    listed = ", ".join(columns)
    where = "" if keep_kinds is None else f" WHERE {_kinds_check(keep_kinds)}"
    op.execute(new_sql)
    op.execute(f"INSERT INTO ledger_entries_rebuilt ({listed}) SELECT {listed} FROM ledger_entries{where}")
    op.execute("DROP TABLE ledger_entries")
    op.execute("ALTER TABLE ledger_entries_rebuilt RENAME TO ledger_entries")
    for sql in extras:
        op.execute(sql)


def _backfill(bind) -> None:
    postgres = bind.dialect.name == "postgresql"
    for (tenant_id,) in bind.execute(sa.text("SELECT id FROM tenants ORDER BY id")).all():
        if postgres:
            bind.execute(sa.text("SELECT set_config('tongxin.tenant_id', :t, true)"), {"t": str(tenant_id)})
        _backfill_tenant(bind, tenant_id)
    if postgres:
        bind.execute(sa.text("SELECT set_config('tongxin.tenant_id', '', true)"))


def _backfill_tenant(bind, tenant_id: int) -> None:
    decisions = bind.execute(sa.text(
        "SELECT id, approved_fen FROM decisions WHERE tenant_id = :t AND outcome = 'approved' AND approved_fen > 0"
        " ORDER BY id"), {"t": tenant_id}).all()
    for decision_id, approved in decisions:
        rows = bind.execute(sa.text(
            "SELECT e.id, e.fund_id, e.amount_fen, f.name, f.tier, f.kind FROM ledger_entries e"
            " JOIN funds f ON f.id = e.fund_id"
            " WHERE e.tenant_id = :t AND e.kind = 'commitment' AND e.idempotency_key LIKE :key ORDER BY e.id"),
            {"t": tenant_id, "key": f"decision:{decision_id}:%"}).all()
        lines, total = [], 0
        for _, fund_id, amount, name, tier, _kind in rows:
            label = name + (f"·{tier}" if tier else "")
            lines.append({"source": "fund", "label": {"zh": label, "en": label}, "fund_id": fund_id,
                          "pledge_id": None, "amount_fen": int(amount), "committed_fen": int(amount)})
            total += int(amount)
        if total < approved:
            lines.append({"source": "other", "label": OTHER_SOURCES, "fund_id": None, "pledge_id": None,
                          "amount_fen": int(approved) - total, "committed_fen": 0})
        value = "CAST(:funding AS JSONB)" if bind.dialect.name == "postgresql" else ":funding"
        bind.execute(sa.text(f"UPDATE decisions SET funding = {value} WHERE id = :id"),
                     {"funding": json.dumps(lines, ensure_ascii=False), "id": decision_id})


def downgrade() -> None:
    bind = op.get_bind()
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.drop_column('funding')
    if bind.dialect.name == "sqlite":
        _rebuild_ledger_sqlite(OLD_KINDS, hold_check=False, keep_kinds=OLD_KINDS)
        return
    op.execute("ALTER TABLE ledger_entries DISABLE TRIGGER ledger_entries_append_only")
    for (tenant_id,) in bind.execute(sa.text("SELECT id FROM tenants ORDER BY id")).all():
        bind.execute(sa.text("SELECT set_config('tongxin.tenant_id', :t, true)"), {"t": str(tenant_id)})
        bind.execute(sa.text("DELETE FROM ledger_entries WHERE kind IN ('hold', 'hold_release')"))
    bind.execute(sa.text("SELECT set_config('tongxin.tenant_id', '', true)"))
    op.execute("ALTER TABLE ledger_entries ENABLE TRIGGER ledger_entries_append_only")
    op.drop_constraint(op.f('ck_ledger_entries_hold_names_claim'), 'ledger_entries', type_='check')
    op.drop_constraint(op.f('ck_ledger_entries_kind_known'), 'ledger_entries', type_='check')
    op.create_check_constraint(op.f('ck_ledger_entries_kind_known'), 'ledger_entries', _kinds_check(OLD_KINDS))
