"""Everything that changes is audited.

An ``after_flush`` listener writes one ``AuditEntry`` per inserted, updated or deleted
tenant-owned row, with the acting user (``session.info["actor_id"]``), the values before and
after, and the action the service named (``session.info["audit_action"]``, e.g.
``project.submit``), falling back to create/update/delete. Services therefore cannot forget
to audit: writing through the ORM is enough. Secrets are never copied into the log.
"""
from __future__ import annotations

import datetime as dt
import decimal
import enum

from sqlalchemy import event, inspect, insert
from sqlalchemy.orm import Session

from core.clock import now
from core.models.audit import AuditEntry
from core.tenancy import TenantOwned

REDACTED = {"password_hash", "token_hash"}
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


def snapshot(obj) -> dict:
    state = inspect(obj)
    out = {}
    for key in _columns(obj):
        if key in REDACTED:
            out[key] = "***"
            continue
        if key in state.unloaded:
            continue
        out[key] = _plain(getattr(obj, key))
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
        before[key], after[key] = _plain(old), _plain(new)
    return before, after


@event.listens_for(Session, "after_flush")
def _write_audit(session: Session, _context) -> None:
    actor_id = session.info.get("actor_id")
    action = session.info.get("audit_action")
    rows = []
    at = now()
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
            rows.append({
                "tenant_id": obj.tenant_id,
                "at": at,
                "actor_id": actor_id,
                "action": f"{action}" if action else kind,
                "entity": obj.__tablename__,
                "entity_id": getattr(obj, "id", None),
                "before": before,
                "after": after,
            })
    if rows:
        session.connection().execute(insert(AuditEntry.__table__), rows)
