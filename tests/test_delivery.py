"""Delivery through the services: an approved project's plan (written, progressed, revised through
the office with its history), its activity records (inside the project's period as its policy
declares it, tied to a task or saying why not, participants linked to the registry), and its
progress, derived from the records and the ledger. Each refusal names its field, cites the
policy's clause where there is one, and leaves nothing behind. The people registry and the
photos have their own modules (test_delivery_people.py, test_delivery_photos.py)."""
from __future__ import annotations

import datetime as dt
import io
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from core.i18n import T
from core.models import ActivityRecord, AuditEntry, PlanRevision, PlanTask
from core.plugin_host.delivery_rules import DeliveryRules, ProjectPeriod, StackedDelivery, stacked
from core.services.delivery import activities, common, plan, progress
from core.services.delivery_actions import delivery_offers
from core.services.projects import get_project
from core.violations import Forbidden, RuleError
from tests.delivery_factories import PLAN, TEAM, TENANT, activity, person, project_with_plan
from tests.factories import acting, draft_project, on_day
from tests.money_factories import approved_project

pytestmark = pytest.mark.usefixtures("in_implementation")  # 2023-04-14: the project has started


def refused(excinfo) -> dict[str, object]:
    return {v.field: v for v in excinfo.value.violations}


def count(platform, model) -> int:
    with acting(platform, TENANT, None) as ctx:
        return ctx.session.scalar(select(func.count()).select_from(model))


# -- the plan ------------------------------------------------------------------------------------------

def test_the_team_writes_the_plan_once_and_it_is_revision_one(platform):
    pid, task_ids = project_with_plan(platform)
    with acting(platform, TENANT, TEAM) as ctx:
        project, tasks, history = plan.project_plan(ctx, pid)
        assert [t.title for t in tasks] == [t["title"] for t in PLAN]
        assert [(r.number, r.status) for r in history] == [(1, "approved")]
        assert [t["task_id"] for t in history[0].tasks] == task_ids
        with pytest.raises(RuleError) as again:
            plan.set_plan(ctx, pid, [dict(PLAN[0])])
    assert again.value.status == 409 and again.value.violations[0].code == "plan_exists"


def test_only_an_approved_project_takes_a_plan(platform):
    pid = draft_project(platform, TEAM, "ghxl-luochuan", "micro_venture", "未立项的项目")
    with acting(platform, TENANT, TEAM) as ctx, pytest.raises(RuleError) as refusal:
        plan.set_plan(ctx, pid, [dict(PLAN[0])])
    assert refusal.value.status == 409
    [v] = refusal.value.violations
    assert v.code == "project_not_open" and "草稿" in v.message.zh and "已立项" in v.message.zh
    assert count(platform, PlanTask) == 0


def test_a_task_outside_the_project_period_is_refused_citing_the_policy(platform):
    pid = approved_project(platform)
    late = {"title": "年终总结", "owner": "居委会", "starts_on": dt.date(2023, 12, 1), "ends_on": dt.date(2024, 1, 15)}
    with acting(platform, TENANT, TEAM) as ctx, pytest.raises(RuleError) as refusal:
        plan.set_plan(ctx, pid, [dict(PLAN[0]), late])
    v = refused(refusal)["tasks.1.ends_on"]
    assert v.code == "outside_period" and "2024年1月15日" in v.message.zh and "2023年12月31日" in v.message.zh
    assert "申报表" in v.message.zh and "工具清单 第5项" in v.clause.zh
    assert count(platform, PlanTask) == count(platform, PlanRevision) == 0


def test_progress_is_the_teams_and_dropping_a_task_is_not(platform):
    pid, (first, second, _) = project_with_plan(platform)
    with acting(platform, TENANT, TEAM) as ctx:
        plan.set_task_status(ctx, first, "done")
        plan.set_task_status(ctx, second, "in_progress")
        with pytest.raises(RuleError) as dropped:
            plan.set_task_status(ctx, second, "dropped")
    assert dropped.value.violations[0].field == "status"
    with acting(platform, TENANT, "yanchang") as ctx, pytest.raises(Forbidden):
        plan.set_task_status(ctx, first, "planned")  # another neighbourhood's project


