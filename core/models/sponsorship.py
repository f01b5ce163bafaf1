"""Sponsors (共建单位) and their pledges (认捐 / 认领).

A ``Sponsor`` is a unit outside the administrative tree (a hotel, an insurer, a foundation, a
merchants' alliance, a town government adding its own share) registered with the org unit it
twins with; it may pledge to funds of that unit or below. A ``Pledge`` promises money (or
in-kind resources) to a co-governance fund, optionally claiming one project (认领). What
happened to a pledge is not stored on it: the money it brought in is the fund's allocation
entries that name it, and what that money paid for follows from the fund's expenses
(``core.services.pledges``), so a pledge's state (promised → received → spent) is derived
from the ledger and cannot disagree with it.
"""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, Fen
from core.i18n import T, Text
from core.models._types import created_at
from core.models.org import OrgUnit
from core.tenancy import TenantOwned


class SponsorKind(str, enum.Enum):
    enterprise = "enterprise"      # 企业
    institution = "institution"    # 机关事业单位、驻区单位
    foundation = "foundation"      # 社区基金会、慈善组织
    alliance = "alliance"          # 商家联盟等自治组织
    government = "government"      # 镇（街道）配套
    individual = "individual"      # 个人捐赠

    @property
    def label(self) -> Text:
        return SPONSOR_KIND_LABELS[self]


SPONSOR_KIND_LABELS = {
    SponsorKind.enterprise: T("企业", "enterprise"),
    SponsorKind.institution: T("驻区单位", "institution"),
    SponsorKind.foundation: T("基金会/慈善组织", "foundation"),
    SponsorKind.alliance: T("联盟/自治组织", "alliance"),
    SponsorKind.government: T("镇（街道）配套", "town or street contribution"),
    SponsorKind.individual: T("个人", "individual"),
}


def _in(column: str, enum_cls) -> str:
    return f"{column} IN ({', '.join(repr(m.value) for m in enum_cls)})"


class Sponsor(TenantOwned, Base):
    __tablename__ = "sponsors"
    __table_args__ = (
        UniqueConstraint("org_unit_id", "name"),
        CheckConstraint(_in("kind", SponsorKind), name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The unit the sponsor is registered with (twinned with); it may pledge to funds at or below it.
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    contact: Mapped[str] = mapped_column(String(200), default="")
    # The login that represents the sponsor (sees "what my pledge paid for"), if any.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[dt.datetime] = created_at()

    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")

    @property
    def kind_enum(self) -> SponsorKind:
        return SponsorKind(self.kind)


class Pledge(TenantOwned, Base):
    __tablename__ = "pledges"
    __table_args__ = (
        CheckConstraint("amount_fen >= 0", name="amount_not_negative"),
        # A pledge promises money, or resources described in words, or both.
        CheckConstraint("amount_fen > 0 OR in_kind <> ''", name="promises_something"),
        # A retried "record this pledge" finds the pledge already recorded instead of a second one.
        UniqueConstraint("tenant_id", "idempotency_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sponsor_id: Mapped[int] = mapped_column(ForeignKey("sponsors.id"), index=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), index=True)
    # The project claimed (认领), if the pledge is for one project rather than the whole fund.
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"), index=True)
    amount_fen: Mapped[int] = mapped_column(Fen)
    in_kind: Mapped[str] = mapped_column(String(500), default="")
    # Where it was promised, e.g. the annual council meeting of the neighbourhood's sponsors.
    occasion: Mapped[str] = mapped_column(String(200), default="")
    pledged_on: Mapped[dt.date] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    year: Mapped[int] = mapped_column(Integer)
    idempotency_key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = created_at()

    sponsor: Mapped[Sponsor] = relationship(lazy="joined")
