"""Activity records (项目活动记录手册, tool 5): what was held, when and where, who took part (a
count, and a sign-in sheet: a photographed paper sheet, or the names), the volunteers' hours,
photos, and whether it may be shown to the public.

An activity is recorded only for an approved project, on a day inside the project's period as
its policies declare it (``core.plugin_host.delivery_rules``: every declared period, each
refusal citing its clause) and not after today; it belongs to a task of the plan, or says why
not. Every problem of a record is named at once, and nothing is stored before all of them are
checked: a refused record leaves no row (its files, checked last, are stored by content hash,
so a refused upload at most leaves an unreferenced file).

Named participants are linked to the project's people registry: ``王阿姨#12`` names person 12,
a bare name links the one person of that name (two of the same name must be told apart by
number), and a name not in the registry is kept as written. Their hours add up per person
across activities (``core.services.delivery.people.volunteer_hours``).

Sign-in sheets carry names, often signatures and phone numbers: only those who may read
personal data (``A.person_read_personal``) download them. Photos of an activity marked public may
be seen by anyone who may see the project; the stored photos carry no location or camera data
(``core.services.delivery.photos``).
"""
from __future__ import annotations

import datetime as dt
import re
from typing import BinaryIO, Sequence

from sqlalchemy import case, func, select

from core.i18n import T
from core.models import ActivityFile, ActivityParticipant, ActivityRecord, PlanTask, RegistryPerson, TaskStatus
from core.permissions import A
from core.services import paging
from core.services.context import Ctx
from core.services.delivery.common import (MAX_HOURS_TENTHS, MIN_REASON, acting_on, delivery_project, hours_text,
                                           outside_period, read_hours, rules_of)
from core.services.delivery.photos import IMAGE_TYPES, clean_image
from core.services.projects import get_project
from core.violations import Forbidden, NotFound, Violation, Violations
from core.formats import day_words

Upload = tuple[str, BinaryIO]  # a file's name and its stream
MAX_PHOTOS = 12
MAX_NAMES = 300
SHEET_TYPES = (*IMAGE_TYPES, "application/pdf")
PARTICIPANT_PATTERN = r"^[^#\s]([^#]{0,48}[^#\s])?(#\d{1,9})?(\s+\d{1,3}(\.\d)?)?$"
_PARTICIPANT = re.compile(r"^(?P<name>[^#\s](?:[^#]{0,48}?[^#\s])?)(?:#(?P<id>\d{1,9}))?(?:\s+(?P<hours>\d{1,3}(?:\.\d)?))?$")
RECORDING = T("登记活动", "record an activity")


def _participants(ctx: Ctx, project_id: int, lines: Sequence[str], v: Violations) -> list[ActivityParticipant]:
    people = list(ctx.session.execute(select(RegistryPerson.id, RegistryPerson.name)
                                      .where(RegistryPerson.project_id == project_id)))
    by_id = {pid: name for pid, name in people}
    by_name: dict[str, list[int]] = {}
    for pid, name in people:
        by_name.setdefault(name, []).append(pid)
    out = []
    for i, line in enumerate(lines):
        field = f"participants.{i}"
        m = _PARTICIPANT.match((line or "").strip())
        if m is None:
            v.add(Violation("invalid_participant", T(f"第{i + 1}位参加人员写法不对：应为“姓名”“姓名 时长”或“姓名#名册编号 时长”，如“王阿姨 2”",
                                                     f"Participant {i + 1}: write a name, 'name hours' or 'name#number hours', e.g. 'Wang 2'"),
                            field=field))
            continue
        name, number, hours = m.group("name"), m.group("id"), m.group("hours")
        tenths = read_hours(hours) if hours else 0
        if tenths is None or tenths > MAX_HOURS_TENTHS:
            v.add(Violation("invalid_hours", T(f"{name}的志愿服务时长应为0至24小时，最多一位小数",
                                               f"{name}'s volunteer hours must be 0-24, at most one decimal"), field=field))
            continue
        person_id = None
        if number is not None:
            person_id = int(number)
            if person_id not in by_id:
                v.add(Violation("unknown_person", T(f"人员名册中没有编号{person_id}的人员", f"No person #{person_id} in the registry"),
                                field=field))
                continue
        elif len(by_name.get(name, [])) > 1:
            v.add(Violation("ambiguous_person", T(f"人员名册中有{len(by_name[name])}位「{name}」，请写成「{name}#编号」以区分",
                                                  f"The registry has {len(by_name[name])} people named {name}; write '{name}#number'"),
                            field=field))
            continue
        elif by_name.get(name):
            person_id = by_name[name][0]
        out.append(ActivityParticipant(name=name, person_id=person_id, volunteer_tenths=tenths))
    return out


