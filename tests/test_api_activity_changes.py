"""Correcting and deleting activity records over the REST API (core.api.activity_changes): a
record corrected with JSON (its participants replaced, the progress following), photos added as
multipart (stored without EXIF) and removed, a record deleted with its reason; bad input refused
in Chinese naming the field (a file that is not an image, a day outside the period, a closed
project), someone else's project 403 or 404, and never a 5xx."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.clients import is_error, login, url
from tests.delivery_factories import activity, jpeg_with_gps, png, project_with_plan
from tests.factories import on_day
from tests.money_factories import close, paid_request, spend_on_request

pytestmark = pytest.mark.usefixtures("in_implementation")

BODY = {"held_on": "2023-04-11", "place": "社区活动室", "content": "讨论花园养护排班", "participant_count": 4,
        "participants": ["王阿姨 3"], "plan_task_id": None, "no_task_reason": "应居民要求临时增加的议事", "public": False}


@pytest.fixture
def record(platform) -> tuple[int, int, int]:
    pid, (first, *_) = project_with_plan(platform)
    return pid, first, activity(platform, pid, first, photos=[("a.png", io.BytesIO(png()))])


def test_a_record_is_corrected_with_json_and_the_progress_follows(client, record):
    pid, first, aid = record
    team = login(client, "luochuan")
    r = client.put(url(f"/activities/{aid}"), headers=team, json={**BODY, "plan_task_id": first, "no_task_reason": ""})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert (body["place"], body["participant_count"], body["volunteer_hours"], body["plan_task_id"]) == (
        "社区活动室", 4, "3", first)
    assert [p["name"] for p in body["participants"]] == ["王阿姨"] and [f["kind"] for f in body["files"]] == ["photo"]
    progress = client.get(url(f"/projects/{pid}/plan"), headers=team).get_json()["progress"]
    assert (progress["participants"], progress["volunteer_hours"]) == (4, "3")
    offered = {a["action"]: a for a in client.get(url(f"/projects/{pid}/plan"), headers=team).get_json()["actions"]}
    assert offered["edit_activity"]["allowed"]


@pytest.mark.parametrize("change, status, code, field", [
    ({"held_on": "2023-03-20"}, 422, "outside_period", "held_on"),
    ({"held_on": "2023-02-30"}, 422, "invalid_input", "held_on"),
    ({"participant_count": -1}, 422, "invalid_input", "participant_count"),
    ({"participants": ["#5"]}, 422, "invalid_participant", "participants.0"),
    ({"no_task_reason": ""}, 422, "task_or_reason", "no_task_reason"),
    ({"surprise": 1}, 422, "invalid_input", "surprise"),
])
def test_a_bad_correction_names_its_field_in_chinese_and_changes_nothing(client, record, change, status, code, field):
    _, _, aid = record
    team = login(client, "luochuan")
    before = client.get(url(f"/activities/{aid}"), headers=team).get_json()
    body = is_error(client.put(url(f"/activities/{aid}"), headers=team, json={**BODY, **change}), status, code)
    assert field in {e["field"] for e in body["errors"]}
    assert client.get(url(f"/activities/{aid}"), headers=team).get_json() == before


def test_photos_are_added_as_multipart_without_exif_and_one_is_removed(client, record):
    _, _, aid = record
    team = login(client, "luochuan")
    bad = client.post(url(f"/activities/{aid}/files"), headers=team, content_type="multipart/form-data",
                      data={"photos": [(io.BytesIO(b"a letter"), "photo.jpg")]})
    assert is_error(bad, 415, "file_type")["errors"][0]["field"] == "photos.0"
    broken = client.post(url(f"/activities/{aid}/files"), headers=team, content_type="multipart/form-data",
                         data={"photos": [(io.BytesIO(jpeg_with_gps()[:300]), "photo.jpg")]})
    is_error(broken, 415, "image_unreadable")
    is_error(client.post(url(f"/activities/{aid}/files"), headers=team, content_type="multipart/form-data", data={}),
             422, "files_required")
    r = client.post(url(f"/activities/{aid}/files"), headers=team, content_type="multipart/form-data",
                    data={"photos": [(io.BytesIO(jpeg_with_gps((500, 400))), "IMG_9.JPG")]})
    assert r.status_code == 201, r.get_json()
    first, added = r.get_json()["files"]
    stored = client.get(url(f"/activities/{aid}/files/{added['id']}"), headers=team)
    with Image.open(io.BytesIO(stored.data)) as image:
        assert image.size == (500, 400) and not image.getexif()
    r = client.delete(url(f"/activities/{aid}/files/{first['id']}"), headers=team)
    assert r.status_code == 200 and [f["id"] for f in r.get_json()["files"]] == [added["id"]]
    is_error(client.delete(url(f"/activities/{aid}/files/{first['id']}"), headers=team), 404, "not_found")
    assert client.get(url(f"/activities/{aid}/files/{first['id']}"), headers=team).status_code == 404


def test_a_record_is_deleted_with_its_reason(client, record):
    pid, _, aid = record
    team = login(client, "luochuan")
    is_error(client.post(url(f"/activities/{aid}/deletion"), headers=team, json={}), 422, "invalid_input")
    is_error(client.post(url(f"/activities/{aid}/deletion"), headers=team, json={"reason": "删"}), 422, "reason_required")
    r = client.post(url(f"/activities/{aid}/deletion"), headers=team, json={"reason": "重复登记了同一次活动"})
    assert r.status_code == 200 and r.get_json() == {"project_id": pid}
    assert client.get(url(f"/projects/{pid}/activities"), headers=team).get_json()["total"] == 0
    is_error(client.get(url(f"/activities/{aid}"), headers=team), 404)
    is_error(client.post(url(f"/activities/{aid}/deletion"), headers=team, json={"reason": "再删一次试试"}), 404)


def test_someone_elses_project_is_403_or_404_and_anonymous_401(client, record):
    _, _, aid = record
    for username, status in (("ghxl_expert", 403), ("jingan_admin", 403), ("yanchang", 404), ("jas_admin", 404)):
        headers = login(client, username)
        is_error(client.put(url(f"/activities/{aid}"), headers=headers, json=BODY), status)
        is_error(client.post(url(f"/activities/{aid}/deletion"), headers=headers, json={"reason": "不是我的项目"}), status)
        is_error(client.post(url(f"/activities/{aid}/files"), headers=headers, content_type="multipart/form-data",
                             data={"photos": [(io.BytesIO(png()), "x.png")]}), status)
    assert client.put(url(f"/activities/{aid}"), json=BODY).status_code == 401
    r = client.put(url(f"/activities/{aid}"), headers=login(client, "ghxl_admin"), json=BODY)  # the street office
    assert r.status_code == 200 and r.get_json()["place"] == "社区活动室"


def test_a_closed_project_refuses_every_change(client, platform, record):
    pid, _, aid = record
    rid = paid_request(platform, pid, "1000")
    spend_on_request(platform, rid, "1000", "exp-all")
    close(platform, pid)
    with on_day("2023-12-12"):
        team = login(client, "luochuan")
        photo = client.get(url(f"/activities/{aid}"), headers=team).get_json()["files"][0]["id"]
        for r in (client.put(url(f"/activities/{aid}"), headers=team, json=BODY),
                  client.post(url(f"/activities/{aid}/deletion"), headers=team, json={"reason": "结项后删除试试"}),
                  client.delete(url(f"/activities/{aid}/files/{photo}"), headers=team)):
            assert "已于2023年12月10日结项" in is_error(r, 409, "project_closed")["message"]
        english = client.put(url(f"/activities/{aid}?lang=en"), headers=team, json=BODY).get_json()
        assert "takes no more records" in english["message"]
