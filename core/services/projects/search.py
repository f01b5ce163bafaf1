"""Searching the projects an actor may see: by words of the title, the applicant unit (and the
units below it), the state, the programme's year, the programme and the track.

Every search starts from ``visibility.visible`` (the permission table and, on PostgreSQL,
row-level security), so a filter narrows what the list shows and never widens it. The same
statement serves the list page, the API's list and the list's exports (``core.services.lists``):
what a page shows is what its export holds.

The title is matched as typed: ``%`` and ``_`` in the words are letters, not wildcards (escaped
for SQLite and PostgreSQL alike), and Latin letters match in either case.
"""
from __future__ import annotations

from dataclasses import dataclass, fields

from sqlalchemy import Select, func, select
from sqlalchemy.orm import lazyload

from core.models import OrgUnit, Programme, Project, ProjectState
from core.permissions import A, holder_grants
from core.services.context import Ctx
from core.services.projects.visibility import visible

QUERY_MAX = 60  # as long as a title may be (and a little more): longer words match nothing anyway
PAGE_MAX = 200


@dataclass(frozen=True)
class ProjectSearch:
    """What a reader narrows the project list to; None: no narrowing. ``unit_id``: projects of
    that unit and the units below it (a street picks its neighbourhoods'); ``applicant_unit_id``:
    of exactly that unit; ``year``: the programme's year."""

    q: str | None = None
    unit_id: int | None = None
    applicant_unit_id: int | None = None
    state: str | None = None
    year: int | None = None
    programme_id: int | None = None
    track: str | None = None

    @classmethod
    def of(cls, values: dict) -> "ProjectSearch":
        """From a loaded query (the schema's names); keys it does not know are not its."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in names})

    def asked(self) -> dict:
        """The narrowing given, by name (for links, exports and the record of an export)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) not in (None, "")}


def matching(ctx: Ctx, search: ProjectSearch | None = None) -> Select:
    """The projects the actor may see that ``search`` matches, as a statement to order and page."""
    s = search or ProjectSearch()
    stmt = visible(ctx)
    words = (s.q or "").strip()
    if words:
        stmt = stmt.where(func.lower(Project.title).contains(words.lower(), autoescape=True))
    if s.unit_id is not None:
        path = select(OrgUnit.path).where(OrgUnit.id == s.unit_id).scalar_subquery()
        stmt = stmt.where(Project.applicant_unit_id.in_(select(OrgUnit.id).where(OrgUnit.path.startswith(path))))
    if s.applicant_unit_id is not None:
        stmt = stmt.where(Project.applicant_unit_id == s.applicant_unit_id)
    if s.state:
        stmt = stmt.where(Project.state == s.state)
    if s.year is not None:
        stmt = stmt.where(Project.programme_id.in_(select(Programme.id).where(Programme.year == s.year)))
    if s.programme_id is not None:
        stmt = stmt.where(Project.programme_id == s.programme_id)
    if s.track:
        stmt = stmt.where(Project.track == s.track)
    return stmt


def search_projects(ctx: Ctx, search: ProjectSearch | None = None, *, limit: int = 50,
                    offset: int = 0, parts: bool = True) -> tuple[list[Project], int]:
    """A page of the matching projects, newest first, and how many match: two statements, and
    with ``parts`` two more for their budget lines and files (the API shows them; a list of
    titles does not)."""
    stmt = matching(ctx, search)
    if not parts:
        stmt = stmt.options(lazyload(Project.budget_items), lazyload(Project.attachments))
    total = ctx.session.scalar(select(func.count()).select_from(stmt.with_only_columns(Project.id).subquery()))
    rows = ctx.session.scalars(stmt.order_by(Project.id.desc()).limit(max(1, min(limit, PAGE_MAX)))
                               .offset(max(0, offset)))
    return list(rows.unique()), int(total or 0)


def list_projects(ctx: Ctx, *, programme_id: int | None = None, state: str | None = None,
                  applicant_unit_id: int | None = None, track: str | None = None, q: str | None = None,
                  unit_id: int | None = None, year: int | None = None,
                  limit: int = 50, offset: int = 0, parts: bool = True) -> tuple[list[Project], int]:
    """``search_projects`` with the narrowing as keywords (the callers that name one or two)."""
    return search_projects(ctx, ProjectSearch(q=q, unit_id=unit_id, applicant_unit_id=applicant_unit_id, state=state,
                                              year=year, programme_id=programme_id, track=track),
                           limit=limit, offset=offset, parts=parts)


def sees_drafts(ctx: Ctx) -> bool:
    """Whether the actor can ever see a draft in the list: drafts stay with their authors
    (``A.project_view``, the applicant's own units), so a state filter offers 草稿 only to them."""
    return ctx.actor.is_authenticated and bool(holder_grants(ctx.actor, A.project_view, table=ctx.permissions))


def state_choices(ctx: Ctx) -> list[ProjectState]:
    """The states the list's filter offers the actor, in the lifecycle's order."""
    drafts = sees_drafts(ctx)
    if not ctx.actor.is_authenticated:  # the public sees what was approved, and nothing else
        return [ProjectState.approved, ProjectState.closed]
    return [s for s in ProjectState if drafts or s is not ProjectState.draft]