def test_a_revision_is_requested_decided_by_the_office_and_kept_in_the_history(platform):
    pid, (first, second, third) = project_with_plan(platform)
    with acting(platform, TENANT, TEAM) as ctx:
        _, tasks, _ = plan.project_plan(ctx, pid)
        proposal = [{"task_id": t.id, "title": t.title, "owner": t.owner, "starts_on": t.starts_on,
                     "ends_on": t.ends_on, "status": t.status} for t in tasks]
        proposal[1]["owner"] = "楼组长李叔叔"
        proposal[2]["status"] = "dropped"
        proposal.append({"title": "花园开放日", "owner": "志愿者队", "starts_on": dt.date(2023, 9, 1),
                         "ends_on": dt.date(2023, 9, 30)})
        revision = plan.request_revision(ctx, pid, "王阿姨搬家，养护改为开放日", proposal)
        assert (revision.number, revision.status) == (2, "pending")
        with pytest.raises(RuleError) as second_one:
            plan.request_revision(ctx, pid, "再改一次计划", proposal)
        assert second_one.value.violations[0].code == "revision_pending"
        with pytest.raises(Forbidden):
            plan.decide_revision(ctx, revision.id, True)  # the team does not decide its own revision
        rid = revision.id
    with acting(platform, TENANT, "ghxl_admin") as ctx:
        with pytest.raises(RuleError) as no_reason:
            plan.decide_revision(ctx, rid, False, "")
        assert no_reason.value.violations[0].field == "reason"
        plan.decide_revision(ctx, rid, True)
    with acting(platform, TENANT, TEAM) as ctx:
        _, tasks, history = plan.project_plan(ctx, pid)
        assert [(t.id, t.owner, t.status) for t in tasks][:3] == [
            (first, "居委会主任", "planned"), (second, "楼组长李叔叔", "planned"), (third, "志愿者队", "dropped")]
        assert tasks[3].title == "花园开放日"
        assert [(r.number, r.status) for r in history] == [(1, "approved"), (2, "approved")]
        assert history[0].tasks[1]["owner"] == "楼组长王阿姨"  # revision 1 as it stood
        assert history[1].tasks[3]["task_id"] == tasks[3].id


def test_a_revision_may_not_delete_a_task_nor_change_nothing(platform):
    pid, _ = project_with_plan(platform)
    with acting(platform, TENANT, TEAM) as ctx:
        _, tasks, _ = plan.project_plan(ctx, pid)
        current = [{"task_id": t.id, "title": t.title, "owner": t.owner, "starts_on": t.starts_on, "ends_on": t.ends_on,
                    "status": t.status} for t in tasks]
        with pytest.raises(RuleError) as removed:
            plan.request_revision(ctx, pid, "删掉最后一项任务", current[:2])
        assert removed.value.violations[0].code == "task_missing" and "已取消" in removed.value.violations[0].message.zh
        with pytest.raises(RuleError) as same:
            plan.request_revision(ctx, pid, "什么都不改的申请", current)
        assert same.value.violations[0].code == "nothing_to_change"
    assert count(platform, PlanRevision) == 1


# -- activity records -----------------------------------------------------------------------------------

def test_an_activity_is_recorded_with_its_task_and_named_volunteers_linked_to_the_registry(platform):
    pid, (first, *_) = project_with_plan(platform)
    wang = person(platform, pid, "王阿姨", mobile="13812345678")
    aid = activity(platform, pid, first, participants=["王阿姨 2", "路过的居民"], volunteer_hours="5")
    with acting(platform, TENANT, TEAM) as ctx:
        record = activities.get_activity(ctx, aid)
        assert (record.plan_task_id, record.participant_count, record.volunteer_tenths) == (first, 8, 50)
        assert [(p.name, p.person_id, p.volunteer_tenths) for p in record.participants] == [
            ("王阿姨", wang, 20), ("路过的居民", None, 0)]


@pytest.mark.parametrize("day, field_code", [
    ("2023-03-31", "outside_period"),   # before the 申报表's start date
    ("2023-04-20", "activity_in_future"),  # after today (2023-04-14)
])
def test_an_activity_outside_the_project_or_not_yet_held_is_refused(platform, day, field_code):
    pid, (first, *_) = project_with_plan(platform)
    with pytest.raises(RuleError) as refusal:
        activity(platform, pid, first, held_on=dt.date.fromisoformat(day))
    v = refused(refusal)["held_on"]
    assert v.code == field_code
    if field_code == "outside_period":
        assert "2023年4月1日至2023年12月31日" in v.message.zh and v.clause is not None
        assert "outside the project's period" in v.message.en
    assert count(platform, ActivityRecord) == 0


