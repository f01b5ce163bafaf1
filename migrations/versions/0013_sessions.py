"""sessions: login sessions kept on the server, and API tokens that expire

Issue 14 found that signing out did not end a session (the old cookie still worked) and that API
tokens never expired. Two changes:

- ``login_sessions`` (tenant-owned): one row per signed-in browser, holding the SHA-256 of the key
  the session cookie carries, the client's address, when it started and when it ended. Signing out,
  a password change and a disabled account end rows; a cookie whose row has ended is nobody. The
  runtime role may read, insert and update them (ending is an update), never delete: they are the
  record of who was signed in from where. Forced row-level security like every tenant table.
- ``api_tokens.expires_at``: when a token stops working. Tokens issued before this revision had no
  end: each is given 90 days from its issue (the default maximum lifetime), so a token older than
  that expires now and its client asks for a new one; a row left without a stamp counts as expired.

Revision ID: 0013_sessions
Revises: 0012_obligations
Create Date: 2026-11-29 09:00:00.000000
"""
from __future__ import annotations

import datetime as dt

from alembic import op
import sqlalchemy as sa

from core.plugin_host.migration_helpers import disable_tenant_rls, enable_tenant_rls

revision = '0013_sessions'
down_revision = '0012_obligations'
branch_labels = None
depends_on = None

BACKFILL_DAYS = 90


def upgrade() -> None:
    op.create_table('login_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_login_sessions_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_login_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_sessions')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_login_sessions_key_hash'))
    )
    op.create_index(op.f('ix_login_sessions_tenant_id'), 'login_sessions', ['tenant_id'], unique=False)
    op.create_index(op.f('ix_login_sessions_user_id'), 'login_sessions', ['user_id'], unique=False)
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
    _backfill_expiry()
    # Sign-ins are records: they end, never vanish.
    enable_tenant_rls(op, "login_sessions", records=True)


def _backfill_expiry() -> None:
    """Existing tokens live 90 days from their issue (computed here: date arithmetic is not
    portable SQL). Runs as the owner, which row-level security does not filter."""
    bind = op.get_bind()
    tokens = sa.table('api_tokens', sa.column('id', sa.Integer), sa.column('created_at', sa.DateTime(timezone=True)),
                      sa.column('expires_at', sa.DateTime(timezone=True)))
    for token_id, created in bind.execute(sa.select(tokens.c.id, tokens.c.created_at)).all():
        if isinstance(created, str):  # SQLite hands back text
            created = dt.datetime.fromisoformat(created)
        bind.execute(tokens.update().where(tokens.c.id == token_id)
                     .values(expires_at=created + dt.timedelta(days=BACKFILL_DAYS)))


def downgrade() -> None:
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('expires_at')
    disable_tenant_rls(op, "login_sessions")
    op.drop_table('login_sessions')
