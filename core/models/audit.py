"""The audit log: who changed what, when, with the values before and after. Append-only.

Each entry carries the org unit of the object it describes (``org_unit_id``; a project's is its
applicant, a fund's its owner, a fund request's its project's applicant), so the log is scoped
like everything else: a street reads its own units' entries, the district reads all. Entries
about tenant-wide things (people, tokens) carry none and are read only at the tenant's root."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, JSONDoc
from core.models._types import created_at
from core.tenancy import TenantOwned


class AuditEntry(TenantOwned, Base):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = created_at()
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(64))  # create | update | delete, or a named action
    entity: Mapped[str] = mapped_column(String(64), index=True)
    entity_id: Mapped[int | None] = mapped_column(Integer, index=True)
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    before: Mapped[dict | None] = mapped_column(JSONDoc)
    after: Mapped[dict | None] = mapped_column(JSONDoc)
