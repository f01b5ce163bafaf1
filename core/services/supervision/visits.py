"""Supervision visits (中期督导, 跟踪调研): the street office, or the organisation it commissions
for the projects assigned to it, records a visit to an approved project — when, how, who went,
what was seen, the answers to the checklists of every policy that applies, the advice given —
and opens the rectifications (整改) it found, each owned by the applicant unit with a due date.

Refused, each with its reason and the clause: a visit to a project that is not approved (or is
closed), a date in the future or before the approval, an answer for an item no checklist has
(or the same item twice), "not met" without saying what, a mid-term visit that leaves items
unanswered, a rectification without a description or due before the visit. Nothing is saved
unless everything is right.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.i18n import T
from core.models import Project, Rectification, RectificationState, SupervisionVisit
from core.models.supervision import Answer, VisitKind
from core.permissions import A
from core.plugin_host.supervision import Checklist, ChecklistItem
from core.services import calendar
from core.services.closed import refuse_if_closed
from core.services.context import Ctx
from core.services.obligations import fulfilment
from core.services.projects import get_project
from core.services.supervision.common import (DUE_WITHIN_DAYS, MIN_TEXT, NOTE_MAX, TEXT_MAX, VISITORS_MAX, approved_on,
                                              checklists, require_supervised, supervision_clause, text)
from core.violations import Violation, Violations
from core.formats import day_words


def _tr(value) -> dict | None:
    return {"zh": value.zh, "en": value.en} if value is not None else None


def _answers(found: list[Checklist], given, kind: str, clause, v: Violations) -> list[dict]:
    """The answers as the visit keeps them (in the checklists' order, each item as it was
    asked), with a violation for each wrong one."""
    items: dict[str, tuple[Checklist, ChecklistItem]] = {i.key: (c, i) for c in found for i in c.items}
    known = "、".join(i.label.zh for c in found for i in c.items) or "（本项目没有适用的检查表）"
    chosen: dict[str, dict] = {}
    for n, answer in enumerate(given or ()):
        key = answer.get("item")
        if key not in items:
            v.add(Violation("unknown_checklist_item", T(
                f"检查表中没有「{key}」这一项；本项目适用的检查项：{known}",
                f"No checklist has an item '{key}'; the items that apply: {', '.join(items) or 'none'}"),
                field=f"checklist.{n}.item", clause=clause))
            continue
        if key in chosen:
            v.add(Violation("duplicate_checklist_item", T(
                f"检查项「{items[key][1].label.zh}」填写了两次", f"The item '{items[key][1].label.en}' is answered twice"),
                field=f"checklist.{n}.item", clause=items[key][1].clause))
            continue
        note = (answer.get("note") or "").strip()
        if answer.get("answer") == Answer.not_met.value and not note:
            item = items[key][1]
            v.add(Violation("note_required", T(f"「{item.label.zh}」不符合：请在说明中写明发现的情况",
                                               f"'{item.label.en}' is not met: say what was found"),
                            field=f"checklist.{n}.note", clause=item.clause))
        chosen[key] = {"answer": answer.get("answer"), "note": note[:NOTE_MAX]}
    if kind == VisitKind.mid_term.value:
        for c in found:
            missing = [i.label.zh for i in c.items if i.key not in chosen]
            if missing:
                v.add(Violation("checklist_incomplete", T(
                    f"中期督导须逐项填写「{c.title.zh}」，尚未填写：{'、'.join(missing)}",
                    f"A mid-term visit answers every item of '{c.title.en}'; {len(missing)} left unanswered"),
                    field="checklist", clause=c.clause or clause))
    return [{"item": i.key, "policy": c.policy, "checklist": _tr(c.title), "label": _tr(i.label), "clause": _tr(i.clause),
             **chosen[i.key]} for c in found for i in c.items if i.key in chosen]


def _rectifications(given, visited_on: dt.date | None, items: set[str], clause, v: Violations) -> list[dict]:
    out = []
    for n, r in enumerate(given or ()):
        description, problem = text(r.get("description"), f"rectifications.{n}.description", T("整改事项", "What to put right"),
                                    limit=TEXT_MAX, required=True, minimum=MIN_TEXT)
        v.add(problem)
        due = r.get("due_on")
        if not isinstance(due, dt.date):
            v.add(Violation("due_required", T("请填写整改期限", "Give the date it is due"), field=f"rectifications.{n}.due_on"))
        elif visited_on is not None and not 0 < (due - visited_on).days <= DUE_WITHIN_DAYS:  # no date overflows
            v.add(Violation("invalid_due_date", T(
                f"整改期限应晚于督导日期（{day_words(visited_on).zh}），且在一年以内", f"Due after the visit ({day_words(visited_on).en}) and within a year"),
                field=f"rectifications.{n}.due_on", clause=clause))
        item = r.get("item") or None
        if item is not None and item not in items:
            v.add(Violation("unknown_checklist_item", T(f"检查表中没有「{item}」这一项", f"No checklist has an item '{item}'"),
                            field=f"rectifications.{n}.item", clause=clause))
        out.append({"description": description, "due_on": due, "item": item})
    return out


def record_visit(ctx: Ctx, project_id: int, *, visited_on: dt.date, kind: str, method: str, visitors: str,
                 observed: str, advice: str = "", checklist=(), rectifications=()) -> SupervisionVisit:
    """Record a visit to an approved project (the office, or the organisation assigned to it)."""
    project = get_project(ctx, project_id, for_update=True)
    allowed = ctx.require(A.supervision_visit, project, T(
        f"只有「{project.applicant_unit.name}」的上级街道社区自治办或其委托并指派本项目的专业机构可以记录督导",
        f"Only the street office above {project.applicant_unit.name_en or project.applicant_unit.name}, or the "
        "organisation it commissioned and assigned to this project, records supervision"))
    refuse_if_closed(ctx, project, T("记录督导", "record supervision visits"))
    found = checklists(ctx, project)
    clause = supervision_clause(ctx, project, found)
    require_supervised(ctx, project, T("记录督导", "supervised"), found)
    calendar.require(ctx, project.programme, A.supervision_visit, project)
    v = Violations()
    today, since = ctx.clock.today(), approved_on(ctx, project)
    if visited_on > today:
        v.add(Violation("date_in_future", T(f"督导日期不能晚于今天（{day_words(today).zh}）", f"The visit cannot be after today ({day_words(today).en})"),
                        field="visited_on"))
    elif since is not None and visited_on < since:
        v.add(Violation("before_approval", T(f"督导日期不能早于项目立项（{day_words(since).zh}）", f"The visit cannot be before the approval ({day_words(since).en})"),
                        field="visited_on", clause=clause))
    visitors, problem = text(visitors, "visitors", T("督导人员", "Who visited"), limit=VISITORS_MAX, required=True)
    v.add(problem)
    observed, problem = text(observed, "observed", T("督导情况", "What was seen"), limit=TEXT_MAX, required=True, minimum=MIN_TEXT)
    v.add(problem)
    advice, problem = text(advice, "advice", T("意见建议", "Advice"), limit=TEXT_MAX, required=False)
    v.add(problem)
    answers = _answers(found, checklist, kind, clause, v)
    opened = _rectifications(rectifications, visited_on, {i.key for c in found for i in c.items}, clause, v)
    v.raise_if_blocking()
    with ctx.action("supervision.visit"):
        visit = SupervisionVisit(project_id=project.id, visited_on=visited_on, kind=kind, method=method, visitors=visitors,
                                 observed=observed, advice=advice, checklist=answers, recorded_by_id=ctx.actor.id,
                                 recorder_role=allowed.row.role.value)
        ctx.session.add(visit)
        ctx.session.flush()
        for r in opened:
            visit.rectifications.append(Rectification(
                project_id=project.id, item=r["item"], description=r["description"], owner_unit_id=project.applicant_unit_id,
                due_on=r["due_on"], state=RectificationState.open.value, opened_by_id=ctx.actor.id))
        # A visit the policy's calendar asks for (the July mid-term supervision) is that
        # obligation's report: its due item is met by this record, not typed in again.
        fulfilment.visit_fulfils(ctx, project, visit)
    return visit


def visits(ctx: Ctx, project: Project) -> list[SupervisionVisit]:
    """A project's visits, newest first (``project`` as ``project_for_supervision`` found it)."""
    return list(ctx.session.scalars(select(SupervisionVisit).where(SupervisionVisit.project_id == project.id)
                                    .order_by(SupervisionVisit.visited_on.desc(), SupervisionVisit.id.desc())))

