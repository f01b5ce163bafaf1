"""What is read about pledges: lists of them with their derived state (by fund, sponsor or claimed
project) and the sponsor's own page (what it promised, what arrived, what it paid for)."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from core.i18n import T
from core.models import Fund, OrgUnit, Pledge, Project, Sponsor
from core.permissions import A
from core.services import ledger, paging
from core.services.context import Ctx
from core.services.pledges.attribution import Expense, PledgeState, _states_for, fund_state
from core.services.pledges.sponsors import get_sponsor, may_see_sponsor
from core.services.projects import visible as visible_projects
from core.violations import Forbidden, NotFound


@dataclass(frozen=True)
class PledgeRow:
    pledge: Pledge
    state: PledgeState
    fund: Fund
    project: Project | None


def _visible_pledges(ctx: Ctx):
    """Pledges the actor may read: to funds at or below their staff units, or their own."""
    stmt = (select(Pledge).join(Sponsor, Sponsor.id == Pledge.sponsor_id).join(Fund, Fund.id == Pledge.fund_id)
            .join(OrgUnit, OrgUnit.id == Fund.org_unit_id))
    return stmt.where(ctx.where(A.sponsor_view, unit_path=OrgUnit.path, sponsor_user_id=Sponsor.user_id))


def list_pledges(ctx: Ctx, *, fund_id: int | None = None, sponsor_id: int | None = None,
                 project_id: int | None = None) -> list[PledgeRow]:
    """Pledges with their derived state, by fund, sponsor and/or claimed project. Staff see
    their units' funds, a sponsor its own; who claimed a project is public to whoever may see
    the project (the council announces it)."""
    stmt = _pledges_query(ctx, fund_id, sponsor_id, project_id)
    return pledge_rows(ctx, list(ctx.session.scalars(stmt).unique()))


def pledges_page(ctx: Ctx, *, fund_id: int | None = None, sponsor_id: int | None = None,
                 project_id: int | None = None, limit: int, offset: int = 0) -> tuple[list[PledgeRow], int]:
    """A page of ``list_pledges`` and their number in all."""
    rows, total = paging.page(ctx.session, _pledges_query(ctx, fund_id, sponsor_id, project_id),
                              limit=limit, offset=offset, unique=True)
    return pledge_rows(ctx, rows), total


def _pledges_query(ctx: Ctx, fund_id: int | None, sponsor_id: int | None, project_id: int | None):
    if project_id is not None:
        project = ctx.session.scalars(visible_projects(ctx).where(Project.id == project_id)).unique().one_or_none()
        if project is None:
            raise NotFound(T("项目", "project"), field="project_id")
        stmt = select(Pledge).where(Pledge.project_id == project.id)
    else:
        stmt = _visible_pledges(ctx)
    if fund_id is not None:
        stmt = stmt.where(Pledge.fund_id == fund_id)
    if sponsor_id is not None:
        stmt = stmt.where(Pledge.sponsor_id == sponsor_id)
    return stmt.order_by(Pledge.id)


def pledge_rows(ctx: Ctx, rows: list[Pledge]) -> list[PledgeRow]:
    """These pledges with their derived state, fund and claimed project."""
    states = _states_for(ctx, rows)
    funds = {f.id: f for f in ledger.funds_by_id(ctx, sorted({p.fund_id for p in rows}))}
    projects = {pr.id: pr for pr in ctx.session.scalars(
        select(Project).where(Project.id.in_({p.project_id for p in rows if p.project_id})))}
    return [PledgeRow(p, states[p.id], funds[p.fund_id], projects.get(p.project_id)) for p in rows]


def claims_of(ctx: Ctx, project: Project) -> list[PledgeRow]:
    """Who claimed this project (the caller has already been allowed to see it)."""
    return pledge_rows(ctx, list(ctx.session.scalars(select(Pledge).where(Pledge.project_id == project.id).order_by(Pledge.id))))

# ---------------------------------------------------------------- the sponsor's view


@dataclass
class PledgeView:
    pledge: Pledge
    fund: Fund
    state: PledgeState
    project: Project | None
    paid_for: list[Expense] = field(default_factory=list)  # the claimed project's (or the fund's) expenses
    shares: list[tuple[Expense, int]] = field(default_factory=list)  # the expenses it paid a part of, with the part

    @property
    def shared(self) -> int:
        """The parts of ``shares`` added up: the pledge's spent, each fen of it explained."""
        return sum(part for _, part in self.shares)


@dataclass
class SponsorView:
    sponsor: Sponsor
    pledges: list[PledgeView]

    @property
    def promised(self) -> int:
        return sum(v.state.promised for v in self.pledges)

    @property
    def received(self) -> int:
        return sum(v.state.received for v in self.pledges)

    @property
    def spent(self) -> int:
        return sum(v.state.spent for v in self.pledges)

    # The reconciliation's totals: each the sum of its column, so the page's totals add up.
    @property
    def committed(self) -> int:
        return sum(v.state.committed for v in self.pledges)

    @property
    def unspent(self) -> int:
        return sum(v.state.unspent for v in self.pledges)

    @property
    def outstanding(self) -> int:
        return sum(v.state.outstanding for v in self.pledges)


def sponsor_view(ctx: Ctx, sponsor_id: int) -> SponsorView:
    """What a sponsor promised, what arrived, and what it paid for (its own login, or staff and
    supervisors at or above the unit it is registered with)."""
    sponsor = get_sponsor(ctx, sponsor_id)
    if not may_see_sponsor(ctx, sponsor):
        raise Forbidden(T("只能查看本单位的认捐情况", "You may see only your own organisation's pledges"))
    rows = list(ctx.session.scalars(select(Pledge).where(Pledge.sponsor_id == sponsor.id).order_by(Pledge.id)))
    funds = {f.id: fund_state(ctx, f) for f in ledger.funds_by_id(ctx, sorted({p.fund_id for p in rows}))}
    projects = {pr.id: pr for pr in ctx.session.scalars(
        select(Project).where(Project.id.in_({p.project_id for p in rows if p.project_id})))}
    views = []
    for p in rows:
        fs = funds[p.fund_id]
        views.append(PledgeView(p, fs.fund, fs.states[p.id], projects.get(p.project_id), fs.expenses_of(p.project_id),
                                fs.shares.get(p.id, [])))
    return SponsorView(sponsor, views)
