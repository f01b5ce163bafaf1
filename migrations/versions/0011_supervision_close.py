"""supervision visits, rectifications, commissioned organisations' assignments and the close-out

What issue 13's supervision and close-out need of the schema:

- ``supervision_assignments``: a project assigned by the street office to a commissioned
  professional organisation's login (the role ``commissioned_org``, which sees only what it is
  assigned); ended, never deleted.
- ``supervision_visits``: a visit (mid-term supervision or a tracking visit) with its checklist
  answers as asked (a JSON copy of each item) and the role the recorder visited as.
- ``rectifications``: what a visit found to put right, owned by the applicant unit, with a due
  date, reported by the owner and accepted (closed) or returned by the office.
- ``project_closeouts``: a project's close-out, once per project, with the final accounts'
  totals as they stood and what the close released from its commitments.

A project's new state ``closed`` needs nothing here: ``projects.state`` has no CHECK constraint
(its states are the model's), and a role is a plain string on ``memberships``.

The four tables are tenant-owned: on PostgreSQL they get the forced row-level security policy
of the other tenant tables; they are records (an assignment ends, a visit and a close-out stay,
a rectification changes state), so the runtime role may not delete them, as 0004 does for its
records.

Revision ID: 0011_supervision_close
Revises: 0010_delivery_records
Create Date: 2026-12-01 10:00:00.000000
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

from core.plugin_host.migration_helpers import disable_tenant_rls, enable_tenant_rls

revision = '0011_supervision_close'
down_revision = '0010_delivery_records'
branch_labels = None
depends_on = None

JSONDoc = sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql')
NEW_TABLES = ("supervision_assignments", "supervision_visits", "rectifications", "project_closeouts")


def _tenant(table: str) -> list:
    return [sa.Column('tenant_id', sa.Integer(), nullable=False),
            sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f(f'fk_{table}_tenant_id_tenants'),
                                    ondelete='RESTRICT')]


def _fk(table: str, column: str, target: str, **kw) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f'{target}.id'], name=op.f(f'fk_{table}_{column}_{target}'), **kw)


def _indexes(table: str, columns: tuple[str, ...]) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in columns:
            batch_op.create_index(batch_op.f(f'ix_{table}_{column}'), [column], unique=False)


def upgrade() -> None:
    op.create_table('supervision_assignments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('assigned_by_id', sa.Integer(), nullable=True),
        sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
        *_tenant('supervision_assignments'),
        _fk('supervision_assignments', 'project_id', 'projects', ondelete='CASCADE'),
        _fk('supervision_assignments', 'user_id', 'users', ondelete='CASCADE'),
        _fk('supervision_assignments', 'assigned_by_id', 'users'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_assignments')),
        sa.UniqueConstraint('project_id', 'user_id', name=op.f('uq_supervision_assignments_project_id_user_id')),
    )
    _indexes('supervision_assignments', ('project_id', 'tenant_id', 'user_id'))

    op.create_table('supervision_visits',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('visited_on', sa.Date(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('method', sa.String(length=20), nullable=False),
        sa.Column('visitors', sa.String(length=500), nullable=False),
        sa.Column('observed', sa.Text(), nullable=False),
        sa.Column('advice', sa.Text(), nullable=False),
        sa.Column('checklist', JSONDoc, nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('recorder_role', sa.String(length=32), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        *_tenant('supervision_visits'),
        sa.CheckConstraint("kind IN ('mid_term', 'tracking')", name=op.f('ck_supervision_visits_kind_known')),
        sa.CheckConstraint("method IN ('visit', 'phone', 'meeting')", name=op.f('ck_supervision_visits_method_known')),
        _fk('supervision_visits', 'project_id', 'projects', ondelete='CASCADE'),
        _fk('supervision_visits', 'recorded_by_id', 'users'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_visits')),
    )
    _indexes('supervision_visits', ('project_id', 'tenant_id'))

    op.create_table('rectifications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('visit_id', sa.Integer(), nullable=False),
        sa.Column('item', sa.String(length=64), nullable=True),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('owner_unit_id', sa.Integer(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('state', sa.String(length=20), nullable=False),
        sa.Column('opened_by_id', sa.Integer(), nullable=True),
        sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('report', sa.Text(), nullable=False),
        sa.Column('reported_by_id', sa.Integer(), nullable=True),
        sa.Column('reported_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('returned_reason', sa.Text(), nullable=False),
        sa.Column('times_returned', sa.Integer(), nullable=False),
        sa.Column('closed_by_id', sa.Integer(), nullable=True),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('acceptance_note', sa.Text(), nullable=False),
        *_tenant('rectifications'),
        sa.CheckConstraint("state IN ('open', 'reported', 'closed')", name=op.f('ck_rectifications_state_known')),
        _fk('rectifications', 'project_id', 'projects', ondelete='CASCADE'),
        _fk('rectifications', 'visit_id', 'supervision_visits', ondelete='CASCADE'),
        _fk('rectifications', 'owner_unit_id', 'org_units'),
        _fk('rectifications', 'opened_by_id', 'users'),
        _fk('rectifications', 'reported_by_id', 'users'),
        _fk('rectifications', 'closed_by_id', 'users'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_rectifications')),
    )
    _indexes('rectifications', ('owner_unit_id', 'project_id', 'state', 'tenant_id', 'visit_id'))

    op.create_table('project_closeouts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('closed_by_id', sa.Integer(), nullable=True),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.Column('committed_fen', sa.BigInteger(), nullable=False),
        sa.Column('disbursed_fen', sa.BigInteger(), nullable=False),
        sa.Column('spent_fen', sa.BigInteger(), nullable=False),
        sa.Column('released_fen', sa.BigInteger(), nullable=False),
        *_tenant('project_closeouts'),
        sa.CheckConstraint("committed_fen >= 0 AND disbursed_fen >= 0 AND spent_fen >= 0 AND released_fen >= 0",
                           name=op.f('ck_project_closeouts_amounts_not_negative')),
        _fk('project_closeouts', 'project_id', 'projects', ondelete='CASCADE'),
        _fk('project_closeouts', 'closed_by_id', 'users'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_project_closeouts')),
        sa.UniqueConstraint('project_id', name=op.f('uq_project_closeouts_project_id')),
    )
    _indexes('project_closeouts', ('project_id', 'tenant_id'))
    for table in NEW_TABLES:
        enable_tenant_rls(op, table, records=True)


def downgrade() -> None:
    for table in NEW_TABLES:
        disable_tenant_rls(op, table)
    for table in reversed(NEW_TABLES):
        op.drop_table(table)
