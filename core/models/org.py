"""Tenants and the administrative tree (区/县级市 → 街道/镇 → 居民区/村 → 网格)."""
from __future__ import annotations

import enum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base
from core.tenancy import TenantOwned


class Tenant(Base):
    """A hosted district bureau or county-level city. The directory of tenants is public."""

    __tablename__ = "tenants"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))


class UnitKind(str, enum.Enum):
    district = "district"          # 区 / 县级市 (the tenant root)
    street = "street"              # 街道 / 镇
    neighbourhood = "neighbourhood"  # 居民区 / 村 / 社区
    grid = "grid"                  # 网格 / 楼组

    @property
    def label_zh(self) -> str:
        return {"district": "区/县级市", "street": "街道/镇", "neighbourhood": "居民区/村", "grid": "网格"}[self.value]


class OrgUnit(TenantOwned, Base):
    """A node of a tenant's tree. ``path`` (e.g. ``/1/4/9/``) makes "this unit and everything
    below it" one indexed prefix match, which is how a role at a unit reaches the units under it."""

    __tablename__ = "org_units"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    path: Mapped[str] = mapped_column(String(500), index=True, default="")

    parent: Mapped["OrgUnit | None"] = relationship(remote_side=[id], lazy="joined", join_depth=1)

    def is_within(self, other: "OrgUnit") -> bool:
        """True when this unit is ``other`` or lies below it."""
        return self.path.startswith(other.path)

    def name_in(self, lang: str) -> str:
        """The unit's name as a reader of ``lang`` sees it: the English name where there is one."""
        return self.name_en or self.name if lang == "en" else self.name

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(p) for p in self.path.strip("/").split("/") if p]
