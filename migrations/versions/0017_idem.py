"""idempotent fund requests: a fund request remembers the key it was filed under

Issue 15 asks that money actions record once when sent twice (a double click, a client's
retry): ten identical requests at once made ten fund requests. Expenses, refunds, pledges,
receipts and the ledger's own postings already keep their key on the rows they write (unique
per tenant); a fund request had none. ``fund_requests.idempotency_key`` is unique per tenant,
so the database itself refuses a second request under one key even when two transactions race
past the service's check. Older requests keep NULL (unique constraints let NULLs repeat).
The table keeps its row-level security; nothing is backfilled.

Revision ID: 0017_idem
Revises: 0016_outbox
Create Date: 2026-11-29 10:00:00.000000
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa

revision = '0017_idem'
down_revision = '0016_outbox'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('fund_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('idempotency_key', sa.String(length=80), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_fund_requests_tenant_id_idempotency_key'),
                                          ['tenant_id', 'idempotency_key'])


def downgrade() -> None:
    with op.batch_alter_table('fund_requests', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_fund_requests_tenant_id_idempotency_key'), type_='unique')
        batch_op.drop_column('idempotency_key')