def test_an_activity_on_a_project_not_approved_is_refused(platform):
    pid = draft_project(platform, TEAM, "ghxl-luochuan", "micro_venture", "还在草稿的项目")
    with pytest.raises(RuleError) as refusal:
        activity(platform, pid, None, no_task_reason="计划外的临时活动")
    assert refusal.value.status == 409 and refusal.value.violations[0].code == "project_not_open"


def test_an_activity_without_a_task_says_why_and_every_problem_is_named_at_once(platform):
    pid, _ = project_with_plan(platform)
    with pytest.raises(RuleError) as refusal:
        activity(platform, pid, None, participant_count=1, participants=["王阿姨 2", "李叔叔 30", "#5"],
                 volunteer_hours="1")
    problems = refused(refusal)
    assert problems["no_task_reason"].code == "task_or_reason"
    assert problems["participants.1"].code == "invalid_hours"
    assert problems["participants.2"].code == "invalid_participant"
    assert problems["participant_count"].code == "count_below_names"
    aid = activity(platform, pid, None, no_task_reason="应居民要求临时增加的议事会", participants=["王阿姨"])
    assert aid and count(platform, ActivityRecord) == 1


def test_a_sign_in_sheet_or_names_are_required_when_people_took_part(platform):
    pid, (first, *_) = project_with_plan(platform)
    with pytest.raises(RuleError) as refusal:
        activity(platform, pid, first, participants=[])
    assert refused(refusal)["sign_in_sheet"].code == "sign_in_required"
    aid = activity(platform, pid, first, participants=[], sign_in_sheet=("签到表.pdf", io.BytesIO(b"%PDF-1.4\n%%EOF\n")))
    with acting(platform, TENANT, TEAM) as ctx:
        assert [f.kind for f in activities.get_activity(ctx, aid).files] == ["sign_in"]


def test_two_people_of_one_name_must_be_told_apart(platform):
    pid, (first, *_) = project_with_plan(platform)
    person(platform, pid, "张三")
    second = person(platform, pid, "张三", role="team")
    with pytest.raises(RuleError) as refusal:
        activity(platform, pid, first, participants=["张三 2"])
    assert refused(refusal)["participants.0"].code == "ambiguous_person"
    aid = activity(platform, pid, first, participants=[f"张三#{second} 2"])
    with acting(platform, TENANT, TEAM) as ctx:
        assert activities.get_activity(ctx, aid).participants[0].person_id == second


# -- what the policies declare, stacked ---------------------------------------------------------------

def test_each_policy_declares_the_period_from_its_own_forms(platform):
    pid = approved_project(platform)
    with acting(platform, TENANT, TEAM) as ctx:
        rules = common.rules_of(ctx, get_project(ctx, pid))
    assert (rules.starts, rules.ends) == (dt.date(2023, 4, 1), dt.date(2023, 12, 31))
    assert rules.consent_required and rules.retention_years == 3
    assert "个人信息保护法" in rules.consent_clause.zh


class _Policy:
    """A policy as ``stacked`` asks it: its source, and its one answer to the hook."""

    def __init__(self, name, answer):
        self.info = SimpleNamespace(source=T(f"{name}文件", name))
        self.answer = answer

    def call(self, hook, **kwargs):
        assert hook == "tongxin_delivery_rules" and set(kwargs) == {"project", "config"}
        return [self.answer]


def _layer(name, answer, own):
    return SimpleNamespace(name=name, own=own, version="1", config={}, policy=_Policy(name, answer))


