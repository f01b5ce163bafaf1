"""The fixture plugin's one table: tenant-owned, on core's ``Base`` (see docs/plugins.md for
why), named with the plugin's name as prefix so it cannot collide with core's or another
plugin's tables."""
from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from core.plugin_host.toolkit import Base, TenantOwned


class Note(TenantOwned, Base):
    __tablename__ = "fixture_notes_notes"
    __table_args__ = {"info": {"plugin": "fixture_notes"}}

    id: Mapped[int] = mapped_column(primary_key=True)
    body: Mapped[str] = mapped_column(String(200))
