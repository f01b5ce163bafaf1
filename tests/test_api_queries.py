"""List endpoints issue a bounded number of SQL statements: the count is the same for one row
and for many, and for a page of 5 and a page of 50 (no N+1)."""
from __future__ import annotations

import io

import pytest

from core.services import fund_requests, programmes, projects
from core.services.tenant_definitions import load
from tests.clients import counting, login, url
from tests.factories import PDF, acting, programme_id, unit_id
from tests.money_factories import approved_project, leaders

MANY = 25


def statements(app, client, path: str, headers: dict, expect_items: int) -> int:
    """SQL statements issued by one GET (after a warm-up request), checking it returned
    ``expect_items`` items so the comparison is about the rows we think it is."""
    client.get(path, headers=headers)
    with counting(app.extensions["tongxin"].db.engine) as seen:
        r = client.get(path, headers=headers)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    items = body["items"]
    count = len(items) if "total" in body and "page" in body else _tree_size(items)
    assert count == expect_items, (path, count)
    assert seen, "the listener saw no statement: the count would prove nothing"
    return len(seen)


def _tree_size(nodes) -> int:
    return sum(1 + _tree_size(n["children"]) for n in nodes)


def _projects(platform, n: int, start: int = 0) -> list[int]:
    pid, unit = programme_id(platform), unit_id(platform, "jingan", "ghxl-luochuan")
    made = []
    with acting(platform, "jingan", "luochuan") as ctx:
        for i in range(start, start + n):
            p = projects.create_project(ctx, pid, unit, "micro_venture", f"项目{i:03d}")
            projects.set_budget(ctx, p.id, [{"description": "物料", "amount": "100"}, {"description": "场地", "amount": "50"}])
            projects.attach(ctx, p.id, "residents_minutes", "会议记录.pdf", io.BytesIO(PDF), platform.storage)
            made.append(p.id)
    return made


def test_projects_list(app, client, platform):
    applicant = login(client, "luochuan")
    _projects(platform, 1)
    one = {size: statements(app, client, url(f"/projects?page_size={size}"), applicant, 1) for size in (5, 50)}
    _projects(platform, MANY - 1, start=1)
    many = {size: statements(app, client, url(f"/projects?page_size={size}"), applicant, min(size, MANY)) for size in (5, 50)}
    assert one[5] == one[50] == many[5] == many[50], (one, many)
    # The filters do not change the picture.
    filtered = statements(app, client, url(f"/projects?page_size=50&track=micro_venture&state=draft&programme_id={programme_id(platform)}"),
                          applicant, MANY)
    assert filtered == many[50]


def test_programmes_list(app, client, platform):
    # The demo tenant has two programmes (共和新路's and 静安寺's); add more and compare.
    one = {size: statements(app, client, url(f"/programmes?page_size={size}"), {}, 2) for size in (5, 50)}
    street = unit_id(platform, "jingan", "gonghexinlu")
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        for year in range(2024, 2024 + MANY - 2):
            programmes.open_programme(ctx, street, "gonghexinlu", year)
    many = {size: statements(app, client, url(f"/programmes?page_size={size}"), {}, min(size, MANY)) for size in (5, 50)}
    assert one[5] == one[50] == many[5] == many[50], (one, many)


def test_org_units_tree(app, client, platform):
    small = statements(app, client, url("/org-units", "putuo"), {}, _tree_size(client.get(url("/org-units", "putuo")).get_json()["items"]))
    before = statements(app, client, url("/org-units"), {}, 9)
    load(platform, {"slug": "jingan", "name": "静安区", "name_en": "Jing'an District", "units": [
        {"code": "gonghexinlu", "kind": "street", "name": "共和新路街道", "name_en": "Gonghexinlu Street",
         "children": [{"code": f"extra-{i}", "kind": "neighbourhood", "name": f"新居民区{i}",
                       "children": [{"code": f"extra-{i}-grid", "kind": "grid", "name": f"网格{i}"}]} for i in range(MANY)]}]})
    after = statements(app, client, url("/org-units"), {}, 9 + 2 * MANY)
    assert small == before == after


def test_audit_list(app, client, platform):
    admin = login(client, "ghxl_admin")
    first = _projects(platform, 1)[0]
    path = url(f"/audit?entity=projects&entity_id={first}&page_size=50")
    few_rows = client.get(path, headers=admin).get_json()["total"]
    assert 1 <= few_rows <= 5  # the project's own few entries
    one = statements(app, client, path, admin, few_rows)
    total = client.get(url("/audit"), headers=admin).get_json()["total"]
    few = {size: statements(app, client, url(f"/audit?page_size={size}"), admin, min(size, total)) for size in (5, 50)}
    _projects(platform, MANY, start=1)
    total = client.get(url("/audit"), headers=admin).get_json()["total"]
    assert total > 50
    many = {size: statements(app, client, url(f"/audit?page_size={size}"), admin, size) for size in (5, 50)}
    assert one == few[5] == few[50] == many[5] == many[50], (one, few, many)


def _requests(platform, pid: int, months: list[str]) -> None:
    """Fund requests of 1 yuan for ``pid`` in these months, each accepted into its month's batch."""
    with acting(platform, "jingan", "luochuan") as ctx:
        ids = [fund_requests.file_request(ctx, pid, amount="1", purpose=f"物料{i}", month=m).id
               for i, m in enumerate(months)]
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        for rid in ids:
            fund_requests.accept(ctx, rid)


@pytest.mark.usefixtures("in_implementation")  # fund requests are filed from April
def test_fund_requests_and_batches_with_their_actions(app, client, platform):
    """Each request and batch says what the caller may do with it: no statement per row for that."""
    pid = approved_project(platform)
    leaders(platform)
    office, leader = login(client, "ghxl_admin"), login(client, "fr_leader")
    _requests(platform, pid, ["2023-04"])
    one = {size: statements(app, client, url(f"/fund-requests?page_size={size}"), office, 1) for size in (5, 50)}
    batches_one = statements(app, client, url("/fund-requests/batches?page_size=50"), leader, 1)
    months = [f"2023-{m:02d}" for m in range(1, 13)]
    _requests(platform, pid, [months[i % 12] for i in range(MANY - 1)])
    many = {size: statements(app, client, url(f"/fund-requests?page_size={size}"), office, min(size, MANY)) for size in (5, 50)}
    assert one[5] == one[50] == many[5] == many[50], (one, many)
    batches_many = statements(app, client, url("/fund-requests/batches?page_size=50"), leader, 12)
    assert batches_one == batches_many, (batches_one, batches_many)
    body = client.get(url("/fund-requests/batches?page_size=50"), headers=leader).get_json()
    assert all({a["action"] for a in b["actions"]} == {"approve", "disburse"} for b in body["items"])
