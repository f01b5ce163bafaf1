"""Delivery in the web UI, as its people use it: from the project page to the plan, the activity
records and the people registry; each form read by its operation's schema, a refusal re-rendering
the page with the problem beside its field and nothing saved; numbers masked for the reviewer;
the activity list's statements bounded whatever the number of activities."""
from __future__ import annotations

import datetime as dt
import io

import pytest

from tests.clients import Web, counting, text
from tests.delivery_factories import PLAN, activity, id_number, jpeg_with_gps, person, project_with_plan
from tests.factories import draft_project
from tests.money_factories import approved_project

pytestmark = pytest.mark.usefixtures("in_implementation")


def _rows(tasks) -> dict:
    return {"task_id": [""] * len(tasks), "title": [t["title"] for t in tasks], "owner": [t["owner"] for t in tasks],
            "starts_on": [t["starts_on"].isoformat() for t in tasks], "ends_on": [t["ends_on"].isoformat() for t in tasks],
            "status": ["planned"] * len(tasks)}


def test_the_team_goes_from_the_project_page_to_the_plan_and_writes_it(app, platform):
    pid = approved_project(platform)
    web = Web(app.test_client())
    web.login("luochuan")
    page = text(web.get(f"/projects/{pid}"))
    assert 'id="delivery"' in page and f"/projects/{pid}/plan" in page and "待编写" in page
    r = web.post(f"/projects/{pid}/plan", _rows(PLAN))
    assert r.status_code == 302
    page = text(web.get(f"/projects/{pid}/plan"))
    assert all(t["title"] in page for t in PLAN) and "申请调整实施计划" in page and "编写实施计划</h3>" not in page


def test_a_row_outside_the_period_is_shown_beside_its_field_and_nothing_is_saved(app, platform):
    pid = approved_project(platform)
    web = Web(app.test_client())
    web.login("luochuan")
    rows = [dict(PLAN[0]), {**PLAN[1], "ends_on": dt.date(2024, 2, 1)}]
    r = web.post(f"/projects/{pid}/plan", _rows(rows))
    page = text(r)
    assert r.status_code == 422 and "2024年2月1日不在项目周期内" in page and 'aria-invalid="true"' in page
    assert "还没有实施计划" in page and 'value="组建花园志愿者团队"' in page  # typed values kept


def test_an_activity_with_a_photo_is_recorded_and_shown_with_its_thumbnail(app, platform):
    pid, (first, *_) = project_with_plan(platform)
    web = Web(app.test_client())
    web.login("luochuan")
    r = web.post(f"/projects/{pid}/activities", {
        "held_on": "2023-04-10", "place": "12号楼前空地", "content": "清理空地", "participant_count": "5",
        "plan_task_id": str(first), "participants": "王阿姨 2\n李叔叔 1", "public": "true",
        "photos": [(io.BytesIO(jpeg_with_gps()), "IMG_1.JPG")]}, content_type="multipart/form-data")
    assert r.status_code == 302, text(r)[:500]
    page = text(web.get(f"/projects/{pid}/activities"))
    assert "12号楼前空地" in page and "王阿姨（2h）" in page and "/thumbnail" in page and "可公开" in page
    public = text(Web(app.test_client()).get(f"/projects/{pid}"))  # the public's project page
    assert "项目活动" in public and "12号楼前空地" in public and "王阿姨" not in public


@pytest.mark.parametrize("given, said", [
    ({"held_on": "2023-03-01"}, "不在项目周期内"),
    ({"photos": [(io.BytesIO(b"just text"), "photo.jpg")]}, "文件类型不符"),
])
def test_a_refused_activity_says_why_beside_the_field(app, platform, given, said):
    pid, (first, *_) = project_with_plan(platform)
    web = Web(app.test_client())
    web.login("luochuan")
    form = {"held_on": "2023-04-10", "place": "活动室", "content": "议事会", "participant_count": "2",
            "plan_task_id": str(first), "participants": "王阿姨", **given}
    r = web.post(f"/projects/{pid}/activities", form, content_type="multipart/form-data")
    assert r.status_code in (415, 422) and said in text(r) and "尚未登记活动" in text(r)


