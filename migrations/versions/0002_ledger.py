"""funds and the append-only money ledger

Funds (budget lines, pools, subsidies, sponsor funds) and their ledger entries. On PostgreSQL
both tables get the same tenant policy as the core tables (ENABLE + FORCE row-level security)
and the runtime role's grants; ledger entries are append-only twice over: the runtime role
may not UPDATE, DELETE or TRUNCATE them, and a BEFORE UPDATE OR DELETE trigger (core's
``tongxin_append_only()``) refuses it even for the owner. On SQLite, where there are no roles,
the same two triggers are plain SQLite triggers, so the embedded profile refuses edits too.

Revision ID: 0002_ledger
Revises: 0001_core
Create Date: 2026-11-23 10:00:00.000000
"""
from alembic import context, op
import sqlalchemy as sa

revision = '0002_ledger'
down_revision = '0001_core'
branch_labels = None
depends_on = None

LEDGER_TABLES = ("funds", "ledger_entries")
TENANT_PREDICATE = "tenant_id = NULLIF(current_setting('tongxin.tenant_id', true), '')::integer"


def upgrade() -> None:
    op.create_table('funds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('tier', sa.String(length=64), nullable=True),
    sa.Column('cap_fen', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("(kind = 'subsidy') = (tier IS NOT NULL)", name=op.f('ck_funds_tier_iff_subsidy')),
    sa.CheckConstraint("kind IN ('budget_line', 'pool', 'subsidy', 'sponsor_fund')", name=op.f('ck_funds_kind_known')),
    sa.CheckConstraint('cap_fen IS NULL OR cap_fen >= 0', name=op.f('ck_funds_cap_not_negative')),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_funds_org_unit_id_org_units')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_funds_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funds')),
    sa.UniqueConstraint('org_unit_id', 'year', 'kind', 'name', name=op.f('uq_funds_org_unit_id_year_kind_name'))
    )
    with op.batch_alter_table('funds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_funds_org_unit_id'), ['org_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_funds_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('ledger_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('memo', sa.String(length=500), nullable=False),
    sa.Column('idempotency_key', sa.String(length=200), nullable=True),
    sa.Column('corrects_id', sa.Integer(), nullable=True),
    sa.Column('transfer_id', sa.String(length=36), nullable=True),
    sa.Column('receipt_attachment_id', sa.Integer(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("(kind = 'correction') = (corrects_id IS NOT NULL)", name=op.f('ck_ledger_entries_correction_names_entry')),
    sa.CheckConstraint("(kind IN ('transfer_out', 'transfer_in')) = (transfer_id IS NOT NULL)", name=op.f('ck_ledger_entries_transfer_has_id')),
    sa.CheckConstraint("idempotency_key IS NOT NULL OR kind = 'transfer_in'", name=op.f('ck_ledger_entries_key_present')),
    sa.CheckConstraint("kind IN ('allocation', 'commitment', 'release', 'disbursement', 'expense', 'refund', 'transfer_out', 'transfer_in', 'correction')", name=op.f('ck_ledger_entries_kind_known')),
    sa.CheckConstraint("receipt_attachment_id IS NULL OR kind = 'expense'", name=op.f('ck_ledger_entries_receipt_only_on_expense')),
    sa.CheckConstraint('amount_fen > 0', name=op.f('ck_ledger_entries_amount_positive')),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_ledger_entries_actor_id_users')),
    sa.ForeignKeyConstraint(['corrects_id'], ['ledger_entries.id'], name=op.f('fk_ledger_entries_corrects_id_ledger_entries')),
    sa.ForeignKeyConstraint(['fund_id'], ['funds.id'], name=op.f('fk_ledger_entries_fund_id_funds')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_ledger_entries_project_id_projects')),
    sa.ForeignKeyConstraint(['receipt_attachment_id'], ['attachments.id'], name=op.f('fk_ledger_entries_receipt_attachment_id_attachments')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_ledger_entries_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_entries')),
    sa.UniqueConstraint('tenant_id', 'idempotency_key', name=op.f('uq_ledger_entries_tenant_id_idempotency_key')),
    sa.UniqueConstraint('transfer_id', 'kind', name=op.f('uq_ledger_entries_transfer_id_kind'))
    )
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_entries_corrects_id'), ['corrects_id'], unique=False)
        batch_op.create_index('ix_ledger_entries_fund_id_kind', ['fund_id', 'kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entries_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entries_tenant_id'), ['tenant_id'], unique=False)

    _postgres_security()
    _sqlite_append_only()


def _runtime_role() -> str:
    role = context.config.attributes.get("runtime_role") or "tongxin_app"
    if not role.replace("_", "").isalnum():
        raise ValueError(f"unsafe role name {role!r}")
    return role


def _postgres_security() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    role = _runtime_role()
    # 0001 created the role and default privileges; grant explicitly anyway so this revision
    # does not depend on who ran the earlier one.
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON funds TO {role}")
    op.execute(f"GRANT SELECT, INSERT ON ledger_entries TO {role}")
    op.execute(f"GRANT USAGE, SELECT ON SEQUENCE funds_id_seq, ledger_entries_id_seq TO {role}")
    # The default privileges granted UPDATE and DELETE on every new table: take them back.
    op.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON ledger_entries FROM {role}")
    for table in LEDGER_TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY tenant_isolation ON {table} USING ({TENANT_PREDICATE}) WITH CHECK ({TENANT_PREDICATE})")
    op.execute("""CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
                  FOR EACH ROW EXECUTE FUNCTION tongxin_append_only()""")


def _sqlite_append_only() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for event in ("UPDATE", "DELETE"):
        op.execute(f"""CREATE TRIGGER ledger_entries_no_{event.lower()} BEFORE {event} ON ledger_entries
                       BEGIN SELECT RAISE(ABORT, 'ledger_entries is append-only'); END""")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS ledger_entries_append_only ON ledger_entries")
        for table in LEDGER_TABLES:
            op.execute(f"DROP POLICY IF EXISTS tenant_isolation ON {table}")
    elif dialect == "sqlite":
        for event in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS ledger_entries_no_{event}")
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_entries_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_entries_project_id'))
        batch_op.drop_index('ix_ledger_entries_fund_id_kind')
        batch_op.drop_index(batch_op.f('ix_ledger_entries_corrects_id'))

    op.drop_table('ledger_entries')
    with op.batch_alter_table('funds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_funds_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_funds_org_unit_id'))

    op.drop_table('funds')
