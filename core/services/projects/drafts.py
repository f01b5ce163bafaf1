"""Drafts in progress as the office follows them (草稿进度), where the policy lets it.

A draft is its authors' until it is submitted (``visibility.visible``): the office sees neither
it nor its content. A policy may let the street office above the applicant *follow* its
programmes' drafts (``PolicyInfo.office_sees_drafts``, off by default), so the office can see
who is still writing before a deadline: each draft's title, unit, when it was last edited and
how complete it is, never its forms, budget or files, and never a link into it. Who follows is
the permission table's ``A.project_follow_drafts`` (the street office, over the units below it).

Four statements whatever the number of drafts: the drafts, their budget rows counted, their
attachments' kinds and their last edits (the audit log's latest entry about each)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from core.models import Attachment, AuditEntry, BudgetItem, OrgUnit, Programme, Project, ProjectState
from core.permissions import A, holder_grants
from core.services.context import Ctx
from core.services.programmes import policy_of
from core.violations import RuleError


def allowing(ctx: Ctx, programmes: list[Programme]) -> list[Programme]:
    """The programmes among ``programmes`` whose policy lets the office follow drafts."""
    out = []
    for p in programmes:
        try:
            if ctx.host.policy(p.plugin_name).info.office_sees_drafts:
                out.append(p)
        except RuleError:  # a policy that is not installed (any more) allows nothing
            continue
    return out


def may_follow(ctx: Ctx, programmes: list[Programme]) -> bool:
    """Whether the drafts page has anything for the actor: they hold the right somewhere and a
    programme's policy allows it (no statement: the caller passes the programmes it read)."""
    if not ctx.actor.is_authenticated or not holder_grants(ctx.actor, A.project_follow_drafts, table=ctx.permissions):
        return False
    return bool(allowing(ctx, programmes))


@dataclass(frozen=True)
class DraftProgress:
    project: Project
    last_edited: dt.datetime
    done: int
    steps: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.steps) if self.steps else 100


def _steps(ctx: Ctx, project: Project, budget_rows: int, kinds: set[str], cache: dict) -> tuple[int, int]:
    """(done, of): each required form saved, a budget with a row, each required attachment kind."""
    key = (project.programme_id, project.track)
    if key not in cache:
        policy, config = policy_of(ctx, project.programme)
        forms = [f.key for f in policy.forms(config, project.track) if f.required_for_submit]
        files = [k.key for k in policy.attachment_kinds(config) if k.required_for_submit]
        cache[key] = (forms, files)
    forms, files = cache[key]
    saved = project.forms or {}
    done = sum(1 for f in forms if saved.get(f)) + (1 if budget_rows else 0) + sum(1 for k in files if k in kinds)
    return done, len(forms) + 1 + len(files)


def followed_drafts(ctx: Ctx, programmes: list[Programme], *, limit: int = 200) -> list[DraftProgress]:
    """The drafts the actor may follow, least recently created first (the oldest unfinished)."""
    allowed = [p.id for p in allowing(ctx, programmes)]
    if not allowed or not ctx.actor.is_authenticated:
        return []
    stmt = (select(Project).join(OrgUnit, OrgUnit.id == Project.applicant_unit_id)
            .where(Project.state == ProjectState.draft.value, Project.programme_id.in_(allowed),
                   ctx.where(A.project_follow_drafts, unit_path=OrgUnit.path))
            .order_by(Project.created_at, Project.id).limit(limit))
    drafts = list(ctx.session.scalars(stmt).unique())
    ids = [p.id for p in drafts] or [-1]
    budget = dict(ctx.session.execute(select(BudgetItem.project_id, func.count()).where(BudgetItem.project_id.in_(ids))
                                      .group_by(BudgetItem.project_id)).all())
    kinds: dict[int, set[str]] = {}
    for pid, kind in ctx.session.execute(select(Attachment.project_id, Attachment.kind).where(Attachment.project_id.in_(ids))
                                         .distinct()):
        kinds.setdefault(pid, set()).add(kind)
    edited = dict(ctx.session.execute(select(AuditEntry.entity_id, func.max(AuditEntry.at))
                                      .where(AuditEntry.entity == "projects", AuditEntry.entity_id.in_(ids))
                                      .group_by(AuditEntry.entity_id)).all())
    cache: dict = {}
    out = []
    for p in drafts:
        done, steps = _steps(ctx, p, budget.get(p.id, 0), kinds.get(p.id, set()), cache)
        out.append(DraftProgress(p, edited.get(p.id) or p.created_at, done, steps))
    return out