def test_periods_stack_every_one_holds_and_consent_and_retention_take_the_stricter():
    from core.plugin_host.facts import ProjectFacts
    facts = ProjectFacts(id=1, programme_id=1, programme_year=2023, track="t", title="x", state="approved",
                         applicant_unit_id=1, applicant_unit_kind="neighbourhood", forms={}, tags=(), requested_fen=0)
    street = DeliveryRules(ProjectPeriod(dt.date(2023, 4, 1), dt.date(2023, 12, 31)), retention_years=3)
    district = DeliveryRules(ProjectPeriod(None, dt.date(2023, 11, 30)), consent_required=True, retention_years=5)
    stack = SimpleNamespace(layers=(_layer("street", street, True), _layer("district", district, False)))
    rules = stacked(stack, facts)
    assert isinstance(rules, StackedDelivery) and (rules.starts, rules.ends) == (dt.date(2023, 4, 1), dt.date(2023, 11, 30))
    [outside] = rules.outside(dt.date(2023, 12, 5))
    assert outside.clause.zh == "district文件"  # the inherited policy's source stands for its clause
    assert rules.consent_required and rules.consent_clause.zh == "district文件"
    assert rules.retention_years == 5
    nobody = SimpleNamespace(layers=(_layer("street", None, True),))
    assert [(p.starts, p.ends) for p in stacked(nobody, facts).periods] == [(dt.date(2023, 1, 1), dt.date(2023, 12, 31))]


# -- progress, derived ----------------------------------------------------------------------------------

def test_progress_is_derived_from_the_records_and_the_ledger(platform):
    pid, (first, second, _) = project_with_plan(platform)
    activity(platform, pid, first)
    activity(platform, pid, second, held_on=dt.date(2023, 4, 12), public=True, participants=["王阿姨 3"])
    with acting(platform, TENANT, TEAM) as ctx:
        plan.set_task_status(ctx, first, "done")
    with acting(platform, TENANT, TEAM) as ctx:
        p = progress.progress(ctx, get_project(ctx, pid))
    assert (p.tasks, p.tasks_done, p.tasks_percent) == (3, 1, 33)
    assert (p.activities, p.public_activities, p.participants, p.volunteer_tenths) == (2, 1, 16, 65)
    assert p.committed_fen == 400_000 and p.spent_fen == 0 and p.spent_percent == 0


def test_the_offers_follow_the_state_and_the_table(platform):
    pid = approved_project(platform)
    with acting(platform, TENANT, TEAM) as ctx:
        offers = delivery_offers(ctx, get_project(ctx, pid))
        assert offers.set_plan.allowed and offers.record_activity.allowed and not offers.revise_plan.shown
    with acting(platform, TENANT, "ghxl_expert") as ctx:
        offers = delivery_offers(ctx, get_project(ctx, pid))
        assert not any(o.shown for o in offers)
    with on_day("2023-04-14"), acting(platform, TENANT, TEAM) as ctx:
        plan.set_plan(ctx, pid, [dict(PLAN[0])])
        offers = delivery_offers(ctx, get_project(ctx, pid))
        assert not offers.set_plan.shown and offers.revise_plan.allowed and offers.task_status.allowed


def test_every_change_is_in_the_audit_log(platform):
    pid, (first, *_) = project_with_plan(platform)
    activity(platform, pid, first)
    with acting(platform, TENANT, None) as ctx:
        actions = set(ctx.session.scalars(select(AuditEntry.action).where(AuditEntry.entity.in_(
            ("plan_tasks", "plan_revisions", "activity_records", "activity_participants")))))
    assert {"plan.set", "activity.record"} <= actions


@pytest.mark.parametrize("name, forms, period", [
    ("gonghexinlu", {"application": {"start_date": "2023-05-01", "end_date": "2023-10-31"}},
     (dt.date(2023, 5, 1), dt.date(2023, 10, 31))),
    ("gonghexinlu", {}, None),                                   # no 申报表 yet: no period of its own
    ("jinjiang", {}, (dt.date(2023, 3, 18), dt.date(2023, 11, 30))),   # after the call closes, to completion
    ("haiyuan", {}, (dt.date(2023, 1, 1), dt.date(2023, 12, 31))),     # the fund's year
])
def test_the_built_in_policies_declare_their_periods_and_registry_settings(name, forms, period):
    from core.plugin_host.manager import PluginHost
    from core.plugin_host.testing import project_facts
    policy = PluginHost().policies[name]
    [answer] = policy.call("tongxin_delivery_rules", project=project_facts(forms=forms), config=policy.config({}))
    assert isinstance(answer, DeliveryRules)
    assert ((answer.period.starts, answer.period.ends) if answer.period else None) == period
    assert answer.period is None or answer.period.clause.zh
    assert answer.consent_required and answer.retention_years == 3 and answer.retention_clause.zh
    assert not answer.children_allowed
