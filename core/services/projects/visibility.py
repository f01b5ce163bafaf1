"""Which projects an actor may see, and finding them: one project (locked for a change, when
asked), a page of them, or one of a project's attachments. A project the actor may not see is
"not found", the same as one that does not exist (no probing of ids). Searching them is
``core.services.projects.search``."""
from __future__ import annotations

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import aliased

from core.i18n import T
from core.models import Attachment, OrgUnit, Programme, Project, ProjectState
from core.permissions import A
from core.services.context import Ctx
from core.violations import NotFound

PROJECT = T("项目", "project")


def visible(ctx: Ctx) -> Select:
    """Projects the actor may see: their own units' projects (any state); for oversight roles,
    every non-draft project of programmes at or below their units; for everyone, approved ones."""
    stmt = select(Project)
    published = Project.state.in_((ProjectState.approved.value, ProjectState.closed.value))  # closed: approved once
    if not ctx.actor.is_authenticated:
        return stmt.where(published)
    applicant = aliased(OrgUnit)
    owner = aliased(OrgUnit)
    stmt = (stmt.join(applicant, Project.applicant_unit_id == applicant.id)
            .join(Programme, Project.programme_id == Programme.id)
            .join(owner, Programme.org_unit_id == owner.id))
    # Oversight reaches a programme's projects from above its owner (a street's or city's staff)
    # and an applicant's projects from above the applicant (a town endorsing its villages'
    # applications to a city-wide programme). Drafts stay with their authors.
    conds = [published, ctx.where(A.project_view, unit_path=applicant.path),
             ctx.where(A.project_oversee, unit_path=applicant.path, programme_unit_path=owner.path)
             & (Project.state != ProjectState.draft.value)]
    return stmt.where(or_(*conds))


def get_project(ctx: Ctx, project_id: int, *, for_update: bool = False) -> Project:
    stmt = visible(ctx).where(Project.id == project_id)
    if for_update:
        stmt = stmt.with_for_update(of=Project)
    project = ctx.session.scalars(stmt).unique().one_or_none() if isinstance(project_id, int) else None
    if project is None:
        raise NotFound(PROJECT, field="project_id")
    return project


def get_attachment(ctx: Ctx, project_id: int, attachment_id: int) -> Attachment:
    """One of the project's attachments the actor may download: for the public, only the kinds
    the project's policies mark public (``core.services.publication``); anything else is "not
    found", as for a project the actor may not see."""
    from core.services import publication  # late: publication reads the programme's policies
    project = get_project(ctx, project_id)
    att = next((a for a in publication.visible_attachments(ctx, project) if a.id == attachment_id), None)
    if att is None:
        raise NotFound(T("附件", "attachment"), field="attachment_id")
    return att

