"""A programme: one policy plugin's year at one street (or at the city)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, JSONDoc
from core.models._types import created_at
from core.models.org import OrgUnit
from core.tenancy import TenantOwned


class Programme(TenantOwned, Base):
    """``config`` is frozen when the programme opens, so a 2023 project is judged by 2023 rules
    even after the street changes its plugin settings. ``phases`` is the plugin's calendar for
    that year, also frozen: a list of {key, label_zh, label_en, starts, ends, allows}."""

    __tablename__ = "programmes"
    __table_args__ = (UniqueConstraint("org_unit_id", "plugin_name", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    plugin_name: Mapped[str] = mapped_column(String(64))
    plugin_version: Mapped[str] = mapped_column(String(32), default="")
    year: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    config: Mapped[dict] = mapped_column(JSONDoc, default=dict)
    phases: Mapped[list] = mapped_column(JSONDoc, default=list)
    created_at: Mapped[dt.datetime] = created_at()

    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")
