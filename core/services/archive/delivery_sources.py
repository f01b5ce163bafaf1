"""The record sources the delivery keeps (see ``core.plugin_host.sources``): where the archive's
evidence and the tools' work are found in a project's plan, activity records and people registry.

- ``plan_tasks``: the plan's tasks (项目实施计划分解, tool 4): found once a plan is written;
- ``activities``: the activity records (活动记录手册, tool 5): found once one is recorded;
- ``activity_photos``: the photos of the activities (the archive's "图文资料"): found once an
  activity has a photo;
- ``people`` (``{"role": "volunteer" | "team" | "beneficiary"}``, or ``{"roles": [...]}``; none:
  anyone): the people registry (人员名册, tools 6 and 7): found once someone of that role is
  registered. The roles are the registry's (``PersonRole``).

Each answers in one statement. ``register`` puts them into a platform's registry when the
platform is built (``core.platform``).
"""
from __future__ import annotations

from sqlalchemy import case, func, select

from core.formats import day_text  # the day in words, as every page writes it
from core.i18n import T
from core.models import ActivityFile, ActivityRecord, PersonRole, PlanTask, Project, RegistryPerson, TaskStatus
from core.plugin_host.sources import Finding, Link, Source, SourceRegistry

PHOTO = "photo"


def _plan_link(project: Project, params: dict) -> Link:
    return Link("web.delivery.plan_page")


def _plan(ctx, project: Project, params: dict) -> Finding:
    total, done = ctx.session.execute(
        select(func.count(), func.coalesce(func.sum(case((PlanTask.status == TaskStatus.done.value, 1), else_=0)), 0))
        .where(PlanTask.project_id == project.id, PlanTask.status != TaskStatus.dropped.value)).one()
    total, done = int(total or 0), int(done or 0)
    detail = (T(f"实施计划{total}项任务，已完成{done}项", f"{total} task(s) in the plan, {done} done") if total
              else T("尚未编写实施计划", "no plan written yet"))
    return Finding(total > 0, detail, _plan_link(project, params), total)


def _activities_link(project: Project, params: dict) -> Link:
    return Link("web.delivery.activities_page")


def _activities(ctx, project: Project, params: dict) -> Finding:
    n, people, last = ctx.session.execute(
        select(func.count(), func.coalesce(func.sum(ActivityRecord.participant_count), 0), func.max(ActivityRecord.held_on))
        .where(ActivityRecord.project_id == project.id)).one()
    n, people = int(n or 0), int(people or 0)
    detail = (T(f"已记录{n}次活动，{people}人次参与（最近一次{day_text(last)}）",
                 f"{n} activit(ies) recorded, {people} taking part (latest {day_text(last, 'en')})")
              if n else T("尚无活动记录", "no activity recorded yet"))
    return Finding(n > 0, detail, _activities_link(project, params), n)


def _photos(ctx, project: Project, params: dict) -> Finding:
    n, held = ctx.session.execute(
        select(func.count(ActivityFile.id), func.count(func.distinct(ActivityFile.activity_id)))
        .join(ActivityRecord, ActivityRecord.id == ActivityFile.activity_id)
        .where(ActivityRecord.project_id == project.id, ActivityFile.kind == PHOTO)).one()
    n, held = int(n or 0), int(held or 0)
    detail = (T(f"{held}次活动共{n}张照片", f"{n} photo(s) of {held} activit(ies)") if n
              else T("尚无活动照片", "no activity photos yet"))
    return Finding(n > 0, detail, _activities_link(project, params), n)


def _registered_as(params: dict) -> list[str]:
    """Which of the registry's kinds of people the params ask for (``PersonRole`` values)."""
    asked = params.get("roles") or ([params["role"]] if params.get("role") else [p.value for p in PersonRole])
    return [str(x) for x in asked]


def _people_link(project: Project, params: dict) -> Link:
    return Link("web.delivery.people_page")


def _people(ctx, project: Project, params: dict) -> Finding:
    asked = _registered_as(params)
    known = {p.value for p in PersonRole}
    unknown = [x for x in asked if x not in known]
    if unknown:  # a policy naming a kind of people the registry does not keep: say so, never fail the page
        return Finding(False, T(f"人员名册没有「{'、'.join(unknown)}」这一类", f"the registry has no {', '.join(unknown)}"),
                       _people_link(project, params))
    n = int(ctx.session.scalar(select(func.count()).select_from(RegistryPerson).where(
        RegistryPerson.project_id == project.id, RegistryPerson.role.in_(asked))) or 0)
    labels = [PersonRole(x).label for x in asked]
    what, what_en = "、".join(t.zh for t in labels), ", ".join(t.en for t in labels)
    detail = T(f"已登记{n}人（{what}）", f"{n} registered ({what_en})") if n else T(f"尚未登记{what}", f"no {what_en} registered yet")
    return Finding(n > 0, detail, _people_link(project, params), n)


DELIVERY_SOURCES = (
    Source("plan_tasks", T("项目实施计划分解", "the plan's tasks"), _plan, _plan_link),
    Source("activities", T("项目活动记录", "activity records"), _activities, _activities_link),
    Source("activity_photos", T("活动照片", "activity photos"), _photos, _activities_link),
    Source("people", T("项目人员名册", "people registry"), _people, _people_link),
)


def register(registry: SourceRegistry) -> None:
    """Register the delivery's sources (again: nothing changes)."""
    for source in DELIVERY_SOURCES:
        registry.register(source)
