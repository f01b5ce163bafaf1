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
    that year, also frozen: a list of {key, label_zh, label_en, starts, ends, allows}.
    ``plugin_version`` and ``plugin_distribution`` are the policy's version (``PolicyInfo``) and
    the installed distribution's ("tongxin 0.1.0") at opening.

    Policies stack: ``inherited_policies`` freezes, the same way, every policy enabled on a unit
    above this one when the programme opened, from the top of the tree down: a list of {name,
    version, distribution, org_unit_id (where it is enabled), config, phases}
    (``core.services.programmes``). A policy enabled above later applies from the next
    programme on."""

    __tablename__ = "programmes"
    __table_args__ = (UniqueConstraint("org_unit_id", "plugin_name", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    plugin_name: Mapped[str] = mapped_column(String(64))
    plugin_version: Mapped[str] = mapped_column(String(32), default="")
    plugin_distribution: Mapped[str] = mapped_column(String(120), default="")
    year: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    config: Mapped[dict] = mapped_column(JSONDoc, default=dict)
    phases: Mapped[list] = mapped_column(JSONDoc, default=list)
    inherited_policies: Mapped[list] = mapped_column(JSONDoc, default=list)
    created_at: Mapped[dt.datetime] = created_at()

    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")
