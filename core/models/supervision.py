"""Supervision of approved projects (中期督导, 跟踪调研), their rectifications (整改) and the
close-out (结项).

- ``SupervisionAssignment``: the street office assigns a project to a professional organisation
  it commissions (a login holding the ``commissioned_org`` role); the organisation sees and
  supervises only the projects assigned to it, while the assignment lasts.
- ``SupervisionVisit``: one visit, call or meeting: when, how, who, what was seen, the answers
  to the checklists of the policies that apply (a copy of each item as it was asked, so the
  record reads the same whatever the policy says later) and the advice given.
- ``Rectification``: something a visit found to put right, owned by the applicant unit, with a
  due date::

      open ──report (the owner: what was done)──▶ reported ──accept (the office)──▶ closed
        ▲                                              │
        └─────────────── returned (the office, with a reason) ◀┘

- ``ProjectCloseout``: a project's close-out, once: who closed it and when, the summary, and
  the final accounts' totals at that moment, with what its commitments released to the funds.
"""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text as SAText, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, Fen, JSONDoc
from core.i18n import T, Text
from core.models._types import created_at, moment
from core.models.org import OrgUnit
from core.tenancy import TenantOwned


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class VisitKind(str, enum.Enum):
    mid_term = "mid_term"   # 中期督导
    tracking = "tracking"   # 跟踪调研 (and the guidance given with it)

    @property
    def label(self) -> Text:
        return VISIT_KIND_LABELS[self]


VISIT_KIND_LABELS = {
    VisitKind.mid_term: T("中期督导", "mid-term supervision"),
    VisitKind.tracking: T("跟踪调研", "tracking visit"),
}


class VisitMethod(str, enum.Enum):
    visit = "visit"        # 走访 (on site)
    phone = "phone"        # 电话
    meeting = "meeting"    # 座谈

    @property
    def label(self) -> Text:
        return VISIT_METHOD_LABELS[self]


VISIT_METHOD_LABELS = {
    VisitMethod.visit: T("实地走访", "on-site visit"),
    VisitMethod.phone: T("电话", "phone call"),
    VisitMethod.meeting: T("座谈", "meeting"),
}


class Answer(str, enum.Enum):
    met = "met"
    partly = "partly"
    not_met = "not_met"
    not_applicable = "na"

    @property
    def label(self) -> Text:
        return ANSWER_LABELS[self]


ANSWER_LABELS = {
    Answer.met: T("符合", "met"),
    Answer.partly: T("基本符合", "partly met"),
    Answer.not_met: T("不符合", "not met"),
    Answer.not_applicable: T("不适用", "not applicable"),
}


class RectificationState(str, enum.Enum):
    open = "open"
    reported = "reported"
    closed = "closed"

    @property
    def label(self) -> Text:
        return RECTIFICATION_STATE_LABELS[self]


RECTIFICATION_STATE_LABELS = {
    RectificationState.open: T("待整改", "to be put right"),
    RectificationState.reported: T("已报告，待确认", "reported, awaiting acceptance"),
    RectificationState.closed: T("已完成", "closed"),
}


class SupervisionAssignment(TenantOwned, Base):
    """A project assigned to a commissioned organisation's login by the street office. Ending it
    keeps the row (``ended_at``); assigning the same login again resumes it."""

    __tablename__ = "supervision_assignments"
    __table_args__ = (UniqueConstraint("project_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[dt.datetime] = created_at()
    ended_at: Mapped[dt.datetime | None] = moment()


class SupervisionVisit(TenantOwned, Base):
    __tablename__ = "supervision_visits"
    __table_args__ = (
        CheckConstraint(_in("kind", [k.value for k in VisitKind]), name="kind_known"),
        CheckConstraint(_in("method", [m.value for m in VisitMethod]), name="method_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    visited_on: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(20))
    method: Mapped[str] = mapped_column(String(20))
    visitors: Mapped[str] = mapped_column(String(500))
    observed: Mapped[str] = mapped_column(SAText)
    advice: Mapped[str] = mapped_column(SAText, default="")
    # Each answered checklist item as it was asked: {item, label, clause, policy, answer, note},
    # labels and clauses as {"zh", "en"}.
    checklist: Mapped[list] = mapped_column(JSONDoc, default=list)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The role the permission table let the recorder visit as (the office's or a commissioned
    # organisation's), so the record says who supervised.
    recorder_role: Mapped[str] = mapped_column(String(32))
    recorded_at: Mapped[dt.datetime] = created_at()

    rectifications: Mapped[list["Rectification"]] = relationship(
        back_populates="visit", lazy="selectin", order_by="Rectification.id")


class Rectification(TenantOwned, Base):
    __tablename__ = "rectifications"
    __table_args__ = (CheckConstraint(_in("state", [s.value for s in RectificationState]), name="state_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("supervision_visits.id", ondelete="CASCADE"), index=True)
    item: Mapped[str | None] = mapped_column(String(64))  # the checklist item it follows from, if any
    description: Mapped[str] = mapped_column(SAText)
    owner_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    due_on: Mapped[dt.date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(20), default=RectificationState.open.value, index=True)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[dt.datetime] = created_at()
    report: Mapped[str] = mapped_column(SAText, default="")
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reported_at: Mapped[dt.datetime | None] = moment()
    # The office's word when it last returned a report (kept until the next report is accepted).
    returned_reason: Mapped[str] = mapped_column(SAText, default="")
    times_returned: Mapped[int] = mapped_column(Integer, default=0)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[dt.datetime | None] = moment()
    acceptance_note: Mapped[str] = mapped_column(SAText, default="")

    visit: Mapped[SupervisionVisit] = relationship(back_populates="rectifications")
    owner_unit: Mapped[OrgUnit] = relationship(lazy="joined")

    @property
    def state_enum(self) -> RectificationState:
        return RectificationState(self.state)


class ProjectCloseout(TenantOwned, Base):
    """A project's close-out (结项), written once, with the final accounts' totals as they stood."""

    __tablename__ = "project_closeouts"
    __table_args__ = (
        UniqueConstraint("project_id"),
        CheckConstraint("committed_fen >= 0 AND disbursed_fen >= 0 AND spent_fen >= 0 AND released_fen >= 0",
                        name="amounts_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[dt.datetime] = created_at()
    summary: Mapped[str] = mapped_column(SAText, default="")
    committed_fen: Mapped[int] = mapped_column(Fen)   # before the release
    disbursed_fen: Mapped[int] = mapped_column(Fen)
    spent_fen: Mapped[int] = mapped_column(Fen)
    released_fen: Mapped[int] = mapped_column(Fen)    # committed but never paid out, back to the funds
