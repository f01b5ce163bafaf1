"""People, their roles at org units, how they are signed in (login sessions) and API tokens."""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, Fen, JSONDoc
from core.i18n import T, Text
from core.models._types import created_at, moment
from core.models.org import OrgUnit
from core.tenancy import TenantOwned


class Role(str, enum.Enum):
    district_admin = "district_admin"
    street_admin = "street_admin"
    reviewer = "reviewer"
    neighbourhood_staff = "neighbourhood_staff"
    project_member = "project_member"
    sponsor = "sponsor"
    supervisor = "supervisor"
    street_leader = "street_leader"
    # supervision: a professional organisation the street office commissions to guide and
    # supervise the projects it assigns to it (and only those).
    commissioned_org = "commissioned_org"

    @property
    def label(self) -> Text:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.district_admin: T("区级管理员", "district administrator"),
    Role.street_admin: T("街道自治办管理员", "street office administrator"),
    Role.reviewer: T("评审小组成员", "review panel member"),
    Role.neighbourhood_staff: T("居委会工作人员", "neighbourhood committee staff"),
    Role.project_member: T("项目团队成员", "project team member"),
    Role.sponsor: T("共建单位", "sponsor"),
    Role.supervisor: T("监督委员会成员", "supervision committee member"),
    Role.street_leader: T("街道领导", "street leader"),
    Role.commissioned_org: T("受委托专业机构", "commissioned professional organisation"),
}


class User(TenantOwned, Base):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("tenant_id", "username"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(200))
    locale: Mapped[str | None] = mapped_column(String(8))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = created_at()
    # A one-time password (an administrator's initial or reset one) must be replaced at the next
    # sign-in before anything else (core.services.accounts, core.web.account).
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    password_changed_at: Mapped[dt.datetime | None] = moment()
    # The second factor (core.services.second_factor): the TOTP secret (set when enrolment
    # starts, in force once ``totp_enabled_at`` is set by a code that matched) and the SHA-256 of
    # each unused recovery code. Never copied into the audit log.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[dt.datetime | None] = moment()
    totp_recovery: Mapped[list | None] = mapped_column(JSONDoc)

    memberships: Mapped[list["Membership"]] = relationship(back_populates="user", lazy="selectin")


class Membership(TenantOwned, Base):
    """A role held at an org unit; it reaches every unit below that unit."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "org_unit_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    # A leader's authority: the largest monthly batch of fund requests they may approve
    # (None: not set, so they may approve none). Only meaningful for ``street_leader``.
    authority_limit_fen: Mapped[int | None] = mapped_column(Fen)

    user: Mapped[User] = relationship(back_populates="memberships")
    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")


class ApiToken(TenantOwned, Base):
    """A bearer token for API clients. Only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = created_at()
    revoked_at: Mapped[dt.datetime | None] = moment()
    # Every token expires (Settings.token_days_default / token_days_max); a row without a stamp
    # is taken as expired, never as eternal.
    expires_at: Mapped[dt.datetime | None] = moment()

    user: Mapped[User] = relationship(lazy="joined")


class LoginSession(TenantOwned, Base):
    """One signed-in browser: the session cookie carries its key, of which only the SHA-256 is
    stored, so that signing out, a password change or a disabled account end it on the server
    (a replayed cookie finds the row ended). The idle timeout is kept in the cookie itself."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Where the sign-in came from (the client's address as the app sees it), for the audit log.
    address: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = created_at()
    ended_at: Mapped[dt.datetime | None] = moment()

    user: Mapped[User] = relationship(lazy="joined")
