"""The obligations through the API: a team's quarterly report written, handed in, returned with
reasons, handed in again and accepted; the refusals in Chinese (English on request) with the
clause; a town's report on its pilots; the actions the caller may take; the OpenAPI document."""
from __future__ import annotations

from core.tasks import jobs
from tests.clients import is_error, login, url
from tests.factories import on_day, tenant_id
from tests.obligation_factories import Q2, item_id, micro, pilot

QUARTERLY = {"progress": "组建团队，召开议事会2次", "activities": "楼组议事会、公约征询", "participants": 120,
             "next_steps": "7-9月试行公约"}


def _run(app, tenant: str, day: str) -> None:
    platform = app.extensions["tongxin"]
    jobs.obligations_daily(platform.db, tenant_id(platform, tenant), day=day, host=platform.host)


def _actions(body) -> dict[str, bool]:
    return {a["action"]: a["allowed"] for a in body["actions"] if a["shown"]}


def test_a_quarterly_report_through_the_api(app, client, platform):
    pid = micro(platform)
    _run(app, "jingan", "2023-06-01")
    q2 = item_id(platform, "jingan", "quarterly_report", Q2, project_id=pid)
    team, office = login(client, "luochuan"), login(client, "ghxl_admin")

    listing = client.get(url(f"/obligations?project_id={pid}"), headers=team)
    assert listing.status_code == 200 and listing.headers["X-Total-Count"] == "5"
    assert [i["period"]["key"] for i in listing.get_json()["items"]][:2] == [Q2, "2023-07-15"]
    item = client.get(url(f"/obligations/{q2}"), headers=team).get_json()
    assert item["obligation"]["label"] == "项目实施情况季报表" and "第9项" in item["obligation"]["clause"]
    assert item["period"] == {"key": Q2, "label": "2023年第二季度", "starts": "2023-04-01", "ends": "2023-06-30",
                              "opens": "2023-06-25", "due": "2023-07-10", "closes": "2023-08-09"}
    assert item["project"] == {"id": pid, "title": "口袋花园"} and item["owner_unit"]["name"] == "洛川居民区"
    assert item["facts"]["money"]["committed_fen"] == 400_000 and {f["name"] for f in item["form"]} >= {"progress"}
    assert _actions(item) == {"save": True, "submit": False}   # nothing saved yet

    with on_day("2023-07-05"):
        bad = is_error(client.post(url(f"/obligations/{q2}/submission"), headers=team, json={"body": {"progress": ""}}), 422)
        assert {e["field"] for e in bad["errors"]} >= {"body.progress", "body.activities"}
        r = client.put(url(f"/obligations/{q2}/report"), headers=team, json={"body": QUARTERLY})
        assert r.status_code == 200 and _actions(r.get_json()) == {"save": True, "submit": True}
        sent = client.post(url(f"/obligations/{q2}/submission"), headers=team, json={}).get_json()
        assert sent["state"] == "submitted" and sent["versions"][0]["facts"]["money"]["committed_fen"] == 400_000
        again = is_error(client.post(url(f"/obligations/{q2}/submission"), headers=team, json={}), 409,
                         "already_submitted")
        assert again["errors"][0]["clause"].startswith("附件2 工具清单 第9项")
        seen = client.get(url(f"/obligations/{q2}"), headers=office).get_json()
        assert _actions(seen) == {"accept": True, "return": True}
        is_error(client.post(url(f"/obligations/{q2}/return"), headers=office, json={"reason": "短"}), 422,
                 "reason_required")
        back = client.post(url(f"/obligations/{q2}/return"), headers=office, json={"reason": "请补充参与人次统计口径"})
        assert back.get_json()["state"] == "returned"
        body = client.get(url(f"/obligations/{q2}"), headers=team).get_json()
        assert body["body"]["progress"] == QUARTERLY["progress"]  # the returned version, to correct
        assert body["versions"][0]["review_note"] == "请补充参与人次统计口径"
        client.post(url(f"/obligations/{q2}/submission"), headers=team, json={"body": {**body["body"], "participants": 96}})
        done = client.post(url(f"/obligations/{q2}/acceptance"), headers=office, json={"note": "已阅"}).get_json()
    assert done["state"] == "accepted" and [(v["number"], v["state"]) for v in done["versions"]] == [
        (1, "returned"), (2, "accepted")]


