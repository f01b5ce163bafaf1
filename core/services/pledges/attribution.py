"""Attribution: what each pledge of a fund brought in and what of that was spent (first in, first
out, see the package doc), derived from the fund's entries; nothing of it is stored."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from core.i18n import T, Text
from core.models import Attachment, EntryKind, Fund, Pledge, Project
from core.services import ledger
from core.services.context import Ctx
from core.services.pledges.receiving import _fund_entries, _net, _received

STATUS_LABELS = {
    "promised": T("已承诺，未到账", "promised"),
    "received": T("已到账", "received"),
    "spent": T("已全部使用", "spent"),
}


@dataclass(frozen=True)
class PledgeState:
    promised: int
    received: int
    spent: int

    @property
    def status(self) -> str:
        if self.received <= 0:
            return "promised"
        return "spent" if self.spent >= self.received else "received"

    @property
    def status_label(self) -> Text:
        return STATUS_LABELS[self.status]

    @property
    def outstanding(self) -> int:
        return max(self.promised - self.received, 0)


@dataclass(frozen=True)
class Expense:
    entry_id: int
    at: dt.datetime
    amount_fen: int
    memo: str
    project_id: int | None
    project_title: str
    voucher: Attachment | None


@dataclass
class FundState:
    """One fund's pledges with their derived state, and its expenses."""

    fund: Fund
    pledges: list[Pledge]
    states: dict[int, PledgeState]
    expenses: list[Expense]
    balance: ledger.Balance

    @property
    def promised(self) -> int:
        return sum(p.amount_fen for p in self.pledges)

    @property
    def received(self) -> int:
        return sum(s.received for s in self.states.values())

    def expenses_of(self, project_id: int | None) -> list[Expense]:
        return [e for e in self.expenses if project_id is None or e.project_id == project_id]


def fund_state(ctx: Ctx, fund: Fund) -> FundState:
    """Every pledge of the fund with what it brought in and what of that was spent (FIFO, see
    the package doc), from the fund's entries."""
    pledges = list(ctx.session.scalars(select(Pledge).where(Pledge.fund_id == fund.id).order_by(Pledge.id)))
    entries = _fund_entries(ctx, fund.id)
    net = _net(entries)
    received = _received(entries, net)
    spent_by_project: dict[int | None, int] = defaultdict(int)
    expense_rows = [e for e in entries if e.kind == EntryKind.expense.value and net[e.id] > 0]
    for e in expense_rows:
        spent_by_project[e.project_id] += net[e.id]
    total_spent = sum(spent_by_project.values())

    spent: dict[int, int] = {}
    taken_by_claims = 0
    for project_id in {p.project_id for p in pledges if p.project_id is not None}:
        left = spent_by_project.get(project_id, 0)
        for p in (p for p in pledges if p.project_id == project_id):
            share = min(received.get(p.id, 0), left)
            spent[p.id], left = share, left - share
            taken_by_claims += share
    left = total_spent - taken_by_claims
    for p in (p for p in pledges if p.project_id is None):
        share = min(received.get(p.id, 0), left)
        spent[p.id], left = share, left - share

    projects = {pr.id: pr for pr in ctx.session.scalars(
        select(Project).where(Project.id.in_({e.project_id for e in expense_rows if e.project_id})))}
    vouchers = {a.id: a for a in ctx.session.scalars(
        select(Attachment).where(Attachment.id.in_({e.voucher_attachment_id for e in expense_rows if e.voucher_attachment_id})))}
    expenses = [Expense(e.id, e.at, net[e.id], e.memo or "", e.project_id,
                        projects[e.project_id].title if e.project_id in projects else "",
                        vouchers.get(e.voucher_attachment_id)) for e in expense_rows]
    states = {p.id: PledgeState(p.amount_fen, received.get(p.id, 0), spent.get(p.id, 0)) for p in pledges}
    return FundState(fund, pledges, states, expenses, ledger.balance(ctx, fund.id))


def _states_for(ctx: Ctx, rows: list[Pledge]) -> dict[int, PledgeState]:
    out: dict[int, PledgeState] = {}
    for fund_id in sorted({p.fund_id for p in rows}):
        out.update(fund_state(ctx, ledger.get_fund(ctx, fund_id)).states)
    return out
