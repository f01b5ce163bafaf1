"""Obligations (应交事项): what a programme's policies say falls due, the due items each owing unit
has, and the reports handed in for them, version by version.

A programme's obligations are frozen the first time the daily task meets it
(``core.services.obligations.calendar``), as a programme freezes its config: the obligation
(``ProgrammeObligation``, its label and clause as the policy declared them), its periods
(``ObligationPeriod``: what each reports on, when it is due, the days a report is taken) and the
alerts of each period (``ObligationAlert``: the reminder before the due date and each step of
the escalation chain after it, with the day it fires, the role and the level it goes to). The
daily task (``core.services.obligations.daily``) then works on these tables as sets: a due
item (``DueItem``) per period and owing unit (and project, or fund), the notices each alert
sends, once. Every submission is a version (``ObligationReport``): a returned report keeps its
reasons, and the next version starts from it.
"""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Date, ForeignKey, Integer, String, Text as SAText, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, JSONDoc
from core.i18n import T, Text
from core.models._types import UtcDateTime, created_at, moment
from core.models.org import OrgUnit
from core.models.programme import Programme
from core.tenancy import TenantOwned

# Marks the columns of a calendar (``Column.info``): the dates a period runs, falls due and is
# taken, the days an alert fires. They are planned, not recorded: a programme's calendar runs to
# the end of its year (and into the next) from the day it is frozen, so a demo or an audit asking
# "was anything recorded after today?" leaves them out (tests/test_demo_true_story.py).
PLANNED = {"planned": True}