def test_refusals_name_the_reason_and_the_clause(app, client, platform):
    pid = micro(platform)
    _run(app, "jingan", "2023-06-01")
    q2 = item_id(platform, "jingan", "quarterly_report", Q2, project_id=pid)
    team, office = login(client, "luochuan"), login(client, "ghxl_admin")
    with on_day("2023-06-10"):
        early = is_error(client.post(url(f"/obligations/{q2}/submission"), headers=team, json={"body": QUARTERLY}), 409,
                         "not_yet_due")
        assert "尚未到填报时间" in early["message"] and early["errors"][0]["clause"]
    with on_day("2023-07-05"):
        wrong = is_error(client.put(url(f"/obligations/{q2}/report"), headers=office, json={"body": QUARTERLY}), 403,
                         "not_owed")
        assert "洛川居民区" in wrong["message"] and "第9项" in wrong["errors"][0]["clause"]
        english = client.put(url(f"/obligations/{q2}/report?lang=en"), headers=office, json={"body": QUARTERLY}).get_json()
        assert "is owed by" in english["message"] and english["errors"][0]["clause"].startswith("Annex 2, tool 9")
        is_error(client.get(url(f"/obligations/{q2}"), headers=login(client, "yanchang")), 404, "not_found")
        is_error(client.put(url(f"/obligations/{q2}/report"), headers=team, json={"body": {"participants": "很多"}}), 422)
        is_error(client.put(url(f"/obligations/{q2}/report"), headers=team, json={"bdy": {}}), 422)
    with on_day("2023-08-10"):
        is_error(client.post(url(f"/obligations/{q2}/submission"), headers=team, json={"body": QUARTERLY}), 409,
                 "period_closed")
    assert client.get(url(f"/obligations/{q2}")).status_code == 401


def test_a_town_writes_each_pilots_progress_in_one_report(app, client, platform):
    andong = pilot(platform, "andong", "jj-anhai-a", "anhai_admin")
    pilot(platform, "xingta", "jj-anhai-b", "anhai_admin")
    _run(app, "jinjiang", "2023-05-01")
    town = login(client, "anhai_admin", "jinjiang")
    [may] = [i for i in client.get(url("/obligations?state=open", "jinjiang"), headers=town).get_json()["items"]
             if i["period"]["key"] == "2023-05"]
    assert may["owner_unit"]["name"] == "安海镇" and may["project"] is None
    item = client.get(url(f"/obligations/{may['id']}", "jinjiang"), headers=town).get_json()
    assert item["rows"] == [{"name": "pilots", "key": "project_id", "readonly": ["project_id", "title", "unit"],
                             "editable": ["progress", "problems"]}]
    rows = item["body"]["pilots"]
    assert [r["unit"] for r in rows] == ["安东社区", "星塔村"]
    with on_day("2023-05-18"):
        body = {"summary": "按计划推进", "pilots": [{"project_id": r["project_id"], "progress": "进展顺利"} for r in rows]}
        sent = client.post(url(f"/obligations/{may['id']}/submission", "jinjiang"), headers=town, json={"body": body})
        assert sent.status_code == 200, sent.get_json()
        city = login(client, "jj_admin", "jinjiang")
        assert _actions(client.get(url(f"/obligations/{may['id']}", "jinjiang"), headers=city).get_json()) == {
            "accept": True, "return": True}
        assert client.post(url(f"/obligations/{may['id']}/acceptance", "jinjiang"), headers=city,
                           json={}).get_json()["state"] == "accepted"
    assert andong in [r["project_id"] for r in sent.get_json()["versions"][0]["body"]["pilots"]]


def test_the_openapi_document_states_the_reporting_operations(client):
    spec = client.get("/api/openapi.json").get_json()
    paths = spec["paths"]
    assert {"/api/v1/t/{tenant}/obligations", "/api/v1/t/{tenant}/obligations/{item_id}/report",
            "/api/v1/t/{tenant}/obligations/{item_id}/submission", "/api/v1/t/{tenant}/obligations/{item_id}/return",
            "/api/v1/t/{tenant}/obligations/{item_id}/acceptance", "/api/v1/t/{tenant}/obligations/{item_id}/notice"} <= set(paths)
    codes = paths["/api/v1/t/{tenant}/obligations/{item_id}/submission"]["post"]["responses"]["409"]["description"]
    assert "`not_yet_due`" in codes and "`already_submitted`" in codes and "`period_closed`" in codes
    assert spec["components"]["schemas"]["ReturnInput"]["properties"]["reason"]["maxLength"] == 2000


def test_the_list_filters_overdue_items(app, client, platform):
    micro(platform)
    _run(app, "jingan", "2023-07-11")   # the second-quarter report is a day late
    team = login(client, "luochuan")
    late = client.get(url("/obligations?overdue=true"), headers=team).get_json()
    assert [(i["obligation"]["key"], i["period"]["key"], i["overdue_since"]) for i in late["items"]] == [
        ("quarterly_report", Q2, "2023-07-11")]
    assert client.get(url("/obligations?overdue=false"), headers=team).get_json()["total"] == 4
    is_error(client.get(url("/obligations?overdue=yes"), headers=team), 422)


def test_the_report_as_a_workbook(app, client, platform):
    pid = micro(platform)
    _run(app, "jingan", "2023-06-01")
    q2 = item_id(platform, "jingan", "quarterly_report", Q2, project_id=pid)
    team = login(client, "luochuan")
    with on_day("2023-07-05"):
        client.post(url(f"/obligations/{q2}/submission"), headers=team, json={"body": QUARTERLY})
    r = client.get(url(f"/obligations/{q2}/report.xlsx"), headers=team)
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet") and r.data[:2] == b"PK"
    is_error(client.get(url(f"/obligations/{q2}/report.xlsx"), headers=login(client, "yanchang")), 404)
