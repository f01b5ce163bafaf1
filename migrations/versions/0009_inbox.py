"""the inbox: e-mail deliveries of notifications, and roles handed over to a successor

Issue 13 (item 7) asks for an inbox for every role, e-mail as a second channel, and a role
handed over with its open to-dos. To-dos are computed (``core.plugin_host.todo``), so only two
things are stored:

- ``mail_deliveries``: one row per notification mailed (unique ``notification_id``), with its
  state (sending, sent, failed, gave_up), attempts, last error and when to try again: what
  makes the sender idempotent and a failure retried, never lost (``core.tasks.mail``);
- ``role_handovers``: who handed which role at which unit to whom, why, with the leader's
  authority carried over and how many to-dos and panel seats went with it
  (``core.services.handover``).

Both are tenant-owned: on PostgreSQL they get the forced row-level security policy the other
tables have. No existing row changes, so there is nothing to backfill; the downgrade drops both.

Revision ID: 0009_inbox
Revises: 0008_glossary
Create Date: 2026-12-02 10:00:00.000000
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa

from core.plugin_host.migration_helpers import enable_tenant_rls

revision = '0009_inbox'
down_revision = '0008_glossary'
branch_labels = None
depends_on = None

NEW_TABLES = ("mail_deliveries", "role_handovers")
DELIVERY_STATES = ('sending', 'sent', 'failed', 'gave_up')


def upgrade() -> None:
    op.create_table('mail_deliveries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('notification_id', sa.Integer(), nullable=False),
        sa.Column('address', sa.String(length=200), nullable=False),
        sa.Column('state', sa.String(length=20), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.CheckConstraint("state IN (" + ", ".join(f"'{s}'" for s in DELIVERY_STATES) + ")",
                           name=op.f('ck_mail_deliveries_state_known')),
        sa.ForeignKeyConstraint(['notification_id'], ['notifications.id'],
                                name=op.f('fk_mail_deliveries_notification_id_notifications'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_mail_deliveries_tenant_id_tenants'),
                                ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_deliveries')),
        sa.UniqueConstraint('notification_id', name=op.f('uq_mail_deliveries_notification_id')),
    )
    with op.batch_alter_table('mail_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mail_deliveries_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_mail_deliveries_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('role_handovers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('org_unit_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=32), nullable=False),
        sa.Column('from_user_id', sa.Integer(), nullable=False),
        sa.Column('to_user_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(length=500), nullable=False),
        sa.Column('authority_limit_fen', sa.BigInteger(), nullable=True),
        sa.Column('open_todos', sa.Integer(), nullable=False),
        sa.Column('panel_seats', sa.Integer(), nullable=False),
        sa.Column('handed_over_by_id', sa.Integer(), nullable=True),
        sa.Column('handed_over_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['from_user_id'], ['users.id'], name=op.f('fk_role_handovers_from_user_id_users')),
        sa.ForeignKeyConstraint(['handed_over_by_id'], ['users.id'], name=op.f('fk_role_handovers_handed_over_by_id_users')),
        sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_role_handovers_org_unit_id_org_units')),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_role_handovers_tenant_id_tenants'),
                                ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['to_user_id'], ['users.id'], name=op.f('fk_role_handovers_to_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_role_handovers')),
    )
    with op.batch_alter_table('role_handovers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_role_handovers_from_user_id'), ['from_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_role_handovers_org_unit_id'), ['org_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_role_handovers_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_role_handovers_to_user_id'), ['to_user_id'], unique=False)

    for table in NEW_TABLES:
        enable_tenant_rls(op, table)


def downgrade() -> None:
    op.drop_table('role_handovers')
    op.drop_table('mail_deliveries')
