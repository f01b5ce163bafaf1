"""Nothing typed is ever lost (issue 16, item 2) beyond the project page: the periodic report,
the plan, the activity records, the people registry, the supervision visit and its
rectifications, and the change request. Each form that holds typing is marked for the page's
unsaved-changes guard (data-keep, with a name the question can say); each limited field shows
its length rule beside it, read from the operation's own schema (the numbers here are read from
the schemas too, never typed); a refused form comes back with what was typed and is marked
unsaved (data-unsaved). The guard itself is walked in tests/browser/test_unsaved_walk.py and
test_unsaved_report_walk.py."""
from __future__ import annotations

import re

import pytest

from core.door import applications, delivery, reporting, supervision
from core.forms import field_rule
from core.tasks import jobs
from tests.clients import Web, text
from tests.delivery_factories import PLAN, activity, project_with_plan
from tests.factories import on_day, tenant_id
from tests.money_factories import approved_project
from tests.obligation_factories import Q2, item_id, micro


def form_tag(page: str, action: str) -> str:
    """The opening tag of the form posting to ``action``."""
    found = re.search(r'<form\b[^>]*action="[^"]*' + re.escape(action) + r'"[^>]*>', page)
    assert found, f"no form posting to {action}"
    return found.group(0)


def kept(page: str, action: str, name: str, *, unsaved: bool = False) -> None:
    tag = form_tag(page, action)
    assert " data-keep" in tag and f'data-form-name="{name}"' in tag, tag
    assert (" data-unsaved" in tag) is unsaved, tag


def hint(op, path: str) -> str:
    """What the page must show beside the field: the hint of the operation's own validator."""
    rule = field_rule(op.schema, path)
    assert rule is not None and rule.length_hint is not None, f"{op.key} {path} has no length rule"
    return rule.length_hint.zh


def shows_hint(page: str, html_id: str, op, path: str) -> None:
    expected = hint(op, path)
    assert re.search(rf'<span class="limit" id="{re.escape(html_id)}-limit" data-limit-for="{re.escape(html_id)}"'
                     rf'[^>]*>{re.escape(expected)}</span>', page), f"{html_id}: no 「{expected}」"


def test_the_helper_reads_nested_fields_and_knows_no_rule():
    assert field_rule(delivery.SET_PLAN.schema, "tasks.title").max_length == delivery.PlanTaskInput().fields["title"].validate.max
    assert field_rule(supervision.RECORD_VISIT.schema, "checklist.note").length_hint is not None
    assert field_rule(delivery.ADD_PERSON.schema, "role").length_hint is None  # a choice, not typed text
    assert field_rule(delivery.ADD_PERSON.schema, "nothing") is None
    assert field_rule(None, "reason") is None


# -- the periodic report -----------------------------------------------------------------------------

def _run(app, tenant: str, day: str) -> None:
    platform = app.extensions["tongxin"]
    jobs.obligations_daily(platform.db, tenant_id(platform, tenant), day=day, host=platform.host)


def test_the_report_page_keeps_the_report_and_the_review_and_shows_their_rules(app, client, platform):
    pid = micro(platform)
    _run(app, "jingan", "2023-06-01")
    q2 = item_id(platform, "jingan", "quarterly_report", Q2, project_id=pid)
    team = Web(client)
    team.login("luochuan")
    action = f"/obligations/{q2}/report"
    kept(text(team.get(f"/obligations/{q2}")), action, "报告")
    with on_day("2023-07-05"):
        refused = team.post(action, {"do": "submit", "progress": "只写了一项"})
    assert refused.status_code == 422
    page = text(refused)
    kept(page, action, "报告", unsaved=True)
    assert "只写了一项" in page
    with on_day("2023-07-05"):
        team.post(action, {"do": "submit", "progress": "组建团队，召开议事会2次", "activities": "楼组议事会",
                           "participants": "120", "next_steps": "7-9月试行公约"})
    team.logout()

    office = Web(client)
    office.login("ghxl_admin")
    page = text(office.get(f"/obligations/{q2}"))
    kept(page, f"/obligations/{q2}/review", "审核")
    shows_hint(page, "review-reason", reporting.RETURN_REPORT, "reason")
    shows_hint(page, "review-note", reporting.ACCEPT_REPORT, "note")
    with on_day("2023-07-06"):
        short = office.post(f"/obligations/{q2}/review", {"do": "return", "reason": "不行"})
    assert short.status_code == 422
    page = text(short)
    kept(page, f"/obligations/{q2}/review", "审核", unsaved=True)
    assert re.search(r'<textarea id="review-reason"[^>]*>不行</textarea>', page)


