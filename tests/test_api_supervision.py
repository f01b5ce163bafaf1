"""Supervision, the archive, the tools and the close-out through the REST API (core.api.supervision,
core.api.closeout): the July visit of 共和新路's project with a rectification opened, reported and
accepted; a commissioned organisation that lists and reads only what it is assigned; the close
that releases the unspent commitment; and bad input refused in the one error shape, in Chinese
(English when asked) with the clause."""
from __future__ import annotations

import io

from core.services import endorsement, review
from tests.clients import is_error, login, url
from tests.factories import JINJIANG_SELECTION_DAY, PDF, acting, jinjiang_project, on_day
from tests.money_factories import approved_project, draft, person

JULY = "2023-07-12"
ITEMS = ("plan_on_track", "activity_records", "budget_kept", "residents_take_part", "deviations_met",
         "residents_satisfied", "fund_spent_on_list", "fund_formed_bottom_up")


def mid_term(**kw) -> dict:
    return {"visited_on": "2023-07-12", "kind": "mid_term", "method": "visit", "visitors": "社区自治办 王老师",
            "observed": "楼组议事会已召开两次，花园已完成一半。",
            "checklist": [{"item": k, "answer": "met"} for k in ITEMS], **kw}


def allowed(obj: dict) -> set[str]:
    return {a["action"] for a in obj["actions"] if a["allowed"]}


def test_a_visit_its_rectification_reported_and_accepted(client, platform):
    pid = approved_project(platform)
    office, owner = login(client, "ghxl_admin"), login(client, "luochuan")
    with on_day(JULY):
        doc = client.get(url(f"/projects/{pid}/supervision"), headers=office).get_json()
        assert [c["policy"] for c in doc["checklists"]] == ["gonghexinlu", "jingan_fund"]
        assert "7月份" in doc["checklists"][0]["clause"] and allowed(doc) >= {"visit", "assign", "close"}
        assert allowed(client.get(url(f"/projects/{pid}/supervision"), headers=owner).get_json()) == {"upload_document"}

        r = client.post(url(f"/projects/{pid}/supervision/visits"), headers=office, json=mid_term(
            rectifications=[{"description": "补齐5月两次活动的签到表", "due_on": "2023-07-31", "item": "activity_records"}]))
        assert r.status_code == 201, r.get_json()
        visit = r.get_json()
        assert visit["kind_label"] == "中期督导" and visit["recorder_role"] == "street_admin"
        assert [a["item"] for a in visit["checklist"]] == list(ITEMS) and visit["checklist"][0]["answer_label"] == "符合"
        [rect] = visit["rectifications"]
        assert rect["state"] == "open" and rect["owner_unit"]["code"] == "ghxl-luochuan" and not rect["overdue"]

        r = client.post(url(f"/rectifications/{rect['id']}/report"), headers=owner, json={"report": "已补齐签到表并归档。"})
        assert r.status_code == 200 and r.get_json()["state"] == "reported", r.get_json()
        assert {a["action"]: a["allowed"] for a in r.get_json()["actions"]} == {"report": False, "accept": False}
        r = client.post(url(f"/rectifications/{rect['id']}/acceptance"), headers=office, json={"outcome": "accepted"})
        assert r.status_code == 200 and r.get_json()["state"] == "closed" and r.get_json()["state_label"] == "已完成"
    listing = client.get(url("/supervision/projects"), headers=office).get_json()
    row = next(p for p in listing["items"] if p["id"] == pid)
    assert (row["visits"], row["last_visit"], row["open_rectifications"]) == (1, "2023-07-12", 0)


