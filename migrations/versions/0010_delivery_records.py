"""delivery records: the plan and its revisions, activity records with their files and
participants, the people registry

What an approved project records while it is carried out (``core.models.delivery``):

- ``plan_tasks``: the plan in force (tool 4), a task's owner, days and progress;
- ``plan_revisions``: every version of the plan, the first written by the team, each later one
  requested with its reason and decided by the programme's office;
- ``activity_records`` (tool 5) with ``activity_files`` (photos, stored without metadata, with
  their thumbnails; sign-in sheets) and ``activity_participants`` (the names on the sign-in list,
  linked to the registry, with their volunteer hours);
- ``registry_people`` (tools 6 and 7): team members, volunteers and beneficiaries, with consent.

Every table is tenant-owned: on PostgreSQL each gets the forced row-level security policy of the
others and the runtime role's grants (``core.plugin_host.migration_helpers``). They are records:
the runtime role may not delete their rows, except a person of the registry, whose data is deleted
when they ask (their name stays on the activities they signed, unlinked: the participant's link
is set null). Nothing to backfill: no project had any of these before.

Revision ID: 0010_delivery_records
Revises: 0009_inbox
Create Date: 2026-12-01 10:00:00.000000
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

from core.plugin_host.migration_helpers import disable_tenant_rls, enable_tenant_rls

revision = '0010_delivery_records'
down_revision = '0009_inbox'
branch_labels = None
depends_on = None

JSONDoc = sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql')
# In creation order (a table's foreign keys name only tables before it).
NEW_TABLES = ("plan_tasks", "plan_revisions", "registry_people", "activity_records", "activity_files",
              "activity_participants")
DELETABLE = ("registry_people",)


def _tenant(table: str) -> list:
    return [sa.Column('tenant_id', sa.Integer(), nullable=False),
            sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f(f'fk_{table}_tenant_id_tenants'),
                                    ondelete='RESTRICT'),
            sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}'))]


def _project(table: str) -> list:
    return [sa.Column('project_id', sa.Integer(), nullable=False),
            sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f(f'fk_{table}_project_id_projects'),
                                    ondelete='CASCADE')]


def _user(table: str, column: str) -> list:
    return [sa.Column(column, sa.Integer(), nullable=True),
            sa.ForeignKeyConstraint([column], ['users.id'], name=op.f(f'fk_{table}_{column}_users'))]


def _indexes(table: str, *columns: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in columns:
            batch_op.create_index(batch_op.f(f'ix_{table}_{column}'), [column], unique=False)


def upgrade() -> None:
    op.create_table('plan_tasks',
        sa.Column('id', sa.Integer(), nullable=False),
        *_project('plan_tasks'),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('owner', sa.String(length=100), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_plan_tasks_ends_after_start')),
        sa.CheckConstraint("status IN ('planned', 'in_progress', 'done', 'dropped')", name=op.f('ck_plan_tasks_status_known')),
        *_tenant('plan_tasks'),
    )
    _indexes('plan_tasks', 'project_id', 'tenant_id')

    op.create_table('plan_revisions',
        sa.Column('id', sa.Integer(), nullable=False),
        *_project('plan_revisions'),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('tasks', JSONDoc, nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        *_user('plan_revisions', 'requested_by_id'),
        sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
        *_user('plan_revisions', 'decided_by_id'),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('decision_reason', sa.Text(), nullable=False),
        sa.CheckConstraint("status IN ('pending', 'approved', 'refused')", name=op.f('ck_plan_revisions_status_known')),
        *_tenant('plan_revisions'),
    )
    _indexes('plan_revisions', 'project_id', 'tenant_id')

    op.create_table('registry_people',
        sa.Column('id', sa.Integer(), nullable=False),
        *_project('registry_people'),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.Column('name', sa.String(length=50), nullable=False),
        sa.Column('gender', sa.String(length=10), nullable=False),
        sa.Column('id_number', sa.String(length=18), nullable=True),
        sa.Column('mobile', sa.String(length=11), nullable=True),
        sa.Column('address', sa.String(length=100), nullable=False),
        sa.Column('duty', sa.String(length=200), nullable=False),
        sa.Column('skills', sa.String(length=200), nullable=False),
        sa.Column('consent', sa.Boolean(), nullable=False),
        sa.Column('consent_on', sa.Date(), nullable=True),
        sa.Column('consent_note', sa.String(length=200), nullable=False),
        *_user('registry_people', 'recorded_by_id'),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("role IN ('team', 'volunteer', 'beneficiary')", name=op.f('ck_registry_people_role_known')),
        *_tenant('registry_people'),
    )
    _indexes('registry_people', 'project_id', 'tenant_id')

    op.create_table('activity_records',
        sa.Column('id', sa.Integer(), nullable=False),
        *_project('activity_records'),
        sa.Column('plan_task_id', sa.Integer(), nullable=True),
        sa.Column('no_task_reason', sa.String(length=500), nullable=False),
        sa.Column('held_on', sa.Date(), nullable=False),
        sa.Column('place', sa.String(length=200), nullable=False),
        sa.Column('content', sa.Text(), nullable=False),
        sa.Column('participant_count', sa.Integer(), nullable=False),
        sa.Column('volunteer_tenths', sa.Integer(), nullable=False),
        sa.Column('public', sa.Boolean(), nullable=False),
        *_user('activity_records', 'recorded_by_id'),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('participant_count >= 0', name=op.f('ck_activity_records_count_not_negative')),
        sa.CheckConstraint('volunteer_tenths >= 0', name=op.f('ck_activity_records_hours_not_negative')),
        sa.CheckConstraint("plan_task_id IS NOT NULL OR no_task_reason <> ''", name=op.f('ck_activity_records_task_or_reason')),
        sa.ForeignKeyConstraint(['plan_task_id'], ['plan_tasks.id'], name=op.f('fk_activity_records_plan_task_id_plan_tasks')),
        *_tenant('activity_records'),
    )
    _indexes('activity_records', 'held_on', 'plan_task_id', 'project_id', 'tenant_id')

    op.create_table('activity_files',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('activity_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('size', sa.BigInteger(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('storage_key', sa.String(length=255), nullable=False),
        sa.Column('thumb_key', sa.String(length=255), nullable=True),
        sa.Column('width', sa.Integer(), nullable=True),
        sa.Column('height', sa.Integer(), nullable=True),
        *_user('activity_files', 'uploaded_by_id'),
        sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('photo', 'sign_in')", name=op.f('ck_activity_files_kind_known')),
        sa.ForeignKeyConstraint(['activity_id'], ['activity_records.id'],
                                name=op.f('fk_activity_files_activity_id_activity_records'), ondelete='CASCADE'),
        *_tenant('activity_files'),
    )
    _indexes('activity_files', 'activity_id', 'tenant_id')

    op.create_table('activity_participants',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('activity_id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=True),
        sa.Column('name', sa.String(length=50), nullable=False),
        sa.Column('volunteer_tenths', sa.Integer(), nullable=False),
        sa.CheckConstraint('volunteer_tenths >= 0', name=op.f('ck_activity_participants_hours_not_negative')),
        sa.ForeignKeyConstraint(['activity_id'], ['activity_records.id'],
                                name=op.f('fk_activity_participants_activity_id_activity_records'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['person_id'], ['registry_people.id'],
                                name=op.f('fk_activity_participants_person_id_registry_people'), ondelete='SET NULL'),
        *_tenant('activity_participants'),
    )
    _indexes('activity_participants', 'activity_id', 'person_id', 'tenant_id')

    for table in NEW_TABLES:
        enable_tenant_rls(op, table, records=table not in DELETABLE)


def downgrade() -> None:
    for table in reversed(NEW_TABLES):
        disable_tenant_rls(op, table)
        op.drop_table(table)
