"""Messages to users (in-app inbox; delivery channels can be added by plugins later)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text as SAText, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base
from core.models._types import UtcDateTime, created_at
from core.tenancy import TenantOwned


class Notification(TenantOwned, Base):
    """``dedupe_key`` makes the tasks that create notifications idempotent: running one twice
    (a retry, a redelivered message) cannot notify twice."""

    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("tenant_id", "dedupe_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(SAText, default="")
    link: Mapped[str | None] = mapped_column(String(300))
    dedupe_key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = created_at()
    # Declared without a time zone by 0001_core: stored as UTC wall time, read back as UTC.
    read_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(timezone=False))