# -- the plan, the activity records, the people registry ---------------------------------------------

@pytest.mark.usefixtures("in_implementation")
def test_the_plan_editor_keeps_the_plan_and_shows_the_tasks_rules(app, platform):
    pid = approved_project(platform)
    web = Web(app.test_client())
    web.login("luochuan")
    page = text(web.get(f"/projects/{pid}/plan"))
    kept(page, f"/projects/{pid}/plan", "实施计划")
    plan_form = page[page.index('id="plan-new"'):]
    assert f'任务<span class="limit">{hint(delivery.SET_PLAN, "tasks.title")}</span>' in plan_form
    assert f'负责人<span class="limit">{hint(delivery.SET_PLAN, "tasks.owner")}</span>' in plan_form
    rows = {"task_id": [""], "title": [PLAN[0]["title"]], "owner": [PLAN[0]["owner"]],
            "starts_on": ["2024-02-01"], "ends_on": ["2024-02-02"], "status": ["planned"]}
    refused = web.post(f"/projects/{pid}/plan", rows)
    assert refused.status_code == 422
    page = text(refused)
    kept(page, f"/projects/{pid}/plan", "实施计划", unsaved=True)
    assert f'value="{PLAN[0]["title"]}"' in page


@pytest.mark.usefixtures("in_implementation")
def test_a_plan_revision_keeps_its_reason_and_shows_its_rule(app, platform):
    pid, _ = project_with_plan(platform)
    web = Web(app.test_client())
    web.login("luochuan")
    page = text(web.get(f"/projects/{pid}/plan"))
    kept(page, f"/projects/{pid}/plan/revisions", "调整申请")
    shows_hint(page, "rev-reason", delivery.REVISE_PLAN, "reason")


@pytest.mark.usefixtures("in_implementation")
def test_recording_and_correcting_an_activity_keep_what_is_typed_and_show_the_rules(app, platform):
    pid, (first, *_) = project_with_plan(platform)
    web = Web(app.test_client())
    web.login("luochuan")
    action = f"/projects/{pid}/activities"
    page = text(web.get(action))
    kept(page, action, "登记一次活动")
    for html_id, path in (("a-place", "place"), ("a-content", "content"), ("a-why", "no_task_reason")):
        shows_hint(page, html_id, delivery.RECORD_ACTIVITY, path)
    refused = web.post(action, {"held_on": "2023-03-01", "place": "12号楼前空地", "content": "清理空地",
                                "participant_count": "5", "plan_task_id": str(first)}, content_type="multipart/form-data")
    assert refused.status_code == 422
    page = text(refused)
    kept(page, action, "登记一次活动", unsaved=True)
    assert 'value="12号楼前空地"' in page and ">清理空地</textarea>" in page

    aid = activity(platform, pid, first)
    page = text(web.get(f"/activities/{aid}/edit"))
    kept(page, f"/activities/{aid}/edit", "活动内容")
    kept(page, f"/activities/{aid}/files", "补充照片或签到表")
    kept(page, f"/activities/{aid}/delete", "删除原因")
    for html_id, path in (("a-place", "place"), ("a-content", "content"), ("a-why", "no_task_reason")):
        shows_hint(page, html_id, delivery.EDIT_ACTIVITY, path)
    shows_hint(page, "d-reason", delivery.DELETE_ACTIVITY, "reason")
    refused = web.post(f"/activities/{aid}/delete", {"reason": "错"})
    assert refused.status_code == 422
    page = text(refused)
    kept(page, f"/activities/{aid}/delete", "删除原因", unsaved=True)
    kept(page, f"/activities/{aid}/edit", "活动内容")  # the other form is as it was: saved
    assert re.search(r'<input id="d-reason"[^>]*value="错"', page)


