"""Who supervises which project: the street office assigns a project to a professional
organisation it commissions (a login holding a role whose permission row for visits has the
scope "assigned"); that organisation then sees and supervises exactly the projects assigned to
it (``core.permissions``: the scope reads these rows). The list of projects under supervision
is the same question asked as SQL (``ctx.where``), so it shows what ``can`` allows one by one.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, literal, select
from sqlalchemy.orm import aliased, lazyload

from core.i18n import T
from core.models import (Membership, OrgUnit, Programme, Project, ProjectState, Rectification, RectificationState,
                         SupervisionAssignment, SupervisionVisit, User)
from core.permissions import A, Scope, holder_grants
from core.services.context import Actor, Ctx
from core.services.projects import get_project
from core.services.supervision.common import require_supervised
from core.violations import NotFound, RuleError, Violation

# A project under supervision: being carried out, or closed (its records stay readable).
UNDER_SUPERVISION = (ProjectState.approved.value, ProjectState.closed.value)


def _assignable_roles(ctx: Ctx) -> list[str]:
    return sorted({r.role.value for r in ctx.permissions.rows_for(A.supervision_visit) if r.scope is Scope.assigned})


def _reaches(ctx: Ctx, user: User, project: Project) -> bool:
    """Would an assignment let ``user`` supervise ``project``: a role with an "assigned" row,
    held at the project's unit or above it."""
    grants = holder_grants(Actor.of(user), A.supervision_visit, table=ctx.permissions, scopes=frozenset({Scope.assigned}))
    return any(project.applicant_unit.path.startswith(g.unit_path) for g in grants)


def _office_project(ctx: Ctx, project_id: int) -> Project:
    project = get_project(ctx, project_id, for_update=True)
    ctx.require(A.supervision_assign, project, T(
        f"只有「{project.applicant_unit.name}」的上级街道社区自治办可以指派督导机构",
        f"Only the street office above {project.applicant_unit.name_en or project.applicant_unit.name} assigns supervision"))
    return project


def assign(ctx: Ctx, project_id: int, *, user_id: int) -> SupervisionAssignment:
    """Assign the project to a commissioned organisation's login (again, if an earlier
    assignment ended; assigning twice changes nothing)."""
    project = _office_project(ctx, project_id)
    require_supervised(ctx, project, T("指派督导机构", "assigned for supervision"))
    user = ctx.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None:
        raise NotFound(T("督导机构的账号", "the organisation's login"), field="user_id")
    if not _reaches(ctx, user, project):
        raise RuleError(Violation("not_commissioned", T(
            f"「{user.display_name}」不是受{project.applicant_unit.name}上级街道委托的专业机构账号，不能指派督导本项目",
            f"{user.display_name} is not a professional organisation commissioned above "
            f"{project.applicant_unit.name_en or project.applicant_unit.name}; it cannot be assigned"),
            field="user_id"))
    row = ctx.session.scalars(select(SupervisionAssignment).where(
        SupervisionAssignment.project_id == project.id, SupervisionAssignment.user_id == user.id)).one_or_none()
    with ctx.action("supervision.assign"):
        if row is None:
            row = SupervisionAssignment(project_id=project.id, user_id=user.id, assigned_by_id=ctx.actor.id)
            ctx.session.add(row)
        elif row.ended_at is not None:
            row.ended_at, row.assigned_by_id = None, ctx.actor.id
    return row


def unassign(ctx: Ctx, project_id: int, *, user_id: int) -> SupervisionAssignment:
    """End an assignment: the organisation no longer sees the project (its visits stay)."""
    project = _office_project(ctx, project_id)
    row = ctx.session.scalars(select(SupervisionAssignment).where(
        SupervisionAssignment.project_id == project.id, SupervisionAssignment.user_id == user_id,
        SupervisionAssignment.ended_at.is_(None))).one_or_none() if isinstance(user_id, int) else None
    if row is None:
        raise NotFound(T("该机构对本项目的督导指派", "that organisation's assignment to this project"), field="user_id")
    with ctx.action("supervision.unassign"):
        row.ended_at = ctx.clock.now()
    return row