class ProgrammeObligation(TenantOwned, Base):
    """One obligation of one policy that applies to a programme, as it was declared when the
    programme's obligations were frozen. ``fund_kind``/``fund_name`` find the funds whose owners
    owe it (``owed_by`` "fund_owner")."""

    __tablename__ = "obligations"
    __table_args__ = (UniqueConstraint("programme_id", "policy", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    policy: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(64))
    label_zh: Mapped[str] = mapped_column(String(200))
    label_en: Mapped[str] = mapped_column(String(200))
    clause_zh: Mapped[str] = mapped_column(SAText, default="")
    clause_en: Mapped[str] = mapped_column(SAText, default="")
    owed_by: Mapped[str] = mapped_column(String(20))
    accepted_by: Mapped[str | None] = mapped_column(String(20))
    fund_kind: Mapped[str | None] = mapped_column(String(20))
    fund_name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = created_at()

    programme: Mapped[Programme] = relationship(lazy="joined")

    @property
    def label(self) -> Text:
        return Text(self.label_zh, self.label_en)

    @property
    def clause(self) -> Text:
        return Text(self.clause_zh, self.clause_en)


class ObligationPeriod(TenantOwned, Base):
    """One time an obligation falls due. ``ends_at``: the moment the period ends (the next day's
    Shanghai midnight, UTC), so that a project approved after it owes nothing for it."""

    __tablename__ = "obligation_periods"
    __table_args__ = (UniqueConstraint("obligation_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    obligation_id: Mapped[int] = mapped_column(ForeignKey("obligations.id"), index=True)
    key: Mapped[str] = mapped_column(String(32))
    label_zh: Mapped[str] = mapped_column(String(100))
    label_en: Mapped[str] = mapped_column(String(100))
    starts_on: Mapped[dt.date] = mapped_column(Date, info=PLANNED)
    ends_on: Mapped[dt.date] = mapped_column(Date, info=PLANNED)
    due_on: Mapped[dt.date] = mapped_column(Date, index=True, info=PLANNED)
    opens_on: Mapped[dt.date] = mapped_column(Date, info=PLANNED)
    closes_on: Mapped[dt.date] = mapped_column(Date, info=PLANNED)
    ends_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), info=PLANNED)

    obligation: Mapped[ProgrammeObligation] = relationship(lazy="joined")

    @property
    def label(self) -> Text:
        return Text(self.label_zh, self.label_en)


class AlertKind(str, enum.Enum):
    reminder = "reminder"        # before the due date, to the unit that owes it
    escalation = "escalation"    # after it, up the chain the policy declares

    @property
    def notification_kind(self) -> str:
        """The ``Notification.kind`` its notices carry."""
        return f"obligation_{self.value}"


class ObligationAlert(TenantOwned, Base):
    """A notice one period sends: ``position`` 0 is the reminder, 1.. the escalation steps; one
    row per role. It fires from ``fires_on`` to ``until_on`` (a day the daily task missed is
    made up the next day) to each active holder of ``role`` at ``level`` of the owing unit."""

    __tablename__ = "obligation_alerts"
    __table_args__ = (UniqueConstraint("period_id", "position", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("obligation_periods.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    role: Mapped[str] = mapped_column(String(32))
    level: Mapped[str] = mapped_column(String(20))
    fires_on: Mapped[dt.date] = mapped_column(Date, index=True, info=PLANNED)
    until_on: Mapped[dt.date] = mapped_column(Date, info=PLANNED)
    message_zh: Mapped[str] = mapped_column(String(200))
    message_en: Mapped[str] = mapped_column(String(200))

    period: Mapped[ObligationPeriod] = relationship()


class ItemState(str, enum.Enum):
    open = "open"              # due, nothing handed in yet
    draft = "draft"            # a report is being written
    submitted = "submitted"    # handed in, awaiting acceptance
    returned = "returned"      # returned with reasons: write the next version
    accepted = "accepted"      # accepted (or complete on handing in, where nobody accepts)
    waived = "waived"          # not owed any more: its project was closed (结项) before it was handed in

    @property
    def label(self) -> Text:
        return ITEM_STATE_LABELS[self]


ITEM_STATE_LABELS = {
    ItemState.open: T("待填报", "to do"),
    ItemState.draft: T("填写中", "being written"),
    ItemState.submitted: T("已提交，待审核", "submitted, awaiting acceptance"),
    ItemState.returned: T("已退回，待修改", "returned for changes"),
    ItemState.waived: T("项目已结项，免报", "waived: the project was closed"),
    ItemState.accepted: T("已通过", "accepted"),
}
# Still owed: reminders and escalations go on while an item is in one of these.
OWED_STATES = (ItemState.open.value, ItemState.draft.value, ItemState.returned.value)


class DueItem(TenantOwned, Base):
    """What one unit owes for one period: about one project (``project_id``), one fund
    (``fund_id``) or, for a unit's pilots, the unit itself. ``subject_key`` ("project:12",
    "unit:5", "fund:7") makes it unique per period. ``overdue_since`` and ``escalation_level``
    are marked by the daily task; ``notice_*`` is the 通报 of a late unit, if one was issued."""

    __tablename__ = "due_items"
    __table_args__ = (UniqueConstraint("period_id", "subject_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    obligation_id: Mapped[int] = mapped_column(ForeignKey("obligations.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("obligation_periods.id"), index=True)
    owner_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"), index=True)
    fund_id: Mapped[int | None] = mapped_column(ForeignKey("funds.id"))
    subject_key: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(20), default=ItemState.open.value, index=True)
    overdue_since: Mapped[dt.date | None] = mapped_column(Date)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    notice_text: Mapped[str] = mapped_column(SAText, default="")
    noticed_at: Mapped[dt.datetime | None] = moment()
    noticed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = created_at()
    version: Mapped[int] = mapped_column(Integer, default=1)

    obligation: Mapped[ProgrammeObligation] = relationship(lazy="joined")
    period: Mapped[ObligationPeriod] = relationship(lazy="joined")
    owner_unit: Mapped[OrgUnit] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}

    @property
    def state_enum(self) -> ItemState:
        return ItemState(self.state)


class ReportState(str, enum.Enum):
    draft = "draft"
    submitted = "submitted"
    returned = "returned"
    accepted = "accepted"


class ObligationReport(TenantOwned, Base):
    """One version of the report for a due item: the form's data (``body``) and what the platform
    knew when it was handed in (``facts``: money spent against committed, and whatever else the
    prefill providers know), never retyped. A draft becomes a version when it is submitted; a
    returned version keeps its reasons, and the next draft starts from it."""

    __tablename__ = "obligation_reports"
    __table_args__ = (UniqueConstraint("item_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("due_items.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20), default=ReportState.draft.value)
    body: Mapped[dict] = mapped_column(JSONDoc, default=dict)
    facts: Mapped[dict] = mapped_column(JSONDoc, default=dict)
    written_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = created_at()
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[dt.datetime | None] = moment()
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[dt.datetime | None] = moment()
    review_note: Mapped[str] = mapped_column(SAText, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
