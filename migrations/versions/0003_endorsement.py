"""endorsement by an intermediate level, change requests, decision details

Adds what a city-wide call needs that a street's call did not: endorsements (a town stamps or
returns its communities' applications), recorded change requests on approved projects, and a
``details`` document on decisions for a policy's own decision form (e.g. a subsidy tier).
Both new tables are tenant-owned: on PostgreSQL they get the same forced row-level security
policy as the core tables (the runtime role's grants come from the default privileges set in
0001_core).

Revision ID: 0003_endorsement
Revises: 0002_ledger
Create Date: 2026-11-22 23:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

revision = '0003_endorsement'
down_revision = '0002_ledger'
branch_labels = None
depends_on = None

JSONDoc = sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql')
NEW_TABLES = ("endorsements", "change_requests")
TENANT_PREDICATE = "tenant_id = NULLIF(current_setting('tongxin.tenant_id', true), '')::integer"


def upgrade() -> None:
    op.create_table('endorsements',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('outcome', sa.String(length=20), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('stamp_attachment_id', sa.Integer(), nullable=True),
        sa.Column('endorsed_by_id', sa.Integer(), nullable=False),
        sa.Column('endorsed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['endorsed_by_id'], ['users.id'], name=op.f('fk_endorsements_endorsed_by_id_users')),
        sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_endorsements_project_id_projects'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['stamp_attachment_id'], ['attachments.id'], name=op.f('fk_endorsements_stamp_attachment_id_attachments')),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_endorsements_tenant_id_tenants'), ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['unit_id'], ['org_units.id'], name=op.f('fk_endorsements_unit_id_org_units')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_endorsements')),
    )
    with op.batch_alter_table('endorsements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_endorsements_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_endorsements_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('change_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('proposed_track', sa.String(length=64), nullable=True),
        sa.Column('proposed_forms', JSONDoc, nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=False),
        sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('decision_reason', sa.Text(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_change_requests_decided_by_id_users')),
        sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_change_requests_project_id_projects'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_change_requests_requested_by_id_users')),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_change_requests_tenant_id_tenants'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_change_requests')),
    )
    with op.batch_alter_table('change_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_change_requests_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_change_requests_tenant_id'), ['tenant_id'], unique=False)

    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('details', JSONDoc, nullable=False, server_default='{}'))

    if op.get_bind().dialect.name == "postgresql":
        for table in NEW_TABLES:
            op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
            op.execute(f"CREATE POLICY tenant_isolation ON {table} USING ({TENANT_PREDICATE}) WITH CHECK ({TENANT_PREDICATE})")


def downgrade() -> None:
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.drop_column('details')
    op.drop_table('change_requests')
    op.drop_table('endorsements')
