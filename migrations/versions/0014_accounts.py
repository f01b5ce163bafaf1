"""accounts: one-time passwords that must be changed, and the administrators' second factor

Issue 14 asks that every user change their own password, that administrators' initial and
reset passwords be one-time (changed at the next sign-in), and an optional TOTP second factor.
Five columns on ``users`` (already under row-level security):

- ``must_change_password``: a one-time password is in force (false for every existing user);
- ``password_changed_at``: when the user last chose their password;
- ``totp_secret``, ``totp_enabled_at``: the TOTP secret, in force once enabled;
- ``totp_recovery``: the SHA-256 of each unused recovery code (JSON list).

Revision ID: 0014_accounts
Revises: 0013_sessions
Create Date: 2026-11-29 10:00:00.000000
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0014_accounts'
down_revision = '0013_sessions'
branch_labels = None
depends_on = None


def upgrade() -> None:
    json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("totp_secret", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("totp_enabled_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("totp_recovery", json, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        for column in ("totp_recovery", "totp_enabled_at", "totp_secret", "password_changed_at",
                       "must_change_password"):
            batch.drop_column(column)
