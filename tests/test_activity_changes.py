"""Correcting and deleting activity records, and adding or removing their photos, through the
services (core.services.delivery.activity_changes): the rules of recording hold (inside the
project's period, not after today, a task or the reason why not, nothing on a closed project),
each refusal names its field and leaves the record as it was; volunteers' hours and the derived
progress follow; every change is in the audit log, a deletion with its reason; a deleted record's
files leave storage only once the deletion is committed, and never while another row names them;
who may is the permission table's (the team, the street office), others get 403 or 404."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import func, select

from core.models import ActivityFile, ActivityParticipant, ActivityRecord, AuditEntry
from core.services.delivery import activities, activity_changes, people, progress
from core.services.projects import get_project
from core.violations import Forbidden, NotFound, RuleError
from tests.delivery_factories import TEAM, TENANT, activity, jpeg_with_gps, person, png, project_with_plan
from tests.factories import PDF, acting, on_day
from tests.money_factories import close, paid_request, spend_on_request

pytestmark = pytest.mark.usefixtures("in_implementation")  # 2023-04-14: the project has started

FIELDS = dict(held_on=dt.date(2023, 4, 11), place="社区活动室", content="志愿者讨论花园养护排班", participant_count=5,
              participants=["王阿姨 3"], volunteer_hours=None, plan_task_id=None, no_task_reason="应居民要求临时增加的议事", public=True)


def edit(platform, aid, username=TEAM, **changes):
    values = {**FIELDS, **changes}
    with acting(platform, TENANT, username) as ctx:
        return activity_changes.edit_activity(ctx, aid, **values).id


def snapshot(platform, aid):
    with acting(platform, TENANT, None) as ctx:
        r = ctx.session.get(ActivityRecord, aid)
        return (r.held_on, r.place, r.content, r.participant_count, r.volunteer_tenths, r.plan_task_id, r.public,
                [(p.name, p.volunteer_tenths) for p in r.participants], [f.id for f in r.files])


def count(platform, model) -> int:
    with acting(platform, TENANT, None) as ctx:
        return ctx.session.scalar(select(func.count()).select_from(model))


def test_a_correction_replaces_the_fields_and_the_hours_and_progress_follow(platform):
    pid, (first, second, _) = project_with_plan(platform)
    wang, li = person(platform, pid, "王阿姨"), person(platform, pid, "李叔叔")
    aid = activity(platform, pid, first, participants=["王阿姨 2", "李叔叔 1.5"])
    with acting(platform, TENANT, TEAM) as ctx:
        assert people.volunteer_hours(ctx, pid) == {wang: (20, 1), li: (15, 1)}
        before = progress.progress(ctx, get_project(ctx, pid))
    assert (before.participants, before.volunteer_tenths, before.public_activities) == (8, 35, 0)
    edit(platform, aid, plan_task_id=second, participants=[f"王阿姨#{wang} 3"], participant_count=5)
    assert snapshot(platform, aid)[:8] == (dt.date(2023, 4, 11), "社区活动室", "志愿者讨论花园养护排班", 5, 30, second, True,
                                           [("王阿姨", 30)])
    with acting(platform, TENANT, TEAM) as ctx:
        assert people.volunteer_hours(ctx, pid) == {wang: (30, 1)}  # 李叔叔 no longer took part
        after = progress.progress(ctx, get_project(ctx, pid))
    assert (after.activities, after.participants, after.volunteer_tenths, after.public_activities) == (1, 5, 30, 1)
    with acting(platform, TENANT, None) as ctx:
        entries = ctx.session.scalars(select(AuditEntry).where(AuditEntry.action == "activity.edit")).all()
    edited = next(e for e in entries if e.entity == "activity_records")
    assert edited.before["place"] == "12号楼前空地" and edited.after["place"] == "社区活动室"
    assert {(e.entity, e.before is None) for e in entries} >= {("activity_participants", True),
                                                               ("activity_participants", False)}


@pytest.mark.parametrize("changes, field, code", [
    ({"held_on": dt.date(2023, 3, 20)}, "held_on", "outside_period"),       # before the 申报表's start
    ({"held_on": dt.date(2023, 4, 20)}, "held_on", "activity_in_future"),   # after today
    ({"place": "  "}, "place", "place_required"),
    ({"no_task_reason": "无"}, "no_task_reason", "task_or_reason"),
    ({"participants": ["王阿姨 30"]}, "participants.0", "invalid_hours"),
    ({"participant_count": 0}, "participant_count", "count_below_names"),
    ({"participants": []}, "sign_in_sheet", "sign_in_required"),           # 5 came, no names, no sheet
    ({"plan_task_id": 99999}, "plan_task_id", "unknown_task"),
])
def test_a_correction_breaking_a_rule_is_refused_naming_its_field_and_nothing_changes(platform, changes, field, code):
    pid, (first, *_) = project_with_plan(platform)
    aid = activity(platform, pid, first)
    before = snapshot(platform, aid)
    with pytest.raises(RuleError) as refusal:
        edit(platform, aid, **changes)
    found = {v.field: v for v in refusal.value.violations}
    assert found[field].code == code and found[field].message.zh
    if code == "outside_period":
        assert "不在项目周期内" in found[field].message.zh and found[field].clause is not None
    assert snapshot(platform, aid) == before


def test_a_record_keeps_a_task_the_plan_dropped_since_but_cannot_move_to_one(platform):
    pid, (first, second, _) = project_with_plan(platform)
    aid = activity(platform, pid, first)
    with acting(platform, TENANT, None) as ctx:
        from core.models import PlanTask
        ctx.session.get(PlanTask, first).status = "dropped"
    edit(platform, aid, plan_task_id=first, place="改正后的地点")
    other = activity(platform, pid, second)
    with pytest.raises(RuleError) as refusal:
        edit(platform, other, plan_task_id=first)
    assert refusal.value.violations[0].code == "task_dropped"


def test_who_may_correct_the_team_and_the_street_office_others_403_or_404(platform):
    pid, (first, *_) = project_with_plan(platform)
    aid = activity(platform, pid, first)
    edit(platform, aid, "ghxl_admin", place="街道更正的地点")  # the street office
    for username in ("ghxl_expert", "jingan_admin"):  # see the records, may not change them
        with pytest.raises(Forbidden) as no:
            edit(platform, aid, username)
        assert "只有登记活动的申请单位" in no.value.violations[0].message.zh
    for username in ("yanchang", "jas_admin", None):  # someone else's project: no such record
        with pytest.raises(NotFound):
            edit(platform, aid, username)
        with pytest.raises(NotFound), acting(platform, TENANT, username) as ctx:
            activity_changes.delete_activity(ctx, aid, "我想删掉它", storage=platform.storage)
    assert snapshot(platform, aid)[1] == "街道更正的地点"


def test_a_closed_project_takes_no_corrections_deletions_or_photos(platform):
    pid, (first, *_) = project_with_plan(platform)
    aid = activity(platform, pid, first, photos=[("a.png", io.BytesIO(png()))])
    rid = paid_request(platform, pid, "1000")
    spend_on_request(platform, rid, "1000", "exp-all")
    close(platform, pid)
    before = snapshot(platform, aid)
    with on_day("2023-12-12"):
        attempts = [
            lambda ctx: activity_changes.edit_activity(ctx, aid, **FIELDS),
            lambda ctx: activity_changes.delete_activity(ctx, aid, "结项后想删掉", storage=platform.storage),
            lambda ctx: activity_changes.add_files(ctx, aid, [("b.png", io.BytesIO(png()))], storage=platform.storage),
            lambda ctx: activity_changes.remove_file(ctx, aid, before[-1][0], storage=platform.storage),
        ]
        for attempt in attempts:
            for username in (TEAM, "ghxl_admin"):
                with pytest.raises(RuleError) as no, acting(platform, TENANT, username) as ctx:
                    attempt(ctx)
                [v] = no.value.violations
                assert (no.value.status, v.code) == (409, "project_closed") and "已于2023年12月10日结项" in v.message.zh
    assert snapshot(platform, aid) == before


def test_deleting_needs_a_reason_and_removes_the_record_its_hours_and_then_its_files(platform):
    pid, (first, *_) = project_with_plan(platform)
    wang = person(platform, pid, "王阿姨")
    sheet = PDF.replace(b"%%EOF", b"% the sheet of 2023-04-10\n%%EOF")  # not the application's PDF: its own file
    aid = activity(platform, pid, first, participants=["王阿姨 2"], photos=[("a.jpg", io.BytesIO(jpeg_with_gps()))],
                   sign_in_sheet=("签到表.pdf", io.BytesIO(sheet)))
    with acting(platform, TENANT, TEAM) as ctx:
        record = activities.get_activity(ctx, aid)
        paths = [platform.storage.path(k) for f in record.files for k in (f.storage_key, f.thumb_key) if k]
    assert len(paths) == 3 and all(p.is_file() for p in paths)
    with pytest.raises(RuleError) as no, acting(platform, TENANT, TEAM) as ctx:
        activity_changes.delete_activity(ctx, aid, "删", storage=platform.storage)
    assert no.value.violations[0].field == "reason" and count(platform, ActivityRecord) == 1
    with acting(platform, TENANT, TEAM) as ctx:
        activity_changes.delete_activity(ctx, aid, "重复登记了同一次活动", storage=platform.storage)
        ctx.session.flush()
        assert all(p.is_file() for p in paths)  # not yet committed: every file still there
    assert not any(p.exists() for p in paths)
    assert (count(platform, ActivityRecord), count(platform, ActivityParticipant), count(platform, ActivityFile)) == (0, 0, 0)
    with acting(platform, TENANT, TEAM) as ctx:
        assert people.volunteer_hours(ctx, pid) == {}
        assert progress.progress(ctx, get_project(ctx, pid)).activities == 0
    with acting(platform, TENANT, None) as ctx:
        entries = ctx.session.scalars(select(AuditEntry).where(AuditEntry.action == "activity.delete")).all()
    kept = {e.entity: e.before for e in entries}
    assert kept["activity_records"]["place"] == "12号楼前空地"
    assert kept["activity_records"]["_note"] == {"reason": "重复登记了同一次活动"}
    assert {"activity_files", "activity_participants"} <= set(kept)
    assert wang


def test_a_deletion_rolled_back_keeps_every_file(platform):
    pid, (first, *_) = project_with_plan(platform)
    aid = activity(platform, pid, first, photos=[("a.png", io.BytesIO(png()))])
    with acting(platform, TENANT, TEAM) as ctx:
        [photo] = activities.get_activity(ctx, aid).photos
        path = platform.storage.path(photo.storage_key)
    with pytest.raises(RuntimeError), acting(platform, TENANT, TEAM) as ctx:
        activity_changes.delete_activity(ctx, aid, "删掉又反悔了", storage=platform.storage)
        raise RuntimeError("the request fails after the deletion, before its commit")
    assert path.is_file() and count(platform, ActivityRecord) == 1


def test_a_file_another_record_still_names_is_kept(platform):
    pid, (first, *_) = project_with_plan(platform)
    same = png()
    one = activity(platform, pid, first, photos=[("a.png", io.BytesIO(same))])
    two = activity(platform, pid, first, held_on=dt.date(2023, 4, 12), photos=[("b.png", io.BytesIO(same))])
    with acting(platform, TENANT, TEAM) as ctx:
        [photo] = activities.get_activity(ctx, one).photos
        path = platform.storage.path(photo.storage_key)
        activity_changes.delete_activity(ctx, one, "第一条登记错了", storage=platform.storage)
    assert path.is_file()  # the second record's photo is the same bytes
    with acting(platform, TENANT, TEAM) as ctx:
        activity_changes.delete_activity(ctx, two, "第二条也不要了", storage=platform.storage)
    assert not path.exists()


def test_photos_are_added_checked_as_on_recording_and_removed(platform):
    pid, (first, *_) = project_with_plan(platform)
    aid = activity(platform, pid, first)
    with pytest.raises(RuleError) as no, acting(platform, TENANT, TEAM) as ctx:
        activity_changes.add_files(ctx, aid, [("ok.png", io.BytesIO(png())), ("letter.jpg", io.BytesIO(b"not a photo"))],
                                   storage=platform.storage)
    assert (no.value.status, no.value.violations[0].field, no.value.violations[0].code) == (415, "photos.1", "file_type")
    with pytest.raises(RuleError) as no, acting(platform, TENANT, TEAM) as ctx:
        activity_changes.add_files(ctx, aid, storage=platform.storage)
    assert no.value.violations[0].code == "files_required"
    assert count(platform, ActivityFile) == 0
    with acting(platform, TENANT, TEAM) as ctx:
        record = activity_changes.add_files(ctx, aid, [("IMG_2.JPG", io.BytesIO(jpeg_with_gps((640, 480))))],
                                            ("签到表.pdf", io.BytesIO(PDF)), storage=platform.storage)
        photo, sheet = record.files
        stored = platform.storage.path(photo.storage_key).read_bytes()
        photo_id, photo_path = photo.id, platform.storage.path(photo.storage_key)
    assert (photo.kind, photo.width, sheet.kind) == ("photo", 640, "sign_in") and b"TestPhone" not in stored
    with acting(platform, TENANT, "ghxl_admin") as ctx:
        left = activity_changes.remove_file(ctx, aid, photo_id, storage=platform.storage)
        assert [f.kind for f in left.files] == ["sign_in"]
    assert not photo_path.exists()
    with pytest.raises(NotFound), acting(platform, TENANT, TEAM) as ctx:
        activity_changes.remove_file(ctx, aid, photo_id, storage=platform.storage)


def test_the_only_sign_in_sheet_of_a_record_without_names_stays(platform):
    pid, (first, *_) = project_with_plan(platform)
    aid = activity(platform, pid, first, participants=[], sign_in_sheet=("签到表.pdf", io.BytesIO(PDF)))
    with acting(platform, TENANT, TEAM) as ctx:
        [sheet] = activities.get_activity(ctx, aid).sign_in_sheets
        sheet_id = sheet.id
    with pytest.raises(RuleError) as no, acting(platform, TENANT, TEAM) as ctx:
        activity_changes.remove_file(ctx, aid, sheet_id, storage=platform.storage)
    assert (no.value.status, no.value.violations[0].code) == (409, "sign_in_required")
    assert "唯一的签到表" in no.value.violations[0].message.zh and count(platform, ActivityFile) == 1
