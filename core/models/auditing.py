"""Everything that changes is audited.

An ``after_flush`` listener writes one ``AuditEntry`` per inserted, updated or deleted
tenant-owned row, with the acting user (``session.info["actor_id"]``), the values before and
after, and the action the service named (``session.info["audit_action"]``, e.g.
``project.submit``), falling back to create/update/delete. Services therefore cannot forget
to audit: writing through the ORM is enough. Secrets are never copied into the log.

Each entry also records the org unit of the row it describes (``unit_of``), found from the
row's own unit column or through the row it belongs to (a ledger entry's fund, a score's
project), so that reading the log can be scoped by unit (``core.services.audit_log``).
Migration 0005 backfilled older entries with the same rules.
"""
from __future__ import annotations

import datetime as dt
import decimal
import enum

from sqlalchemy import event, inspect, insert, select
from sqlalchemy.orm import Session

from core.clock import clock_of
from core.models.audit import AuditEntry
from core.personal_data import AUDIT_MASK
from core.tenancy import TenantOwned

REDACTED = {"password_hash", "token_hash", "key_hash", "totp_secret", "totp_recovery"}
NOT_AUDITED = (AuditEntry,)


def _plain(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (bytes, bytearray)):
        return f"<{len(value)} bytes>"
    return value


def _columns(obj) -> list[str]:
    return [attr.key for attr in inspect(obj).mapper.column_attrs]


def _masked(obj, key: str, value):
    """A personal number as the log keeps it: masked by its column's ``AUDIT_MASK``, if any."""
    mask = inspect(obj).mapper.column_attrs[key].columns[0].info.get(AUDIT_MASK)
    return mask(value) if mask is not None and isinstance(value, str) else value


def snapshot(obj) -> dict:
    state = inspect(obj)
    out = {}
    for key in _columns(obj):
        if key in REDACTED:
            out[key] = "***"
            continue
        if key in state.unloaded:
            continue
        out[key] = _plain(_masked(obj, key, getattr(obj, key)))
    return out


def _changes(obj) -> tuple[dict, dict]:
    state = inspect(obj)
    before, after = {}, {}
    for key in _columns(obj):
        hist = state.attrs[key].history
        if not hist.has_changes():
            continue
        old = hist.deleted[0] if hist.deleted else None
        new = hist.added[0] if hist.added else None
        if key in REDACTED:
            old, new = "***", "***"
        before[key], after[key] = _plain(_masked(obj, key, old)), _plain(_masked(obj, key, new))
    return before, after


# A row's own unit, in order of preference.
UNIT_COLUMNS = ("org_unit_id", "applicant_unit_id", "street_unit_id", "owner_unit_id")
# Otherwise the unit of the row it points to: (column, table, that table's unit column), in
# order of preference (a pledge or ledger entry belongs to its fund before its project).
UNIT_LINKS = (
    ("fund_id", "funds", "org_unit_id"),
    ("project_id", "projects", "applicant_unit_id"),
    ("batch_id", "fund_request_batches", "street_unit_id"),
    ("programme_id", "programmes", "org_unit_id"),
    ("sponsor_id", "sponsors", "org_unit_id"),
    ("item_id", "due_items", "owner_unit_id"),      # a report: its due item's owing unit
)


def _value(obj, key: str):
    state = inspect(obj)
    if key in state.dict:
        return state.dict[key]
    if key in state.mapper.column_attrs.keys() and not state.deleted and key not in state.unloaded:
        return getattr(obj, key)
    return None


def unit_of(session: Session, obj, cache: dict) -> int | None:
    """The org unit an audit entry about ``obj`` belongs to (None: tenant-wide)."""
    if obj.__tablename__ == "org_units":
        return _value(obj, "id")
    columns = set(inspect(obj).mapper.column_attrs.keys())
    for key in UNIT_COLUMNS:
        if key in columns and _value(obj, key) is not None:
            return _value(obj, key)
    tables = AuditEntry.metadata.tables
    for key, table_name, unit_column in UNIT_LINKS:
        ref = _value(obj, key) if key in columns else None
        if ref is None:
            continue
        if (table_name, ref) not in cache:
            table = tables[table_name]
            cache[(table_name, ref)] = session.connection().scalar(
                select(table.c[unit_column]).where(table.c.id == ref))
        if cache[(table_name, ref)] is not None:
            return cache[(table_name, ref)]
    return None


@event.listens_for(Session, "after_flush")
def _write_audit(session: Session, _context) -> None:
    actor_id = session.info.get("actor_id")
    action = session.info.get("audit_action")
    # What the service wants said about this action beside the rows' values (e.g. why it was
    # let through outside its phase); kept under "_note" in each entry's after (or before).
    note = session.info.get("audit_note")
    rows = []
    units: dict = {}
    at = clock_of(session).now()
    for kind, objects in (("create", session.new), ("update", session.dirty), ("delete", session.deleted)):
        for obj in objects:
            if not isinstance(obj, TenantOwned) or isinstance(obj, NOT_AUDITED):
                continue
            if kind == "update":
                if not session.is_modified(obj, include_collections=False):
                    continue
                before, after = _changes(obj)
                if not after:
                    continue
            elif kind == "create":
                before, after = None, snapshot(obj)
            else:
                before, after = snapshot(obj), None
            if note:
                if after is not None:
                    after = {**after, "_note": note}
                else:
                    before = {**before, "_note": note}
            rows.append({
                "tenant_id": obj.tenant_id,
                "at": at,
                "actor_id": actor_id,
                "action": f"{action}" if action else kind,
                "entity": obj.__tablename__,
                "entity_id": getattr(obj, "id", None),
                "org_unit_id": unit_of(session, obj, units),
                "before": before,
                "after": after,
            })
    if rows:
        if note:
            session.info.pop("audit_note", None)  # said once, of the changes it came with
        session.connection().execute(insert(AuditEntry.__table__), rows)
