"""outbox: the tasks a unit of work asks for, recorded in its own transaction

Issue 15 ("Nothing lost") found that with the broker down, submitting a project answered 500
after 20 seconds although the project was committed, and its notification was lost for good.
The task is now a row of ``outbox_messages`` written in the same transaction as the change;
the relay (``core.tasks.relay``) sends it after the commit, and again from the periodic relay
while the broker is down. Tenant-owned, with the forced row-level security policy of the other
tables; the runtime role may delete from it (sent rows are bookkeeping, not records).

Revision ID: 0016_outbox
Revises: 0015_acts
Create Date: 2026-11-29 10:00:00.000000
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

from core.plugin_host.migration_helpers import disable_tenant_rls, enable_tenant_rls

revision = '0016_outbox'
down_revision = '0015_acts'
branch_labels = None
depends_on = None

JSONDoc = sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql')


def upgrade() -> None:
    op.create_table('outbox_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task', sa.String(length=100), nullable=False),
    sa.Column('kwargs', JSONDoc, nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("state IN ('pending', 'sent', 'gave_up')", name=op.f('ck_outbox_messages_state_known')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_outbox_messages_tenant_id_tenants'),
                            ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_messages'))
    )
    op.create_index(op.f('ix_outbox_messages_tenant_id'), 'outbox_messages', ['tenant_id'], unique=False)
    op.create_index('ix_outbox_messages_pending', 'outbox_messages', ['tenant_id', 'state', 'id'], unique=False)
    enable_tenant_rls(op, 'outbox_messages')


def downgrade() -> None:
    disable_tenant_rls(op, 'outbox_messages')
    op.drop_index('ix_outbox_messages_pending', table_name='outbox_messages')
    op.drop_index(op.f('ix_outbox_messages_tenant_id'), table_name='outbox_messages')
    op.drop_table('outbox_messages')
