"""A change request is validated as the project it produces (issue 9, item 6): changing only the
type of an approved 共和新路 project would leave its 申报表 with the old type's directions, so it
is refused naming the field and the clause; a change that also fixes the form goes through and,
once approved, leaves a project that is valid as its new type. The policy's rules judge the
produced project as they judged the submission (a signature project turned micro must fit the
micro limit). Through the services and the API."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from core.models import ChangeRequest
from core.services import changes, projects
from core.violations import RuleError
from tests.clients import is_error, login, url
from tests.factories import acting, application
from tests.money_factories import approved_project


def _signature(platform, budget=(("活动物料", "3000"), ("宣传海报", "1000"))) -> int:
    return approved_project(platform, track="yiju_yipin", title="楼组议事会", budget=list(budget))


def _pending(platform, pid: int) -> int:
    with acting(platform, "jingan", "luochuan") as ctx:
        return len(ctx.session.scalars(select(ChangeRequest).where(ChangeRequest.project_id == pid)).all())


def test_changing_only_the_type_is_refused_naming_the_direction_and_its_clause(platform):
    pid = _signature(platform)
    with pytest.raises(RuleError) as info, acting(platform, "jingan", "luochuan") as ctx:
        changes.request_change(ctx, pid, "居民议事后改为微创投项目", proposed_track="micro_venture")
    problems = info.value.violations
    direction = next(v for v in problems if v.field == "application.directions.0")
    assert direction.code == "kept_form_invalid"
    assert "七彩微创投" in direction.message.zh and "申报方向" in direction.message.zh
    assert "7种意向" in direction.clause.zh
    assert _pending(platform, pid) == 0  # nothing recorded


def test_a_type_change_that_fixes_the_form_is_applied_and_the_project_is_valid_as_its_new_type(platform):
    pid = _signature(platform)
    form = application("楼组议事会", directions=("good_neighbours",), start="2023-04-01", end="2023-09-30")
    with acting(platform, "jingan", "luochuan") as ctx:
        cr = changes.request_change(ctx, pid, "居民议事后改为微创投项目", proposed_track="micro_venture",
                                    proposed_forms={"application": form})
        cr_id = cr.id
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        changes.decide_change(ctx, cr_id, True)
    with acting(platform, "jingan", "luochuan") as ctx:
        project = projects.get_project(ctx, pid)
        assert project.track == "micro_venture"
        assert project.forms["application"]["directions"] == ["good_neighbours"]
        form_problems = [p for p in projects.submission_problems(ctx, project) if p.field and p.field.startswith("application")]
        assert form_problems == []


def test_the_policy_judges_the_produced_project_by_its_submission_rules(platform):
    pid = _signature(platform, budget=(("活动物料", "6000"),))
    form = application("楼组议事会", directions=("good_neighbours",), start="2023-04-01", end="2023-09-30")
    with pytest.raises(RuleError) as info, acting(platform, "jingan", "luochuan") as ctx:
        changes.request_change(ctx, pid, "居民议事后改为微创投项目", proposed_track="micro_venture",
                               proposed_forms={"application": form})
    over = next(v for v in info.value.violations if v.code == "micro_over_limit")
    assert over.field == "budget" and "5000" in over.clause.zh


def test_through_the_api_the_refusal_names_the_field_and_the_clause(client, platform):
    pid = _signature(platform)
    applicant = login(client, "luochuan")
    body = is_error(client.post(url(f"/projects/{pid}/change-requests"), headers=applicant,
                                json={"reason": "居民议事后改为微创投项目", "proposed_track": "micro_venture"}),
                    422, "kept_form_invalid")
    error = next(e for e in body["errors"] if e["field"] == "application.directions.0")
    assert "7种意向" in error["clause"]
    assert client.get(url(f"/projects/{pid}/change-requests"), headers=applicant).get_json()["items"] == []
