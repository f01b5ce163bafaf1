"""A project's plan (项目实施计划分解, tool 4): its tasks, each with an owner, its days and how
far it has come, and the plan's history as revisions.

**A versioned plan, not a change request of the project.** Once a project is approved its team
writes the plan (revision 1, in force at once: the breakdown is the team's own work, which the
programme approved in outline). After that, what the plan says (a task's title, owner or days,
a new task, a task dropped) changes only through a revision: the team proposes the whole plan
as it should stand, with its reason, and the programme's office approves or refuses it, with
the same rights as a change request of the project (``A.change_request`` / ``A.change_decide``:
who decides changes is written once, in the permission table). Revisions are kept apart from
``core.services.changes`` because a plan revision is not a change of the project's forms: the
policy's project rules do not judge it, and its history is the sequence of whole plans, each
readable as it stood (``PlanRevision.tasks``) without replaying edits. How far each task has
come (planned → in progress → done) is progress, not a change of the plan: the team updates it
directly (the audit log keeps each update). A task is never deleted, so the activities recorded
against it keep their task: a revision marks it dropped instead.

Each task must lie within the project's period as its policies declare it.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from core.i18n import T
from core.models import PlanRevision, PlanTask, Project, TaskStatus
from core.permissions import A
from core.services.context import Ctx
from core.services.delivery.common import MIN_REASON, acting_on, delivery_project, outside_period, require_open, rules_of
from core.services.projects import get_project
from core.violations import Forbidden, NotFound, RuleError, Violation, Violations

MAX_TASKS = 60
PROGRESS_STATUSES = (TaskStatus.planned.value, TaskStatus.in_progress.value, TaskStatus.done.value)
REVISION_STATUS_LABELS = {"pending": T("待审批", "pending"), "approved": T("已生效", "in force"),
                          "refused": T("不同意", "refused")}
WRITING = T("编写实施计划", "write the plan")
REVISING = T("调整实施计划", "revise the plan")


def plan_tasks(ctx: Ctx, project_id: int) -> list[PlanTask]:
    return list(ctx.session.scalars(select(PlanTask).where(PlanTask.project_id == project_id)
                                    .order_by(PlanTask.position, PlanTask.id)))


def revisions(ctx: Ctx, project_id: int) -> list[PlanRevision]:
    return list(ctx.session.scalars(select(PlanRevision).where(PlanRevision.project_id == project_id)
                                    .order_by(PlanRevision.number)))


def project_plan(ctx: Ctx, project_id: int) -> tuple[Project, list[PlanTask], list[PlanRevision]]:
    """The project (if the actor may see its records), its tasks and the plan's revisions."""
    project = delivery_project(ctx, project_id)
    return project, plan_tasks(ctx, project.id), revisions(ctx, project.id)


def _snapshot(rows: list[PlanTask]) -> list[dict]:
    return [{"task_id": t.id, "title": t.title, "owner": t.owner, "starts_on": t.starts_on.isoformat(),
             "ends_on": t.ends_on.isoformat(), "status": t.status} for t in rows]


