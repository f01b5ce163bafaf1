"""Monthly fund requests (资金申请) and the street's monthly batches.

A neighbourhood asks for money for an approved project, against the project's committed
budget (and, where it names one, an item of the project's budget). The street office accepts
it (after the supervision committee, where the policy wants that), which puts it into the
month's batch of its street; a street leader approves the batch within their authority limit;
then the disbursement is recorded, once, as ledger entries naming the request.

States::

    submitted ──(supervision, if the policy has it)──> supervised ──accept──> accepted
        │                                                                    │ (in the month's batch)
        └──refuse / withdraw──> refused / withdrawn          batch approved └──> approved ──> disbursed
"""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, Fen
from core.i18n import T, Text
from core.models._types import created_at, moment
from core.models.org import OrgUnit
from core.models.project import Project
from core.tenancy import TenantOwned


class FundRequestState(str, enum.Enum):
    submitted = "submitted"
    supervised = "supervised"
    accepted = "accepted"
    approved = "approved"
    disbursed = "disbursed"
    refused = "refused"
    withdrawn = "withdrawn"

    @property
    def label(self) -> Text:
        return FUND_REQUEST_STATE_LABELS[self]


FUND_REQUEST_STATE_LABELS = {
    FundRequestState.submitted: T("已提交", "submitted"),
    FundRequestState.supervised: T("监督委员会已审核", "signed off by supervision"),
    FundRequestState.accepted: T("街道已审核", "accepted by the street"),
    FundRequestState.approved: T("领导已审批", "approved"),
    FundRequestState.disbursed: T("已拨付", "disbursed"),
    FundRequestState.refused: T("未通过", "refused"),
    FundRequestState.withdrawn: T("已撤回", "withdrawn"),
}

# Requests that still hold part of the project's committed money.
OPEN_STATES = (FundRequestState.submitted.value, FundRequestState.supervised.value,
               FundRequestState.accepted.value, FundRequestState.approved.value)


class BatchState(str, enum.Enum):
    open = "open"            # the office is still adding accepted requests
    approved = "approved"    # a leader approved it within their authority

    @property
    def label(self) -> Text:
        return T("待审批", "awaiting approval") if self is BatchState.open else T("已审批", "approved")


def _in(column: str, enum_cls) -> str:
    return f"{column} IN ({', '.join(repr(m.value) for m in enum_cls)})"


class FundRequestBatch(TenantOwned, Base):
    """One street's fund requests of one month (资金申请月度汇总)."""

    __tablename__ = "fund_request_batches"
    __table_args__ = (
        UniqueConstraint("street_unit_id", "month"),
        CheckConstraint(_in("state", BatchState), name="state_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    street_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    month: Mapped[str] = mapped_column(String(7))  # "2023-05"
    state: Mapped[str] = mapped_column(String(20), default=BatchState.open.value)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[dt.datetime | None] = moment()
    # The total the leader approved, as it was at that moment (the requests keep their own amounts).
    approved_total_fen: Mapped[int | None] = mapped_column(Fen)
    created_at: Mapped[dt.datetime] = created_at()

    street_unit: Mapped[OrgUnit] = relationship(lazy="joined")


class FundRequest(TenantOwned, Base):
    __tablename__ = "fund_requests"
    __table_args__ = (
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        CheckConstraint(_in("state", FundRequestState), name="state_known"),
        # A request filed twice (a double click, a client's retry) under one key is one request:
        # the database refuses the second row even when two transactions race past the check.
        UniqueConstraint("tenant_id", "idempotency_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    month: Mapped[str] = mapped_column(String(7))  # the month asked for, "2023-05"
    amount_fen: Mapped[int] = mapped_column(Fen)
    purpose: Mapped[str] = mapped_column(String(500))
    beneficiaries: Mapped[str] = mapped_column(String(500), default="")
    # The budget item asked against: its description is kept, so the request still reads
    # right if the project's budget is later changed by an approved change request.
    budget_item_id: Mapped[int | None] = mapped_column(ForeignKey("budget_items.id", ondelete="SET NULL"))
    budget_item_description: Mapped[str] = mapped_column(String(200), default="")
    state: Mapped[str] = mapped_column(String(20), default=FundRequestState.submitted.value, index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    supervised_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    supervised_at: Mapped[dt.datetime | None] = moment()
    supervision_note: Mapped[str] = mapped_column(String(500), default="")
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    accepted_at: Mapped[dt.datetime | None] = moment()
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("fund_request_batches.id"), index=True)
    refusal_reason: Mapped[str] = mapped_column(String(500), default="")
    disbursed_at: Mapped[dt.datetime | None] = moment()
    created_at: Mapped[dt.datetime] = created_at()
    # The filer's idempotency key (None for requests filed before keys were required, or by an
    # in-process caller that cannot repeat itself).
    idempotency_key: Mapped[str | None] = mapped_column(String(80))

    project: Mapped[Project] = relationship(lazy="joined")
    batch: Mapped[FundRequestBatch | None] = relationship()

    @property
    def state_enum(self) -> FundRequestState:
        return FundRequestState(self.state)