def _task(ctx: Ctx, project_id: int, task_id: int | None, reason: str, v: Violations, keep: int | None = None) -> None:
    """``keep``: the task a corrected record already belongs to, which it may keep even if the
    plan has dropped it since (the activity was held for it)."""
    if task_id is not None:
        task = ctx.session.get(PlanTask, task_id)
        if task is None or task.project_id != project_id:
            v.add(Violation("unknown_task", T("所选任务不是本项目实施计划中的任务", "That task is not in this project's plan"),
                            field="plan_task_id"))
        elif task.status == TaskStatus.dropped.value and task_id != keep:
            v.add(Violation("task_dropped", T(f"任务「{task.title}」已取消，不能再登记活动", f"Task '{task.title}' was dropped"),
                            field="plan_task_id"))
    elif len(reason) < MIN_REASON:
        v.add(Violation("task_or_reason", T(f"请选择活动所属的计划任务，或写明不属于任何任务的原因（至少{MIN_REASON}个字）",
                                            f"Choose the plan task the activity belongs to, or say why it belongs to none "
                                            f"(at least {MIN_REASON} characters)"), field="no_task_reason"))


def record_values(ctx: Ctx, project, held_on: dt.date, place: str, content: str, participant_count: int,
            participants: Sequence[str], volunteer_hours: str | None, plan_task_id: int | None, no_task_reason: str,
            has_sheet: bool, photos: int = 0, *, keep_task: int | None = None) -> tuple[dict, list[ActivityParticipant]]:
    """The rules a record meets, recorded or corrected (``core.services.delivery.activity_changes``):
    its values as stored and its named participants, or a ``RuleError`` naming every problem at
    once. ``has_sheet``: a sign-in sheet comes with it or is kept; ``photos``: how many come now;
    ``keep_task``: a corrected record's task, kept even if dropped since."""
    v = Violations()
    place, content, no_task_reason = (place or "").strip(), (content or "").strip(), (no_task_reason or "").strip()
    if not place:
        v.add(Violation("place_required", T("请填写活动地点", "Say where the activity was held"), field="place"))
    if not content:
        v.add(Violation("content_required", T("请填写活动内容", "Say what was done"), field="content"))
    if held_on > ctx.clock.today():
        v.add(Violation("activity_in_future", T(f"活动日期{day_words(held_on).zh}晚于今天，只能登记已经举行的活动",
                                                f"{day_words(held_on).en} is after today: record activities once held"), field="held_on"))
    v.extend(outside_period(rules_of(ctx, project), held_on, "held_on", T("活动日期", "activity date")))
    _task(ctx, project.id, plan_task_id, no_task_reason if plan_task_id is None else "", v, keep_task)
    named = _participants(ctx, project.id, participants, v) if len(participants) <= MAX_NAMES else []
    if len(participants) > MAX_NAMES:
        v.add(Violation("too_many_names", T(f"参加人员名单最多{MAX_NAMES}人；人数更多时请上传签到表",
                                            f"At most {MAX_NAMES} names; upload the sign-in sheet instead"), field="participants"))
    if participant_count < len(participants):
        v.add(Violation("count_below_names", T(f"参加人数（{participant_count}）少于名单中的人数（{len(participants)}）",
                                               f"The count ({participant_count}) is below the names listed ({len(participants)})"),
                        field="participant_count"))
    if participant_count > 0 and not participants and not has_sheet:
        v.add(Violation("sign_in_required", T("请上传签到表（照片或PDF），或填写参加人员名单",
                                              "Upload the sign-in sheet (photo or PDF), or list the participants"),
                        field="sign_in_sheet"))
    named_tenths = sum(p.volunteer_tenths for p in named)
    total = named_tenths
    if volunteer_hours not in (None, ""):
        given = read_hours(volunteer_hours)
        if given is None:
            v.add(Violation("invalid_hours", T("志愿服务总时长应为小时数，最多一位小数（如 12.5）",
                                               "Volunteer hours are a number of hours with at most one decimal (e.g. 12.5)"),
                            field="volunteer_hours"))
        elif given < named_tenths:
            v.add(Violation("hours_below_names", T(f"志愿服务总时长（{hours_text(given)}小时）少于名单中各人时长之和（{hours_text(named_tenths)}小时）",
                                                   f"The total ({hours_text(given)} h) is below the named people's hours ({hours_text(named_tenths)} h)"),
                            field="volunteer_hours"))
        else:
            total = given
    if photos > MAX_PHOTOS:
        v.add(Violation("too_many_photos", T(f"一次最多上传{MAX_PHOTOS}张照片", f"At most {MAX_PHOTOS} photos at once"), field="photos"))
    v.raise_if_blocking()
    return {"held_on": held_on, "place": place, "content": content, "participant_count": participant_count,
            "volunteer_tenths": total, "plan_task_id": plan_task_id,
            "no_task_reason": no_task_reason if plan_task_id is None else ""}, named