def _check_tasks(ctx: Ctx, project: Project, given: list[dict], *, current: list[PlanTask] | None) -> Violations:
    """Every problem of a proposed plan at once, each naming its task (``tasks.<i>.<field>``)."""
    v = Violations()
    if not given:
        v.add(Violation("plan_empty", T("实施计划至少要有一项任务", "A plan needs at least one task"), field="tasks"))
    if len(given) > MAX_TASKS:
        v.add(Violation("too_many_tasks", T(f"实施计划最多{MAX_TASKS}项任务", f"A plan has at most {MAX_TASKS} tasks"),
                        field="tasks"))
    rules = rules_of(ctx, project)
    known = {t.id: t for t in current or []}
    named = set()
    for i, item in enumerate(given):
        where = f"tasks.{i}"
        if item["ends_on"] < item["starts_on"]:
            v.add(Violation("task_ends_before_start", T(f"第{i + 1}项任务的结束日期早于开始日期",
                                                        f"Task {i + 1} ends before it starts"), field=f"{where}.ends_on"))
        what = T(f"第{i + 1}项任务的", f"task {i + 1}'s ")
        v.extend(outside_period(rules, item["starts_on"], f"{where}.starts_on", T(what.zh + "开始日期", what.en + "start date")))
        v.extend(outside_period(rules, item["ends_on"], f"{where}.ends_on", T(what.zh + "结束日期", what.en + "end date")))
        task_id = item.get("task_id")
        if current is None:
            if task_id is not None:
                v.add(Violation("unknown_task", T("新编写的计划中没有已有任务可以引用", "A new plan has no tasks to refer to"),
                                field=f"{where}.task_id"))
            if item.get("status") == TaskStatus.dropped.value:
                v.add(Violation("dropped_in_new_plan", T("新编写的计划不能包含已取消的任务", "A new plan has no dropped tasks"),
                                field=f"{where}.status"))
        elif task_id is not None:
            if task_id not in known or task_id in named:
                v.add(Violation("unknown_task", T(f"第{i + 1}项任务引用的任务编号{task_id}不是本计划的任务或重复",
                                                  f"Task {i + 1} refers to task #{task_id}, which is not in this plan or is repeated"),
                                field=f"{where}.task_id"))
            named.add(task_id)
    for t in (current or []):
        if t.id not in named:
            v.add(Violation("task_missing", T(f"不能删除任务「{t.title}」（编号{t.id}）：不再进行的任务请标为“已取消”",
                                              f"Task '{t.title}' (#{t.id}) cannot be removed: mark it dropped instead"),
                            field="tasks"))
    return v


def set_plan(ctx: Ctx, project_id: int, tasks: list[dict]) -> list[PlanTask]:
    """Write the project's first plan (revision 1): the team's, in force at once."""
    project = acting_on(ctx, project_id, A.plan_edit, WRITING)
    if revisions(ctx, project.id):
        raise RuleError(Violation("plan_exists", T("该项目已有实施计划；如需调整，请提交计划调整申请，经主管单位同意后生效",
                                                   "The project has a plan; revise it through a request its office decides"),
                                  field="tasks"), status=409)
    _check_tasks(ctx, project, tasks, current=None).raise_if_blocking()
    with ctx.action("plan.set"):
        rows = [PlanTask(project_id=project.id, position=i, title=t["title"], owner=t["owner"], starts_on=t["starts_on"],
                         ends_on=t["ends_on"], status=t.get("status") or TaskStatus.planned.value)
                for i, t in enumerate(tasks)]
        ctx.session.add_all(rows)
        ctx.session.flush()
        ctx.session.add(PlanRevision(project_id=project.id, number=1, tasks=_snapshot(rows), status="approved",
                                     reason="", requested_by_id=ctx.actor.id, decided_at=ctx.clock.now()))
    return rows


def get_task(ctx: Ctx, task_id: int) -> PlanTask:
    task = ctx.session.get(PlanTask, task_id) if isinstance(task_id, int) else None
    if task is None:
        raise NotFound(T("计划任务", "plan task"), field="task_id")
    delivery_project(ctx, task.project_id)  # not found for whoever may not see the project's records
    return task


def set_task_status(ctx: Ctx, task_id: int, status: str) -> PlanTask:
    """How far a task has come (planned, in progress, done): the team's to say."""
    task = get_task(ctx, task_id)
    acting_on(ctx, task.project_id, A.plan_edit, T("更新任务进度", "update a task's progress"))
    if task.status == TaskStatus.dropped.value:
        raise RuleError(Violation("task_dropped", T("该任务已取消，不能再更新进度", "The task was dropped"),
                                  field="task_id"), status=409)
    if status not in PROGRESS_STATUSES:
        raise RuleError(Violation("invalid_status", T("任务进度只能是：未开始、进行中、已完成；取消任务须调整计划",
                                                      "A task is planned, in progress or done; dropping one is a revision"),
                                  field="status"))
    with ctx.action("plan.task_status"):
        task.status = status
    return task


