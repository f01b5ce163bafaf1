"""Every export that holds personal data is in the audit log (issue 14, part 6): every GET route
of the URL map, called by the street office with the ids of the approved
projects whose registries hold the security world's seeded people; whatever answers a file (a workbook, a document, an archive) holding a seeded
registry person (their name, or their phone or ID number, in full or masked) must have written a
``person.export`` entry for that call."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.models import AuditEntry
from core.personal_data import mask_id_number, mask_mobile
from tests.clients import Web, login
from tests.factories import acting
from tests.security import routes as R
from tests.security.world import ID_NUMBER, PHONE

pytestmark = pytest.mark.postgres


def _exports(platform) -> int:
    with acting(platform, "jingan", None) as ctx:
        return ctx.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "person.export"))


@pytest.mark.parametrize("username", ["ghxl_admin"])  # the street office: full numbers, both registries
def test_every_file_with_personal_data_is_recorded(secured, username):
    settings, platform, app, world = secured
    client = app.test_client()
    headers = login(client, username)
    Web(client).login(username)
    personal = {PHONE, ID_NUMBER, mask_mobile(PHONE), mask_id_number(ID_NUMBER)}
    personal |= {m for g in world.groups.values() for m in g.markers if m.endswith("PERSON")}
    files = holding = 0
    for route in R.routes(app):
        if route.method != "GET" or R.unfillable(route) or route.endpoint == "static":
            continue
        for g in (world.groups["luochuan"], world.groups["yanchang"]):
            ids = {**g.ids, **g.approved_ids}
            values = {"tenant": g.tenant, "plugin_name": "gonghexinlu", "form_key": "application",
                      "filename": "app.css", **{n: ids.get(n, R.NOTHING) for n in R.ID_PARAMS}}
            before = _exports(platform)
            r = client.get(route.url(values), headers=headers if route.api else {})
            if r.status_code != 200 or "attachment" not in r.headers.get("Content-Disposition", ""):
                continue
            files += 1
            if any(p in R.body_text(r) for p in personal):
                holding += 1
                assert _exports(platform) == before + 1, f"{route.label} exported personal data unrecorded"
    assert files and holding, (files, holding)  # the registry's workbook at least, on the API and the web
