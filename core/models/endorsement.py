"""Endorsement by an intermediate level (e.g. a town stamping its communities' applications
before they reach a city-wide panel), and recorded change requests on approved projects."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text as SAText
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, JSONDoc
from core.models._types import created_at, moment
from core.models.org import OrgUnit
from core.models.people import User
from core.tenancy import TenantOwned


class Endorsement(TenantOwned, Base):
    """One endorsing unit's answer on one submission: endorsed (the stamp, 加盖公章) or returned
    with reasons. Appended, never edited; the latest one stands."""

    __tablename__ = "endorsements"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    outcome: Mapped[str] = mapped_column(String(20))  # endorsed | returned
    reason: Mapped[str] = mapped_column(SAText, default="")
    stamp_attachment_id: Mapped[int | None] = mapped_column(ForeignKey("attachments.id"))
    endorsed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    endorsed_at: Mapped[dt.datetime] = created_at()

    unit: Mapped[OrgUnit] = relationship(lazy="joined")
    endorsed_by: Mapped[User] = relationship(lazy="joined")


class ChangeRequest(TenantOwned, Base):
    """A recorded request to change an approved project's core content (its type or a form),
    decided by the programme's administrators. Until approved nothing changes."""

    __tablename__ = "change_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    proposed_track: Mapped[str | None] = mapped_column(String(64))
    proposed_forms: Mapped[dict] = mapped_column(JSONDoc, default=dict)  # {form_key: data}
    reason: Mapped[str] = mapped_column(SAText)
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending | approved | refused
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[dt.datetime] = created_at()
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = moment()
    decision_reason: Mapped[str] = mapped_column(SAText, default="")
