"""Delivery over the REST API: the plan with its derived progress and revisions, activity records
sent as multipart with photos (stored without EXIF) and a sign-in sheet, the people registry masked
per role and its audited export; bad input refused in Chinese (English on request) naming the field
and the policy's clause."""
from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import select

from core.models import AuditEntry
from tests.clients import is_error, login, url
from tests.delivery_factories import PLAN, id_number, jpeg_with_gps
from tests.factories import PDF, acting, draft_project
from tests.money_factories import approved_project

pytestmark = pytest.mark.usefixtures("in_implementation")


def _plan_body() -> dict:
    return {"tasks": [{**t, "starts_on": t["starts_on"].isoformat(), "ends_on": t["ends_on"].isoformat()} for t in PLAN]}


@pytest.fixture
def project(platform) -> int:
    return approved_project(platform)


@pytest.fixture
def team(client) -> dict:
    return login(client, "luochuan")


def _with_plan(client, team, project) -> list[int]:
    r = client.post(url(f"/projects/{project}/plan"), headers=team, json=_plan_body())
    assert r.status_code == 201, r.get_json()
    return [t["id"] for t in r.get_json()["tasks"]]


def test_the_plan_is_written_and_read_with_its_progress_and_actions(client, team, project):
    task_ids = _with_plan(client, team, project)
    r = client.post(url(f"/plan-tasks/{task_ids[0]}/status"), headers=team, json={"status": "done"})
    assert r.status_code == 200 and r.get_json()["status_label"] == "已完成"
    body = client.get(url(f"/projects/{project}/plan"), headers=login(client, "ghxl_expert")).get_json()
    assert [t["title"] for t in body["tasks"]] == [t["title"] for t in PLAN]
    assert body["progress"]["tasks_done"] == 1 and body["progress"]["committed"] == "4000.00"
    assert [r["number"] for r in body["revisions"]] == [1]
    offered = {a["action"]: a for a in body["actions"]}
    assert not offered["set_plan"]["shown"] and not offered["record_activity"]["shown"]  # a reviewer only reads
    assert client.get(url(f"/projects/{project}/plan")).status_code == 401


def test_a_revision_goes_through_the_office(client, team, project):
    task_ids = _with_plan(client, team, project)
    tasks = [{**t, "task_id": i} for t, i in zip(_plan_body()["tasks"], task_ids)]
    tasks[2]["status"] = "dropped"
    r = client.post(url(f"/projects/{project}/plan/revisions"), headers=team, json={"reason": "养护交给物业", "tasks": tasks})
    assert r.status_code == 201 and r.get_json()["status"] == "pending"
    rid = r.get_json()["id"]
    is_error(client.post(url(f"/plan-revisions/{rid}/decision"), headers=team, json={"outcome": "approved"}), 403)
    r = client.post(url(f"/plan-revisions/{rid}/decision"), headers=login(client, "ghxl_admin"), json={"outcome": "approved"})
    assert r.status_code == 201 and r.get_json()["status_label"] == "已生效"
    statuses = [t["status"] for t in client.get(url(f"/projects/{project}/plan"), headers=team).get_json()["tasks"]]
    assert statuses == ["planned", "planned", "dropped"]


def test_a_plan_for_a_project_not_approved_is_refused_in_chinese_or_english(client, platform, team):
    pid = draft_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "草稿项目")
    body = is_error(client.post(url(f"/projects/{pid}/plan"), headers=team, json=_plan_body()), 409, "project_not_open")
    assert "已立项" in body["message"]
    r = client.post(url(f"/projects/{pid}/plan?lang=en"), headers=team, json=_plan_body())
    assert "only an approved project" in r.get_json()["message"]


def _activity(client, team, project, task_id, **extra):
    data = {"held_on": "2023-04-10", "place": "12号楼前空地", "content": "清理空地", "participant_count": "6",
            "plan_task_id": str(task_id), "participants": ["王阿姨 2", "李叔叔 1.5"], "public": "true", **extra}
    return client.post(url(f"/projects/{project}/activities"), headers=team, data=data,
                       content_type="multipart/form-data")


