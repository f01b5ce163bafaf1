"""Funds and the append-only money ledger.

A ``Fund`` is a pot of money that belongs to one org unit for one year: a neighbourhood's budget
line, a street's capped pool, a subsidy (with its tier), or a sponsor fund fed by pledges.
Money moves only by ``LedgerEntry`` rows, which are never updated or deleted (the database
refuses it too, see migration 0002_ledger). Every amount is a positive integer number of fen;
the entry's kind says which way it moves. Balances are derived from the entries
(``core.services.ledger.balances``), never stored as the only truth.
"""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, Fen
from core.i18n import T, Text
from core.models._types import created_at
from core.models.org import OrgUnit
from core.tenancy import TenantOwned


class FundKind(str, enum.Enum):
    budget_line = "budget_line"    # 居民自治经费: a neighbourhood's own line
    pool = "pool"                  # 资金池: a street's capped pool, paid out on merit
    subsidy = "subsidy"            # 补助: a subsidy programme, at a named tier
    sponsor_fund = "sponsor_fund"  # 共治金 / 自治金: fed by sponsors' pledges

    @property
    def label(self) -> Text:
        return FUND_KIND_LABELS[self]


FUND_KIND_LABELS = {
    FundKind.budget_line: T("居民自治经费", "budget line"),
    FundKind.pool: T("资金池", "fund pool"),
    FundKind.subsidy: T("补助", "subsidy"),
    FundKind.sponsor_fund: T("共治金/自治金", "co-governance fund"),
}


class EntryKind(str, enum.Enum):
    allocation = "allocation"        # money put into the fund
    commitment = "commitment"        # money promised (a project's approval); bounded by cap and allocation
    release = "release"              # a commitment (partly) undone
    disbursement = "disbursement"    # committed money paid out
    expense = "expense"              # paid-out money spent, ideally with a voucher
    refund = "refund"                # paid-out, unspent money returned to the fund
    transfer_out = "transfer_out"    # one half of a move between funds ...
    transfer_in = "transfer_in"      # ... the other half, same transfer_id
    correction = "correction"        # reverses (part of) the entry named by corrects_id
    hold = "hold"                    # set aside for a project a sponsor's pledge claims, until it is decided
    hold_release = "hold_release"    # a hold ended: the project was decided (or withdrawn)

    @property
    def label(self) -> Text:
        return ENTRY_KIND_LABELS[self]


ENTRY_KIND_LABELS = {
    EntryKind.allocation: T("拨入", "allocation"),
    EntryKind.commitment: T("承诺（立项）", "commitment"),
    EntryKind.release: T("释放承诺", "release"),
    EntryKind.disbursement: T("拨付", "disbursement"),
    EntryKind.expense: T("支出", "expense"),
    EntryKind.refund: T("退回", "refund"),
    EntryKind.transfer_out: T("调出", "transfer out"),
    EntryKind.transfer_in: T("调入", "transfer in"),
    EntryKind.correction: T("更正", "correction"),
    EntryKind.hold: T("认领预留", "claim hold"),
    EntryKind.hold_release: T("解除预留", "hold released"),
}

# The kinds that hold money for a claimed project rather than move it.
HOLD_KINDS = (EntryKind.hold.value, EntryKind.hold_release.value)


def _in(column: str, enum_cls) -> str:
    return f"{column} IN ({', '.join(repr(m.value) for m in enum_cls)})"


class Fund(TenantOwned, Base):
    __tablename__ = "funds"
    __table_args__ = (
        UniqueConstraint("org_unit_id", "year", "kind", "name"),
        CheckConstraint(_in("kind", FundKind), name="kind_known"),
        CheckConstraint("cap_fen IS NULL OR cap_fen >= 0", name="cap_not_negative"),
        # A subsidy is always at a tier (e.g. city-level or county-level); other kinds have none.
        CheckConstraint("(kind = 'subsidy') = (tier IS NOT NULL)", name="tier_iff_subsidy"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    tier: Mapped[str | None] = mapped_column(String(64))
    # The most that may ever be committed from the fund (None: bounded by allocations only).
    # Callers set it from the frozen config of the plugin that governs the fund.
    cap_fen: Mapped[int | None] = mapped_column(Fen)
    created_at: Mapped[dt.datetime] = created_at()

    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")

    @property
    def kind_enum(self) -> FundKind:
        return FundKind(self.kind)


class LedgerEntry(TenantOwned, Base):
    __tablename__ = "ledger_entries"
    __table_args__ = (
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        CheckConstraint(_in("kind", EntryKind), name="kind_known"),
        CheckConstraint("(kind = 'correction') = (corrects_id IS NOT NULL)", name="correction_names_entry"),
        CheckConstraint("(kind IN ('transfer_out', 'transfer_in')) = (transfer_id IS NOT NULL)",
                        name="transfer_has_id"),
        CheckConstraint("voucher_attachment_id IS NULL OR kind = 'expense'", name="voucher_only_on_expense"),
        # A hold is always a claim's: the pledge that claims and the project it claims.
        CheckConstraint("kind NOT IN ('hold', 'hold_release') OR (project_id IS NOT NULL AND pledge_id IS NOT NULL)",
                        name="hold_names_claim"),
        # The request's key sits on the entry that starts it; a transfer's incoming half is
        # found through its transfer_id instead.
        CheckConstraint("idempotency_key IS NOT NULL OR kind = 'transfer_in'", name="key_present"),
        UniqueConstraint("tenant_id", "idempotency_key"),
        UniqueConstraint("transfer_id", "kind"),
        Index("ix_ledger_entries_fund_id_kind", "fund_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"))  # indexed with kind, below
    kind: Mapped[str] = mapped_column(String(20))
    amount_fen: Mapped[int] = mapped_column(Fen)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = created_at()
    memo: Mapped[str] = mapped_column(String(500), default="")
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id"), index=True)
    transfer_id: Mapped[str | None] = mapped_column(String(36))
    voucher_attachment_id: Mapped[int | None] = mapped_column(ForeignKey("attachments.id"))
    # What the entry belongs to, for tracing: the pledge whose money an allocation brought in
    # (or a hold sets aside, or a commitment earmarks for the project it claims), the fund
    # request a disbursement (or an expense of that money) answers.
    pledge_id: Mapped[int | None] = mapped_column(ForeignKey("pledges.id"), index=True)
    fund_request_id: Mapped[int | None] = mapped_column(ForeignKey("fund_requests.id"), index=True)

    @property
    def kind_enum(self) -> EntryKind:
        return EntryKind(self.kind)
