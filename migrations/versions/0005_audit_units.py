"""audit entries carry the org unit of what they describe

The audit log was readable only as a whole (by any administrator), so a street administrator
read the whole district's before/after snapshots. From this revision each entry carries the org
unit of the row it describes (``org_unit_id``: a project's applicant, a fund's owner, a ledger
entry's fund's owner, a score's project's applicant, a membership's unit, ...; None for
tenant-wide rows such as users and tokens), and ``core.services.audit_log`` shows a reader only
the entries of the units where the permission table lets them read the log.

The choice for older entries: **backfilled once, here**, rather than scoped at read time
through the objects they describe. Scoping through the objects would need a join per entity
kind on every read, and it fails for rows that were deleted since (their entry is all that is
left). The backfill derives each entry's unit with the same rules ``core.models.auditing.unit_of``
applies when writing (frozen below as they stand at this revision): the snapshot's own unit
column, else the unit of the row it points to (fund, project, batch, programme, sponsor), looking
at the entry's before/after snapshots first and at the row as it stands now second. Entries
whose unit cannot be found stay NULL and are read only at the tenant's root.

The log is append-only even to its owner: on PostgreSQL the ``audit_entries_append_only``
trigger is disabled for this one transaction and enabled again before it commits (DDL is
transactional, so a failure leaves the trigger on and nothing written). The backfill runs
tenant by tenant with ``tongxin.tenant_id`` set, so the forced row-level security policy lets
the migration see the rows whatever role runs it. The new column gets no new grants: the
runtime role keeps INSERT and SELECT on the table, and UPDATE stays revoked (0001_core).
On SQLite the column is added in place (``ALTER TABLE ... ADD COLUMN ... REFERENCES``), not in
batch mode, as 0004 did for the ledger.

Revision ID: 0005_audit_units
Revises: 0004_money
Create Date: 2026-11-24 10:00:00.000000
"""
from alembic import op
import sqlalchemy as sa

revision = '0005_audit_units'
down_revision = '0004_money'
branch_labels = None
depends_on = None

# The rules of ``core.models.auditing`` as they stand at this revision (a migration must not import the
# application, whose rules may change later).
UNIT_COLUMNS = ("org_unit_id", "applicant_unit_id", "street_unit_id")
UNIT_LINKS = (
    ("fund_id", "funds", "org_unit_id"),
    ("project_id", "projects", "applicant_unit_id"),
    ("batch_id", "fund_request_batches", "street_unit_id"),
    ("programme_id", "programmes", "org_unit_id"),
    ("sponsor_id", "sponsors", "org_unit_id"),
)
ENTRIES = sa.table("audit_entries", sa.column("id", sa.Integer), sa.column("tenant_id", sa.Integer),
                   sa.column("entity", sa.String), sa.column("entity_id", sa.Integer),
                   sa.column("before", sa.JSON), sa.column("after", sa.JSON),
                   sa.column("org_unit_id", sa.Integer))
BATCH = 500


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute("ALTER TABLE audit_entries ADD COLUMN org_unit_id INTEGER REFERENCES org_units (id)")
    else:
        op.add_column('audit_entries', sa.Column('org_unit_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_audit_entries_org_unit_id_org_units'), 'audit_entries', 'org_units',
                              ['org_unit_id'], ['id'])
    op.create_index(op.f('ix_audit_entries_org_unit_id'), 'audit_entries', ['org_unit_id'], unique=False)
    _backfill(bind)


def _backfill(bind) -> None:
    postgres = bind.dialect.name == "postgresql"
    if postgres:
        op.execute("ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only")
    tables = set(sa.inspect(bind).get_table_names())
    for (tenant_id,) in bind.execute(sa.text("SELECT id FROM tenants ORDER BY id")).all():
        if postgres:
            bind.execute(sa.text("SELECT set_config('tongxin.tenant_id', :t, true)"), {"t": str(tenant_id)})
        _backfill_tenant(bind, tenant_id, tables)
    if postgres:
        bind.execute(sa.text("SELECT set_config('tongxin.tenant_id', '', true)"))
        op.execute("ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_append_only")


def _backfill_tenant(bind, tenant_id: int, tables: set[str]) -> None:
    lookups: dict = {}

    def unit_through(table: str, column: str, ref) -> int | None:
        if table not in tables or not isinstance(ref, int):
            return None
        if (table, ref) not in lookups:
            lookups[(table, ref)] = bind.execute(sa.text(f"SELECT {column} FROM {table} WHERE id = :id"),
                                                 {"id": ref}).scalar()
        return lookups[(table, ref)]

    def current(entity: str, entity_id) -> dict:
        if entity not in tables or not isinstance(entity_id, int):
            return {}
        row = bind.execute(sa.text(f"SELECT * FROM {entity} WHERE id = :id"), {"id": entity_id}).mappings().first()
        return dict(row) if row else {}

    last = 0
    while True:
        rows = bind.execute(sa.select(ENTRIES.c.id, ENTRIES.c.entity, ENTRIES.c.entity_id, ENTRIES.c.before,
                                      ENTRIES.c.after)
                            .where(ENTRIES.c.tenant_id == tenant_id, ENTRIES.c.id > last,
                                   ENTRIES.c.org_unit_id.is_(None))
                            .order_by(ENTRIES.c.id).limit(BATCH)).all()
        if not rows:
            return
        last = rows[-1].id
        updates = []
        for row in rows:
            unit = _unit(row, current, unit_through)
            if unit is not None:
                updates.append({"entry_id": row.id, "unit": unit})
        if updates:
            bind.execute(ENTRIES.update().where(ENTRIES.c.id == sa.bindparam("entry_id"))
                         .values(org_unit_id=sa.bindparam("unit")), updates)


def _unit(row, current, unit_through) -> int | None:
    if row.entity == "org_units":
        return row.entity_id
    # The snapshots first (a deleted row survives only there), then the row as it stands.
    doc = {**current(row.entity, row.entity_id), **(row.before or {}), **(row.after or {})}
    for key in UNIT_COLUMNS:
        if isinstance(doc.get(key), int):
            return doc[key]
    for key, table, column in UNIT_LINKS:
        unit = unit_through(table, column, doc.get(key))
        if unit is not None:
            return unit
    return None


def downgrade() -> None:
    op.drop_index(op.f('ix_audit_entries_org_unit_id'), table_name='audit_entries')
    if op.get_bind().dialect.name == "sqlite":
        # SQLite (3.35+) drops a column in place; its inline REFERENCES goes with it.
        op.execute("ALTER TABLE audit_entries DROP COLUMN org_unit_id")
    else:
        op.drop_constraint(op.f('fk_audit_entries_org_unit_id_org_units'), 'audit_entries', type_='foreignkey')
        op.drop_column('audit_entries', 'org_unit_id')
