"""The applications' operations have one door (issue 9, items 1 and 2): the API and the web parse
their input with the operation's one schema, so the same bad input is refused by both with the
same status, naming the same field with the same message, shown on the page beside that field.
The override reason a phase's named approver gives outside the window travels through both faces
(endorsement and decision), and the page asks for it only when the calendar wants it. Both
profiles."""
from __future__ import annotations

import copy
import re
from html import unescape

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from core.models import Decision, Endorsement, Programme
from core.services import endorsement, projects
from tests.clients import Web, is_error, login, text, url
from tests.factories import (APPLICATION_DAY, acting, draft_project, jinjiang_project, on_day, programme_id,
                             submitted_project)
from tests.money_factories import approved_project

LONG = "长" * 4001


def api_errors(r) -> dict[str, str]:
    """{field: message (zh)} of an API refusal (the one error shape, in Chinese)."""
    return {e["field"]: e["message"] for e in is_error(r)["errors"]}


def beside(html: str, html_id: str) -> list[str]:
    """The messages a page shows beside the control ``html_id`` (``m.errors_for``)."""
    return [unescape(m) for m in re.findall(rf'id="{re.escape(html_id)}-err\d+"[^>]*>([^<]*)<', html)]


def same_refusal(api, page, where: dict[str, str]) -> None:
    """The API and the page refused alike: the same status, and each field the API names (the
    keys of ``where``, and only those) is shown on the page beside its control with the same
    message."""
    assert page.status_code == api.status_code, (page.status_code, api.status_code, api.get_json())
    said = api_errors(api)
    assert set(said) == set(where), said
    html = text(page)
    for field, html_id in where.items():
        assert said[field] in beside(html, html_id), (field, said[field], beside(html, html_id))


def web(app, username: str, tenant: str = "jingan") -> Web:
    w = Web(app.test_client(), tenant=tenant)
    w.login(username)
    return w


# -- the same bad input, refused alike -------------------------------------------------------------

def test_creating_a_project(app, client, platform):
    pid = programme_id(platform, plugin="gonghexinlu")
    bad = {"track": "micro_venture", "applicant_unit_id": "第一居委", "title": "口"}
    api = client.post(url("/projects"), headers=login(client, "luochuan"), json={**bad, "programme_id": pid})
    page = web(app, "luochuan").post(f"/programmes/{pid}/projects/new", bad)
    same_refusal(api, page, {"applicant_unit_id": "applicant_unit_id", "title": "title"})
    assert "项目名称：应为2至60个字" in beside(text(page), "title")[0]


def test_saving_the_budget(app, client, platform):
    pid = draft_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园")
    with on_day(APPLICATION_DAY):
        api = client.put(url(f"/projects/{pid}/budget"), headers=login(client, "luochuan"),
                         json={"items": [{"description": "花苗", "amount": "100"}, {"amount": "5"}]})
        person = web(app, "luochuan")  # the editor's parallel inputs, repeated names and all
        page = person.client.post(person.url(f"/projects/{pid}/budget"), data=MultiDict([
            ("csrf_token", person.token()), ("description", "花苗"), ("amount", "100"), ("description", ""), ("amount", "5")]))
    same_refusal(api, page, {"items.1.description": "b-desc-2"})
    with acting(platform, "jingan", "luochuan") as ctx:  # nothing half-saved
        assert [b.description for b in projects.get_project(ctx, pid).budget_items] == ["活动物料"]


def test_attaching_without_a_file(app, client, platform):
    pid = draft_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园")
    with on_day(APPLICATION_DAY):
        api = client.post(url(f"/projects/{pid}/attachments"), headers=login(client, "luochuan"),
                          data={"kind": "supporting"})
        page = web(app, "luochuan").post(f"/projects/{pid}/attachments", {"kind": "supporting"},
                                         content_type="multipart/form-data")
    same_refusal(api, page, {"file": "att-file"})
    assert "请选择要上传的文件" in beside(text(page), "att-file")[0]


