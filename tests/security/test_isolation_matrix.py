"""The isolation matrix: every route of the URL map (web and API), called as every role of tenant
静安区 and anonymously, against the objects of tenant 晋江市, of a sibling street, of a sibling
neighbourhood and of another sponsor (``tests.security.world``: which scopes are foreign to whom).

What must hold for every call:
- no foreign data: none of the unique marker strings planted in the actor's foreign scopes
  appears in the answer, whatever its status (lists, counts, pages, workbooks unpacked);
- no foreign ids: no private project of a foreign scope is named in a JSON answer;
- no foreign write: a write naming a foreign object is refused (never 2xx).

A route the matrix cannot fill (a new parameter) fails the suite, so a new route is covered or
the test says why not. The figures (routes × actors, requests, leaks) go to scripts/test, which
prints them and fails on a leak. One profile (PostgreSQL: row-level security is real), one world
per module, Flask's test client.
"""
from __future__ import annotations

import re
import time
from collections import Counter

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from core.models import Role
from tests.clients import Web, login
from tests.security import bodies
from tests.security import routes as R
from tests.security.world import ACTORS, FOREIGN, PERSONAL

pytestmark = pytest.mark.postgres
# Routes that end the caller's identity or make one: called last for each actor, so the others
# are called signed in.
LAST = ("web.auth.logout", "web.auth.login", "auth.IssueToken", "auth.Token")


def _values(route: R.Route, group, tenant: str) -> dict:
    ids = dict(group.ids)
    if group.approved_ids and any(part in route.rule for part in R.APPROVED_PARTS):
        ids.update(group.approved_ids)
    if group.closed_ids and any(part in route.rule for part in R.CLOSED_PARTS):
        ids.update(group.closed_ids)
    values = {"tenant": tenant, "plugin_name": "gonghexinlu", "form_key": "application", "filename": "app.css"}
    values.update({name: ids.get(name, R.NOTHING) for name in R.ID_PARAMS})
    return values


def _call(client, route: R.Route, url: str, headers: dict, csrf: str | None, body: dict | None):
    """A read, or a write with the valid body the object's owner would send (``bodies``), or
    an empty one where the write takes none."""
    if not route.write:
        return client.open(url, method=route.method, headers=headers)
    if route.api:
        if body and bodies.has_files(body):
            return client.open(url, method=route.method, headers=headers, data=bodies.as_multipart(body))
        return client.open(url, method=route.method, headers=headers,
                           json=(body or {}) if route.method != "DELETE" else None)
    return client.open(url, method=route.method, data={**bodies.as_form(body or {}), "csrf_token": csrf or ""})


def world_state(settings):
    """What a refused write must leave as it was, read past row-level security in one statement:
    the audit log (every change the services make writes to it), and what changes without an
    entry (a notification read, a mail sent again)."""
    engine = create_engine(settings.admin_database_url, poolclass=NullPool)
    query = text("SELECT (SELECT count(*) FROM audit_entries), (SELECT count(*) FROM notifications WHERE read_at IS NOT NULL), "
                 "(SELECT coalesce(sum(attempts), 0) || string_agg(state, ',' ORDER BY id) FROM mail_deliveries), "
                 "(SELECT count(*) FROM ledger_entries), (SELECT count(*) FROM activity_records)")
    connection = engine.connect()

    def state() -> tuple:
        return tuple(connection.execute(query).one())
    state.close = connection.close
    return state


def test_the_actors_hold_every_role():
    """Every role of the permission table is one of the matrix's actors, and so is the public."""
    assert set(ACTORS) == {r.value for r in Role} | {"anonymous"}


def test_every_route_can_be_called(secured):
    """A route the matrix cannot fill (a new kind of parameter) fails here, not silently."""
    unfillable = {r.label: R.unfillable(r) for r in R.routes(secured[2]) if R.unfillable(r)}
    assert not unfillable, f"routes the matrix cannot call (teach tests/security/routes.py their parameters): {unfillable}"


