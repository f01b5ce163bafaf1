"""Review: the panel of a programme, reviewers' scores, and decisions."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text as SAText, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, Fen, JSONDoc
from core.models._types import created_at
from core.models.people import User
from core.tenancy import TenantOwned


class PanelMember(TenantOwned, Base):
    """A reviewer assigned to a programme's review panel (评审小组)."""

    __tablename__ = "panel_members"
    __table_args__ = (UniqueConstraint("programme_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    chair: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User] = relationship(lazy="joined")


class Score(TenantOwned, Base):
    """One reviewer's scores for one project by the programme's rubric: {criterion: points}."""

    __tablename__ = "scores"
    __table_args__ = (UniqueConstraint("project_id", "reviewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    points: Mapped[dict] = mapped_column(JSONDoc, default=dict)
    comment: Mapped[str] = mapped_column(SAText, default="")
    scored_at: Mapped[dt.datetime] = created_at()

    reviewer: Mapped[User] = relationship(lazy="joined")


class Decision(TenantOwned, Base):
    """The panel's decision on a project. Decisions are appended, never edited: a project that
    was returned and resubmitted has several, and the latest one stands."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    outcome: Mapped[str] = mapped_column(String(20))  # approved | rejected | returned
    explanation: Mapped[str] = mapped_column(SAText, default="")
    approved_fen: Mapped[int | None] = mapped_column(Fen)
    # Approvals the decision grants for "needs_approval" violations, by violation code.
    approvals: Mapped[list] = mapped_column(JSONDoc, default=list)
    # The policy's decision form, if it has one (e.g. a subsidy tier chosen at selection).
    details: Mapped[dict] = mapped_column(JSONDoc, default=dict)
    # Where an approval's money comes from, source by source, adding up to ``approved_fen``
    # (``core.services.funding.FundingLine`` documents the shape); [] for other outcomes.
    funding: Mapped[list] = mapped_column(JSONDoc, default=list)
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime] = created_at()

    decided_by: Mapped[User] = relationship(lazy="joined")
