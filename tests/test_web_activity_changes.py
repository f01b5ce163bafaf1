"""Correcting an activity record in the web UI (core.web.activity_changes), as its team does it:
from the record's button on the activity page to its form, filled with what it says (the names
with their registry numbers, so saving unchanged keeps every link); a refusal shown beside its
field with what was typed kept; photos added and removed; deletion with its reason; no button
and a 403 for a reviewer, a 404 for another street; a closed project says why."""
from __future__ import annotations

import io
import re

import pytest

from tests.clients import Web, text
from tests.delivery_factories import activity, jpeg_with_gps, person, png, project_with_plan

pytestmark = pytest.mark.usefixtures("in_implementation")


def form_of(page_fields: dict, **changes) -> dict:
    return {"held_on": "2023-04-10", "place": "12号楼前空地", "content": "志愿者清理空地", "participant_count": "8",
            "participants": "王阿姨 2", "volunteer_hours": "", "plan_task_id": "", "no_task_reason": "", **page_fields, **changes}


def test_the_team_corrects_a_record_from_its_button_and_saving_unchanged_keeps_the_links(app, platform):
    pid, (first, *_) = project_with_plan(platform)
    wang = person(platform, pid, "王阿姨")
    aid = activity(platform, pid, first, participants=["王阿姨 2", "李叔叔 1.5"])
    web = Web(app.test_client())
    web.login("luochuan")
    listing = text(web.get(f"/projects/{pid}/activities"))
    assert f"/activities/{aid}/edit" in listing and "修改、补充照片或删除" in listing
    page = text(web.get(f"/activities/{aid}/edit"))
    assert f"王阿姨#{wang} 2\n李叔叔 1.5" in page and 'value="12号楼前空地"' in page and "删除原因" in page
    r = web.post(f"/activities/{aid}/edit", form_of({"plan_task_id": str(first)}, place="社区花园",
                                                    participants=f"王阿姨#{wang} 2\n李叔叔 1.5"))
    assert r.status_code == 302 and r.headers["Location"].endswith(f"#activity-{aid}")
    listing = text(web.get(f"/projects/{pid}/activities"))
    assert "社区花园" in listing and "王阿姨（2h）" in listing
    people = text(web.get(f"/projects/{pid}/people"))
    assert "王阿姨" in people


@pytest.mark.parametrize("change, said", [
    ({"held_on": "2023-03-01"}, "不在项目周期内"),
    ({"held_on": "2023-04-30"}, "晚于今天"),
    ({"participant_count": "abc"}, "参加人数"),
    ({"place": ""}, "活动地点"),
])
def test_a_refused_correction_is_shown_beside_its_field_and_what_was_typed_is_kept(app, platform, change, said):
    pid, (first, *_) = project_with_plan(platform)
    aid = activity(platform, pid, first)
    web = Web(app.test_client())
    web.login("luochuan")
    r = web.post(f"/activities/{aid}/edit", form_of({"plan_task_id": str(first)}, content="改过的内容", **change))
    page = text(r)
    assert r.status_code == 422 and said in page and 'aria-invalid="true"' in page and "改过的内容" in page
    assert "志愿者清理空地，讨论花园布局" in text(web.get(f"/projects/{pid}/activities"))  # nothing saved


def test_photos_are_added_checked_and_removed_on_the_page(app, platform):
    pid, (first, *_) = project_with_plan(platform)
    aid = activity(platform, pid, first)
    web = Web(app.test_client())
    web.login("luochuan")
    r = web.post(f"/activities/{aid}/files", {"photos": [(io.BytesIO(b"not a photo"), "a.jpg")]},
                 content_type="multipart/form-data")
    assert r.status_code == 415 and "文件类型不符" in text(r)
    r = web.post(f"/activities/{aid}/files", {"photos": [(io.BytesIO(jpeg_with_gps()), "IMG_1.JPG"),
                                                         (io.BytesIO(png()), "b.png")]},
                 content_type="multipart/form-data")
    assert r.status_code == 302
    page = text(web.get(f"/activities/{aid}/edit"))
    assert page.count("/thumbnail") == 2
    file_id = re.search(rf"/activities/{aid}/files/(\d+)/remove", page).group(1)
    assert web.post(f"/activities/{aid}/files/{file_id}/remove").status_code == 302
    assert text(web.get(f"/activities/{aid}/edit")).count("/thumbnail") == 1


def test_a_record_is_deleted_with_its_reason_and_leaves_the_list(app, platform):
    pid, (first, *_) = project_with_plan(platform)
    aid = activity(platform, pid, first)
    web = Web(app.test_client())
    web.login("luochuan")
    r = web.post(f"/activities/{aid}/delete", {"reason": ""})
    assert r.status_code == 422 and "删除原因" in text(r)
    r = web.post(f"/activities/{aid}/delete", {"reason": "重复登记了同一次活动"})
    assert r.status_code == 302
    listing = text(web.get(r.headers["Location"].split("/t/jingan", 1)[1]))
    assert "活动记录已删除" in listing and "尚未登记活动" in listing
    assert web.get(f"/activities/{aid}/edit").status_code == 404


def test_no_button_for_a_reviewer_a_403_for_their_post_and_a_404_for_another_street(app, platform):
    pid, (first, *_) = project_with_plan(platform)
    aid = activity(platform, pid, first)
    web = Web(app.test_client())
    web.login("ghxl_expert")
    assert f"/activities/{aid}/edit" not in text(web.get(f"/projects/{pid}/activities"))
    assert web.get(f"/activities/{aid}/edit").status_code == 403
    assert web.post(f"/activities/{aid}/edit", form_of({"plan_task_id": str(first)})).status_code == 403
    assert web.post(f"/activities/{aid}/delete", {"reason": "不是我的项目"}).status_code == 403
    other = Web(app.test_client())
    other.login("jas_admin")
    assert other.get(f"/activities/{aid}/edit").status_code == 404
    assert other.post(f"/activities/{aid}/delete", {"reason": "不是我的项目"}).status_code == 404
    office = Web(app.test_client())
    office.login("ghxl_admin")
    assert office.post(f"/activities/{aid}/edit", form_of({"plan_task_id": str(first)}, place="街道更正")).status_code == 302
