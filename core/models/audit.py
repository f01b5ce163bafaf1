"""The audit log: who changed what, when, with the values before and after. Append-only."""
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
    before: Mapped[dict | None] = mapped_column(JSONDoc)
    after: Mapped[dict | None] = mapped_column(JSONDoc)