def test_a_commissioned_organisation_lists_and_reads_only_what_it_is_assigned(client, platform):
    mine = approved_project(platform, title="口袋花园")
    other = approved_project(platform, title="楼道微更新", unit_code="ghxl-yanchang", username="yanchang")
    person(platform, "ghxl_org", "commissioned_org", "gonghexinlu", name="上海某社工师事务所")
    office, org = login(client, "ghxl_admin"), login(client, "ghxl_org")
    assert client.get(url("/supervision/projects"), headers=org).get_json()["total"] == 0
    doc = client.get(url(f"/projects/{mine}/supervision"), headers=office).get_json()
    [candidate] = doc["candidates"]
    assert candidate["display_name"] == "上海某社工师事务所"
    r = client.post(url(f"/projects/{mine}/supervision/assignments"), headers=office, json={"user_id": candidate["id"]})
    assert r.status_code == 201 and r.get_json()["ended_at"] is None

    listing = client.get(url("/supervision/projects"), headers=org)
    assert [p["id"] for p in listing.get_json()["items"]] == [mine] and listing.headers["X-Total-Count"] == "1"
    assert client.get(url(f"/projects/{mine}/supervision"), headers=org).status_code == 200
    body = is_error(client.get(url(f"/projects/{other}/supervision"), headers=org), 403, "forbidden")
    assert "仅限指派的项目" in body["message"]
    with on_day(JULY):
        body = is_error(client.post(url(f"/projects/{other}/supervision/visits"), headers=org, json=mid_term()), 403)
        r = client.post(url(f"/projects/{mine}/supervision/visits"), headers=org, json=mid_term(
            rectifications=[{"description": "公示栏补充资金使用情况", "due_on": "2023-08-15"}]))
        assert r.status_code == 201 and r.get_json()["recorder_role"] == "commissioned_org"
        rect = r.get_json()["rectifications"][0]["id"]
        # The organisation that opened it does not close it.
        body = is_error(client.post(url(f"/rectifications/{rect}/acceptance"), headers=org, json={"outcome": "accepted"}), 403)
        assert "只有整改责任单位或街道社区自治办可以关闭整改" in body["message"]
    r = client.post(url(f"/projects/{mine}/supervision/assignments/end"), headers=office, json={"user_id": candidate["id"]})
    assert r.status_code == 200 and r.get_json()["ended_at"] is not None
    assert client.get(url("/supervision/projects"), headers=org).get_json()["items"] == []
    assert client.get(url(f"/projects/{mine}/supervision"), headers=org).status_code == 403


def test_bad_visits_are_refused_in_one_shape_with_the_clause(client, platform):
    pid = approved_project(platform)
    pending = draft(platform, title="还在评审的项目")
    office = login(client, "ghxl_admin")
    with on_day(JULY):
        body = is_error(client.post(url(f"/projects/{pid}/supervision/visits"), headers=office, json=mid_term(
            checklist=[*mid_term()["checklist"], {"item": "made_up", "answer": "met"}])), 422, "unknown_checklist_item")
        [error] = body["errors"]
        assert error["field"] == "checklist.8.item" and "7月份重点开展一次项目中期督导" in error["clause"]
        r = client.post(url(f"/projects/{pid}/supervision/visits?lang=en"), headers=office, json=mid_term(
            checklist=[{"item": "made_up", "answer": "met"}]))
        assert r.status_code == 422
        english = {e["code"]: e for e in r.get_json()["errors"]}
        assert english["unknown_checklist_item"]["message"].startswith("No checklist has an item 'made_up'")
        assert english["unknown_checklist_item"]["clause"].startswith("Plan §5(2)3")
        assert english["checklist_incomplete"]["message"].startswith("A mid-term visit answers every item")
        body = is_error(client.post(url(f"/projects/{pending}/supervision/visits"), headers=office, json=mid_term()),
                        409, "project_not_approved")
        assert "只有已立项" in body["errors"][0]["message"] and body["errors"][0]["clause"]
        body = is_error(client.post(url(f"/projects/{pid}/supervision/visits"), headers=office, json=mid_term(
            kind="inspection", checklist=[{"item": "budget_kept", "answer": "maybe"}])), 422)
        assert {e["field"] for e in body["errors"]} == {"kind", "checklist.0.answer"}
        doc = client.get(url(f"/projects/{pid}/supervision"), headers=office).get_json()
        assert doc["visits"] == [] and doc["rectifications"] == []


