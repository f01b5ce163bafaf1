"""What the caller may do now with an approved project's delivery records (see
``core.services.actions``): write the plan, update a task, request a revision, decide one,
record an activity, correct or delete one, register a person, read personal numbers. The API's ``actions`` field and
the pages' buttons both come from ``delivery_offers``; the state half of each answer is the
services' own guard (``core.services.delivery.common.not_open``, a plan already written, a
revision pending), asked without acting."""
from __future__ import annotations

from core.i18n import T
from core.models import PlanRevision, Project
from core.permissions import A
from core.services.actions import Offers, offer
from core.services.context import Ctx
from core.services.delivery.common import not_open
from core.services.delivery.plan import REVISING, WRITING, revisions as plan_revisions

ACTIONS = ("set_plan", "task_status", "revise_plan", "decide_revision", "record_activity", "add_person",
           "read_personal", "edit_activity")


def delivery_offers(ctx: Ctx, project: Project, *, revisions: list[PlanRevision] | None = None) -> Offers:
    """The caller's offers on ``project``'s delivery. ``revisions``: the plan's, when the caller
    has them (read otherwise)."""
    history = revisions if revisions is not None else plan_revisions(ctx, project.id)
    has_plan = bool(history)
    pending = any(r.status == "pending" for r in history)

    def closed(doing):
        problem = not_open(project, doing)
        return problem.message if problem is not None else None

    return Offers([
        offer(ctx, "set_plan", A.plan_edit, project, now=not has_plan,
              not_now=T("已有实施计划；调整须提交申请", "The plan is written; revise it by a request"),
              blocked=closed(WRITING)),
        offer(ctx, "task_status", A.plan_edit, project, now=has_plan,
              not_now=T("还没有实施计划", "There is no plan yet"), blocked=closed(T("更新任务进度", "update a task"))),
        offer(ctx, "revise_plan", A.change_request, project, now=has_plan,
              not_now=T("还没有实施计划，请先编写", "There is no plan yet; write it first"),
              blocked=closed(REVISING) or (T("已有待审批的计划调整申请", "A revision is pending") if pending else None)),
        offer(ctx, "decide_revision", A.change_decide, project, now=pending,
              not_now=T("没有待审批的计划调整申请", "No revision awaits a decision")),
        offer(ctx, "record_activity", A.activity_record, project, now=True,
              blocked=closed(T("登记活动", "record an activity"))),
        offer(ctx, "add_person", A.person_record, project, now=True, blocked=closed(T("登记人员", "register people"))),
        offer(ctx, "read_personal", A.person_read_personal, project, now=True),
        # Correcting, deleting, adding or removing the files of any of the project's records.
        offer(ctx, "edit_activity", A.activity_edit, project, now=True,
              blocked=closed(T("修改活动记录", "correct an activity record"))),
    ])
