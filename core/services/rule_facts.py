"""What a policy's rules see of a project, and the questions they may ask.

Rules never get the database session: core hands them ``facts`` (a ``ProjectFacts`` snapshot of a
project) and a ``SessionRuleContext``, which answers ``RuleContext``'s questions (other projects
of the programme, the org tree, what a fund could pay the project) inside the current tenant.
Creation, submission, review, change requests and funding plans all ask the policy through these.
"""
from __future__ import annotations

from sqlalchemy import func, select

from core.models import OrgUnit, Project
from core.plugin_host.facts import BudgetRow, ProjectFacts
from core.services import policy_funds
from core.services.context import Ctx


class SessionRuleContext:
    """Answers the questions rules ask, inside the current tenant (see ``RuleContext``)."""

    def __init__(self, ctx: Ctx):
        self.ctx = ctx

    def count_projects(self, *, programme_id, applicant_unit_id=None, track=None, states=None,
                       exclude_project_id=None) -> int:
        stmt = select(func.count(Project.id)).where(Project.programme_id == programme_id)
        if applicant_unit_id is not None:
            stmt = stmt.where(Project.applicant_unit_id == applicant_unit_id)
        if track is not None:
            stmt = stmt.where(Project.track == track)
        if states is not None:
            stmt = stmt.where(Project.state.in_(list(states)))
        if exclude_project_id is not None:
            stmt = stmt.where(Project.id != exclude_project_id)
        return int(self.ctx.session.scalar(stmt) or 0)

    def unit_is_within(self, unit_id, ancestor_id) -> bool:
        unit, ancestor = self.ctx.session.get(OrgUnit, unit_id), self.ctx.session.get(OrgUnit, ancestor_id)
        return bool(unit and ancestor and unit.path.startswith(ancestor.path))

    def fund_available(self, project, fund) -> int:
        return policy_funds.available(self.ctx, project.programme_id, project.applicant_unit_id, fund, project.id)

    def fund_committed(self, project, fund) -> int:
        return policy_funds.committed_to(self.ctx, project.id, project.programme_id, project.applicant_unit_id, fund)


def facts(project: Project, approved_fen: int | None = None, decision_details: dict | None = None) -> ProjectFacts:
    return ProjectFacts(
        id=project.id, programme_id=project.programme_id, programme_year=project.programme.year,
        track=project.track, title=project.title, state=project.state,
        applicant_unit_id=project.applicant_unit_id, applicant_unit_kind=project.applicant_unit.kind,
        forms=dict(project.forms or {}), tags=tuple(project.tags or ()), requested_fen=project.requested_fen,
        attachment_kinds=frozenset(a.kind for a in project.attachments), approved_fen=approved_fen,
        decision_details=dict(decision_details or {}),
        budget=tuple(BudgetRow(b.description, b.amount_fen, b.category) for b in project.budget_items),
    )