def record_activity(ctx: Ctx, project_id: int, held_on: dt.date, place: str, content: str, participant_count: int,
                    participants: Sequence[str] = (), volunteer_hours: str | None = None, plan_task_id: int | None = None,
                    no_task_reason: str = "", public: bool = False, photos: Sequence[Upload] = (),
                    sign_in_sheet: Upload | None = None, *, storage) -> ActivityRecord:
    project = acting_on(ctx, project_id, A.activity_record, RECORDING)
    values, named = record_values(ctx, project, held_on, place, content, participant_count, participants, volunteer_hours,
                            plan_task_id, no_task_reason, sign_in_sheet is not None, len(photos))
    # The files last: a record refused for its words stores nothing.
    files = stored_files(ctx, storage, photos, sign_in_sheet)
    with ctx.action("activity.record"):
        record = ActivityRecord(project_id=project.id, public=bool(public), recorded_by_id=ctx.actor.id,
                                files=files, participants=named, **values)
        ctx.session.add(record)
    return record


def stored_files(ctx: Ctx, storage, photos: Sequence[Upload], sign_in_sheet: Upload | None) -> list[ActivityFile]:
    """The uploads checked (each refusal naming its field: ``photos.1``) and stored."""
    files = [_stored(ctx, storage, upload, "photo", f"photos.{i}", IMAGE_TYPES) for i, upload in enumerate(photos)]
    if sign_in_sheet is not None:
        files.append(_stored(ctx, storage, sign_in_sheet, "sign_in", "sign_in_sheet", SHEET_TYPES))
    return files


def _stored(ctx: Ctx, storage, upload: Upload, kind: str, field: str, allowed: tuple[str, ...]) -> ActivityFile:
    filename, stream = upload
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:255] or "upload"
    data, content_type = storage.read_upload(stream, name, allowed, field=field)
    width = height = thumb_key = None
    if content_type in IMAGE_TYPES:
        image = clean_image(data, field)
        data, content_type, width, height = image.data, image.content_type, image.width, image.height
        thumb_key, _ = storage.save(ctx.tenant_id, image.thumbnail)
    key, digest = storage.save(ctx.tenant_id, data)
    return ActivityFile(kind=kind, filename=name, content_type=content_type, size=len(data), sha256=digest,
                        storage_key=key, thumb_key=thumb_key, width=width, height=height, uploaded_by_id=ctx.actor.id)


def activities_page(ctx: Ctx, project_id: int, *, limit: int = 50, offset: int = 0) -> tuple[list[ActivityRecord], int]:
    """The project's activity records, latest first (whoever may see its records)."""
    project = delivery_project(ctx, project_id)
    stmt = (select(ActivityRecord).where(ActivityRecord.project_id == project.id)
            .order_by(ActivityRecord.held_on.desc(), ActivityRecord.id.desc()))
    return paging.page(ctx.session, stmt, limit=limit, offset=offset)


def public_activities(ctx: Ctx, project_id: int, *, limit: int = 12) -> list[ActivityRecord]:
    """The project's activities marked public, latest first, for anyone who may see the project."""
    project = get_project(ctx, project_id)
    return list(ctx.session.scalars(select(ActivityRecord).where(ActivityRecord.project_id == project.id,
                                                                 ActivityRecord.public.is_(True))
                                    .order_by(ActivityRecord.held_on.desc(), ActivityRecord.id.desc()).limit(limit)))


def get_activity(ctx: Ctx, activity_id: int) -> ActivityRecord:
    record = ctx.session.get(ActivityRecord, activity_id) if isinstance(activity_id, int) else None
    if record is None:
        raise NotFound(T("活动记录", "activity record"), field="activity_id")
    project = get_project(ctx, record.project_id)
    if not (record.public or ctx.can(A.delivery_view, project)):
        raise NotFound(T("活动记录", "activity record"), field="activity_id")
    return record


def activity_file(ctx: Ctx, activity_id: int, file_id: int) -> ActivityFile:
    """One of an activity's files, for whoever may see it: a photo of a public activity for
    anyone who may see the project, a sign-in sheet only for those who may read personal data."""
    record = get_activity(ctx, activity_id)
    found = next((f for f in record.files if f.id == file_id), None)
    if found is None:
        raise NotFound(T("活动文件", "activity file"), field="file_id")
    project = get_project(ctx, record.project_id)
    if found.kind == "sign_in" and not ctx.can(A.person_read_personal, project):
        raise Forbidden(T("签到表含有个人信息，只有申请单位和街道社区自治办可以查看",
                          "Sign-in sheets hold personal data: only the applicant's unit and the street office see them"),
                        field="file_id")
    return found


def totals(ctx: Ctx, project_id: int) -> tuple[int, int, int, int]:
    """(activities held, of them public, participants counted, volunteer hours in tenths), in
    one statement."""
    row = ctx.session.execute(select(func.count(ActivityRecord.id),
                                     func.coalesce(func.sum(case((ActivityRecord.public.is_(True), 1), else_=0)), 0),
                                     func.coalesce(func.sum(ActivityRecord.participant_count), 0),
                                     func.coalesce(func.sum(ActivityRecord.volunteer_tenths), 0))
                              .where(ActivityRecord.project_id == project_id)).one()
    return int(row[0]), int(row[1]), int(row[2]), int(row[3])