def test_an_activity_on_a_draft_is_not_offered(app, platform):
    pid = draft_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "草稿")
    web = Web(app.test_client())
    web.login("luochuan")
    assert 'id="delivery"' not in text(web.get(f"/projects/{pid}"))
    page = text(web.get(f"/projects/{pid}/activities"))
    assert "只有已立项" in page and 'name="held_on"' not in page


def test_the_registry_page_masks_numbers_for_the_reviewer_and_refuses_a_bad_number(app, platform):
    pid, _ = project_with_plan(platform)
    number = id_number()
    person(platform, pid, "王阿姨", id_number=number, mobile="13812345678")
    web = Web(app.test_client())
    web.login("ghxl_expert")
    page = text(web.get(f"/projects/{pid}/people"))
    assert "3101**********" in page and "138****5678" in page and number not in page and "13812345678" not in page
    assert 'name="id_number"' not in page  # the reviewer registers no one
    team = Web(app.test_client())
    team.login("luochuan")
    assert number in text(team.get(f"/projects/{pid}/people"))
    r = team.post(f"/projects/{pid}/people", {"role": "team", "name": "李叔叔", "id_number": number[:-1] + "0"
                                              if number[-1] != "0" else number[:-1] + "1", "consent": "true"})
    assert r.status_code == 422 and "校验位" in text(r) and 'value="李叔叔"' in text(r)
    r = team.post(f"/projects/{pid}/people", {"role": "team", "name": "李叔叔"})
    assert r.status_code == 422 and "须取得本人同意" in text(r) and "个人信息保护法" in text(r)
    r = team.post(f"/projects/{pid}/people", {"role": "team", "name": "李叔叔", "consent": "true", "mobile": "13900001111"})
    assert r.status_code == 302
    export = team.get(f"/projects/{pid}/people.xlsx")
    assert export.status_code == 200 and export.data[:2] == b"PK"


def test_the_office_decides_a_revision_on_the_plan_page(app, platform):
    pid, ids = project_with_plan(platform)
    team = Web(app.test_client())
    team.login("luochuan")
    rows = _rows(PLAN)
    rows["task_id"] = [str(i) for i in ids]
    rows["status"] = ["planned", "planned", "dropped"]
    r = team.post(f"/projects/{pid}/plan/revisions", {**rows, "reason": "养护改由物业负责"})
    assert r.status_code == 302
    office = Web(app.test_client())
    office.login("ghxl_admin")
    page = text(office.get(f"/projects/{pid}/plan"))
    assert "待审批" in page and "同意调整" in page
    rid = page.split('id="revision-')[1].split('"')[0]
    r = office.post(f"/plan-revisions/{rid}/decision", {"project_id": str(pid), "outcome": "refused"})
    assert r.status_code == 422 and "必须写明理由" in text(r)
    r = office.post(f"/plan-revisions/{rid}/decision", {"project_id": str(pid), "outcome": "approved"})
    assert r.status_code == 302
    assert "已生效" in text(office.get(f"/projects/{pid}/plan"))


def test_the_activity_list_costs_the_same_statements_for_two_activities_or_eight(app, platform):
    pid, (first, second, _) = project_with_plan(platform)
    photo = jpeg_with_gps()
    wang = person(platform, pid, "王阿姨")
    web = Web(app.test_client())
    web.login("luochuan")
    engine = app.extensions["tongxin"].db.engine

    def add(n):
        for i in range(n):
            activity(platform, pid, first if i % 2 else second, held_on=dt.date(2023, 4, 1 + i % 13),
                     participants=[f"王阿姨#{wang} 1", "路人"], photos=[("p.jpg", io.BytesIO(photo))])

    add(2)
    with counting(engine) as few:
        first_page = text(web.get(f"/projects/{pid}/activities"))
    add(6)
    with counting(engine) as many:
        second_page = text(web.get(f"/projects/{pid}/activities"))
    assert second_page.count('class="card activity"') == 8 > first_page.count('class="card activity"') == 2
    assert len(many) == len(few), (len(few), len(many))
    assert len(many) <= 25, many