def test_the_close_releases_the_commitment_and_a_closed_project_refuses_records(client, platform):
    pid = approved_project(platform)
    office, owner = login(client, "ghxl_admin"), login(client, "luochuan")
    preview = client.get(url(f"/projects/{pid}/closeout"), headers=office).get_json()
    assert preview["blockers"] == [] and preview["releases"][0]["amount"] == "4000.00" and "close" in allowed(preview)
    is_error(client.post(url(f"/projects/{pid}/closeout"), headers=owner, json={"summary": "申报单位自行结项"}), 403)
    body = is_error(client.post(url(f"/projects/{pid}/closeout"), headers=office, json={}), 422)
    assert body["errors"][0]["field"] == "summary"
    with on_day("2023-12-10"):
        r = client.post(url(f"/projects/{pid}/closeout"), headers=office, json={"summary": "项目按计划完成。"})
        assert r.status_code == 201, r.get_json()
        done = r.get_json()
        assert done["state"] == "closed" and done["closeout"]["released"] == "4000.00" and done["releases"] == []
        body = is_error(client.post(url("/fund-requests"), headers=owner, json={"project_id": pid, "amount": "100",
                                                                             "purpose": "再买物料", "key": "after-close"}),
                        409, "project_closed")
        assert "已于2023年12月10日结项" in body["message"]
        body = is_error(client.post(url(f"/projects/{pid}/change-requests"), headers=owner, json={
            "reason": "想改成一居一品", "proposed_track": "yiju_yipin"}), 409, "project_closed")
        assert "不能申请项目变更" in body["message"]
        is_error(client.post(url(f"/projects/{pid}/supervision/visits"), headers=office, json=mid_term(
            visited_on="2023-12-10", kind="tracking", checklist=[])), 409, "project_closed")
    project = client.get(url(f"/projects/{pid}")).get_json()  # still public, as approved projects are
    assert project["state"] == "closed"


def test_a_pilots_archive_and_the_tools(client, platform):
    pid = jinjiang_project(platform, "qinghua", "jj-qingyang-a")
    with acting(platform, "jinjiang", "qingyang_admin") as ctx:
        endorsement.endorse(ctx, pid, "endorsed")
    with on_day(JINJIANG_SELECTION_DAY), acting(platform, "jinjiang", "jj_chair") as ctx:
        review.decide(ctx, pid, "approved", details={"selection": {"tier": "city"}})
    owner = login(client, "qinghua", "jinjiang")
    doc = client.get(url(f"/projects/{pid}/archive", "jinjiang"), headers=owner).get_json()
    assert (doc["complete"], doc["total"]) == (1, 8) and doc["archive_items"][0]["complete"]
    photos = doc["archive_items"][1]["evidence"][1]  # recorded with the activities: none yet, and where to add them
    assert (photos["registered"], photos["found"], photos["count"]) == (True, False, 0)
    assert photos["url"] == f"/t/jinjiang/projects/{pid}/activities"
    r = client.post(url(f"/projects/{pid}/archive/documents", "jinjiang"), headers=owner,
                    data={"kind": "work_method", "file": (io.BytesIO(PDF), "邻里驿站工作法.pdf")})
    assert r.status_code == 201 and r.get_json()["kind"] == "work_method", r.get_json()
    doc = client.get(url(f"/projects/{pid}/archive", "jinjiang"), headers=owner).get_json()
    assert doc["complete"] == 2 and doc["archive_items"][7]["complete"]
    body = is_error(client.post(url(f"/projects/{pid}/archive/documents", "jinjiang"), headers=owner,
                                data={"kind": "invoice", "file": (io.BytesIO(PDF), "x.pdf")}), 422, "unknown_archive_kind")
    assert body["errors"][0]["clause"]
    assert client.get(url(f"/projects/{pid}/tools", "jinjiang"), headers=owner).get_json()["tools"] == []

    ghxl = approved_project(platform)
    tools = client.get(url(f"/projects/{ghxl}/tools"), headers=login(client, "luochuan")).get_json()["tools"]
    assert [t["number"] for t in tools if t["available"]] == list(range(1, 13))  # all twelve, each where it is done
    assert tools[11]["url"].endswith(f"/t/jingan/projects/{ghxl}#fund-requests")
    assert tools[3]["url"].endswith(f"/projects/{ghxl}/plan") and tools[8]["url"].endswith(f"obligations?project_id={ghxl}")
