"""Refusals come first and cite their source (issue 9, item 4): what a hard rule will refuse is
refused at the first step that could know it (a second 一居一品 at create, drafts counted), what
needs a later approval is shown as a warning when it is saved (a micro budget over its cap), and
core's own refusals cite a clause (who may apply to a track, a missing form, points out of
range; a fund's cap and its allocation apart: tests/test_pledges.py). The closed window at create is in tests/test_calendar.py. Both profiles."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.models import Project
from core.services import projects, review
from core.violations import RuleError
from plugins.gonghexinlu import clauses
from tests.clients import Web, login, text, url
from tests.clients import draft as api_draft
from tests.factories import acting, draft_project, programme_id, submitted_project, unit_id


def project_count(platform) -> int:
    with acting(platform, "jingan", None) as ctx:
        return ctx.session.scalar(select(func.count(Project.id)))


def create(platform, username="luochuan", unit="ghxl-luochuan", track="yiju_yipin", title="楼组议事会"):
    with acting(platform, "jingan", username) as ctx:
        return projects.create_project(ctx, programme_id(platform), unit_id(platform, "jingan", unit), track, title).id


# -- one 一居一品, refused when the second is started (over HTTP: tests/test_api_bad_input.py) -----------

def test_a_second_signature_project_is_refused_at_create_drafts_counted(platform):
    first = draft_project(platform, "luochuan", "ghxl-luochuan", "yiju_yipin", "楼组议事会")  # a draft, not submitted
    before = project_count(platform)
    with pytest.raises(RuleError) as refused:
        create(platform, title="停车公约")
    [v] = refused.value.violations
    assert v.code == "signature_one_per_neighbourhood" and v.field == "track" and v.clause == clauses.SIGNATURE_ONE
    assert "含草稿" in v.message.zh and project_count(platform) == before
    create(platform, track="micro_venture", title="口袋花园")  # micro-venture projects are not limited
    create(platform, username="yanchang", unit="ghxl-yanchang", title="延长议事会")  # nor other neighbourhoods
    with acting(platform, "jingan", "luochuan") as ctx:
        projects.withdraw(ctx, first)
    create(platform, title="停车公约")  # a withdrawn project does not count


# -- a budget over the micro cap: saved, and said at once ------------------------------------------------

def test_over_http_a_micro_budget_over_the_cap_is_saved_with_a_warning(client):
    luochuan = login(client, "luochuan")
    pid = api_draft(client, luochuan)
    r = client.put(url(f"/projects/{pid}/budget"), headers=luochuan,
                   json={"items": [{"description": "花苗与土壤", "amount": "5000.01"}]})
    assert r.status_code == 200, r.get_json()
    budget = r.get_json()["budget"]
    assert budget["total"] == "5000.01"  # saved
    [warning] = budget["warnings"]
    assert warning["code"] == "micro_over_limit" and warning["clause"] == clauses.MICRO_LIMIT.zh
    assert "5,000.00" in warning["message"]
    r = client.put(url(f"/projects/{pid}/budget"), headers=luochuan,
                   json={"items": [{"description": "花苗与土壤", "amount": "4800"}]})
    assert r.get_json()["budget"]["warnings"] == []


def test_on_the_page_a_micro_budget_over_the_cap_is_saved_with_a_warning(app, platform):
    pid = draft_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园")
    web = Web(app.test_client())
    web.login("luochuan")
    r = web.post(f"/projects/{pid}/budget", {"description": "花苗与土壤", "amount": "5000.01"}, follow_redirects=True)
    page = text(r)
    assert r.status_code == 200 and "预算已保存，但提交时将不予通过" in page and "预算已保存。" not in page
    assert clauses.MICRO_LIMIT.zh in page
    with acting(platform, "jingan", "luochuan") as ctx:
        assert projects.get_project(ctx, pid).requested_fen == 500_001


# -- core's own refusals cite a clause ----------------------------------------------------------------

def test_an_applicant_the_track_does_not_admit_is_told_the_tracks_clause(platform):
    with pytest.raises(RuleError) as refused:
        create(platform, username="ghxl_admin", unit="gonghexinlu", track="micro_venture", title="街道花园")
    [v] = refused.value.violations
    assert v.code == "wrong_applicant_kind" and v.clause == clauses.MICRO_APPLICANTS


def test_a_missing_form_and_points_out_of_range_cite_what_asks_for_them(platform):
    pid = create(platform, track="micro_venture", title="口袋花园")  # nothing filled in yet
    with acting(platform, "jingan", "luochuan") as ctx:
        problems = {v.code: v for v in projects.submission_problems(ctx, projects.get_project(ctx, pid))}
    assert problems["form_missing"].clause == clauses.APPLICATION_FORM
    scored = submitted_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "青年议事角")
    with pytest.raises(RuleError) as refused, acting(platform, "jingan", "ghxl_expert") as ctx:
        review.score(ctx, scored, {"feasibility": 11, "operability": 5, "compliance": 5})
    [v] = refused.value.violations
    assert (v.code, v.field, v.clause) == ("invalid_points", "points.feasibility", clauses.REVIEW)
