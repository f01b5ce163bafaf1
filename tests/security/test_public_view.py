"""The anonymous API shows exactly what the anonymous web shows, no more (issue 14, part 4).

A project's policies mark which form fields and attachment kinds are public
(``tongxin_public_parts``, ``core.services.publication``); everything else needs a login, and a
contact's name, a phone or an ID number never reaches an anonymous response. Proven on the
security world (``tests.security.world``): 洛川's approved project carries markers in marked and
unmarked fields, a contact on the intent form, a phone typed into a public field, the residents'
minutes and a registry person with an ID number.
"""
from __future__ import annotations

import re

import pytest

from tests.security import routes as R
from tests.security.world import CONTACT, ID_NUMBER, PERSONAL, PHONE

pytestmark = pytest.mark.postgres


def _id_sets(world) -> list[tuple[dict, str]]:
    """Every scope's ids, and those of its approved project: what the public is asked about."""
    out = []
    for g in world.groups.values():
        for ids in (g.ids, g.approved_ids):
            if ids:
                out.append((ids, g.tenant))
    return out


def _answers(app, world, *, api: bool) -> dict[str, str]:
    """Every anonymous GET of the API (or of the web) with every scope's ids: url -> text."""
    client = app.test_client()
    out = {}
    for route in R.routes(app):
        if route.method != "GET" or route.api != api or R.unfillable(route) or route.endpoint == "static":
            continue
        for ids, tenant in _id_sets(world):
            values = {"tenant": tenant, "plugin_name": "gonghexinlu", "form_key": "application", "filename": "app.css",
                      **{n: ids.get(n, R.NOTHING) for n in R.ID_PARAMS}}
            url = route.url(values)
            if url in out:
                continue
            r = client.get(url)
            assert r.status_code < 500, (url, r.status_code)
            out[url] = R.body_text(r) if r.status_code < 300 else ""
    return out


def _markers(texts, candidates) -> set[str]:
    return {m for m in candidates for t in texts if m in t}


def test_the_anonymous_api_holds_nothing_the_anonymous_web_hides(secured):
    settings, platform, app, world = secured
    candidates = world.public_markers | world.private_markers
    for g in world.groups.values():
        candidates |= g.markers | g.unpublished
    api, web = _answers(app, world, api=True), _answers(app, world, api=False)
    shown_by_api, shown_by_web = _markers(api.values(), candidates), _markers(web.values(), candidates)
    assert world.public_markers <= shown_by_web, "the public parts are public on the web"
    assert shown_by_api <= shown_by_web, f"the anonymous API shows what the web hides: {sorted(shown_by_api - shown_by_web)}"
    assert shown_by_api & world.private_markers == set()
    for text in (*api.values(), *web.values()):
        assert not any(p in text for p in PERSONAL)
    print(f"\npublic view: {len(api)} anonymous API answers, {len(web)} anonymous web pages compared")


def test_a_project_shows_the_public_the_same_fields_on_the_api_and_the_web(secured):
    settings, platform, app, world = secured
    client = app.test_client()
    pid = world.public_project
    body = client.get(f"/api/v1/t/jingan/projects/{pid}").get_json()
    page = client.get(f"/t/jingan/projects/{pid}").get_data(as_text=True)
    api_fields = {f"{form}.{name}" for form, data in body["forms"].items() for name in data}
    web_fields = set(re.findall(r'data-public-field="([^"]+)"', page))
    assert api_fields == web_fields
    # what 共和新路 marks public, and nothing of the contact (personal in its schema)
    assert {"application.goals", "application.background", "intent.summary"} <= api_fields
    assert not {"application.team", "intent.contact_name", "intent.contact_phone"} & api_fields
    # a phone typed into a public field is masked; the contact never shows
    assert "MKRPUBLICGOALS" in body["forms"]["application"]["goals"] and PHONE not in str(body)
    assert "***" in body["forms"]["application"]["goals"] and "***" in page
    assert CONTACT not in page + str(body) and ID_NUMBER not in page + str(body)
    # files: the same public ones on both (共和新路 marks no kind: the minutes stay private)
    assert {a["id"] for a in body["attachments"]} == {int(x) for x in re.findall(r'data-public-file="(\d+)"', page)} == set()
    # decisions (the reviewer's words) are not shown to the public on either
    assert body["decisions"] == [] and "MKRLUOCHUANEXPLANATION" not in page


def test_the_residents_minutes_do_not_download_without_a_login(secured):
    settings, platform, app, world = secured
    client = app.test_client()
    ids = world.groups["luochuan"].approved_ids
    api = client.get(f"/api/v1/t/jingan/projects/{ids['project_id']}/attachments/{ids['attachment_id']}")
    assert api.status_code == 404 and b"%PDF" not in api.data
    web = client.get(f"/t/jingan/projects/{ids['project_id']}/attachments/{ids['attachment_id']}")
    assert web.status_code == 302 and "/login" in web.headers["Location"]
    # signed in, the applicant downloads them
    from tests.clients import login
    headers = login(client, "luochuan")
    signed = client.get(f"/api/v1/t/jingan/projects/{ids['project_id']}/attachments/{ids['attachment_id']}", headers=headers)
    assert signed.status_code == 200 and signed.data.startswith(b"%PDF")