def assignees(ctx: Ctx, project: Project) -> list[tuple[SupervisionAssignment, User]]:
    """The project's current assignments, with their logins."""
    return [(a, u) for a, u in ctx.session.execute(
        select(SupervisionAssignment, User).join(User, User.id == SupervisionAssignment.user_id)
        .where(SupervisionAssignment.project_id == project.id, SupervisionAssignment.ended_at.is_(None))
        .order_by(SupervisionAssignment.id))]


def candidates(ctx: Ctx, project: Project) -> list[User]:
    """Logins the project could be assigned to: a role with an "assigned" row for visits, held
    at the project's unit or above it, not assigned already."""
    roles = _assignable_roles(ctx)
    if not roles:
        return []
    taken = select(SupervisionAssignment.user_id).where(SupervisionAssignment.project_id == project.id,
                                                        SupervisionAssignment.ended_at.is_(None))
    stmt = (select(User).join(Membership, Membership.user_id == User.id).join(OrgUnit, OrgUnit.id == Membership.org_unit_id)
            .where(Membership.role.in_(roles), literal(project.applicant_unit.path).startswith(OrgUnit.path),
                   User.is_active.is_(True), User.id.not_in(taken))
            .order_by(User.display_name, User.id))
    return list(ctx.session.scalars(stmt).unique())


@dataclass(frozen=True)
class Progress:
    """A project's supervision at a glance, for lists."""

    visits: int = 0
    last_visit: object = None  # the latest visit's day
    open_rectifications: int = 0
    overdue: int = 0


def supervised_projects(ctx: Ctx, *, limit: int = 50, offset: int = 0, parts: bool = True) -> tuple[list[Project], int]:
    """The approved (or closed) projects whose supervision the caller may see: a street office
    its street's, an applicant its own, a commissioned organisation those assigned to it.
    ``parts`` False: their budget lines and files are not loaded (a list of titles)."""
    applicant, owner = aliased(OrgUnit), aliased(OrgUnit)
    stmt = (select(Project).join(applicant, applicant.id == Project.applicant_unit_id)
            .join(Programme, Programme.id == Project.programme_id).join(owner, owner.id == Programme.org_unit_id)
            .where(Project.state.in_(UNDER_SUPERVISION),
                   ctx.where(A.supervision_view, unit_path=applicant.path, programme_unit_path=owner.path,
                             project_id=Project.id)))
    if not parts:
        stmt = stmt.options(lazyload(Project.budget_items), lazyload(Project.attachments))
    total = ctx.session.scalar(select(func.count()).select_from(stmt.with_only_columns(Project.id).subquery()))
    rows = ctx.session.scalars(stmt.order_by(Project.id.desc()).limit(max(1, min(limit, 200))).offset(max(0, offset)))
    return list(rows.unique()), int(total or 0)


def progress(ctx: Ctx, project_ids: list[int]) -> dict[int, Progress]:
    """Visits and open rectifications of many projects, in two grouped queries."""
    if not project_ids:
        return {}
    visits = {pid: (n, last) for pid, n, last in ctx.session.execute(
        select(SupervisionVisit.project_id, func.count(), func.max(SupervisionVisit.visited_on))
        .where(SupervisionVisit.project_id.in_(project_ids)).group_by(SupervisionVisit.project_id))}
    today = ctx.clock.today()
    still_open = Rectification.state != RectificationState.closed.value
    rects = {pid: (n, late or 0) for pid, n, late in ctx.session.execute(
        select(Rectification.project_id, func.count(),
               func.sum(case((Rectification.due_on < today, 1), else_=0)))
        .where(Rectification.project_id.in_(project_ids), still_open).group_by(Rectification.project_id))}
    return {pid: Progress(visits.get(pid, (0, None))[0], visits.get(pid, (0, None))[1],
                          rects.get(pid, (0, 0))[0], int(rects.get(pid, (0, 0))[1])) for pid in project_ids}
