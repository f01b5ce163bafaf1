"""Reading a disclosure: the years there is anything to disclose, the units to choose from, and
a unit's or one project's disclosure (see ``core.services.disclosure``). Anyone may read them."""
from __future__ import annotations

from sqlalchemy import func, select, union_all
from sqlalchemy.orm import lazyload

from core.i18n import T
from core.models import Fund, OrgUnit, Programme, Project, ProjectState
from core.services import ledger
from core.services.context import Ctx
from core.services.disclosure.contents import FundLine, ProjectDisclosure, UnitChoice, UnitDisclosure
from core.services.disclosure.gathering import disclose
from core.services.org import get_unit
from core.violations import NotFound

PROJECT = T("项目", "project")
# States whose projects are public with their money. Drafts, applications under review and
# refused ones are not: only what was approved was ever promised money (and a closed project was).
DISCLOSED_STATES = (ProjectState.approved.value, ProjectState.closed.value)


def years(ctx: Ctx) -> list[int]:
    """The years anything can be disclosed for: programme years and fund years, newest first."""
    stmt = union_all(select(Programme.year.label("year")).distinct(), select(Fund.year.label("year")).distinct())
    return sorted({int(y) for (y,) in ctx.session.execute(stmt)}, reverse=True)


def default_year(known: list[int], now: int) -> int:
    """This year (``now``) if anything exists for it, else the latest year before it, else the latest."""
    if now in known or not known:
        return now
    past = [y for y in known if y <= now]
    return max(past) if past else max(known)


def choose_year(ctx: Ctx, year: int | None) -> tuple[int, list[int]]:
    known = years(ctx)
    if year is None:
        year = default_year(known, ctx.clock.today().year)
    return year, sorted(set(known) | {year}, reverse=True)


def unit_choices(ctx: Ctx, year: int) -> list[UnitChoice]:
    """The tenant's tree, each unit with how many projects of ``year`` it discloses (two
    queries: the units and one grouped count)."""
    units = list(ctx.session.scalars(select(OrgUnit).order_by(OrgUnit.path)))
    counts = dict(ctx.session.execute(
        select(Project.applicant_unit_id, func.count())
        .join(Programme, Programme.id == Project.programme_id)
        .where(Project.state.in_(DISCLOSED_STATES), Programme.year == year)
        .group_by(Project.applicant_unit_id)).all())
    nodes = {u.id: UnitChoice(u, int(counts.get(u.id, 0)), 0) for u in units}
    roots: list[UnitChoice] = []
    for u in units:
        parent = nodes.get(u.parent_id) if u.parent_id else None
        (parent.children if parent else roots).append(nodes[u.id])

    def fill(node: UnitChoice) -> UnitChoice:
        kids = [fill(c) for c in node.children]
        return UnitChoice(node.unit, node.own, node.own + sum(k.within for k in kids), kids)
    return [fill(r) for r in roots]


def unit_disclosure(ctx: Ctx, unit_id: int, year: int | None = None) -> UnitDisclosure:
    """The disclosure of ``unit_id`` (with every unit below it) for ``year`` (default: see
    ``default_year``). Anyone may read it."""
    unit = get_unit(ctx, unit_id, field="unit_id")
    year, known = choose_year(ctx, year)
    projects = list(ctx.session.scalars(
        select(Project)
        .join(OrgUnit, OrgUnit.id == Project.applicant_unit_id)
        .join(Programme, Programme.id == Project.programme_id)
        .where(OrgUnit.path.startswith(unit.path), Programme.year == year, Project.state.in_(DISCLOSED_STATES))
        .order_by(OrgUnit.path, Project.id)
        .options(lazyload(Project.budget_items), lazyload(Project.attachments))).unique())
    own_funds = ledger.list_funds(ctx, within=unit, year=year)
    disclosed, pledges = disclose(ctx, projects, own_funds)
    balances = ledger.balances(ctx, [f.id for f in own_funds])
    lines = [FundLine(f, balances[f.id]) for f in own_funds]
    return UnitDisclosure(unit, year, known, disclosed, lines, pledges)


def project_disclosure(ctx: Ctx, project_id: int) -> ProjectDisclosure:
    """One project's disclosure; a project that is not disclosed is "not found", like one
    that does not exist (no probing of ids)."""
    project = None
    if isinstance(project_id, int) and not isinstance(project_id, bool):
        project = ctx.session.scalars(
            select(Project).where(Project.id == project_id, Project.state.in_(DISCLOSED_STATES))
            .options(lazyload(Project.budget_items), lazyload(Project.attachments))).unique().one_or_none()
    if project is None:
        raise NotFound(PROJECT, field="project_id")
    disclosed, _ = disclose(ctx, [project], [])
    return disclosed[0]


def is_disclosed(project: Project) -> bool:
    return project.state in DISCLOSED_STATES
