"""What an approved project records while it is carried out: its plan (tasks and the plan's
revisions), its activity records (with their files and named participants) and its people
registry (team members, volunteers, beneficiaries). The rules are ``core.services.delivery``'s.
"""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import BigInteger, Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text as SAText
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, JSONDoc
from core.i18n import T, Text
from core.models._types import created_at, moment
from core.personal_data import AUDIT_MASK, mask_id_number, mask_mobile
from core.tenancy import TenantOwned


# A date column's ``info`` key marking a day planned for the future (a plan's task), as opposed
# to a day something happened: "nothing recorded is dated after today" holds for the others.
PLANNED = "planned_date"


class TaskStatus(str, enum.Enum):
    planned = "planned"
    in_progress = "in_progress"
    done = "done"
    dropped = "dropped"  # only through an approved revision: dropping a task changes the plan

    @property
    def label(self) -> Text:
        return TASK_STATUS_LABELS[self]


TASK_STATUS_LABELS = {
    TaskStatus.planned: T("未开始", "planned"),
    TaskStatus.in_progress: T("进行中", "in progress"),
    TaskStatus.done: T("已完成", "done"),
    TaskStatus.dropped: T("已取消", "dropped"),
}


class PlanTask(TenantOwned, Base):
    """One task of a project's plan (项目实施计划分解): what, who answers for it, when, how far.
    Its content changes only through an approved ``PlanRevision``; its status is the team's."""

    __tablename__ = "plan_tasks"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
                      CheckConstraint("status IN ('planned', 'in_progress', 'done', 'dropped')", name="status_known"))

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    owner: Mapped[str] = mapped_column(String(100))  # a name or a role (居委会主任, 楼组长王阿姨)
    # Days planned, not days something happened: a plan written in April ends in November.
    starts_on: Mapped[dt.date] = mapped_column(Date, info={PLANNED: True})
    ends_on: Mapped[dt.date] = mapped_column(Date, info={PLANNED: True})
    status: Mapped[str] = mapped_column(String(20), default=TaskStatus.planned.value)
    created_at: Mapped[dt.datetime] = created_at()


class PlanRevision(TenantOwned, Base):
    """One version of a project's plan. Revision 1 is the plan the team wrote once the project
    was approved; each later one was requested with a reason and decided by the programme's
    office. ``tasks`` is the whole plan as it stood after the revision (each task with its id)."""

    __tablename__ = "plan_revisions"
    __table_args__ = (CheckConstraint("status IN ('pending', 'approved', 'refused')", name="status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, ... in the order requested
    tasks: Mapped[list] = mapped_column(JSONDoc, default=list)
    reason: Mapped[str] = mapped_column(SAText, default="")
    status: Mapped[str] = mapped_column(String(20), default="pending")
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[dt.datetime] = created_at()
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = moment()
    decision_reason: Mapped[str] = mapped_column(SAText, default="")


class ActivityRecord(TenantOwned, Base):
    """One activity held (项目活动记录手册): when, where, what, how many took part and for how
    long volunteers served. It belongs to a task of the plan, or says why not."""

    __tablename__ = "activity_records"
    __table_args__ = (CheckConstraint("participant_count >= 0", name="count_not_negative"),
                      CheckConstraint("volunteer_tenths >= 0", name="hours_not_negative"),
                      CheckConstraint("plan_task_id IS NOT NULL OR no_task_reason <> ''", name="task_or_reason"))

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    plan_task_id: Mapped[int | None] = mapped_column(ForeignKey("plan_tasks.id"), index=True)
    no_task_reason: Mapped[str] = mapped_column(String(500), default="")
    held_on: Mapped[dt.date] = mapped_column(Date, index=True)
    place: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(SAText)
    participant_count: Mapped[int] = mapped_column(Integer, default=0)
    # Volunteer hours in tenths of an hour (2.5 hours = 25): whole numbers, never a float.
    volunteer_tenths: Mapped[int] = mapped_column(Integer, default=0)
    public: Mapped[bool] = mapped_column(Boolean, default=False)  # may be shown to the public
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = created_at()

    files: Mapped[list["ActivityFile"]] = relationship(lazy="selectin", order_by="ActivityFile.id",
                                                        cascade="all, delete-orphan")
    participants: Mapped[list["ActivityParticipant"]] = relationship(
        lazy="selectin", order_by="ActivityParticipant.id", cascade="all, delete-orphan")

    @property
    def photos(self) -> list["ActivityFile"]:
        return [f for f in self.files if f.kind == "photo"]

    @property
    def sign_in_sheets(self) -> list["ActivityFile"]:
        return [f for f in self.files if f.kind == "sign_in"]


class ActivityFile(TenantOwned, Base):
    """A photo of an activity or its sign-in sheet (签到表: a photographed paper sheet or a PDF).
    Images are stored re-encoded, without their metadata (location, camera), with a thumbnail."""

    __tablename__ = "activity_files"
    __table_args__ = (CheckConstraint("kind IN ('photo', 'sign_in')", name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity_records.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(255))
    thumb_key: Mapped[str | None] = mapped_column(String(255))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[dt.datetime] = created_at()


class ActivityParticipant(TenantOwned, Base):
    """A person named on an activity's sign-in list, linked to the project's registry where the
    name is one of its people, with the hours they volunteered."""

    __tablename__ = "activity_participants"
    __table_args__ = (CheckConstraint("volunteer_tenths >= 0", name="hours_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity_records.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("registry_people.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    volunteer_tenths: Mapped[int] = mapped_column(Integer, default=0)


class PersonRole(str, enum.Enum):
    team = "team"
    volunteer = "volunteer"
    beneficiary = "beneficiary"

    @property
    def label(self) -> Text:
        return PERSON_ROLE_LABELS[self]


PERSON_ROLE_LABELS = {
    PersonRole.team: T("项目团队成员", "team member"),
    PersonRole.volunteer: T("志愿者", "volunteer"),
    PersonRole.beneficiary: T("服务对象", "beneficiary"),
}


class RegistryPerson(TenantOwned, Base):
    """One person of a project's people registry (项目人员名册 / 团队人员登记表). Only what the
    forms ask (see ``core.services.delivery.people``); the ID number and the mobile number are
    written to the audit log masked."""

    __tablename__ = "registry_people"
    __table_args__ = (CheckConstraint("role IN ('team', 'volunteer', 'beneficiary')", name="role_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(50))
    gender: Mapped[str] = mapped_column(String(10), default="")
    id_number: Mapped[str | None] = mapped_column(String(18), info={AUDIT_MASK: mask_id_number})
    mobile: Mapped[str | None] = mapped_column(String(11), info={AUDIT_MASK: mask_mobile})
    address: Mapped[str] = mapped_column(String(100), default="")  # 楼组 / 门牌 within the neighbourhood
    duty: Mapped[str] = mapped_column(String(200), default="")  # the task in the team, or the service received
    skills: Mapped[str] = mapped_column(String(200), default="")
    consent: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_on: Mapped[dt.date | None] = mapped_column(Date)
    consent_note: Mapped[str] = mapped_column(String(200), default="")  # how it was given (signed form ...)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = created_at()