@pytest.mark.usefixtures("in_implementation")
def test_registering_a_person_keeps_what_is_typed_and_shows_the_rules(app, platform):
    pid, _ = project_with_plan(platform)
    web = Web(app.test_client())
    web.login("luochuan")
    action = f"/projects/{pid}/people"
    page = text(web.get(action))
    kept(page, action, "登记人员")
    for html_id, path in (("p-name", "name"), ("p-address", "address"), ("p-duty", "duty"), ("p-skills", "skills"),
                          ("p-consent_note", "consent_note")):
        shows_hint(page, html_id, delivery.ADD_PERSON, path)
    refused = web.post(action, {"role": "volunteer", "name": "王阿姨", "duty": "浇水", "skills": "园艺",
                                "id_number": "123", "consent": "true", "consent_note": "签署同意书"})
    assert refused.status_code == 422
    page = text(refused)
    kept(page, action, "登记人员", unsaved=True)
    assert all(f'value="{v}"' in page for v in ("王阿姨", "浇水", "园艺", "123", "签署同意书"))


# -- supervision -------------------------------------------------------------------------------------

VISIT = {"visited_on": "2023-07-12", "kind": "tracking", "method": "visit", "visitors": "社区自治办 王老师",
         "observed": "楼组议事会已召开两次。", "advice": "", "rect_description": "补充签到表", "rect_due_on": "2023-07-30"}


def test_a_visit_and_its_rectification_keep_what_is_typed_and_show_the_rules(client, platform):
    pid = approved_project(platform)
    web = Web(client)
    web.login("ghxl_admin")
    action = f"/projects/{pid}/supervision/visits"
    with on_day("2023-07-12"):
        page = text(web.get(f"/projects/{pid}/supervision"))
        kept(page, action, "督导记录")
        for name in ("visitors", "observed", "advice"):
            shows_hint(page, f"v-{name}", supervision.RECORD_VISIT, name)
        shows_hint(page, "r-desc-1", supervision.RECORD_VISIT, "rectifications.description")
        shows_hint(page, "note-plan_on_track", supervision.RECORD_VISIT, "checklist.note")
        refused = web.post(action, {**VISIT, "visitors": ""})
        assert refused.status_code == 422
        page = text(refused)
        kept(page, action, "督导记录", unsaved=True)
        assert "楼组议事会已召开两次。" in page and 'value="补充签到表"' in page
        assert web.post(action, VISIT).status_code == 302
    web.logout()
    web.login("luochuan")
    with on_day("2023-07-20"):
        page = text(web.get(f"/projects/{pid}/supervision"))
        rid = int(re.search(r'id="rectification-(\d+)"', page).group(1))
        kept(page, f"/rectifications/{rid}/report", f"整改 #{rid}")
        shows_hint(page, f"rectification-{rid}-report", supervision.REPORT_RECTIFICATION, "report")
        refused = web.post(f"/rectifications/{rid}/report", {"report": "做", "project_id": str(pid)})
        assert refused.status_code == 422
        page = text(refused)
        kept(page, f"/rectifications/{rid}/report", f"整改 #{rid}", unsaved=True)
        assert f'<textarea id="rectification-{rid}-report" name="report" rows="3" aria-required="true">做</textarea>' in page


# -- a change request ----------------------------------------------------------------------------------

def test_a_change_request_keeps_what_is_typed_when_refused_or_when_another_type_is_chosen(app, client, platform):
    pid = approved_project(platform, track="yiju_yipin", title="楼组议事会")
    web = Web(client)
    web.login("luochuan")
    action = f"/projects/{pid}/changes/new"
    page = text(web.get(action))
    kept(page, action, "变更申请")
    shows_hint(page, "cr-reason", applications.REQUEST_CHANGE, "reason")
    refused = web.post(action, {"reason": "改", "application--title": "楼组议事厅"})
    assert refused.status_code == 422
    page = text(refused)
    kept(page, action, "变更申请", unsaved=True)
    assert ">改</textarea>" in page and 'value="楼组议事厅"' in page
    # Choosing another type shows its forms, with what was typed in the forms it shares.
    chosen = web.post(action, {"reason": "居民议事后调整", "action": "choose_track", "proposed_track": "yiju_yipin",
                               "application--title": "楼组议事厅"})
    page = text(chosen)
    kept(page, action, "变更申请", unsaved=True)
    assert ">居民议事后调整</textarea>" in page and 'value="楼组议事厅"' in page
