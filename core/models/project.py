"""Projects, their budget items and attachments."""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, Fen, JSONDoc
from core.i18n import T, Text
from core.models._types import created_at, moment
from core.models.org import OrgUnit
from core.models.programme import Programme
from core.tenancy import TenantOwned


class ProjectState(str, enum.Enum):
    draft = "draft"
    submitted = "submitted"
    endorsed = "endorsed"          # only where the policy has an endorsement step
    under_review = "under_review"
    returned = "returned"
    approved = "approved"
    rejected = "rejected"
    withdrawn = "withdrawn"
    closed = "closed"              # close-out (结项): final accounts drawn, nothing more recorded

    @property
    def label(self) -> Text:
        return STATE_LABELS[self]


STATE_LABELS = {
    ProjectState.draft: T("草稿", "draft"),
    ProjectState.submitted: T("已提交", "submitted"),
    ProjectState.endorsed: T("已审核盖章", "endorsed"),
    ProjectState.under_review: T("评审中", "under review"),
    ProjectState.returned: T("退回修改", "returned for changes"),
    ProjectState.approved: T("已立项", "approved"),
    ProjectState.rejected: T("未通过", "rejected"),
    ProjectState.withdrawn: T("已撤回", "withdrawn"),
    ProjectState.closed: T("已结项", "closed"),
}


class Project(TenantOwned, Base):
    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    applicant_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    track: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    # The plugin's forms, keyed by form key (e.g. "intent", "application"), each the loaded
    # (validated) data of that form's schema, serialised to JSON.
    forms: Mapped[dict] = mapped_column(JSONDoc, default=dict)
    tags: Mapped[list] = mapped_column(JSONDoc, default=list)
    state: Mapped[str] = mapped_column(String(20), default=ProjectState.draft.value, index=True)
    requested_fen: Mapped[int] = mapped_column(Fen, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = created_at()
    submitted_at: Mapped[dt.datetime | None] = moment()
    version: Mapped[int] = mapped_column(Integer, default=1)

    programme: Mapped[Programme] = relationship(lazy="joined")
    applicant_unit: Mapped[OrgUnit] = relationship(lazy="joined")
    budget_items: Mapped[list["BudgetItem"]] = relationship(
        back_populates="project", lazy="selectin", order_by="BudgetItem.position",
        cascade="all, delete-orphan")
    attachments: Mapped[list["Attachment"]] = relationship(
        back_populates="project", lazy="selectin", order_by="Attachment.id")

    __mapper_args__ = {"version_id_col": version}

    @property
    def state_enum(self) -> ProjectState:
        return ProjectState(self.state)


class BudgetItem(TenantOwned, Base):
    """One line of a project's budget, in integer fen, optionally in a category."""

    __tablename__ = "budget_items"
    __table_args__ = (CheckConstraint("amount_fen >= 0", name="amount_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    description: Mapped[str] = mapped_column(String(200))
    amount_fen: Mapped[int] = mapped_column(Fen)
    # The category the applicant put the row in (a policy's spending list offers them, and
    # its rules judge them: ``tongxin_budget_categories``); None: not categorised.
    category: Mapped[str | None] = mapped_column(String(64), nullable=True)

    project: Mapped[Project] = relationship(back_populates="budget_items")


class Attachment(TenantOwned, Base):
    """A file attached to a project under a kind the plugin declares (e.g. residents' minutes)."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(255))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[dt.datetime] = created_at()

    project: Mapped[Project] = relationship(back_populates="attachments")