def test_an_activity_is_recorded_as_multipart_and_its_photo_has_no_exif(client, team, project):
    first = _with_plan(client, team, project)[0]
    r = _activity(client, team, project, first, photos=[(io.BytesIO(jpeg_with_gps((800, 600))), "IMG_1.JPG")],
                  sign_in_sheet=(io.BytesIO(PDF), "签到表.pdf"))
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["volunteer_hours"] == "3.5" and [p["name"] for p in body["participants"]] == ["王阿姨", "李叔叔"]
    photo, sheet = body["files"]
    assert (photo["kind"], photo["width"], sheet["kind"]) == ("photo", 800, "sign_in")
    stored = client.get(url(f"/activities/{body['id']}/files/{photo['id']}"))  # public activity: anyone
    assert stored.status_code == 200 and b"TestPhone" not in stored.data
    with Image.open(io.BytesIO(stored.data)) as image:
        assert not image.getexif()
    thumb = client.get(url(f"/activities/{body['id']}/files/{photo['id']}/thumbnail"))
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"
    public = client.get(url(f"/activities/{body['id']}")).get_json()
    assert public["participants"] == [] and [f["kind"] for f in public["files"]] == ["photo"]
    is_error(client.get(url(f"/activities/{body['id']}/files/{sheet['id']}"), headers=login(client, "ghxl_expert")), 403)
    assert client.get(url(f"/activities/{body['id']}/files/{sheet['id']}"), headers=team).status_code == 200


def test_an_activity_outside_the_period_and_a_photo_that_is_no_image_are_refused(client, team, project):
    first = _with_plan(client, team, project)[0]
    body = is_error(_activity(client, team, project, first, held_on="2023-03-20"), 422, "outside_period")
    [v] = body["errors"]
    assert v["field"] == "held_on" and "申报表" in v["message"] and "工具清单" in v["clause"]
    body = is_error(_activity(client, team, project, first, photos=[(io.BytesIO(b"not a picture"), "a.jpg")]), 415,
                    "file_type")
    assert body["errors"][0]["field"] == "photos.0"
    assert client.get(url(f"/projects/{project}/activities"), headers=team).get_json()["total"] == 0
    private = _activity(client, team, project, first, public="false").get_json()
    assert client.get(url(f"/activities/{private['id']}")).status_code == 404  # not public: not for the public


def test_the_registry_is_masked_per_role_and_its_export_audited(client, platform, team, project):
    number = id_number()
    r = client.post(url(f"/projects/{project}/people"), headers=team, json={
        "role": "volunteer", "name": "王阿姨", "id_number": number, "mobile": "13812345678", "consent": True,
        "consent_note": "签署同意书"})
    assert r.status_code == 201 and r.get_json()["id_number"] == number
    mine = client.get(url(f"/projects/{project}/people"), headers=team).get_json()
    assert mine["full_numbers"] and mine["people"][0]["mobile"] == "13812345678" and "3年" in mine["retention"]
    theirs = client.get(url(f"/projects/{project}/people"), headers=login(client, "ghxl_expert")).get_json()
    assert not theirs["full_numbers"] and theirs["people"][0]["id_number"] == number[:4] + "*" * 10 + number[-4:]
    assert theirs["people"][0]["mobile"] == "138****5678"
    is_error(client.get(url(f"/projects/{project}/people"), headers=login(client, "shbg")), 403)
    xlsx = client.get(url(f"/projects/{project}/people.xlsx"), headers=login(client, "ghxl_leader"))
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    with acting(platform, "jingan", None) as ctx:
        [entry] = ctx.session.scalars(select(AuditEntry).where(AuditEntry.action == "person.export"))
    assert entry.after["full_numbers"] is False


@pytest.mark.parametrize("given, field, code", [
    ({"id_number": "310106195803121230"}, "id_number", "invalid_id_number"),
    ({"mobile": "12345678901"}, "mobile", "invalid_mobile"),
    ({"consent": False}, "consent", "consent_required"),
])
def test_a_bad_roster_entry_names_its_field(client, team, project, given, field, code):
    body = {"role": "team", "name": "李叔叔", "consent": True, **given}
    found = is_error(client.post(url(f"/projects/{project}/people"), headers=team, json=body), 422, code)
    assert found["errors"][0]["field"] == field
    english = client.post(url(f"/projects/{project}/people"), headers={**team, "Accept-Language": "en"}, json=body)
    assert english.get_json()["errors"][0]["message"].isascii()
    assert client.get(url(f"/projects/{project}/people"), headers=team).get_json()["people"] == []
