"""fixture_notes: the notes table, tenant-owned

The first revision of the plugin's own branch: no down_revision (a new base), the plugin's
name as branch label, and depends_on core's first revision, which creates ``tenants``.

Revision ID: fixture_notes_0001
Revises:
Create Date: 2026-11-23 12:00:00
"""
from alembic import op
import sqlalchemy as sa

from core.plugin_host.migration_helpers import disable_tenant_rls, enable_tenant_rls

revision = "fixture_notes_0001"
down_revision = None
branch_labels = ("fixture_notes",)
depends_on = "0001_core"

TABLE = "fixture_notes_notes"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("body", sa.String(length=200), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_fixture_notes_notes_tenant_id_tenants"),
                                ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fixture_notes_notes")),
    )
    op.create_index(op.f("ix_fixture_notes_notes_tenant_id"), TABLE, ["tenant_id"], unique=False)
    enable_tenant_rls(op, TABLE)


def downgrade() -> None:
    disable_tenant_rls(op, TABLE)
    op.drop_index(op.f("ix_fixture_notes_notes_tenant_id"), table_name=TABLE)
    op.drop_table(TABLE)