def test_endorsing(app, client, platform):
    pid = jinjiang_project(platform, "qinghua", "jj-qingyang-a")
    bad = {"outcome": "stamped", "reason": LONG}
    api = client.post(url(f"/projects/{pid}/endorsement", "jinjiang"), headers=login(client, "qingyang_admin", "jinjiang"),
                      json=bad)
    page = web(app, "qingyang_admin", "jinjiang").post(f"/projects/{pid}/endorse", bad)
    same_refusal(api, page, {"outcome": "endorse-outcome", "reason": "endorse-reason"})
    assert "endorsed（审核盖章）" in api_errors(api)["outcome"]
    # A missing outcome is the schema's "required" on both faces.
    api = client.post(url(f"/projects/{pid}/endorsement", "jinjiang"), headers=login(client, "qingyang_admin", "jinjiang"),
                      json={"reason": "请补充"})
    page = web(app, "qingyang_admin", "jinjiang").post(f"/projects/{pid}/endorse", {"reason": "请补充"})
    same_refusal(api, page, {"outcome": "endorse-outcome"})
    with acting(platform, "jinjiang", "qingyang_admin") as ctx:
        assert ctx.session.scalars(select(Endorsement)).all() == []


def test_scoring(app, client, platform):
    pid = submitted_project(platform, "luochuan", "ghxl-luochuan", "yiju_yipin", "楼组议事会")
    api = client.post(url(f"/projects/{pid}/scores"), headers=login(client, "ghxl_expert"),
                      json={"points": {"feasibility": "八", "operability": 7, "compliance": 9}, "comment": "好" * 2001})
    page = web(app, "ghxl_expert").post(f"/projects/{pid}/score", {
        "points.feasibility": "八", "points.operability": "7", "points.compliance": "9", "comment": "好" * 2001})
    same_refusal(api, page, {"points.feasibility.value": "points-feasibility", "comment": "comment"})
    # Out of the rubric's range: the service's refusal, citing the clause, on both faces.
    api = client.post(url(f"/projects/{pid}/scores"), headers=login(client, "ghxl_expert"),
                      json={"points": {"feasibility": 11, "operability": 7, "compliance": 9}})
    page = web(app, "ghxl_expert").post(f"/projects/{pid}/score", {
        "points.feasibility": "11", "points.operability": "7", "points.compliance": "9"})
    same_refusal(api, page, {"points.feasibility": "points-feasibility"})


def test_deciding(app, client, platform):
    pid = submitted_project(platform, "luochuan", "ghxl-luochuan", "yiju_yipin", "楼组议事会")
    bad = {"outcome": "maybe", "explanation": LONG, "override_reason": "理" * 501}
    api = client.post(url(f"/projects/{pid}/decision"), headers=login(client, "ghxl_chair"), json=bad)
    page = web(app, "ghxl_chair").post(f"/projects/{pid}/decide", bad)
    same_refusal(api, page, {"outcome": "outcome", "explanation": "explanation", "override_reason": "decide-override"})
    assert "approved（通过）" in api_errors(api)["outcome"]
    with acting(platform, "jingan", "ghxl_chair") as ctx:
        assert ctx.session.scalars(select(Decision)).all() == []


def test_requesting_and_deciding_a_change(app, client, platform):
    pid = approved_project(platform, track="yiju_yipin", title="楼组议事会")
    api = client.post(url(f"/projects/{pid}/change-requests"), headers=login(client, "luochuan"), json={"reason": LONG})
    page = web(app, "luochuan").post(f"/projects/{pid}/changes/new", {"reason": LONG})
    same_refusal(api, page, {"reason": "cr-reason"})

    r = client.post(url(f"/projects/{pid}/change-requests"), headers=login(client, "luochuan"), json={
        "reason": "居民议事后调整项目名称", "proposed_forms": {"application": {**_form(platform, pid), "title": "楼组议事厅"}}})
    assert r.status_code == 201, r.get_json()
    change_id = r.get_json()["id"]
    bad = {"outcome": "approved", "reason": LONG}
    api = client.post(url(f"/change-requests/{change_id}/decision"), headers=login(client, "ghxl_admin"), json=bad)
    page = web(app, "ghxl_admin").post(f"/change-requests/{change_id}/decide", {**bad, "project_id": str(pid)})
    same_refusal(api, page, {"reason": f"change-{change_id}-reason"})


