"""The rest of the year's kinds of to-do, as a built-in plugin (``core.platform`` registers it
beside ``core_kinds``): reports owed and reports to accept (``core.services.obligations``),
rectifications to put right and to close (``core.services.supervision``), and plan revisions to
decide (``core.services.delivery.plan``).

As ``core_kinds``: each is one query over sets, in the states the service acts in, with
``asking.where`` of the action the service guards with, so an item shows exactly while the
person may do the work and leaves as soon as it is done (the report handed in or accepted, the
rectification reported or closed, the revision decided), whoever did it.

- ``obligation.write``: a due item still owed (open, a draft, or returned) whose period takes
  reports today (from its opening day to its closing day), for the unit that owes it
  (``A.obligation_report``); overdue ones first (oldest due date first);
- ``obligation.review``: a report handed in, for the level the policy names to accept it (the
  owing unit's ancestor of that kind, ``A.obligation_review``), never for the unit that owes it;
- ``rectification.report``: an open rectification, for its owner (``A.rectification_report``);
- ``rectification.accept``: a rectification reported done, for the office (``A.rectification_accept``);
- ``plan.revision``: a plan revision waiting for the programme's office (``A.change_decide``).
"""
from __future__ import annotations

from sqlalchemy import func, literal, select
from sqlalchemy.orm import aliased

from core.i18n import T
from core.models import DueItem, ObligationPeriod, OrgUnit, PlanRevision, ProgrammeObligation, Project, Rectification
from core.models.obligation import OWED_STATES, ItemState
from core.models.supervision import RectificationState
from core.permissions import A
from core.plugin_host.markers import hookimpl
from core.plugin_host.todo import TodoKind
from core.services.inbox.core_kinds import pending_changes

NAME = "core.year_todo_kinds"


def _item_columns(asking, owner):
    """A due item's to-do columns: "project · obligation (period)" (the project where there is one)."""
    en = asking.ctx.locale == "en"
    label = ProgrammeObligation.label_en if en else ProgrammeObligation.label_zh
    period = ObligationPeriod.label_en if en else ObligationPeriod.label_zh
    what = label + literal(" (" if en else "（") + period + literal(")" if en else "）")
    title = func.coalesce(Project.title + literal(" · "), literal("")) + what
    return (select(DueItem.id.label("object_id"), DueItem.project_id.label("project_id"), title.label("title"),
                   asking.name_of(owner).label("unit_name"), ObligationPeriod.ends_at.label("since"))
            .join(ProgrammeObligation, ProgrammeObligation.id == DueItem.obligation_id)
            .join(ObligationPeriod, ObligationPeriod.id == DueItem.period_id)
            .join(owner, owner.id == DueItem.owner_unit_id)
            .outerjoin(Project, Project.id == DueItem.project_id))


def report_to_write(asking):
    """Reports owed by the person's unit whose period takes them today."""
    if not asking.holds(A.obligation_report):
        return None
    owner = aliased(OrgUnit)
    today = asking.ctx.clock.today()
    return _item_columns(asking, owner).where(
        DueItem.state.in_(OWED_STATES), ObligationPeriod.opens_on <= today, ObligationPeriod.closes_on >= today,
        asking.where(A.obligation_report, unit_path=owner.path))


def report_to_review(asking):
    """Reports handed in, waiting for the level the policy names (not the unit that owes them)."""
    if not asking.holds(A.obligation_review):
        return None
    owner, level = aliased(OrgUnit), aliased(OrgUnit)
    stmt = (_item_columns(asking, owner)
            .join(level, owner.path.startswith(level.path) & (level.kind == ProgrammeObligation.accepted_by))
            .where(DueItem.state == ItemState.submitted.value, ProgrammeObligation.accepted_by.is_not(None),
                   asking.where(A.obligation_review, unit_path=level.path)))
    if asking.holds(A.obligation_report):
        stmt = stmt.where(~asking.where(A.obligation_report, unit_path=owner.path))
    return stmt


def _rectification_columns(asking, owner, since):
    return (select(Rectification.id.label("object_id"), Rectification.project_id.label("project_id"),
                   (Project.title + literal(" · ") + func.substr(Rectification.description, 1, 60)).label("title"),
                   asking.name_of(owner).label("unit_name"), since.label("since"))
            .join(Project, Project.id == Rectification.project_id)
            .join(owner, owner.id == Rectification.owner_unit_id))


def rectification_to_report(asking):
    """Open rectifications of the person's unit (put right, then reported)."""
    if not asking.holds(A.rectification_report):
        return None
    owner = aliased(OrgUnit)
    return _rectification_columns(asking, owner, Rectification.opened_at).where(
        Rectification.state == RectificationState.open.value, asking.where(A.rectification_report, unit_path=owner.path))


def rectification_to_accept(asking):
    """Rectifications reported done, waiting for the office to close them (or return them)."""
    if not asking.holds(A.rectification_accept):
        return None
    owner = aliased(OrgUnit)
    return _rectification_columns(asking, owner, Rectification.reported_at).where(
        Rectification.state == RectificationState.reported.value, asking.where(A.rectification_accept, unit_path=owner.path))


def revision_to_decide(asking):
    """Plan revisions waiting for the programme's office (who decides changes of a project)."""
    return pending_changes(asking, PlanRevision)


KINDS = (
    TodoKind("plan.revision", T("待决定的实施计划调整", "Plan revisions to decide"), revision_to_decide,
             link="/projects/{project_id}/plan#revision-{object_id}", order=26),
    TodoKind("obligation.review", T("待审核的报告", "Reports to accept"), report_to_review,
             link="/obligations/{object_id}", order=45),
    TodoKind("obligation.write", T("待提交的报告", "Reports to hand in"), report_to_write,
             link="/obligations/{object_id}", order=50),
    TodoKind("rectification.report", T("待整改", "Rectifications to put right"), rectification_to_report,
             link="/projects/{project_id}/supervision#rectification-{object_id}", order=55),
    TodoKind("rectification.accept", T("待确认的整改", "Rectifications to close"), rectification_to_accept,
             link="/projects/{project_id}/supervision#rectification-{object_id}", order=57),
)


@hookimpl
def tongxin_todo_kinds():
    return list(KINDS)
