"""What the plan and the activity records tell a report (its facts, ``core.services.obligations.prefill``),
so a quarterly report opens with the work already written down and never retyped:

- ``plan``: the tasks of the projects the report covers, by status (dropped ones left out of the
  total), the share done, and a sentence saying so (``plan.summary``);
- ``activities``: the activities held *in the report's period* (its ``starts``..``ends``), the
  people counted at them, the hours volunteers gave (tenths, and hours as text), and one line per
  activity (``activities.summary``).

Each is one statement over the report's projects, whatever their number. Registered into the
platform's ``FactProviders`` when the platform is built (``register``, from ``core.platform``).
"""
from __future__ import annotations

from sqlalchemy import func, select

from core.models import ActivityRecord, PlanTask, TaskStatus
from core.services.context import Ctx

MAX_LINES = 30  # the summary lists at most this many activities (the rest are counted)


def plan_facts(ctx: Ctx, about) -> dict | None:
    if not about.project_ids:
        return None
    counts = {status: int(n) for status, n in ctx.session.execute(
        select(PlanTask.status, func.count()).where(PlanTask.project_id.in_(about.project_ids)).group_by(PlanTask.status))}
    by = {s.value: counts.get(s.value, 0) for s in TaskStatus}
    total = sum(by.values()) - by[TaskStatus.dropped.value]
    done = by[TaskStatus.done.value]
    percent = round(100 * done / total) if total else None
    summary = (f"实施计划共{total}项任务：已完成{done}项，进行中{by[TaskStatus.in_progress.value]}项，"
               f"未开始{by[TaskStatus.planned.value]}项" if total else "尚未编写实施计划")
    if by[TaskStatus.dropped.value]:
        summary += f"（另有{by[TaskStatus.dropped.value]}项经调整取消）"
    return {"plan": {"tasks": total, "done": done, "by_status": by, "done_percent": percent, "summary": summary}}


def _hours(tenths: int) -> str:
    return f"{tenths // 10}" if tenths % 10 == 0 else f"{tenths // 10}.{tenths % 10}"


def activity_facts(ctx: Ctx, about) -> dict | None:
    if not about.project_ids:
        return None
    rows = ctx.session.execute(
        select(ActivityRecord.held_on, ActivityRecord.place, ActivityRecord.content, ActivityRecord.participant_count,
               ActivityRecord.volunteer_tenths)
        .where(ActivityRecord.project_id.in_(about.project_ids), ActivityRecord.held_on >= about.starts,
               ActivityRecord.held_on <= about.ends)
        .order_by(ActivityRecord.held_on, ActivityRecord.id)).all()
    participants = sum(int(r.participant_count or 0) for r in rows)
    tenths = sum(int(r.volunteer_tenths or 0) for r in rows)
    lines = [f"{r.held_on.month}月{r.held_on.day}日 {r.place}：{r.content.splitlines()[0][:80] if r.content else ''}"
             f"（{int(r.participant_count or 0)}人次）" for r in rows[:MAX_LINES]]
    if len(rows) > MAX_LINES:
        lines.append(f"……另有{len(rows) - MAX_LINES}次活动")
    head = (f"本期开展活动{len(rows)}次，参与{participants}人次，志愿服务{_hours(tenths)}小时" if rows
            else "本期尚无活动记录")
    return {"activities": {"held": len(rows), "participants": participants, "volunteer_tenths": tenths,
                           "volunteer_hours": _hours(tenths), "summary": "\n".join([head + "。", *lines])}}


def register(registry) -> None:
    """Register the plan's and the activities' facts (again: they are replaced by themselves)."""
    registry.register("plan", plan_facts)
    registry.register("activities", activity_facts)
