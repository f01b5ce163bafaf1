"""Which plugins a street (or city) has switched on, with what configuration; and faults."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, String, Text as SAText, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, JSONDoc
from core.models._types import created_at
from core.models.org import OrgUnit
from core.tenancy import TenantOwned


class PluginEnablement(TenantOwned, Base):
    """Installed is not enabled: a row here switches one plugin on at one org unit.

    ``config`` is the plugin's config schema's *loaded* form (defaults filled in), as JSON.
    """

    __tablename__ = "plugin_enablements"
    __table_args__ = (UniqueConstraint("org_unit_id", "plugin_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    plugin_name: Mapped[str] = mapped_column(String(64))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    config: Mapped[dict] = mapped_column(JSONDoc, default=dict)
    updated_at: Mapped[dt.datetime] = created_at()

    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")


class PluginFault(TenantOwned, Base):
    """A plugin raised: the error is contained (the request gets a clear answer) and kept here
    for the tenant's administrators to see."""

    __tablename__ = "plugin_faults"

    id: Mapped[int] = mapped_column(primary_key=True)
    plugin_name: Mapped[str] = mapped_column(String(64), index=True)
    hook: Mapped[str] = mapped_column(String(100))
    error: Mapped[str] = mapped_column(SAText)
    occurred_at: Mapped[dt.datetime] = created_at()
