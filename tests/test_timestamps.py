"""Every timestamp is written and read with its offset, on both databases: the API answers RFC 3339
with ``+00:00`` for a field just written and for the same field read back later (SQLite keeps no
offset of its own; the column type gives it back)."""
from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import DateTime, select

from core.db import Base
from core.models import AuditEntry, Project
from core.models._types import UtcDateTime
from tests.clients import draft, login, unit, url
from tests.factories import acting

RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def test_every_moment_column_keeps_its_offset():
    naive = [f"{table.name}.{column.name}" for table in Base.metadata.tables.values() for column in table.columns
             if isinstance(column.type, DateTime)]  # a plain DateTime, not the UtcDateTime decorator
    assert naive == [], "moments must be UtcDateTime columns (core.models._types)"
    moments = [c for t in Base.metadata.tables.values() for c in t.columns if isinstance(c.type, UtcDateTime)]
    assert len(moments) >= 20  # the check above really looked at the models


def test_a_timestamp_reads_back_as_it_was_written(client, platform):
    applicant = login(client, "luochuan")
    created = client.post(url("/projects"), headers=applicant, json={
        "programme_id": client.get(url("/programmes")).get_json()["items"][0]["id"],
        "applicant_unit_id": unit(client, "ghxl-luochuan"), "track": "micro_venture", "title": "口袋花园"}).get_json()
    read = client.get(url(f"/projects/{created['id']}"), headers=applicant).get_json()
    assert RFC3339.match(created["created_at"]) and created["created_at"].endswith("+00:00"), created["created_at"]
    assert read["created_at"] == created["created_at"]
    listed = client.get(url("/projects"), headers=applicant).get_json()["items"][0]
    assert listed["created_at"] == created["created_at"]

    pid = draft(client, applicant, title="已提交的项目")
    submitted = client.post(url(f"/projects/{pid}/submit"), headers=applicant).get_json()
    again = client.get(url(f"/projects/{pid}"), headers=applicant).get_json()
    assert submitted["submitted_at"].endswith("+00:00") and again["submitted_at"] == submitted["submitted_at"]
    assert all(RFC3339.match(a["uploaded_at"]) and a["uploaded_at"].endswith("+00:00") for a in again["attachments"])

    tokens = client.get(url("/auth/tokens"), headers=applicant).get_json()["items"]
    assert tokens and all(t["created_at"].endswith("+00:00") for t in tokens)
    audit = client.get(url("/audit"), headers=login(client, "ghxl_admin")).get_json()["items"]
    assert audit and all(RFC3339.match(e["at"]) and e["at"].endswith("+00:00") for e in audit)


def test_the_models_hand_back_aware_utc_moments(client, platform):
    applicant = login(client, "luochuan")
    pid = draft(client, applicant)
    client.post(url(f"/projects/{pid}/submit"), headers=applicant)
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        project = ctx.session.get(Project, pid)
        at = ctx.session.scalars(select(AuditEntry.at).order_by(AuditEntry.id.desc())).first()
        for moment in (project.created_at, project.submitted_at, at):
            assert moment.utcoffset() == dt.timedelta(0), moment
        # A moment written in another zone is the same moment read back (in UTC).
        shanghai = dt.timezone(dt.timedelta(hours=8))
        project.submitted_at = dt.datetime(2023, 3, 15, 9, 30, tzinfo=shanghai)
        ctx.session.commit()
        ctx.session.expire_all()
        assert ctx.session.get(Project, pid).submitted_at == dt.datetime(2023, 3, 15, 1, 30, tzinfo=dt.timezone.utc)
