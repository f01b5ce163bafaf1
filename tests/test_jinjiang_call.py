"""晋江's call through the services: communities apply, towns endorse or return, the city selects."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from core.models import Notification
from core.services import changes, endorsement, projects, review
from core.violations import Forbidden, NotFound, RuleError
from tests.factories import (
    JINJIANG_APPLICATION,
    JINJIANG_PLAN,
    JINJIANG_SELECTION_DAY,
    PDF,
    acting,
    jinjiang_project,
    on_day,
    programme_id,
    unit_id,
)

SERVICE_APPLICATION = {**JINJIANG_APPLICATION, "title": "便民服务", "directions": ["needs_assessment"]}


def codes(exc) -> set[str]:
    return {v.code for v in exc.violations}


def test_endorse_return_score_select_and_tier(platform):
    a = jinjiang_project(platform, "qinghua", "jj-qingyang-a")
    b = jinjiang_project(platform, "andong", "jj-anhai-a")
    def panel_notes():
        with acting(platform, "jinjiang", "jj_admin") as ctx:
            return ctx.session.scalars(select(Notification).where(Notification.kind == "project_submitted")).all()

    assert panel_notes() == []  # the panel hears of an application once its town has endorsed it
    # Not endorsed yet: the city's panel cannot score it.
    with pytest.raises(RuleError) as info, acting(platform, "jinjiang", "jj_chair") as ctx:
        review.score(ctx, a, {"infrastructure": 8, "party_building": 8, "service_capacity": 7, "participation": 9,
                              "feasibility": 8})
    assert "not_reviewable" in codes(info.value)
    # The other town cannot even see it, let alone endorse; the own town stamps, with a scanned page.
    with pytest.raises(NotFound), acting(platform, "jinjiang", "anhai_admin") as ctx:
        endorsement.endorse(ctx, a, "endorsed")
    with acting(platform, "jinjiang", "qingyang_admin") as ctx:
        e = endorsement.endorse(ctx, a, "endorsed", stamp_filename="盖章页.pdf", stamp_stream=io.BytesIO(PDF),
                                storage=platform.storage)
        assert e.stamp_attachment_id
    assert len(panel_notes()) == 2  # jj_chair and jj_expert
    with acting(platform, "jinjiang", "anhai_admin") as ctx:
        with pytest.raises(RuleError) as info:
            endorsement.endorse(ctx, b, "returned", reason="")
        assert "reason_required" in codes(info.value)
    with acting(platform, "jinjiang", "anhai_admin") as ctx:
        endorsement.endorse(ctx, b, "returned", reason="目标不够具体，请补充数量")
    with acting(platform, "jinjiang", "andong") as ctx:
        assert projects.get_project(ctx, b).state == "returned"
        assert endorsement.endorsements(ctx, b)[-1].reason.startswith("目标不够具体")
    with acting(platform, "jinjiang", "jj_chair") as ctx:
        review.score(ctx, a, {"infrastructure": 8, "party_building": 8, "service_capacity": 7, "participation": 9,
                              "feasibility": 8})
    # The call has closed (17 March): now the city selects.
    with on_day(JINJIANG_SELECTION_DAY), acting(platform, "jinjiang", "jj_chair") as ctx:
        with pytest.raises(RuleError) as info:
            review.decide(ctx, a, "approved")  # no tier chosen
        assert any(v.field == "selection.tier" for v in info.value.violations)
        d = review.decide(ctx, a, "approved", details={"selection": {"tier": "quanzhou"}})
        assert d.details == {"selection": {"tier": "quanzhou"}}
    with acting(platform, "jinjiang", "qinghua") as ctx:  # the applicant sees the tier
        assert review.decisions(ctx, a)[-1].details["selection"]["tier"] == "quanzhou"


def test_vague_plans_are_refused_naming_the_line(platform):
    with acting(platform, "jinjiang", "qinghua") as ctx:
        p = projects.create_project(ctx, programme_id(platform, "jinjiang"), unit_id(platform, "jinjiang", "jj-qingyang-a"),
                                    "service", "便民服务")
        with pytest.raises(RuleError) as info:
            projects.save_form(ctx, p.id, "plan", {**JINJIANG_PLAN, "targets": ["提升居民幸福感", "建成驿站1个"],
                                                  "schedule": ["尽快完成改造", "2023-05-01 开放"]})
    fields = {v.field for v in info.value.violations}
    assert {"plan.targets.0", "plan.schedule.0"} <= fields


def test_schedule_after_30_november_is_refused(platform):
    late = {**JINJIANG_PLAN, "schedule": ["2023-04-30 完成改造", "2023-12-15 总结"]}
    with pytest.raises(RuleError) as info:
        jinjiang_project(platform, "qinghua", "jj-qingyang-a", plan=late)
    v = next(v for v in info.value.violations if v.code == "schedule_after_completion")
    assert v.field == "plan.schedule.1" and "11月30" in v.clause.zh


def test_deadline_and_consultation_evidence(platform):
    with acting(platform, "jinjiang", "qinghua") as ctx:
        p = projects.create_project(ctx, programme_id(platform, "jinjiang"), unit_id(platform, "jinjiang", "jj-qingyang-a"),
                                    "service", "便民服务")
        projects.save_form(ctx, p.id, "application", SERVICE_APPLICATION)
        projects.save_form(ctx, p.id, "plan", JINJIANG_PLAN)
        projects.set_budget(ctx, p.id, [{"description": "设备", "amount": "1000"}])
        pid = p.id
    with pytest.raises(RuleError) as info, acting(platform, "jinjiang", "qinghua") as ctx:
        projects.submit(ctx, pid)
    assert "attachment_missing" in codes(info.value)
    with on_day("2023-03-18"), pytest.raises(RuleError) as info, acting(platform, "jinjiang", "qinghua") as ctx:
        projects.submit(ctx, pid)
    assert "window_closed" in codes(info.value)


def test_a_village_outside_the_city_cannot_apply(platform):
    outsider = unit_id(platform, "jingan", "ghxl-luochuan")
    with pytest.raises((NotFound, Forbidden)), acting(platform, "jinjiang", "qinghua") as ctx:
        projects.create_project(ctx, programme_id(platform, "jinjiang"), outsider, "service", "外地项目")


def test_pilot_quota_holds(platform):
    with acting(platform, "jinjiang", "jj_admin") as ctx:
        from core.services import programmes
        programmes.enable_plugin(ctx, ctx.actor.grants[0].unit_id, "jinjiang", {"pilot_quota": 1})
        prog = programmes.open_programme(ctx, ctx.actor.grants[0].unit_id, "jinjiang", 2024)
        chair = next(m.user_id for m in programmes.panel(ctx, programme_id(platform, "jinjiang")) if m.chair)
        programmes.set_panel(ctx, prog.id, [chair], chair)
        # A new year has no money until the city allocates its subsidy.
        from core.services import funding, ledger
        fund = funding.fund_for(ctx, prog, prog.org_unit, "subsidy_city", create=True)
        ledger.allocate(ctx, fund.id, 20_000_000, "test:2024-subsidy")
    with on_day("2024-03-15"):
        ids = []
        for user, unit, town in (("qinghua", "jj-qingyang-a", "qingyang_admin"), ("andong", "jj-anhai-a", "anhai_admin")):
            with acting(platform, "jinjiang", user) as ctx:
                p = projects.create_project(ctx, prog.id, unit_id(platform, "jinjiang", unit), "service", "便民服务")
                projects.save_form(ctx, p.id, "application", SERVICE_APPLICATION)
                projects.save_form(ctx, p.id, "plan", {**JINJIANG_PLAN, "schedule": ["2024-04-30 完成", "2024-09-30 运行"]})
                projects.set_budget(ctx, p.id, [{"description": "设备", "amount": "1000"}])
                projects.attach(ctx, p.id, "residents_consultation", "记录.pdf", io.BytesIO(PDF), platform.storage)
                projects.submit(ctx, p.id)
                ids.append(p.id)
            with acting(platform, "jinjiang", town) as ctx:
                endorsement.endorse(ctx, p.id, "endorsed")
        with on_day("2024-03-20"), acting(platform, "jinjiang", "jj_chair") as ctx:  # 2024's call has closed
            review.decide(ctx, ids[0], "approved", details={"selection": {"tier": "city"}})
        with on_day("2024-03-20"), pytest.raises(RuleError) as info, acting(platform, "jinjiang", "jj_chair") as ctx:
            review.decide(ctx, ids[1], "approved", details={"selection": {"tier": "city"}})
        assert "pilot_quota_full" in codes(info.value)


def _selected(platform):
    pid = jinjiang_project(platform, "qinghua", "jj-qingyang-a")
    with acting(platform, "jinjiang", "qingyang_admin") as ctx:
        endorsement.endorse(ctx, pid, "endorsed")
    with on_day(JINJIANG_SELECTION_DAY), acting(platform, "jinjiang", "jj_chair") as ctx:
        review.decide(ctx, pid, "approved", details={"selection": {"tier": "city"}})
    return pid


def test_no_type_change_without_an_approved_change_request_and_no_swapping(platform):
    pid = _selected(platform)
    with pytest.raises(RuleError) as info, acting(platform, "jinjiang", "qinghua") as ctx:
        projects.save_form(ctx, pid, "plan", JINJIANG_PLAN)
    assert "not_editable" in codes(info.value)
    # A swap (new name and new type) is refused outright, citing the notice.
    with pytest.raises(RuleError) as info, acting(platform, "jinjiang", "qinghua") as ctx:
        changes.request_change(ctx, pid, "换一个项目做", proposed_track="service",
                               proposed_forms={"application": {**JINJIANG_APPLICATION, "title": "智慧社区",
                                                               "directions": ["smart_services"]}})
    assert "project_swap" in codes(info.value)
    # A recorded type change, approved by the city, goes through.
    with acting(platform, "jinjiang", "qinghua") as ctx:
        cr = changes.request_change(ctx, pid, "居民议事后调整为协商自治方向", proposed_track="consultation",
                                    proposed_forms={"application": {**JINJIANG_APPLICATION, "directions": ["four_levels"]}})
        assert projects.get_project(ctx, pid).track == "mutual_aid"  # nothing changes until approved
        cr_id = cr.id
    with pytest.raises(Forbidden), acting(platform, "jinjiang", "qingyang_admin") as ctx:
        changes.decide_change(ctx, cr_id, True)
    with acting(platform, "jinjiang", "jj_admin") as ctx:
        changes.decide_change(ctx, cr_id, True)
    with acting(platform, "jinjiang", "qinghua") as ctx:
        assert projects.get_project(ctx, pid).track == "consultation"
