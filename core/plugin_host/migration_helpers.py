"""What a plugin's Alembic revisions call so its tables are as safe as core's.

A plugin's tenant-owned table must fail closed in the database itself, exactly like core's:
ENABLE + FORCE row-level security and a policy comparing ``tenant_id`` with the
transaction-local setting that ``core.db`` sets for every session. Core's revisions cannot do
that for tables they do not know, so the plugin's own revision does, through these helpers::

    from alembic import op
    from core.plugin_host.migration_helpers import disable_tenant_rls, enable_tenant_rls

    def upgrade():
        op.create_table("riverside_visits", ..., sa.Column("tenant_id", sa.Integer(), ...))
        enable_tenant_rls(op, "riverside_visits")

    def downgrade():
        disable_tenant_rls(op, "riverside_visits")
        op.drop_table("riverside_visits")

On SQLite (the embedded profile, which has no roles) both are no-ops; the ORM's tenant filter
(``core.tenancy``) is then the only guard, as it is for core's tables.
"""
from __future__ import annotations

import re

from core.db import TENANT_SETTING

# The same predicate core's revisions use: an empty setting (no tenant) matches no row.
TENANT_PREDICATE = f"tenant_id = NULLIF(current_setting('{TENANT_SETTING}', true), '')::integer"
POLICY = "tenant_isolation"
DEFAULT_RUNTIME_ROLE = "tongxin_app"
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _identifier(value: str, what: str) -> str:
    # Table and role names are interpolated into DDL, which cannot take bind parameters.
    if not isinstance(value, str) or not _IDENTIFIER.match(value):
        raise ValueError(f"unsafe {what} name {value!r}: use lower-case letters, digits and _")
    return value


def runtime_role() -> str:
    """The role the platform runs as (``TONGXIN_RUNTIME_ROLE``), passed in by ``core.migrate``."""
    from alembic import context  # late: only meaningful while Alembic runs a revision
    return _identifier(context.config.attributes.get("runtime_role") or DEFAULT_RUNTIME_ROLE, "role")


def _is_postgres(op) -> bool:
    return op.get_bind().dialect.name == "postgresql"


def enable_tenant_rls(op, table: str, *, records: bool = False) -> None:
    """Make ``table`` (which has a ``tenant_id`` column) tenant-isolated for the runtime role:
    data grants on the table and its sequences, ENABLE + FORCE row-level security, and the
    ``tenant_isolation`` policy for reads and writes. ``records``: its rows are records that
    change state but never vanish (a fund request, a report), so the runtime role may not
    DELETE or TRUNCATE them."""
    if not _is_postgres(op):
        return
    table = _identifier(table, "table")
    role = runtime_role()
    # Core's first revision sets default privileges for tables its owner creates later; grant
    # explicitly anyway, so a plugin migrated by another owner role works the same.
    if records:
        op.execute(f"GRANT SELECT, INSERT, UPDATE ON {table} TO {role}")
        op.execute(f"REVOKE DELETE, TRUNCATE ON {table} FROM {role}")
    else:
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {role}")
    op.execute(f"""
        DO $$ DECLARE seq text; BEGIN
          FOR seq IN SELECT c.oid::regclass::text FROM pg_class c JOIN pg_depend d ON d.objid = c.oid
                     WHERE c.relkind = 'S' AND d.refobjid = '{table}'::regclass AND d.deptype IN ('a', 'i')
          LOOP
            EXECUTE format('GRANT USAGE, SELECT ON SEQUENCE %s TO %I', seq, '{role}');
          END LOOP;
        END $$""")
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY {POLICY} ON {table} USING ({TENANT_PREDICATE}) WITH CHECK ({TENANT_PREDICATE})")


def disable_tenant_rls(op, table: str) -> None:
    """Undo ``enable_tenant_rls`` (before dropping the table, or when a table stops being
    tenant-owned)."""
    if not _is_postgres(op):
        return
    table = _identifier(table, "table")
    op.execute(f"DROP POLICY IF EXISTS {POLICY} ON {table}")
    op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
