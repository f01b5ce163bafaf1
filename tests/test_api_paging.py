"""Lists that can grow are paged the same way everywhere, and similar actions answer alike
(issue 9, item 6), as the OpenAPI document states and the API does."""
from __future__ import annotations

from core.services import ledger
from tests.clients import login, url
from tests.factories import acting, unit_id

# Lists whose length is bounded by something other than use: the tenants of a deployment, one
# user's tokens, the org tree (walked whole), a project's handful of funds, a transfer's pair.
BOUNDED = {"/api/v1/tenants", "/api/v1/t/{tenant}/auth/tokens", "/api/v1/t/{tenant}/org-units",
           "/api/v1/t/{tenant}/funds/projects/{project_id}"}
ENVELOPE = {"items", "total", "page", "page_size", "pages"}


def _schema(spec: dict, node: dict) -> dict:
    while "$ref" in node:
        node = spec["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _json(spec: dict, response: dict) -> dict:
    return _schema(spec, response.get("content", {}).get("application/json", {}).get("schema", {}))


def test_every_growing_list_is_a_page_with_its_limits_stated(client):
    spec = client.get("/api/openapi.json").get_json()
    lists = []
    for path, item in spec["paths"].items():
        op = item.get("get")
        if op is None or "200" not in op["responses"]:
            continue
        body = _json(spec, op["responses"]["200"])
        if body.get("properties", {}).get("items", {}).get("type") != "array" or path in BOUNDED:
            continue
        lists.append(path)
        assert set(body["properties"]) >= ENVELOPE and set(body["required"]) >= ENVELOPE, path
        params = {p["name"]: p for p in op.get("parameters", []) + item.get("parameters", [])}
        assert params["page"]["schema"]["minimum"] == 1, path
        assert (params["page_size"]["schema"]["minimum"], params["page_size"]["schema"]["maximum"]) == (1, 100), path
        assert "X-Total-Count" in op["responses"]["200"]["headers"], path
    for name in ("funds", "funds/{fund_id}/entries", "fund-requests/batches", "projects/{project_id}/scores",
                 "projects/{project_id}/endorsements", "projects/{project_id}/change-requests", "sponsors",
                 "sponsors/pledges", "sponsors/funds"):
        assert f"/api/v1/t/{{tenant}}/{name}" in lists, name


def test_the_two_disbursements_answer_alike(client):
    spec = client.get("/api/openapi.json").get_json()
    one = spec["paths"]["/api/v1/t/{tenant}/fund-requests/{request_id}/disbursement"]["post"]["responses"]
    batch = spec["paths"]["/api/v1/t/{tenant}/fund-requests/batches/{batch_id}/disbursement"]["post"]["responses"]
    assert "201" in one and "201" in batch and "200" not in one and "200" not in batch
    one, batch = _json(spec, one["201"]), _json(spec, batch["201"])
    assert set(one["properties"]) == {"request", "entries"} and set(batch["properties"]) == {"batch", "entries"}
    assert one["properties"]["entries"] == batch["properties"]["entries"]


def test_a_page_of_a_funds_entries_and_the_total(client, platform):
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        [pool] = ledger.list_funds(ctx, org_unit_id=unit_id(platform, "jingan", "gonghexinlu"), kind="pool")
        ledger.allocate(ctx, pool.id, 100, "tests:paging", memo="追加")
        fid = pool.id
    office = login(client, "ghxl_admin")
    everything = client.get(url(f"/funds/{fid}/entries?page_size=100"), headers=office)
    assert everything.status_code == 200, everything.get_json()
    total = everything.get_json()["total"]
    assert total == len(everything.get_json()["items"]) and total >= 2
    first = client.get(url(f"/funds/{fid}/entries?page_size=1"), headers=office).get_json()
    assert (first["total"], first["page"], first["page_size"], first["pages"]) == (total, 1, 1, total)
    assert first["items"] == everything.get_json()["items"][:1]
    r = client.get(url(f"/funds/{fid}/entries?page_size=101"), headers=office)
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "page_size"
