"""Read-side queries behind the overview and list pages (the web's: what a request reads once
is kept on ``flask.g``).

Every function here issues a fixed number of statements whatever the number of projects
(grouped counts, one ``IN`` per batch), and every project query starts from
``core.services.projects.visible`` so a page never shows what the actor may not see.
"""
from __future__ import annotations

from collections import defaultdict

from flask import g
from sqlalchemy import func, or_, select
from sqlalchemy.orm import lazyload

from core.models import OrgUnit, PanelMember, Programme, Project, ProjectState, User
from core.permissions import A
from core.permissions.check import panel_seats
from core.services.context import Ctx
from core.services.projects import visible

STATES = [s.value for s in ProjectState]


def state_counts(ctx: Ctx, by: str, *, programme_ids: list[int] | None = None) -> dict[int, dict[str, int]]:
    """{programme_id or applicant_unit_id: {state: n}} over the projects the actor may see."""
    sub = visible(ctx).with_only_columns(Project.programme_id, Project.applicant_unit_id, Project.state)
    if programme_ids is not None:
        sub = sub.where(Project.programme_id.in_(programme_ids or [-1]))
    sub = sub.subquery()
    key = sub.c.programme_id if by == "programme" else sub.c.applicant_unit_id
    out: dict[int, dict[str, int]] = defaultdict(dict)
    for k, state, n in ctx.session.execute(select(key, sub.c.state, func.count()).group_by(key, sub.c.state)):
        out[k][state] = n
    return out


def add_counts(into: dict[str, int], counts: dict[str, int]) -> None:
    for state, n in counts.items():
        into[state] = into.get(state, 0) + n


def units_administered(ctx: Ctx, kinds: tuple[str, ...] = ("street",)) -> list[OrgUnit]:
    cond = ctx.where(A.programme_manage, unit_path=OrgUnit.path)
    return list(ctx.session.scalars(select(OrgUnit).where(cond, OrgUnit.kind.in_(kinds)).order_by(OrgUnit.path)))


def applicant_units(ctx: Ctx, within: OrgUnit | None = None, kinds: tuple[str, ...] | None = None) -> list[OrgUnit]:
    """Units the actor may apply for (a role at a unit reaches the units below it), at or below
    ``within`` (the programme's unit applies itself where a track admits its kind)."""
    cond = ctx.where(A.project_apply, unit_path=OrgUnit.path)
    stmt = select(OrgUnit).where(cond).order_by(OrgUnit.path)
    if within is not None:
        stmt = stmt.where(OrgUnit.path.startswith(within.path))
    if kinds:
        stmt = stmt.where(OrgUnit.kind.in_(kinds))
    return list(ctx.session.scalars(stmt))


def children_counts(ctx: Ctx, parent_ids: list[int]) -> dict[int, int]:
    rows = ctx.session.execute(select(OrgUnit.parent_id, func.count()).where(OrgUnit.parent_id.in_(parent_ids or [-1]))
                               .group_by(OrgUnit.parent_id))
    return {pid: n for pid, n in rows}


def children(ctx: Ctx, parent: OrgUnit) -> list[OrgUnit]:
    return list(ctx.session.scalars(select(OrgUnit).where(OrgUnit.parent_id == parent.id).order_by(OrgUnit.code)))


def my_projects(ctx: Ctx, limit: int = 200) -> list[Project]:
    """Projects of the units the actor applies for, any state, newest first."""
    mine = select(OrgUnit.id).where(ctx.where(A.project_apply, unit_path=OrgUnit.path))
    stmt = visible(ctx).where(Project.applicant_unit_id.in_(mine)).order_by(Project.id.desc()).limit(limit)
    return list(ctx.session.scalars(stmt).unique())


def recent_projects(ctx: Ctx, *, programme_ids: list[int], limit: int = 20) -> list[Project]:
    stmt = (visible(ctx).where(Project.programme_id.in_(programme_ids or [-1]))
            .order_by(Project.id.desc()).limit(limit))
    return list(ctx.session.scalars(stmt).unique())


def panels(ctx: Ctx, programme_ids: list[int]) -> dict[int, list[PanelMember]]:
    out: dict[int, list[PanelMember]] = defaultdict(list)
    for m in ctx.session.scalars(select(PanelMember).where(PanelMember.programme_id.in_(programme_ids or [-1]))
                                 .order_by(PanelMember.chair.desc(), PanelMember.id)):
        out[m.programme_id].append(m)
    return out


def panel_programme_ids(ctx: Ctx) -> set[int]:
    """The programmes on whose panel the actor sits (the seats the permission check reads, once)."""
    if not ctx.actor.is_authenticated:
        return set()
    return set(panel_seats(ctx.actor, ctx.session))


def review_queue(ctx: Ctx, programme_ids: list[int], states: tuple[str, ...], limit: int = 200) -> list[Project]:
    """Projects of ``programme_ids`` in ``states`` that the actor may score or decide, as the
    permission table says it one by one (``ctx.where`` keeps the separation of duties: an
    office's own application is someone else's to decide, so it is not in the office's queue)."""
    applicant_path = select(OrgUnit.path).where(OrgUnit.id == Project.applicant_unit_id).scalar_subquery()
    owner_path = (select(OrgUnit.path).join(Programme, Programme.org_unit_id == OrgUnit.id)
                  .where(Programme.id == Project.programme_id).scalar_subquery())
    reviews = or_(ctx.where(A.review_score, programme_id=Project.programme_id),
                  ctx.where(A.review_decide, unit_path=applicant_path, programme_unit_path=owner_path,
                            programme_id=Project.programme_id))
    # the queue lists titles and amounts: a project's budget lines and files wait for its own page
    stmt = (visible(ctx).where(Project.programme_id.in_(programme_ids or [-1]), Project.state.in_(states), reviews)
            .options(lazyload(Project.budget_items), lazyload(Project.attachments))
            .order_by(Project.submitted_at, Project.id).limit(limit))
    return list(ctx.session.scalars(stmt).unique())




def users_by_id(ctx: Ctx, ids) -> dict[int, User]:
    ids = sorted({i for i in ids if i is not None})
    if not ids:
        return {}
    return {u.id: u for u in ctx.session.scalars(select(User).where(User.id.in_(ids)))}


def all_programmes(ctx: Ctx) -> list[Programme]:
    """Every programme of the tenant, newest year first, read once per request: the page and
    the inbox count in its header ask for them both."""
    if "programmes" not in g:
        g.programmes = list(ctx.session.scalars(select(Programme).order_by(Programme.year.desc(), Programme.id)))
    return g.programmes


def programmes_by_id(ctx: Ctx) -> dict[int, Programme]:
    return {p.id: p for p in all_programmes(ctx)}


def units_by_id(ctx: Ctx, ids) -> list[OrgUnit]:
    ids = sorted({i for i in ids if i is not None})
    if not ids:
        return []
    return list(ctx.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids))))


def search_units(ctx: Ctx) -> list[OrgUnit]:
    """The units the project list can be narrowed to: the applicants of the projects the actor
    may see, and the units just above them (a street picks all its neighbourhoods' at once).
    One statement."""
    applicants = visible(ctx).with_only_columns(Project.applicant_unit_id).distinct()
    parents = select(OrgUnit.parent_id).where(OrgUnit.id.in_(applicants))
    return list(ctx.session.scalars(select(OrgUnit).where(or_(OrgUnit.id.in_(applicants), OrgUnit.id.in_(parents)))
                                    .order_by(OrgUnit.path)))