def request_revision(ctx: Ctx, project_id: int, reason: str, tasks: list[dict]) -> PlanRevision:
    """Propose the whole plan as it should stand, with the reason; the office decides."""
    project = get_project(ctx, project_id, for_update=True)
    if not ctx.can(A.change_request, project):
        raise Forbidden(T("只有申报单位可以申请调整实施计划", "Only the applicant may request a revision of the plan"),
                        field="project_id")
    require_open(project, REVISING)
    history = revisions(ctx, project.id)
    if not history:
        raise RuleError(Violation("plan_missing", T("该项目还没有实施计划，请先编写", "The project has no plan yet; write it first"),
                                  field="tasks"), status=409)
    if any(r.status == "pending" for r in history):
        raise RuleError(Violation("revision_pending", T("已有待审批的计划调整申请，请等待主管单位决定",
                                                        "A revision is already pending; wait for its decision"),
                                  field="project_id"), status=409)
    current = plan_tasks(ctx, project.id)
    v = _check_tasks(ctx, project, tasks, current=current)
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        v.add(Violation("reason_required", T(f"请写明调整理由（至少{MIN_REASON}个字）", f"Give a reason of at least {MIN_REASON} characters"),
                        field="reason"))
    proposed = [{**t, "starts_on": t["starts_on"].isoformat(), "ends_on": t["ends_on"].isoformat(),
                 "task_id": t.get("task_id"), "status": t.get("status") or TaskStatus.planned.value} for t in tasks]
    if not v.blocking and [_key(p) for p in proposed] == [_key(p) for p in _snapshot(current)]:
        v.add(Violation("nothing_to_change", T("调整后的计划与现行计划相同", "The proposed plan is the plan in force"),
                        field="tasks"))
    v.raise_if_blocking()
    with ctx.action("plan.revision_request"):
        revision = PlanRevision(project_id=project.id, number=max(r.number for r in history) + 1, tasks=proposed,
                                reason=reason, status="pending", requested_by_id=ctx.actor.id)
        ctx.session.add(revision)
    return revision


def _key(item: dict) -> tuple:
    return (item.get("task_id"), item["title"], item["owner"], item["starts_on"], item["ends_on"], item["status"])


def get_revision(ctx: Ctx, revision_id: int) -> PlanRevision:
    revision = ctx.session.get(PlanRevision, revision_id) if isinstance(revision_id, int) else None
    if revision is None:
        raise NotFound(T("计划调整申请", "plan revision"), field="revision_id")
    delivery_project(ctx, revision.project_id)
    return revision


def decide_revision(ctx: Ctx, revision_id: int, approve: bool, reason: str = "") -> PlanRevision:
    """Approve (the proposed plan is in force from now) or refuse (with the reason) a revision."""
    revision = get_revision(ctx, revision_id)
    project = get_project(ctx, revision.project_id, for_update=True)
    if not ctx.can(A.change_decide, project):
        raise Forbidden(T("只有本年度项目的主管单位可以审批计划调整", "Only the programme's office decides revisions"))
    if revision.status != "pending":
        raise RuleError(Violation("revision_decided", T("该计划调整申请已处理", "This revision was already decided"),
                                  field="revision_id"), status=409)
    reason = (reason or "").strip()
    if not approve and len(reason) < MIN_REASON:
        raise RuleError(Violation("reason_required", T(f"不同意调整时必须写明理由（至少{MIN_REASON}个字）",
                                                       f"A refusal needs a reason of at least {MIN_REASON} characters"),
                                  field="reason"))
    if approve:
        require_open(project, REVISING)
    with ctx.action("plan.revision_decision"):
        revision.status = "approved" if approve else "refused"
        revision.decided_by_id, revision.decided_at, revision.decision_reason = ctx.actor.id, ctx.clock.now(), reason
        if approve:
            revision.tasks = _snapshot(_apply(ctx, project, revision.tasks))
    return revision


def _apply(ctx: Ctx, project: Project, proposed: list[dict]) -> list[PlanTask]:
    current = {t.id: t for t in plan_tasks(ctx, project.id)}
    out = []
    for i, item in enumerate(proposed):
        task = current.get(item.get("task_id")) or PlanTask(project_id=project.id)
        task.position, task.title, task.owner, task.status = i, item["title"], item["owner"], item["status"]
        task.starts_on, task.ends_on = dt.date.fromisoformat(item["starts_on"]), dt.date.fromisoformat(item["ends_on"])
        if task.id is None:
            ctx.session.add(task)
        out.append(task)
    ctx.session.flush()
    return out


def counts(ctx: Ctx, project_id: int) -> dict[str, int]:
    """{status: number of tasks} of the project's plan, in one statement."""
    rows = ctx.session.execute(select(PlanTask.status, func.count()).where(PlanTask.project_id == project_id)
                               .group_by(PlanTask.status))
    return {status: int(n) for status, n in rows}
