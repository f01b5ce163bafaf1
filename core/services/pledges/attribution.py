"""Attribution: what each pledge of a fund brought in, what of that is committed to projects and
what was spent (first in, first out, see the package doc), derived from the fund's entries;
nothing of it is stored.

Committed money and expenses are shared out by one rule (``_share``), so a sponsor's figures
reconcile: what arrived = committed + not committed, what is committed >= what is spent, and
each expense names the part of it the pledge paid (its share), which adds up to the pledge's
spent. A claim takes from its own project's commitment and expenses first; what its claims did
not cover, and every other project's, is shared by the pledges that claim nothing, in id order,
each up to what it brought in. What no pledge covers was paid by the fund's other money."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

from core.i18n import T, Text
from core.models import Attachment, EntryKind, Fund, Pledge, Project
from core.services import ledger
from core.services.context import Ctx
from core.services.pledges.receiving import _fund_entries, _net, _received

STATUS_LABELS = {
    "promised": T("已认捐，未到账", "promised"),
    "received": T("已到账", "received"),
    "spent": T("已全部支出", "spent"),
}


@dataclass(frozen=True)
class PledgeState:
    promised: int
    received: int
    spent: int
    committed: int = 0  # what of ``received`` is committed to projects (spent included)

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

    @property
    def unspent(self) -> int:
        """What arrived and is not spent yet."""
        return self.received - self.spent

    @property
    def uncommitted(self) -> int:
        """What arrived and is not committed to any project yet."""
        return self.received - self.committed

    @property
    def committed_unspent(self) -> int:
        return self.committed - self.spent


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
    # pledge id -> the expenses it paid a part of, with that part (fen), oldest first
    shares: dict[int, list[tuple[Expense, int]]] = field(default_factory=dict)

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
    expense_rows = [e for e in entries if e.kind == EntryKind.expense.value and net[e.id] > 0]
    committed_by_project: dict[int | None, int] = defaultdict(int)
    for e in entries:
        if e.kind in (EntryKind.commitment.value, EntryKind.release.value):
            committed_by_project[e.project_id] += net[e.id] if e.kind == EntryKind.commitment.value else -net[e.id]
    committed = _share(pledges, received, [(pid, pid, fen) for pid, fen in sorted(
        committed_by_project.items(), key=lambda kv: (kv[0] is None, kv[0] or 0)) if fen > 0])
    spent_items = _share(pledges, received, [(e.id, e.project_id, net[e.id]) for e in expense_rows])

    projects = {pr.id: pr for pr in ctx.session.scalars(
        select(Project).where(Project.id.in_({e.project_id for e in expense_rows if e.project_id})))}
    vouchers = {a.id: a for a in ctx.session.scalars(
        select(Attachment).where(Attachment.id.in_({e.voucher_attachment_id for e in expense_rows if e.voucher_attachment_id})))}
    expenses = [Expense(e.id, e.at, net[e.id], e.memo or "", e.project_id,
                        projects[e.project_id].title if e.project_id in projects else "",
                        vouchers.get(e.voucher_attachment_id)) for e in expense_rows]
    by_id = {x.entry_id: x for x in expenses}
    states = {p.id: PledgeState(p.amount_fen, received.get(p.id, 0), sum(f for _, f in spent_items[p.id]),
                                sum(f for _, f in committed[p.id])) for p in pledges}
    shares = {p.id: [(by_id[i], f) for i, f in spent_items[p.id]] for p in pledges}
    return FundState(fund, pledges, states, expenses, ledger.balance(ctx, fund.id), shares)


def _share(pledges: list[Pledge], received: dict[int, int], items: list[tuple[int, int | None, int]]
           ) -> dict[int, list[tuple[int, int]]]:
    """Share ``items`` (id, project id, fen; oldest first) out to the pledges, first in, first
    out, each pledge up to what it brought in: a claim takes from its own project's items (claims
    of one project in pledge-id order); what claims left over, and every other project's items,
    go to the pledges that claim nothing, in id order. Returns each pledge's (item id, fen)."""
    out: dict[int, list[tuple[int, int]]] = {p.id: [] for p in pledges}
    room = {p.id: max(received.get(p.id, 0), 0) for p in pledges}
    left: list[list] = [[i, pid, fen] for i, pid, fen in items]

    def take(pledge: Pledge, rows: list[list]) -> None:
        for row in rows:
            part = min(room[pledge.id], row[2])
            if part > 0:
                out[pledge.id].append((row[0], part))
                room[pledge.id] -= part
                row[2] -= part

    for p in (p for p in pledges if p.project_id is not None):
        take(p, [row for row in left if row[1] == p.project_id])
    for p in (p for p in pledges if p.project_id is None):
        take(p, left)
    return out


def _states_for(ctx: Ctx, rows: list[Pledge]) -> dict[int, PledgeState]:
    out: dict[int, PledgeState] = {}
    for fund_id in sorted({p.fund_id for p in rows}):
        out.update(fund_state(ctx, ledger.get_fund(ctx, fund_id)).states)
    return out
