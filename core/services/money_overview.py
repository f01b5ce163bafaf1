"""The district's money view: per street (街道/镇) and per fund, what was committed, disbursed,
spent and what remains, for one year.

Who sees what: a district administrator sees every street of the tenant, and the funds held
above the streets (the district's or city's own, e.g. a subsidy) as a group of their own; a
street administrator sees their own street. A fund belongs to the street its unit lies in (a
neighbourhood's budget line counts for its street).

All figures are the ledger's balances (``ledger.balances``: one aggregate query for every fund
shown), in integer fen. "Remaining" is the balance's ``available``: what may still be
committed (the allocations, never above the cap, less what is committed).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from core.i18n import T
from core.models import Fund, FundKind, OrgUnit
from core.permissions import A
from core.services import ledger
from core.services.context import Ctx
from core.services.disclosure import choose_year
from core.violations import Forbidden

STREET = "street"


@dataclass(frozen=True)
class Figures:
    """Sums of balances, in fen. ``cap_fen``: the sum of the caps of the funds that have one
    (None when none has)."""

    allocated: int = 0
    committed: int = 0
    disbursed: int = 0
    spent: int = 0
    held: int = 0
    available: int = 0
    cap_fen: int | None = None
    funds: int = 0

    @classmethod
    def of(cls, balances: list[ledger.Balance]) -> "Figures":
        caps = [b.cap_fen for b in balances if b.cap_fen is not None]
        return cls(allocated=sum(b.allocated for b in balances), committed=sum(b.committed for b in balances),
                   disbursed=sum(b.disbursed for b in balances), spent=sum(b.spent for b in balances),
                   held=sum(b.held for b in balances), available=sum(b.available for b in balances), cap_fen=sum(caps) if caps else None,
                   funds=len(balances))

    # The five parts a chart's bar is made of; together they are what may be committed in all
    # (committed + held for claims + available = min(allocated, cap), fund by fund).
    @property
    def disbursed_unspent(self) -> int:
        return self.disbursed - self.spent

    @property
    def committed_undisbursed(self) -> int:
        return self.committed - self.disbursed

    def segments(self) -> list[tuple[str, int]]:
        return [("spent", self.spent), ("disbursed_unspent", self.disbursed_unspent),
                ("committed_undisbursed", self.committed_undisbursed), ("held", self.held),
                ("available", self.available)]

    @property
    def may_commit(self) -> int:
        """What may be committed in all: a bar's length."""
        return self.committed + self.held + self.available


SEGMENT_LABELS = {
    "spent": T("已支出", "spent"),
    "disbursed_unspent": T("已拨付未支出", "disbursed, not yet spent"),
    "committed_undisbursed": T("已承诺未拨付", "committed, not yet disbursed"),
    "held": T("为认领项目预留", "held for claims"),
    "available": T("可用", "available"),  # the money words' (core.services.money_words)
}


@dataclass(frozen=True)
class FundRow:
    fund: Fund
    balance: ledger.Balance

    @property
    def kind_label(self):
        return FundKind(self.fund.kind).label


@dataclass(frozen=True)
class StreetMoney:
    """One street's funds (or, with ``own_level``, the funds a unit above the streets holds)."""

    unit: OrgUnit
    own_level: bool
    rows: list[FundRow] = field(default_factory=list)

    @property
    def totals(self) -> Figures:
        return Figures.of([r.balance for r in self.rows])


@dataclass(frozen=True)
class MoneyOverview:
    year: int
    years: list[int]
    groups: list[StreetMoney]

    @property
    def totals(self) -> Figures:
        return Figures.of([r.balance for g in self.groups for r in g.rows])

    @property
    def rows(self) -> list[tuple[StreetMoney, FundRow]]:
        return [(g, r) for g in self.groups for r in g.rows]


def may_view(ctx: Ctx) -> bool:
    return ctx.can(A.money_overview).allowed


def overview(ctx: Ctx, year: int | None = None) -> MoneyOverview:
    """The money of the streets the actor administers, for ``year`` (default: this year, or
    the latest year with data). A fixed number of queries, however many funds."""
    if not may_view(ctx):
        raise Forbidden(T("只有区级或街道管理员可以查看资金总览", "Only district or street administrators see the money overview"))
    year, known = choose_year(ctx, year)
    within = ctx.where(A.money_overview, unit_path=OrgUnit.path)
    streets = list(ctx.session.scalars(select(OrgUnit).where(within, OrgUnit.kind == STREET).order_by(OrgUnit.path)))
    funds = list(ctx.session.scalars(select(Fund).join(OrgUnit, OrgUnit.id == Fund.org_unit_id)
                                     .where(within, Fund.year == year)
                                     .order_by(OrgUnit.path, Fund.kind, Fund.name, Fund.id)))
    balances = ledger.balances(ctx, [f.id for f in funds])
    groups = {s.id: StreetMoney(s, own_level=False) for s in streets}
    above: dict[int, StreetMoney] = {}
    longest_first = sorted(streets, key=lambda s: -len(s.path))
    for fund in funds:
        street = next((s for s in longest_first if fund.org_unit.path.startswith(s.path)), None)
        if street is not None:
            group = groups[street.id]
        else:  # held above the streets: the district's (or city's) own funds
            group = above.setdefault(fund.org_unit_id, StreetMoney(fund.org_unit, own_level=True))
        group.rows.append(FundRow(fund, balances[fund.id]))
    ordered = sorted(above.values(), key=lambda g: g.unit.path) + [groups[s.id] for s in streets]
    return MoneyOverview(year, known, ordered)


def group_name(group: StreetMoney) -> str:
    return f"{group.unit.name}（本级）" if group.own_level else group.unit.name