def _form(platform, pid: int) -> dict:
    with acting(platform, "jingan", "luochuan") as ctx:
        return dict(projects.get_project(ctx, pid).forms["application"])


# -- the override reason, through both faces --------------------------------------------------------

def _needs_approval(platform, action: str, approver: str) -> None:
    """晋江's programme as if its calendar let ``approver`` take ``action`` outside its phase,
    giving a reason (a limit of firmness "needs_approval"), as a policy may declare."""
    with acting(platform, "jinjiang", None) as ctx:
        programme = ctx.session.scalars(select(Programme).where(Programme.plugin_name == "jinjiang")).one()
        phases = copy.deepcopy(programme.phases)
        for phase in phases:
            for allow in phase.get("allows", []):
                if allow["action"] == action:
                    allow.update(firmness="needs_approval", approver=approver)
        programme.phases = phases


LATE = "2023-03-20"  # 晋江's call (and the towns' stamping) closed on 17 March


def test_a_town_endorses_after_the_call_only_with_its_reason_on_the_page(app, platform):
    _needs_approval(platform, "project.endorse", "street_admin")
    pid = jinjiang_project(platform, "qinghua", "jj-qingyang-a")
    town = web(app, "qingyang_admin", "jinjiang")
    with on_day(APPLICATION_DAY):  # inside the call: no reason asked
        assert 'name="override_reason"' not in text(town.get(f"/projects/{pid}"))
    with on_day(LATE):
        page = text(town.get(f"/projects/{pid}"))
        assert 'name="override_reason"' in page and "写明理由" in page  # the calendar's words as its help
        r = town.post(f"/projects/{pid}/endorse", {"outcome": "endorsed"})
        assert r.status_code == 422 and "加盖公章" in text(r)  # the window's refusal, with its clause
        r = town.post(f"/projects/{pid}/endorse", {"outcome": "endorsed", "override_reason": "补录"})
        assert r.status_code == 422 and "须写明理由" in beside(text(r), "endorse-override")[0]
        r = town.post(f"/projects/{pid}/endorse", {"outcome": "endorsed", "override_reason": "截止前已线下盖章，补录系统"})
        assert r.status_code == 302, text(r)
    with acting(platform, "jinjiang", "qingyang_admin") as ctx:
        assert ctx.session.scalars(select(Endorsement.outcome)).all() == ["endorsed"]


def test_over_http_a_town_endorses_after_the_call_with_its_reason(client, platform):
    _needs_approval(platform, "project.endorse", "street_admin")
    pid = jinjiang_project(platform, "qinghua", "jj-qingyang-a")
    town = login(client, "qingyang_admin", "jinjiang")
    with on_day(LATE):
        detail = client.get(url(f"/projects/{pid}", "jinjiang"), headers=town).get_json()
        assert next(a for a in detail["actions"] if a["action"] == "endorse")["allowed"] is True
        r = client.post(url(f"/projects/{pid}/endorsement", "jinjiang"), headers=town, json={"outcome": "endorsed"})
        v = next(e for e in is_error(r, 422, "window_closed")["errors"] if e["code"] == "window_closed")
        assert v["severity"] == "needs_approval"
        r = client.post(url(f"/projects/{pid}/endorsement", "jinjiang"), headers=town,
                        data={"outcome": "endorsed", "override_reason": "截止前已线下盖章，补录系统"})  # multipart too
        assert r.status_code == 201, r.get_json()


