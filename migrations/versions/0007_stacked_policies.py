"""policies stack: a programme freezes every policy that applies to it; budget rows get a category

Issue 12 asks two things of the schema:

- **A programme freezes every policy that applies to it.** Besides its own policy's config,
  phases and version (``programmes.config``, ``phases``, ``plugin_version``), a programme now
  keeps ``plugin_distribution`` (the installed distribution and its version at opening, "tongxin
  0.1.0") and ``inherited_policies``: each policy enabled on a unit above its own when it
  opened, frozen the same way ({name, version, distribution, org_unit_id, config, phases}; see
  ``core.models.programme``).
- **A budget row may be put in a category** (``budget_items.category``), so a policy's spending
  list (a district's 使用清单) can judge it.

The backfill is the schema defaults: programmes opened before this revision inherit nothing
(before it no policy stacked, so they were judged by their own policy alone, and freezing means
they still are) and their distribution is unknown (''); existing budget rows have no category.
Both tables keep their row-level security (columns added to a table are covered by its policy
and by the runtime role's table-wide grants, 0001_core). On SQLite the columns are added and
dropped in place (``ALTER TABLE ... ADD/DROP COLUMN``, SQLite 3.35+), not in batch mode, which
would rebuild the tables.

Revision ID: 0007_stacked_policies
Revises: 0006_claim_holds
Create Date: 2026-11-27 10:00:00.000000
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

revision = '0007_stacked_policies'
down_revision = '0006_claim_holds'
branch_labels = None
depends_on = None

JSONDoc = sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql')


def upgrade() -> None:
    op.add_column('programmes', sa.Column('plugin_distribution', sa.String(length=120), nullable=False, server_default=''))
    op.add_column('programmes', sa.Column('inherited_policies', JSONDoc, nullable=False, server_default='[]'))
    op.add_column('budget_items', sa.Column('category', sa.String(length=64), nullable=True))


def downgrade() -> None:
    op.drop_column('budget_items', 'category')
    op.drop_column('programmes', 'inherited_policies')
    op.drop_column('programmes', 'plugin_distribution')
