"""The inbox through the API (core.api.inbox): the counts, the to-dos a page at a time with their
links, the notifications with their actions, marking read, English on request, the OpenAPI
document, and statements that do not grow with the items. Both profiles."""
from __future__ import annotations

from tests.clients import counting, is_error, login, url
from tests.factories import submitted_project


def _three_applications(platform) -> list[int]:
    return [submitted_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", title)
            for title in ("口袋花园", "楼道花箱", "邻里书架")]


def test_the_counts_the_to_dos_and_their_pages(client, platform):
    pids = _three_applications(platform)
    chair = login(client, "ghxl_chair")
    summary = client.get(url("/inbox"), headers=chair).get_json()
    assert summary == {"todos": 6, "unread": 3, "kinds": [
        {"kind": "review.decide", "label": "待我审批的申报", "count": 3},
        {"kind": "review.score", "label": "待我评分的申报", "count": 3}]}
    first = client.get(url("/inbox/todos?page_size=4"), headers=chair)
    assert first.headers["X-Total-Count"] == "6"
    body = first.get_json()
    assert (body["total"], body["pages"], len(body["items"])) == (6, 2, 4)
    item = body["items"][0]
    assert item["kind"] == "review.decide" and item["kind_label"] == "待我审批的申报"
    assert item["link"] == f"/projects/{pids[0]}/review" and item["unit_name"] == "洛川居民区"
    assert item["since"].endswith("+00:00")
    second = client.get(url("/inbox/todos?page_size=4&page=2"), headers=chair).get_json()
    seen = [(i["kind"], i["object_id"]) for i in body["items"] + second["items"]]
    assert len(set(seen)) == 6
    only = client.get(url("/inbox/todos?kind=review.score"), headers=chair).get_json()
    assert only["total"] == 3 and {i["kind"] for i in only["items"]} == {"review.score"}
    is_error(client.get(url("/inbox/todos?kind=不是类别"), headers=chair), 422)
    assert client.get(url("/inbox/todos?kind=no.such_kind"), headers=chair).get_json()["total"] == 0
    english = client.get(url("/inbox/todos?lang=en"), headers=chair).get_json()["items"][0]
    assert english["kind_label"] == "Applications waiting for my decision" and english["unit_name"] == "Luochuan Neighbourhood"


def test_notifications_are_marked_read_one_or_all_and_only_ones_own(client, platform):
    _three_applications(platform)
    expert = login(client, "ghxl_expert")
    notes = client.get(url("/inbox/notifications"), headers=expert).get_json()
    assert notes["total"] == 3
    first = notes["items"][0]
    assert first["actions"] == [{"action": "read", "allowed": True, "reason": None, "shown": True,
                                 "permission": "notification.read"}]
    read = client.post(url(f"/inbox/notifications/{first['id']}/read"), headers=expert)
    assert read.status_code == 200 and read.get_json()["read_at"] and read.get_json()["actions"][0]["shown"] is False
    again = client.post(url(f"/inbox/notifications/{first['id']}/read"), headers=expert)
    assert again.get_json()["read_at"] == read.get_json()["read_at"]  # nothing changes
    assert client.get(url("/inbox/notifications?unread=true"), headers=expert).get_json()["total"] == 2
    # The chair's notification is not the expert's to read: not found, as if it did not exist.
    chair = login(client, "ghxl_chair")
    theirs = client.get(url("/inbox/notifications"), headers=chair).get_json()["items"][0]["id"]
    is_error(client.post(url(f"/inbox/notifications/{theirs}/read"), headers=expert), 404, "not_found")
    marked = client.post(url("/inbox/notifications/read"), headers=expert)
    assert marked.status_code == 200 and marked.get_json() == {"marked": 2}
    assert client.get(url("/inbox"), headers=expert).get_json()["unread"] == 0
    assert client.get(url("/inbox"), headers=chair).get_json()["unread"] == 3


def test_anonymous_callers_are_asked_to_log_in(client):
    for path in ("/inbox", "/inbox/todos", "/inbox/notifications"):
        is_error(client.get(url(path)), 401, "unauthenticated")
    is_error(client.post(url("/inbox/notifications/read")), 401, "unauthenticated")


def test_the_document_describes_the_inbox(client):
    spec = client.get("/api/openapi.json").get_json()
    todos = spec["paths"]["/api/v1/t/{tenant}/inbox/todos"]["get"]
    assert {p["name"] for p in todos["parameters"]} >= {"page", "page_size", "kind"}
    item = spec["components"]["schemas"]["Todo"]["properties"]
    assert "relative to the tenant" in item["link"]["description"]
    assert "/api/v1/t/{tenant}/inbox/notifications/{notification_id}/read" in spec["paths"]
    assert "/api/v1/t/{tenant}/handovers" in spec["paths"]


def test_the_to_dos_cost_the_same_statements_for_three_items_as_for_thirty(app, client, platform):
    chair = login(client, "ghxl_chair")

    def cost() -> int:
        client.get(url("/inbox/todos?page_size=100"), headers=chair)  # warm up
        with counting(app.extensions["tongxin"].db.engine) as statements:
            r = client.get(url("/inbox/todos?page_size=100"), headers=chair)
        assert r.status_code == 200
        return len(statements), r.get_json()["total"]

    submitted_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园")
    few, two = cost()
    for i in range(14):
        submitted_project(platform, "yanchang", "ghxl-yanchang", "micro_venture", f"微项目{i:02d}")
    many, thirty = cost()
    assert (two, thirty) == (2, 30)
    assert few == many, (few, many)
