"""What a disclosure shows, as plain frozen data: a unit's disclosed projects, each with its
sources, approval, pledges, disbursements and spending, and the unit's funds (see
``core.services.disclosure``). The totals are sums over what is listed, so each list adds up to
the figure shown above it."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from core.i18n import Text
from core.models import EntryKind, Fund, FundKind, OrgUnit, Project, SponsorKind
from core.services import approval_sources, funding, ledger


@dataclass(frozen=True)
class Source:
    """One fund a project draws on, with this project's share of it."""

    fund: Fund
    committed_fen: int
    disbursed_fen: int
    spent_fen: int

    @property
    def kind_label(self) -> Text:
        return FundKind(self.fund.kind).label


@dataclass(frozen=True)
class PledgeLine:
    """A sponsor's pledge: promised (money and/or in kind) and received (allocations naming it)."""

    id: int
    sponsor_name: Text
    sponsor_kind: str
    fund_id: int
    fund_name: str
    project_id: int | None  # only a disclosed project is named ...
    project_title: str
    claimed: bool           # ... though the pledge may claim one that is not (yet) disclosed
    promised_fen: int
    received_fen: int
    in_kind: str
    occasion: str
    pledged_on: dt.date

    @property
    def sponsor_kind_label(self) -> Text:
        return SponsorKind(self.sponsor_kind).label


@dataclass(frozen=True)
class Approval:
    decided_on: dt.date
    approved_fen: int | None
    decision_id: int | None = None
    recorded: tuple[funding.FundingLine, ...] = ()
    funding: tuple[approval_sources.Source, ...] = ()  # the recorded lines with what is committed now


@dataclass(frozen=True)
class Movement:
    """A listed ledger entry: a disbursement, a refund, an expense or a correction of one.
    ``amount_fen`` is signed as the entry moves its column (a refund or correction is < 0)."""

    entry_id: int
    on: dt.date
    kind: str
    corrected_kind: str | None  # for a correction: the kind of the entry it corrects
    fund_id: int
    fund_name: str
    project_id: int
    amount_fen: int
    memo: str
    purpose: str  # the fund request's, when the entry answers one
    month: str
    has_voucher: bool

    @property
    def label(self) -> Text:
        return EntryKind(self.kind).label

    @property
    def corrected_label(self) -> Text | None:
        return EntryKind(self.corrected_kind).label if self.corrected_kind else None


@dataclass(frozen=True)
class ProjectDisclosure:
    project: Project
    track_label: Text
    approval: Approval | None
    sources: list[Source]
    pledges: list[PledgeLine]
    disbursements: list[Movement]
    spending: list[Movement]

    @property
    def committed_fen(self) -> int:
        return sum(s.committed_fen for s in self.sources)

    @property
    def disbursed_fen(self) -> int:
        return sum(s.disbursed_fen for s in self.sources)

    @property
    def spent_fen(self) -> int:
        return sum(s.spent_fen for s in self.sources)

    @property
    def undisbursed_fen(self) -> int:
        return self.committed_fen - self.disbursed_fen

    @property
    def unspent_fen(self) -> int:
        return self.disbursed_fen - self.spent_fen

    @property
    def promised_fen(self) -> int:
        return sum(p.promised_fen for p in self.pledges)

    @property
    def received_fen(self) -> int:
        return sum(p.received_fen for p in self.pledges)

    @property
    def in_kind(self) -> list[PledgeLine]:
        return [p for p in self.pledges if p.in_kind]

    @property
    def vouchers(self) -> int:
        return sum(1 for m in self.spending if m.has_voucher)

    @property
    def expenses(self) -> int:
        return sum(1 for m in self.spending if m.kind == EntryKind.expense.value)


@dataclass(frozen=True)
class FundLine:
    fund: Fund
    balance: ledger.Balance

    @property
    def kind_label(self) -> Text:
        return FundKind(self.fund.kind).label


@dataclass(frozen=True)
class UnitDisclosure:
    unit: OrgUnit
    year: int
    years: list[int]
    projects: list[ProjectDisclosure]
    funds: list[FundLine]
    pledges: list[PledgeLine]  # to the unit's funds of the year and to its projects

    def total(self, name: str) -> int:
        """A sum over the projects (``committed_fen``, ``disbursed_fen``, ``spent_fen`` ...)."""
        return sum(getattr(p, name) for p in self.projects)

    @property
    def approved_fen(self) -> int:
        return sum((p.approval.approved_fen or 0) for p in self.projects if p.approval)

    def fund_total(self, name: str) -> int:
        """A sum over the unit's funds (``allocated``, ``committed``, ``available`` ...)."""
        return sum(getattr(f.balance, name) for f in self.funds)

    @property
    def disbursements(self) -> list[Movement]:
        return [m for p in self.projects for m in p.disbursements]

    @property
    def spending(self) -> list[Movement]:
        return [m for p in self.projects for m in p.spending]


@dataclass(frozen=True)
class UnitChoice:
    """A unit on the "choose a unit" page, with its disclosed projects of the year."""

    unit: OrgUnit
    own: int        # projects the unit itself applied for
    within: int     # ... and those of every unit below it
    children: list["UnitChoice"] = field(default_factory=list)
