"""Supervision of approved projects (core.services.supervision), on 共和新路's 2023 programme in
the test world: the July mid-term visit answers the checklists of both policies that apply
(共和新路's and, stacked, 静安区's), opens a rectification the neighbourhood reports on and the
street office accepts; a commissioned organisation supervises only what it is assigned; every
bad input is refused with its reason in Chinese and, where a policy says it, the clause."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from core.models import Project, Rectification, SupervisionVisit, User
from core.permissions import A
from core.services import supervision
from core.violations import Forbidden, RuleError
from tests.factories import acting, on_day
from tests.money_factories import approved_project, draft, person
from tests.supervision_factories import DISTRICT_ITEMS, GHXL_ITEMS, JULY, answers, visit

pytestmark = pytest.mark.usefixtures("settings")


def refused(err: RuleError, code: str):
    found = [v for v in err.violations if v.code == code]
    assert found, [v.code for v in err.violations]
    return found[0]


def counts(platform) -> tuple[int, int]:
    with acting(platform, "jingan", None) as ctx:
        return (ctx.session.scalar(select(func.count()).select_from(SupervisionVisit)),
                ctx.session.scalar(select(func.count()).select_from(Rectification)))


def test_the_checklists_of_both_policies_stack_each_item_with_its_clause(platform):
    pid = approved_project(platform)
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        project = supervision.project_for_supervision(ctx, pid)
        found = supervision.checklists(ctx, project)
    assert [c.policy for c in found] == ["gonghexinlu", "jingan_fund"]
    assert [i.key for i in found[0].items] == list(GHXL_ITEMS)
    assert [i.key for i in found[1].items] == list(DISTRICT_ITEMS)
    assert "7月份重点开展一次项目中期督导" in found[0].clause.zh
    assert "使用清单" in found[1].items[0].clause.zh and "静安区实施方案" in found[1].items[0].clause.zh


def test_a_mid_term_visit_opens_a_rectification_the_owner_reports_and_the_office_accepts(platform):
    pid = approved_project(platform)
    with on_day(JULY), acting(platform, "jingan", "ghxl_admin") as ctx:
        v = supervision.record_visit(ctx, pid, **visit(
            checklist=answers(but={"activity_records": {"answer": "not_met", "note": "签到表缺5月两次活动"}}),
            rectifications=[{"description": "补齐5月两次活动的签到表", "due_on": dt.date(2023, 7, 31),
                             "item": "activity_records"}]))
        assert v.recorder_role == "street_admin"
        assert [a["item"] for a in v.checklist] == [*GHXL_ITEMS, *DISTRICT_ITEMS]
        assert v.checklist[1]["answer"] == "not_met" and v.checklist[1]["clause"]["zh"].startswith("实施方案 七")
        [rect] = v.rectifications
        rid = rect.id
        assert rect.state == "open" and rect.owner_unit.code == "ghxl-luochuan"

    with on_day("2023-07-20"), acting(platform, "jingan", "luochuan") as ctx:
        row = supervision.report(ctx, rid, report="已补齐签到表并扫描上传，今后每次活动当场签到。")
        assert row.state == "reported"
    # The office returns a thin report once, then accepts the better one.
    with on_day("2023-07-21"), acting(platform, "jingan", "ghxl_admin") as ctx:
        row = supervision.accept(ctx, rid, accept=False, note="请附上补齐后的签到表照片")
        assert row.state == "open" and row.times_returned == 1
    with on_day("2023-07-24"), acting(platform, "jingan", "luochuan") as ctx:
        supervision.report(ctx, rid, report="签到表照片已附在活动记录中。")
    with on_day("2023-07-25"), acting(platform, "jingan", "ghxl_admin") as ctx:
        row = supervision.accept(ctx, rid, accept=True, note="已核实")
        assert row.state == "closed" and row.closed_by_id == ctx.actor.id
        assert supervision.open_count(ctx, pid) == 0


def test_a_rectification_is_closed_only_by_its_owner_reporting_and_the_office_accepting(platform):
    pid = approved_project(platform)
    person(platform, "ghxl_org", "commissioned_org", "gonghexinlu", name="上海某社工师事务所")
    with on_day(JULY), acting(platform, "jingan", "ghxl_admin") as ctx:
        supervision.assign(ctx, pid, user_id=_user_id(ctx, "ghxl_org"))
    with on_day(JULY), acting(platform, "jingan", "ghxl_org") as ctx:
        v = supervision.record_visit(ctx, pid, **visit(rectifications=[
            {"description": "公示栏补充资金使用情况", "due_on": dt.date(2023, 8, 15)}]))
        assert v.recorder_role == "commissioned_org"
        rid = v.rectifications[0].id
    # The organisation that opened it may not report on it, nor close it.
    for username in ("ghxl_org", "yanchang"):
        with on_day(JULY), pytest.raises(Forbidden) as no, acting(platform, "jingan", username) as ctx:
            supervision.report(ctx, rid, report="已经整改好了")
        assert "整改责任单位「洛川居民区」" in no.value.violations[0].message.zh
    with on_day(JULY), acting(platform, "jingan", "luochuan") as ctx:
        supervision.report(ctx, rid, report="公示栏已张贴本月资金使用明细。")
    for username in ("ghxl_org", "luochuan"):
        with on_day(JULY), pytest.raises(Forbidden) as no, acting(platform, "jingan", username) as ctx:
            supervision.accept(ctx, rid, accept=True)
        assert "只有整改责任单位或街道社区自治办可以关闭整改" in no.value.violations[0].message.zh
    with on_day(JULY), acting(platform, "jingan", "ghxl_admin") as ctx:
        assert supervision.get_rectification(ctx, rid).state == "reported"


def _user_id(ctx, username: str) -> int:
    return ctx.session.scalars(select(User.id).where(User.username == username)).one()


def test_a_commissioned_organisation_sees_and_supervises_only_what_it_is_assigned(platform):
    mine = approved_project(platform, title="口袋花园")
    other = approved_project(platform, title="楼道微更新", unit_code="ghxl-yanchang", username="yanchang")
    person(platform, "ghxl_org", "commissioned_org", "gonghexinlu", name="上海某社工师事务所")
    with acting(platform, "jingan", "ghxl_org") as ctx:
        assert supervision.supervised_projects(ctx) == ([], 0)
        with pytest.raises(Forbidden):
            supervision.project_for_supervision(ctx, mine)
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        assert [u.username for u in supervision.candidates(ctx, ctx.session.get(Project, mine))] == ["ghxl_org"]
        supervision.assign(ctx, mine, user_id=_user_id(ctx, "ghxl_org"))
        supervision.assign(ctx, mine, user_id=_user_id(ctx, "ghxl_org"))  # twice: still one assignment
        office_sees = {p.id for p in supervision.supervised_projects(ctx)[0]}
    assert {mine, other} <= office_sees
    with on_day(JULY), acting(platform, "jingan", "ghxl_org") as ctx:
        projects, total = supervision.supervised_projects(ctx)
        assert [p.id for p in projects] == [mine] and total == 1
        assert ctx.can(A.supervision_visit, supervision.project_for_supervision(ctx, mine)).allowed
        with pytest.raises(Forbidden) as no:
            supervision.project_for_supervision(ctx, other)
        assert "仅限指派的项目" in no.value.violations[0].message.zh
        with pytest.raises(Forbidden):
            supervision.record_visit(ctx, other, **visit())
    assert counts(platform) == (0, 0)
    # The office ends the assignment: the organisation no longer sees the project.
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        supervision.unassign(ctx, mine, user_id=_user_id(ctx, "ghxl_org"))
    with acting(platform, "jingan", "ghxl_org") as ctx:
        assert supervision.supervised_projects(ctx) == ([], 0)


def test_only_a_login_commissioned_above_the_project_can_be_assigned(platform):
    pid = approved_project(platform)
    person(platform, "jas_org", "commissioned_org", "jingansi", name="另一街道委托的机构")
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        with pytest.raises(RuleError) as no:
            supervision.assign(ctx, pid, user_id=_user_id(ctx, "jas_org"))
        assert no.value.violations[0].code == "not_commissioned"
        with pytest.raises(RuleError) as no:
            supervision.assign(ctx, pid, user_id=_user_id(ctx, "luochuan"))
        assert no.value.violations[0].code == "not_commissioned"
    with acting(platform, "jingan", "jas_admin") as ctx, pytest.raises(Forbidden):
        supervision.assign(ctx, pid, user_id=_user_id(ctx, "jas_org"))


def test_bad_visits_are_refused_with_the_reason_and_the_clause_and_nothing_is_saved(platform):
    pid = approved_project(platform)
    not_approved = draft(platform, title="还在评审的项目")
    D = dt.date
    with on_day(JULY), acting(platform, "jingan", "ghxl_admin") as ctx:
        with pytest.raises(RuleError) as no:
            supervision.record_visit(ctx, not_approved, **visit())
        v = refused(no.value, "project_not_approved")
        assert no.value.status == 409 and "只有已立项" in v.message.zh and "中期督导" in v.clause.zh

        with pytest.raises(RuleError) as no:
            supervision.record_visit(ctx, pid, **visit(checklist=[*answers(), {"item": "no_such_item", "answer": "met"}]))
        v = refused(no.value, "unknown_checklist_item")
        assert v.field == "checklist.8.item" and "检查表中没有「no_such_item」这一项" in v.message.zh
        assert "按项目实施计划分解推进" in v.message.zh and "7月份重点开展一次项目中期督导" in v.clause.zh

        with pytest.raises(RuleError) as no:
            supervision.record_visit(ctx, pid, **visit(checklist=answers()[:5]))
        problems = [v for v in no.value.violations if v.code == "checklist_incomplete"]
        assert len(problems) == 2 and "尚未填写：居民对项目的满意度" in problems[0].message.zh
        assert "静安区实施方案" in problems[1].clause.zh  # the district's checklist cites its own plan

        with pytest.raises(RuleError) as no:
            supervision.record_visit(ctx, pid, **visit(
                visited_on=D(2023, 7, 13), checklist=answers(but={"budget_kept": {"answer": "not_met"}}),
                rectifications=[{"description": "补", "due_on": D(2023, 7, 1)}]))
        codes = {v.code: v for v in no.value.violations}
        assert {"date_in_future", "note_required", "text_too_short", "invalid_due_date"} <= set(codes)
        assert codes["note_required"].field == "checklist.2.note" and "实施方案 七" in codes["note_required"].clause.zh

        with pytest.raises(RuleError) as no:
            supervision.record_visit(ctx, pid, **visit(visited_on=D(2023, 3, 1)))
        assert refused(no.value, "before_approval").field == "visited_on"
        # A tracking visit need not answer every item.
        supervision.record_visit(ctx, pid, **visit(kind="tracking", method="phone", checklist=[]))
    assert counts(platform) == (1, 0)


def test_the_people_a_visit_does_not_concern_may_not_record_or_read_it(platform):
    pid = approved_project(platform)
    for username in ("luochuan", "ghxl_chair", "jas_admin"):
        with on_day(JULY), pytest.raises(Forbidden), acting(platform, "jingan", username) as ctx:
            supervision.record_visit(ctx, pid, **visit())
    with acting(platform, "jingan", "jas_admin") as ctx, pytest.raises(Forbidden):
        supervision.project_for_supervision(ctx, pid)
    with acting(platform, "jingan", "luochuan") as ctx:  # the applicant reads its own project's visits
        assert supervision.visits(ctx, supervision.project_for_supervision(ctx, pid)) == []
