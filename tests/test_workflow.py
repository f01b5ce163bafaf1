"""The first quarter of 共和新路's year through the services: apply on both tracks, review, decide."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from core.models import AuditEntry, Notification
from core.services import projects, review
from core.violations import Forbidden, NotFound, RuleError
from tests.factories import PDF, acting, application, on_day, programme_id, unit_id


def _draft(platform, username, unit_code, track, title, *, amount="3000", directions=None, start="2023-04-01", end="2023-12-31",
           attach=True):
    pid = programme_id(platform)
    directions = directions or (("carrier",) if track == "yiju_yipin" else ("public_space",))
    with acting(platform, "jingan", username) as ctx:
        p = projects.create_project(ctx, pid, unit_id(platform, "jingan", unit_code), track, title)
        projects.save_form(ctx, p.id, "application", application(title, directions=directions, start=start, end=end))
        projects.set_budget(ctx, p.id, [{"description": "活动物料", "amount": amount}])
        if attach:
            projects.attach(ctx, p.id, "residents_minutes", "会议记录.pdf", io.BytesIO(PDF), platform.storage)
        return p.id


def codes(exc: RuleError) -> set[str]:
    return {v.code for v in exc.violations}


def test_signature_and_micro_venture_projects_from_application_to_decision(platform):
    sig = _draft(platform, "luochuan", "ghxl-luochuan", "yiju_yipin", "楼组议事会", amount="12000")
    micro1 = _draft(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园", amount="4800.50")
    micro2 = _draft(platform, "luochuan", "ghxl-luochuan", "micro_venture", "青年议事角", amount="5000")
    with acting(platform, "jingan", "luochuan") as ctx:
        for pid in (sig, micro1, micro2):
            assert projects.submit(ctx, pid).state == "submitted"

    with acting(platform, "jingan", "ghxl_expert") as ctx:
        review.score(ctx, sig, {"feasibility": 8, "operability": 7, "compliance": 9}, "目标清楚")
    with acting(platform, "jingan", "ghxl_chair") as ctx:
        review.score(ctx, sig, {"feasibility": 9, "operability": 8, "compliance": 9})
        d = review.decide(ctx, sig, "approved", approved_amount="10000")
        assert d.approved_fen == 1_000_000
        review.decide(ctx, micro1, "rejected", explanation="与既有项目重复，建议合并申报")
        review.decide(ctx, micro2, "returned", explanation="预算明细请细化到单项")

    with acting(platform, "jingan", "luochuan") as ctx:
        assert projects.get_project(ctx, sig).state == "approved"
        assert projects.get_project(ctx, micro1).state == "rejected"
        assert review.decisions(ctx, micro1)[-1].explanation.startswith("与既有项目")
        # returned: edit and submit again
        projects.set_budget(ctx, micro2, [{"description": "桌椅", "amount": "2000"}, {"description": "海报", "amount": "500"}])
        assert projects.submit(ctx, micro2).state == "submitted"

    with acting(platform, "jingan", "ghxl_admin") as ctx:
        actions = set(ctx.session.scalars(select(AuditEntry.action)))
        assert {"project.create", "project.submit", "review.score", "review.decide", "project.budget"} <= actions
        # the in-process task notified both panel members of each submission, exactly once
        notes = ctx.session.scalars(select(Notification)).all()
        assert len(notes) == 2 * 4


def test_second_signature_project_is_refused_citing_the_clause(platform):
    first = _draft(platform, "luochuan", "ghxl-luochuan", "yiju_yipin", "楼组议事会")
    with acting(platform, "jingan", "luochuan") as ctx:
        projects.submit(ctx, first)
    with pytest.raises(RuleError) as info:  # refused when it is started, not once it is filled in
        _draft(platform, "luochuan", "ghxl-luochuan", "yiju_yipin", "自治公约")
    v = next(v for v in info.value.violations if v.code == "signature_one_per_neighbourhood")
    assert "四（一）" in v.clause.zh and v.field == "track"
    with acting(platform, "jingan", "luochuan") as ctx:
        assert [p.title for p in projects.list_projects(ctx)[0]] == ["楼组议事会"]  # nothing half-done


def test_micro_venture_project_over_5000_yuan_by_one_fen_is_refused(platform):
    pid = _draft(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园", amount="5000.01")
    with pytest.raises(RuleError) as info, acting(platform, "jingan", "luochuan") as ctx:
        projects.submit(ctx, pid)
    v = next(v for v in info.value.violations if v.code == "micro_over_limit")
    assert "5,000.00" in v.message.zh and "七" in v.clause.zh and v.field == "budget"


def test_micro_venture_project_longer_than_twelve_months_is_refused(platform):
    pid = _draft(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园", start="2023-04-01", end="2024-04-01")
    with pytest.raises(RuleError) as info, acting(platform, "jingan", "luochuan") as ctx:
        projects.submit(ctx, pid)
    assert "micro_too_long" in codes(info.value)


def test_missing_minutes_and_forms_are_all_reported_at_once(platform):
    pid = programme_id(platform)
    with acting(platform, "jingan", "luochuan") as ctx:
        p = projects.create_project(ctx, pid, unit_id(platform, "jingan", "ghxl-luochuan"), "micro_venture", "口袋花园")
        new = p.id
    with pytest.raises(RuleError) as info, acting(platform, "jingan", "luochuan") as ctx:
        projects.submit(ctx, new)
    assert {"form_missing", "attachment_missing", "budget_missing"} <= codes(info.value)


def test_closed_window_refuses_submission(platform):
    pid = _draft(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园")
    with on_day("2023-04-01"), pytest.raises(RuleError) as info, acting(platform, "jingan", "luochuan") as ctx:
        projects.submit(ctx, pid)
    assert "window_closed" in codes(info.value)
    assert "至3月31日" in next(v for v in info.value.violations if v.code == "window_closed").message.zh


def test_a_neighbourhood_cannot_apply_or_see_for_another(platform):
    pid = programme_id(platform)
    with pytest.raises(Forbidden), acting(platform, "jingan", "luochuan") as ctx:
        projects.create_project(ctx, pid, unit_id(platform, "jingan", "ghxl-yanchang"), "micro_venture", "别人的项目")
    other = _draft(platform, "yanchang", "ghxl-yanchang", "micro_venture", "延长的项目")
    with pytest.raises(NotFound), acting(platform, "jingan", "luochuan") as ctx:
        projects.get_project(ctx, other)


def test_rejection_needs_an_explanation(platform):
    pid = _draft(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园")
    with acting(platform, "jingan", "luochuan") as ctx:
        projects.submit(ctx, pid)
    with pytest.raises(RuleError) as info, acting(platform, "jingan", "ghxl_chair") as ctx:
        review.decide(ctx, pid, "rejected", explanation="")
    assert "explanation_required" in codes(info.value)


def test_only_the_chair_or_street_admin_decides_and_only_panel_scores(platform):
    pid = _draft(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园")
    with acting(platform, "jingan", "luochuan") as ctx:
        projects.submit(ctx, pid)
    with pytest.raises(Forbidden), acting(platform, "jingan", "ghxl_expert") as ctx:
        review.decide(ctx, pid, "approved")
    with pytest.raises(Forbidden), acting(platform, "jingan", "ghxl_admin") as ctx:
        review.score(ctx, pid, {"feasibility": 1, "operability": 1, "compliance": 1})
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        assert review.decide(ctx, pid, "approved").outcome == "approved"


def test_anonymous_sees_only_approved_projects(platform):
    pid = _draft(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园")
    with acting(platform, "jingan", None) as ctx:
        assert projects.list_projects(ctx)[1] == 0
    with acting(platform, "jingan", "luochuan") as ctx:
        projects.submit(ctx, pid)
    with acting(platform, "jingan", "ghxl_chair") as ctx:
        review.decide(ctx, pid, "approved")
    with acting(platform, "jingan", None) as ctx:
        rows, total = projects.list_projects(ctx)
        assert total == 1 and rows[0].id == pid
