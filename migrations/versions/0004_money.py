"""money: sponsors and pledges, monthly fund requests and batches, leaders' authority

Adds what issue 4's money flow needs beyond the ledger of 0002: sponsors (共建单位) and their
pledges to co-governance funds, monthly fund requests (资金申请) batched per street and month,
a street leader's authority limit on memberships, and two tracing links on ledger entries (the
pledge an allocation brought in, the fund request a disbursement answers).

The new tables are tenant-owned and get the forced row-level security policy of the core
tables. ``ledger_entries`` stays append-only: its new columns are added in place (on SQLite
with ``ALTER TABLE ... ADD COLUMN ... REFERENCES``, not batch mode, whose copy-and-rename
would drop the append-only triggers and the table's CHECK constraints).

Revision ID: 0004_money
Revises: 0003_endorsement
Create Date: 2026-11-23 09:40:00.000000
"""
from alembic import op
import sqlalchemy as sa

from core.plugin_host.migration_helpers import disable_tenant_rls, enable_tenant_rls

NEW_TABLES = ("fund_request_batches", "sponsors", "pledges", "fund_requests")


revision = '0004_money'
down_revision = '0003_endorsement'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('fund_request_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('street_unit_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approved_total_fen', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("state IN ('open', 'approved')", name=op.f('ck_fund_request_batches_state_known')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_fund_request_batches_approved_by_id_users')),
    sa.ForeignKeyConstraint(['street_unit_id'], ['org_units.id'], name=op.f('fk_fund_request_batches_street_unit_id_org_units')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_fund_request_batches_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fund_request_batches')),
    sa.UniqueConstraint('street_unit_id', 'month', name=op.f('uq_fund_request_batches_street_unit_id_month'))
    )
    with op.batch_alter_table('fund_request_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fund_request_batches_street_unit_id'), ['street_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fund_request_batches_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('sponsors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('contact', sa.String(length=200), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('enterprise', 'institution', 'foundation', 'alliance', 'government', 'individual')", name=op.f('ck_sponsors_kind_known')),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_sponsors_org_unit_id_org_units')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_sponsors_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sponsors_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sponsors')),
    sa.UniqueConstraint('org_unit_id', 'name', name=op.f('uq_sponsors_org_unit_id_name'))
    )
    with op.batch_alter_table('sponsors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sponsors_org_unit_id'), ['org_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sponsors_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sponsors_user_id'), ['user_id'], unique=False)

    op.create_table('pledges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sponsor_id', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('in_kind', sa.String(length=500), nullable=False),
    sa.Column('occasion', sa.String(length=200), nullable=False),
    sa.Column('pledged_on', sa.Date(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("amount_fen > 0 OR in_kind <> ''", name=op.f('ck_pledges_promises_something')),
    sa.CheckConstraint('amount_fen >= 0', name=op.f('ck_pledges_amount_not_negative')),
    sa.ForeignKeyConstraint(['fund_id'], ['funds.id'], name=op.f('fk_pledges_fund_id_funds')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_pledges_project_id_projects')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_pledges_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['sponsor_id'], ['sponsors.id'], name=op.f('fk_pledges_sponsor_id_sponsors')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_pledges_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pledges')),
    sa.UniqueConstraint('tenant_id', 'idempotency_key', name=op.f('uq_pledges_tenant_id_idempotency_key'))
    )
    with op.batch_alter_table('pledges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pledges_fund_id'), ['fund_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pledges_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pledges_sponsor_id'), ['sponsor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pledges_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('fund_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('purpose', sa.String(length=500), nullable=False),
    sa.Column('beneficiaries', sa.String(length=500), nullable=False),
    sa.Column('budget_item_id', sa.Integer(), nullable=True),
    sa.Column('budget_line', sa.String(length=200), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('supervised_by_id', sa.Integer(), nullable=True),
    sa.Column('supervised_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('supervision_note', sa.String(length=500), nullable=False),
    sa.Column('checked_by_id', sa.Integer(), nullable=True),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.Column('refusal_reason', sa.String(length=500), nullable=False),
    sa.Column('disbursed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("state IN ('submitted', 'supervised', 'checked', 'approved', 'disbursed', 'refused', 'withdrawn')", name=op.f('ck_fund_requests_state_known')),
    sa.CheckConstraint('amount_fen > 0', name=op.f('ck_fund_requests_amount_positive')),
    sa.ForeignKeyConstraint(['batch_id'], ['fund_request_batches.id'], name=op.f('fk_fund_requests_batch_id_fund_request_batches')),
    sa.ForeignKeyConstraint(['budget_item_id'], ['budget_items.id'], name=op.f('fk_fund_requests_budget_item_id_budget_items'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['checked_by_id'], ['users.id'], name=op.f('fk_fund_requests_checked_by_id_users')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_fund_requests_project_id_projects')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_fund_requests_requested_by_id_users')),
    sa.ForeignKeyConstraint(['supervised_by_id'], ['users.id'], name=op.f('fk_fund_requests_supervised_by_id_users')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_fund_requests_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fund_requests'))
    )
    with op.batch_alter_table('fund_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fund_requests_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fund_requests_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fund_requests_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_fund_requests_tenant_id'), ['tenant_id'], unique=False)

    _ledger_links()
    # Requests, batches, sponsors and pledges are records: they change state, never vanish.
    for table in NEW_TABLES:
        enable_tenant_rls(op, table, records=True)

    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.add_column(sa.Column('authority_limit_fen', sa.BigInteger(), nullable=True))



def _ledger_links() -> None:
    links = (("pledge_id", "pledges"), ("fund_request_id", "fund_requests"))
    if op.get_bind().dialect.name == "sqlite":
        for column, table in links:
            op.execute(f"ALTER TABLE ledger_entries ADD COLUMN {column} INTEGER REFERENCES {table} (id)")
    else:
        for column, table in links:
            op.add_column('ledger_entries', sa.Column(column, sa.Integer(), nullable=True))
            op.create_foreign_key(op.f(f'fk_ledger_entries_{column}_{table}'), 'ledger_entries', table, [column], ['id'])
    for column, _ in links:
        op.create_index(op.f(f'ix_ledger_entries_{column}'), 'ledger_entries', [column], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_column('authority_limit_fen')

    for column, table in (("fund_request_id", "fund_requests"), ("pledge_id", "pledges")):
        op.drop_index(op.f(f'ix_ledger_entries_{column}'), table_name='ledger_entries')
        if op.get_bind().dialect.name == "sqlite":
            # SQLite (3.35+) drops a column in place; its inline REFERENCES goes with it.
            op.execute(f"ALTER TABLE ledger_entries DROP COLUMN {column}")
        else:
            op.drop_constraint(op.f(f'fk_ledger_entries_{column}_{table}'), 'ledger_entries', type_='foreignkey')
            op.drop_column('ledger_entries', column)
    for table in NEW_TABLES:
        disable_tenant_rls(op, table)

    with op.batch_alter_table('fund_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fund_requests_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_fund_requests_state'))
        batch_op.drop_index(batch_op.f('ix_fund_requests_project_id'))
        batch_op.drop_index(batch_op.f('ix_fund_requests_batch_id'))

    op.drop_table('fund_requests')
    with op.batch_alter_table('pledges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pledges_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_pledges_sponsor_id'))
        batch_op.drop_index(batch_op.f('ix_pledges_project_id'))
        batch_op.drop_index(batch_op.f('ix_pledges_fund_id'))

    op.drop_table('pledges')
    with op.batch_alter_table('sponsors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sponsors_user_id'))
        batch_op.drop_index(batch_op.f('ix_sponsors_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_sponsors_org_unit_id'))

    op.drop_table('sponsors')
    with op.batch_alter_table('fund_request_batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fund_request_batches_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_fund_request_batches_street_unit_id'))

    op.drop_table('fund_request_batches')