def test_the_city_decides_before_the_selection_phase_only_with_its_reason(app, client, platform):
    _needs_approval(platform, "review.decide", "district_admin")
    pid = jinjiang_project(platform, "qinghua", "jj-qingyang-a")
    with acting(platform, "jinjiang", "qingyang_admin") as ctx:
        endorsement.endorse(ctx, pid, "endorsed")
    city = web(app, "jj_admin", "jinjiang")
    page = text(city.get(f"/projects/{pid}/review"))  # the call is still open: selection has not begun
    assert 'name="override_reason"' in page
    chair = web(app, "jj_chair", "jinjiang")  # the chair is not the named approver: disabled, with the reason
    assert 'name="override_reason"' not in text(chair.get(f"/projects/{pid}/review"))
    body = {"outcome": "approved", "approved_amount": "80000", "selection--tier": "city"}
    r = city.post(f"/projects/{pid}/decide", body)
    assert r.status_code == 422 and "项目确定" in text(r)
    r = city.post(f"/projects/{pid}/decide", {**body, "override_reason": "市级试点提前确定，已报局务会同意"})
    assert r.status_code == 302, text(r)
    with acting(platform, "jinjiang", "jj_admin") as ctx:
        assert ctx.session.scalars(select(Decision.outcome)).all() == ["approved"]


# -- one answer to "what may I do now": the API's actions and the page's buttons --------------------

def _action(client, headers, pid: int, key: str, tenant: str = "jingan") -> dict:
    detail = client.get(url(f"/projects/{pid}", tenant), headers=headers).get_json()
    return next(a for a in detail["actions"] if a["action"] == key)


def _shown_as(html: str, why_id: str, reason: str | None) -> str:
    """How the page shows an action: "disabled" (with ``reason`` beside it) or "absent"."""
    found = re.search(rf'id="{why_id}"[^>]*>([^<]*)<', html)
    if found is None:
        return "absent"
    assert unescape(found.group(1)) == reason, (why_id, found.group(1), reason)
    return "disabled"


def test_the_page_shows_each_action_as_the_api_offers_it(app, client, platform):
    # A draft with a problem: submitting is the applicant's, but not yet (the first problem says why).
    draft = draft_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园", amount="5000.01")
    applicant = login(client, "luochuan")
    with on_day(APPLICATION_DAY):
        submit = _action(client, applicant, draft, "submit")
        page = text(web(app, "luochuan").get(f"/projects/{draft}"))
    assert (submit["allowed"], submit["shown"]) == (False, True) and "5,000.00" in submit["reason"]
    assert _shown_as(page, "submit-why", submit["reason"]) == "disabled"
    # After the call closed (no correction: never returned) the town's stamp is theirs but not now.
    late = jinjiang_project(platform, "qinghua", "jj-qingyang-a")
    town = login(client, "qingyang_admin", "jinjiang")
    with on_day(LATE):
        endorse = _action(client, town, late, "endorse", "jinjiang")
        page = text(web(app, "qingyang_admin", "jinjiang").get(f"/projects/{late}"))
    assert (endorse["allowed"], endorse["shown"]) == (False, True) and "项目申报" in endorse["reason"]
    assert _shown_as(page, "endorse-why", endorse["reason"]) == "disabled" and 'name="outcome"' not in page
    # A pending change: a second request waits; the programme's office may decide the first.
    approved = approved_project(platform, track="yiju_yipin", title="楼组议事会")
    r = client.post(url(f"/projects/{approved}/change-requests"), headers=applicant, json={
        "reason": "居民议事后调整项目名称", "proposed_forms": {"application": {**_form(platform, approved), "title": "楼组议事厅"}}})
    assert r.status_code == 201, r.get_json()
    again = _action(client, applicant, approved, "request_change")
    page = text(web(app, "luochuan").get(f"/projects/{approved}"))
    assert (again["allowed"], again["shown"]) == (False, True)
    assert _shown_as(page, "request-change-why", again["reason"]) == "disabled" and "同意变更" not in page
    office = _action(client, login(client, "ghxl_admin"), approved, "decide_change")
    assert (office["allowed"], office["shown"]) == (True, True)
    assert "同意变更" in text(web(app, "ghxl_admin").get(f"/projects/{approved}"))
    # Not the person's step at all: not shown, on either face (the applicant never sees the decision).
    submitted = submitted_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "楼道花园")
    mine = _action(client, applicant, submitted, "decide")
    assert (mine["allowed"], mine["shown"]) == (False, False)
    page = text(web(app, "luochuan").get(f"/projects/{submitted}"))
    assert "评审此项目" not in page and _shown_as(page, "decide-why", None) == "absent"
    assert (_action(client, login(client, "ghxl_chair"), submitted, "decide")["allowed"]) is True
