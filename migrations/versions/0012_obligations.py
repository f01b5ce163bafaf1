"""obligations: what a programme's policies say falls due, due items and their reports

Issue 13 asks that a policy declare what falls due and when (a quarterly report after each
quarter, a monthly progress report by the 20th, a summary by 20 December, the fund's yearly
account to the residents' congress) and that the year run itself. Five tenant-owned tables:

- ``obligations``: each obligation of each policy that applies to a programme, frozen the first
  time the daily task meets the programme (its label and clause as declared, who owes it, who
  accepts it, and for a fund owner's obligation the fund's kind and name);
- ``obligation_periods``: each time one falls due (what it reports on, the due date, the days a
  report is taken, and the moment the period ends, compared with a project's approval);
- ``obligation_alerts``: the reminder and each escalation step of each period: the days it
  fires, the role and level it goes to, its words;
- ``due_items``: what one unit owes for one period (about a project, a fund, or its pilots),
  unique per period and subject, with the marks of the daily task (overdue since, escalation
  level) and a 通报 if one was issued;
- ``obligation_reports``: every version of a due item's report (the form's data and what the
  platform knew when it was handed in), unique per item and number.

Nothing is backfilled: the daily task freezes the obligations of existing programmes and opens
their due items the next time it runs. Every table gets the forced row-level security policy
of the core tables; the runtime role may read, insert and update them, never delete (a report
handed in is a record).

Revision ID: 0012_obligations
Revises: 0011_supervision_close
Create Date: 2026-12-01 10:00:00.000000
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

from core.plugin_host.migration_helpers import disable_tenant_rls, enable_tenant_rls

revision = '0012_obligations'
down_revision = '0011_supervision_close'
branch_labels = None
depends_on = None

JSONDoc = sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql')
NEW_TABLES = ("obligations", "obligation_periods", "due_items", "obligation_alerts", "obligation_reports")


def upgrade() -> None:
    op.create_table('obligations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('policy', sa.String(length=64), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('label_zh', sa.String(length=200), nullable=False),
    sa.Column('label_en', sa.String(length=200), nullable=False),
    sa.Column('clause_zh', sa.Text(), nullable=False),
    sa.Column('clause_en', sa.Text(), nullable=False),
    sa.Column('owed_by', sa.String(length=20), nullable=False),
    sa.Column('accepted_by', sa.String(length=20), nullable=True),
    sa.Column('fund_kind', sa.String(length=20), nullable=True),
    sa.Column('fund_name', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_obligations_programme_id_programmes')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_obligations_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_obligations')),
    sa.UniqueConstraint('programme_id', 'policy', 'key', name=op.f('uq_obligations_programme_id_policy_key'))
    )
    op.create_index(op.f('ix_obligations_programme_id'), 'obligations', ['programme_id'], unique=False)
    op.create_index(op.f('ix_obligations_tenant_id'), 'obligations', ['tenant_id'], unique=False)
    op.create_table('obligation_periods',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('obligation_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('label_zh', sa.String(length=100), nullable=False),
    sa.Column('label_en', sa.String(length=100), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('opens_on', sa.Date(), nullable=False),
    sa.Column('closes_on', sa.Date(), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['obligation_id'], ['obligations.id'], name=op.f('fk_obligation_periods_obligation_id_obligations')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_obligation_periods_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_obligation_periods')),
    sa.UniqueConstraint('obligation_id', 'key', name=op.f('uq_obligation_periods_obligation_id_key'))
    )
    op.create_index(op.f('ix_obligation_periods_due_on'), 'obligation_periods', ['due_on'], unique=False)
    op.create_index(op.f('ix_obligation_periods_obligation_id'), 'obligation_periods', ['obligation_id'], unique=False)
    op.create_index(op.f('ix_obligation_periods_tenant_id'), 'obligation_periods', ['tenant_id'], unique=False)
    op.create_table('due_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('obligation_id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('owner_unit_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('fund_id', sa.Integer(), nullable=True),
    sa.Column('subject_key', sa.String(length=40), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('overdue_since', sa.Date(), nullable=True),
    sa.Column('escalation_level', sa.Integer(), nullable=False),
    sa.Column('notice_text', sa.Text(), nullable=False),
    sa.Column('noticed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('noticed_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['fund_id'], ['funds.id'], name=op.f('fk_due_items_fund_id_funds')),
    sa.ForeignKeyConstraint(['noticed_by_id'], ['users.id'], name=op.f('fk_due_items_noticed_by_id_users')),
    sa.ForeignKeyConstraint(['obligation_id'], ['obligations.id'], name=op.f('fk_due_items_obligation_id_obligations')),
    sa.ForeignKeyConstraint(['owner_unit_id'], ['org_units.id'], name=op.f('fk_due_items_owner_unit_id_org_units')),
    sa.ForeignKeyConstraint(['period_id'], ['obligation_periods.id'], name=op.f('fk_due_items_period_id_obligation_periods')),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_due_items_programme_id_programmes')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_due_items_project_id_projects')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_due_items_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_due_items')),
    sa.UniqueConstraint('period_id', 'subject_key', name=op.f('uq_due_items_period_id_subject_key'))
    )
    op.create_index(op.f('ix_due_items_obligation_id'), 'due_items', ['obligation_id'], unique=False)
    op.create_index(op.f('ix_due_items_owner_unit_id'), 'due_items', ['owner_unit_id'], unique=False)
    op.create_index(op.f('ix_due_items_period_id'), 'due_items', ['period_id'], unique=False)
    op.create_index(op.f('ix_due_items_programme_id'), 'due_items', ['programme_id'], unique=False)
    op.create_index(op.f('ix_due_items_project_id'), 'due_items', ['project_id'], unique=False)
    op.create_index(op.f('ix_due_items_state'), 'due_items', ['state'], unique=False)
    op.create_index(op.f('ix_due_items_tenant_id'), 'due_items', ['tenant_id'], unique=False)
    op.create_table('obligation_alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('fires_on', sa.Date(), nullable=False),
    sa.Column('until_on', sa.Date(), nullable=False),
    sa.Column('message_zh', sa.String(length=200), nullable=False),
    sa.Column('message_en', sa.String(length=200), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['period_id'], ['obligation_periods.id'], name=op.f('fk_obligation_alerts_period_id_obligation_periods')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_obligation_alerts_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_obligation_alerts')),
    sa.UniqueConstraint('period_id', 'position', 'role', name=op.f('uq_obligation_alerts_period_id_position_role'))
    )
    op.create_index(op.f('ix_obligation_alerts_fires_on'), 'obligation_alerts', ['fires_on'], unique=False)
    op.create_index(op.f('ix_obligation_alerts_period_id'), 'obligation_alerts', ['period_id'], unique=False)
    op.create_index(op.f('ix_obligation_alerts_tenant_id'), 'obligation_alerts', ['tenant_id'], unique=False)
    op.create_table('obligation_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('body', JSONDoc, nullable=False),
    sa.Column('facts', JSONDoc, nullable=False),
    sa.Column('written_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('review_note', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['due_items.id'], name=op.f('fk_obligation_reports_item_id_due_items')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_obligation_reports_reviewed_by_id_users')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_obligation_reports_submitted_by_id_users')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_obligation_reports_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['written_by_id'], ['users.id'], name=op.f('fk_obligation_reports_written_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_obligation_reports')),
    sa.UniqueConstraint('item_id', 'number', name=op.f('uq_obligation_reports_item_id_number'))
    )
    op.create_index(op.f('ix_obligation_reports_item_id'), 'obligation_reports', ['item_id'], unique=False)
    op.create_index(op.f('ix_obligation_reports_tenant_id'), 'obligation_reports', ['tenant_id'], unique=False)

    # Obligations, due items and reports are records: they change state, never vanish.
    for table in NEW_TABLES:
        enable_tenant_rls(op, table, records=True)


def downgrade() -> None:
    for table in NEW_TABLES:
        disable_tenant_rls(op, table)
    for table in reversed(NEW_TABLES):  # reports and alerts first: they name the items and periods
        op.drop_table(table)                # (its indexes go with it)