@pytest.mark.parametrize("role", list(ACTORS))
def test_every_route_as_the_role_against_foreign_objects(secured, role):
    settings, platform, app, world = secured
    username = ACTORS[role]
    all_routes = R.routes(app)
    ordered = sorted(all_routes, key=lambda r: r.endpoint in LAST)

    leaks: list[str] = []
    covered: set[str] = set()
    statuses: Counter = Counter()
    requests = writes = 0
    unreached: Counter = Counter()  # foreign writes refused for their input, before the ownership check
    state = world_state(settings)
    started = time.monotonic()
    client = app.test_client()
    headers, csrf = {}, None
    if username:
        headers = login(client, username)
        web = Web(client)
        web.login(username)
        csrf = web.token()
    foreign = [world.groups[g] for g in FOREIGN[username]]
    markers = set().union(*(g.markers for g in foreign))
    if username is None:
        markers |= world.private_markers | set(PERSONAL)
    private_ids = set().union(*(g.private_projects for g in foreign))
    for route in ordered:
        if R.unfillable(route):
            continue  # test_every_route_can_be_called names it
        # one call per foreign scope; tenant B's objects both under tenant A's address and its own
        targets = [(g, "jingan") for g in foreign] + [(g, g.tenant) for g in foreign if g.tenant != "jingan"]
        if not any(a in R.ID_PARAMS for a in route.arguments):
            targets = [(foreign[0], "jingan"), (world.groups["jinjiang"], "jinjiang")]
        for group, tenant in targets:
            values = _values(route, group, tenant)
            url = route.url(values)
            names_foreign = any(a in R.ID_PARAMS for a in route.arguments) or tenant != "jingan"
            guarded = route.write and names_foreign and route.endpoint not in LAST
            before = state() if guarded else None
            r = _call(client, route, url, headers if route.api else {}, csrf,
                      bodies.body_for(route.rule, values) if route.write else None)
            requests += 1
            statuses[r.status_code // 100] += 1
            text = R.body_text(r)
            found = sorted(m for m in markers if m in text)
            if found:
                leaks.append(f"{role} {route.method} {url} -> {r.status_code}: {found}")
            named = R.json_project_ids(r) & private_ids
            if named:
                leaks.append(f"{role} {route.method} {url} -> {r.status_code}: names private projects {sorted(named)}")
            if route.write and names_foreign and 200 <= r.status_code < 300:
                leaks.append(f"{role} {route.method} {url} -> {r.status_code}: a write on a foreign object accepted")
            if guarded:
                writes += 1
                if r.status_code in (400, 422):
                    unreached[route.label] += 1
                after = state()
                if after != before:
                    leaks.append(f"{role} {route.method} {url} -> {r.status_code}: a foreign write changed {before} to {after}")
            assert r.status_code < 500, f"{role} {route.method} {url} -> {r.status_code}: {text[:300]}"
        covered.add(route.label)
    state.close()
    seconds = time.monotonic() - started
    line = (f"isolation matrix, {role}: {len(covered)} routes, {requests} requests "
            f"({dict(sorted(statuses.items()))} by status class; {writes} foreign writes, none changing anything) "
            f"in {seconds:.0f}s, {len(leaks)} leaks")
    print("\n" + line)
    print(f"  foreign writes refused for their input ({sum(unreached.values())}): {sorted(unreached)}")
    R.record_counts({"routes_x_actors": len(covered), "isolation_requests": requests, "leaks": len(leaks)})
    assert len(covered) == len(all_routes)
    assert not leaks, line + "\n" + "\n".join(leaks[:60])


def test_the_matrix_would_see_a_leak(secured):
    """The searching itself can fail: a marker of a foreign scope is found in a page that shows it
    (the district administrator's own view of 海园's application, seen by the district)."""
    settings, platform, app, world = secured
    client = app.test_client()
    headers = login(client, "jingan_admin")
    haiyuan = world.groups["haiyuan"]
    pid = haiyuan.ids["project_id"]
    r = client.get(f"/api/v1/t/jingan/projects/{pid}", headers=headers)
    assert r.status_code == 200
    assert any(m in R.body_text(r) for m in haiyuan.markers)
    assert pid in R.json_project_ids(r)
    xlsx = client.get(f"/api/v1/t/jingan/projects/{world.groups['yanchang'].approved_ids['project_id']}/people.xlsx",
                      headers=headers)
    assert xlsx.status_code == 200 and re.search("MKRYANCHANGPERSON", R.body_text(xlsx))


def _request_months(platform, world) -> set[tuple[str, str]]:
    """(tenant, month) of every scope's fund request."""
    from core.models import FundRequest
    from tests.factories import acting

    months = set()
    for g in world.groups.values():
        if g.ids.get("request_id"):
            with acting(platform, g.tenant, None) as ctx:
                months.add((g.tenant, ctx.session.get(FundRequest, g.ids["request_id"]).month))
    return months


@pytest.mark.parametrize("role", [r for r in ACTORS if r != "anonymous"])
def test_the_months_fund_requests_export_holds_no_foreign_request(secured, role):
    """The matrix calls the office's month export for the month of the day it runs; here it is
    called for the month of every scope's request (each month the world holds data for), under
    both tenants' addresses: no foreign scope's marker is in it."""
    settings, platform, app, world = secured
    username = ACTORS[role]
    months = _request_months(platform, world)
    assert months
    client = app.test_client()
    Web(client).login(username)
    markers = set().union(*(world.groups[g].markers for g in FOREIGN[username]))
    for tenant, month in sorted(months):
        for address in sorted({"jingan", tenant}):
            for fmt in ("csv", "xlsx"):
                r = client.get(f"/t/{address}/fund-requests/export.{fmt}?month={month}")
                assert r.status_code < 500
                found = sorted(m for m in markers if m in R.body_text(r))
                assert not found, f"{role} {address} {month} {fmt}: {found}"


def test_the_month_export_reaches_the_worlds_requests(secured):
    """The searching above can fail: the street office's export of a month of the world holds
    its own neighbourhood's request (its beneficiaries' marker)."""
    settings, platform, app, world = secured
    months = {m for t, m in _request_months(platform, world) if t == "jingan"}
    client = app.test_client()
    Web(client).login("ghxl_admin")
    text = "".join(client.get(f"/t/jingan/fund-requests/export.csv?month={m}").get_data(as_text=True) for m in months)
    assert "MKRYANCHANGBENEFICIARIES" in text
