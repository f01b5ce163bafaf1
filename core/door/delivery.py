"""Delivery: the operations on an approved project while it is carried out (write its plan,
update a task, request and decide a revision of the plan, record an activity with its photos and
sign-in sheet, correct or delete it and add or remove its files, register and remove people).

Each schema here is what both the API (``core.api.delivery``) and the web (``core.web.delivery``)
read their input with; each operation calls its service (``core.services.delivery``). An
activity is sent as multipart (its photos and sign-in sheet travel with it), so its numbers and
its flag are read from text as a form sends them; the services take a file as its name and its
stream, which the small function below hands them. A plan's tasks are a list of objects: the
web assembles them from the editor's rows (``core.web.delivery.read_tasks``), as the budget
editor does."""
from __future__ import annotations

from collections.abc import Mapping

from marshmallow import fields, pre_load, validate
from werkzeug.datastructures import FileStorage

from core.door.applications import OptionalFile
from core.door.fields import FileField, Flag, Id, InputSchema, Text, Verdict, Whole
from core.door.operations import declare
from core.i18n import T
from core.models import PersonRole, TaskStatus
from core.permissions import A
from core.services.delivery import activities, activity_changes, people, plan
from core.services.delivery.common import CONTENT_MAX, NAME_MAX, OWNER_MAX, PLACE_MAX, REASON_MAX, TITLE_MAX

DATE_ERROR = "日期格式应为“年-月-日”，如 2023-05-20 | The date must be YYYY-MM-DD, e.g. 2023-05-20"
OUTCOME_ERROR = "结果只能是：approved（同意）、refused（不同意） | The outcome must be approved or refused"


def Day(label, **kwargs) -> fields.Date:
    return fields.Date(error_messages={"invalid": DATE_ERROR}, metadata={"label": label}, **kwargs)


# -- the plan ------------------------------------------------------------------------------------

class PlanTaskInput(InputSchema):
    task_id = Id(load_default=None, allow_none=True, metadata={
        "label": T("任务编号", "Task number"),
        "description": "in a revision: the task of the plan in force this item changes; omit for a new task"})
    title = fields.String(required=True, validate=validate.Length(min=1, max=TITLE_MAX),
                          metadata={"label": T("任务", "Task")})
    owner = fields.String(required=True, validate=validate.Length(min=1, max=OWNER_MAX),
                          metadata={"label": T("负责人", "Owner"), "description": "a name or a role"})
    starts_on = Day(T("开始日期", "Start"), required=True)
    ends_on = Day(T("结束日期", "End"), required=True)
    status = fields.String(load_default=TaskStatus.planned.value, validate=validate.OneOf([s.value for s in TaskStatus]),
                           metadata={"label": T("进度", "Status"),
                                     "description": "planned, in_progress, done; dropped only in a revision"})


class PlanInput(InputSchema):
    tasks = fields.List(fields.Nested(PlanTaskInput), required=True, validate=validate.Length(max=plan.MAX_TASKS),
                        metadata={"label": T("计划任务", "Tasks")})


class TaskStatusInput(InputSchema):
    status = fields.String(required=True, validate=validate.OneOf(plan.PROGRESS_STATUSES),
                           metadata={"label": T("进度", "Status")})


class PlanRevisionInput(PlanInput):
    reason = Text(REASON_MAX, required=True, metadata={"label": T("调整理由", "Reason"),
                                                       "description": f"at least {plan.MIN_REASON} characters"})


class RevisionDecisionInput(InputSchema):
    approve = Verdict("approved", "refused", error=OUTCOME_ERROR, data_key="outcome", required=True,
                      metadata={"label": T("审批结果", "Outcome")})
    reason = Text(REASON_MAX, load_default="", metadata={
        "label": T("审批意见", "Note"), "description": f"required (at least {plan.MIN_REASON} characters) when refused"})


SET_PLAN = declare("plan.set", A.plan_edit, PlanInput, plan.set_plan, T("编写实施计划", "Write the project's plan"))
TASK_STATUS = declare("plan.task_status", A.plan_edit, TaskStatusInput, plan.set_task_status,
                      T("更新任务进度", "Update a task's progress"))
REVISE_PLAN = declare("plan.revise", A.change_request, PlanRevisionInput, plan.request_revision,
                      T("申请调整实施计划", "Request a revision of the plan"))
DECIDE_REVISION = declare("plan.decide_revision", A.change_decide, RevisionDecisionInput, plan.decide_revision,
                          T("审批实施计划调整", "Decide a revision of the plan"))


# -- activity records ------------------------------------------------------------------------------

class ActivityFields(InputSchema):
    """What an activity record says (recorded, or corrected)."""

    held_on = Day(T("活动日期", "Date"), required=True)
    place = fields.String(required=True, validate=validate.Length(min=1, max=PLACE_MAX), metadata={"label": T("活动地点", "Place")})
    content = fields.String(required=True, validate=validate.Length(min=1, max=CONTENT_MAX),
                            metadata={"label": T("活动内容", "What was done")})
    participant_count = Whole(strict=False, required=True, validate=validate.Range(min=0, max=100_000),
                              metadata={"label": T("参加人数", "Participants")})
    participants = fields.List(fields.String(validate=validate.Length(min=1, max=80)), load_default=list,
                               validate=validate.Length(max=activities.MAX_NAMES), metadata={
                                   "label": T("参加人员名单", "Names"),
                                   "description": "one per item: a name, 'name hours' or 'name#registry number hours' "
                                                  "(e.g. '王阿姨 2', '张三#12 1.5'); linked to the people registry"})
    volunteer_hours = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=10), metadata={
        "label": T("志愿服务总时长（小时）", "Volunteer hours in all"),
        "description": "hours, at most one decimal; default: the named participants' hours added up"})
    plan_task_id = Id(strict=False, load_default=None, allow_none=True, metadata={"label": T("所属计划任务", "Plan task")})
    no_task_reason = Text(REASON_MAX, load_default="", metadata={
        "label": T("不属于计划任务的原因", "Why it belongs to no task"),
        "description": f"required (at least {plan.MIN_REASON} characters) without a plan task"})
    # A form's checkbox arrives as a bool (``form_values``), multipart as its word.
    public = fields.Boolean(load_default=False, truthy={True, "true", "on", "1", "yes"},
                           falsy={False, "false", "off", "0", "no", ""},
                            metadata={"label": T("可以公开展示", "May be shown publicly")})

    @pre_load
    def _none_when_blank(self, data, **kwargs):
        """A multipart body or a form has no null: an optional value sent empty, or as the word
        ``null`` (what JSON-minded clients send for the document's ``nullable``), means none."""
        if not isinstance(data, Mapping):  # a form, multipart, or a JSON object; anything else the schema refuses
            return data
        blank = [key for key in NULLABLE if isinstance(data.get(key), str) and data.get(key).strip() in ("", "null")]
        if blank:
            data = {key: data[key] for key in data if key not in blank}
        return data


class ActivityInput(ActivityFields):
    """Sent as multipart/form-data: the photos and the sign-in sheet travel with the record."""

    photos = fields.List(FileField(), load_default=list, metadata={
        "label": T("活动照片", "Photos"), "description": f"JPEG or PNG, at most {activities.MAX_PHOTOS}; stored without "
                                                         "location or camera data, with a thumbnail"})
    sign_in_sheet = OptionalFile(load_default=None, allow_none=True, metadata={
        "label": T("签到表", "Sign-in sheet"), "description": "the photographed or scanned sheet (JPEG, PNG or PDF)"})


NULLABLE = ("plan_task_id", "volunteer_hours", "sign_in_sheet")


def _upload(file: FileStorage) -> activities.Upload:
    return file.filename or "", file.stream


def record_activity(ctx, project_id: int, held_on, place: str, content: str, participant_count: int,
                    participants=(), volunteer_hours=None, plan_task_id=None, no_task_reason: str = "",
                    public: bool = False, photos=(), sign_in_sheet: FileStorage | None = None, *, storage):
    """``activities.record_activity`` with each upload as its name and stream."""
    return activities.record_activity(
        ctx, project_id, held_on, place, content, participant_count, participants, volunteer_hours, plan_task_id,
        no_task_reason, public, [_upload(f) for f in photos or () if f.filename],
        _upload(sign_in_sheet) if isinstance(sign_in_sheet, FileStorage) and sign_in_sheet.filename else None,
        storage=storage)


RECORD_ACTIVITY = declare("activity.record", A.activity_record, ActivityInput, record_activity,
                          T("登记项目活动", "Record an activity"))


# -- correcting and deleting activity records -------------------------------------------------------

class ActivityEditInput(ActivityFields):
    """The record as it should read: every field of ``ActivityInput`` but the files (added and
    removed on their own). The API sends JSON; the web its form."""


class ActivityDeleteInput(InputSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=REASON_MAX), metadata={
        "label": T("删除原因", "Why it is deleted"),
        "description": f"at least {plan.MIN_REASON} characters; kept in the audit log"})


class ActivityFilesInput(InputSchema):
    """Sent as multipart/form-data."""

    photos = ActivityInput._declared_fields["photos"]
    sign_in_sheet = ActivityInput._declared_fields["sign_in_sheet"]

    @pre_load
    def _none_in_multipart(self, data, **kwargs):
        if isinstance(data.get("sign_in_sheet"), str) and data["sign_in_sheet"].strip() in ("", "null"):
            data = {key: data[key] for key in data if key != "sign_in_sheet"}
        return data


def add_activity_files(ctx, activity_id: int, photos=(), sign_in_sheet: FileStorage | None = None, *, storage):
    """``activity_changes.add_files`` with each upload as its name and stream."""
    return activity_changes.add_files(
        ctx, activity_id, [_upload(f) for f in photos or () if f.filename],
        _upload(sign_in_sheet) if isinstance(sign_in_sheet, FileStorage) and sign_in_sheet.filename else None,
        storage=storage)


EDIT_ACTIVITY = declare("activity.edit", A.activity_edit, ActivityEditInput, activity_changes.edit_activity,
                        T("修改活动记录", "Correct an activity record"))
DELETE_ACTIVITY = declare("activity.delete", A.activity_edit, ActivityDeleteInput, activity_changes.delete_activity,
                          T("删除活动记录", "Delete an activity record"))
ADD_ACTIVITY_FILES = declare("activity.add_files", A.activity_edit, ActivityFilesInput, add_activity_files,
                             T("补充活动照片或签到表", "Add photos or a sign-in sheet to an activity record"))
REMOVE_ACTIVITY_FILE = declare("activity.remove_file", A.activity_edit, None, activity_changes.remove_file,
                               T("删除活动照片或签到表", "Remove a photo or sign-in sheet of an activity record"))


# -- the people registry -------------------------------------------------------------------------

class PersonInput(InputSchema):
    role = fields.String(required=True, validate=validate.OneOf([r.value for r in PersonRole]),
                         metadata={"label": T("名册类别", "Role"), "description": "team, volunteer or beneficiary"})
    name = fields.String(required=True, validate=validate.Length(min=1, max=NAME_MAX), metadata={"label": T("姓名", "Name")})
    gender = fields.String(load_default="", validate=validate.OneOf(["", *people.GENDERS]),
                           metadata={"label": T("性别", "Gender")})
    id_number = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=30), metadata={
        "label": T("身份证号码", "ID number"), "description": "18 characters with the GB 11643 check digit; optional"})
    mobile = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=20), metadata={
        "label": T("手机号码", "Mobile"), "description": "11 digits, 1[3-9]…; optional"})
    address = Text(100, load_default="", metadata={"label": T("楼组 / 门牌", "Building or door"),
                                                   "description": "within the neighbourhood; not a full address"})
    duty = Text(200, load_default="", metadata={"label": T("分工或服务内容", "Task in the team, or service received"),
                                                "description": "no health details"})
    skills = Text(200, load_default="", metadata={"label": T("特长", "Skills")})
    consent = Flag(load_default=False, metadata={"label": T("本人同意登记", "Consented to be registered")})
    consent_on = Day(T("同意日期", "Consent date"), load_default=None, allow_none=True)
    consent_note = Text(200, load_default="", metadata={"label": T("同意方式", "How consent was given"),
                                                        "description": "e.g. 签署同意书"})


ADD_PERSON = declare("person.add", A.person_record, PersonInput, people.add_person,
                     T("登记名册人员", "Add a person to the registry"))
REMOVE_PERSON = declare("person.remove", A.person_record, None, people.remove_person,
                        T("从名册删除人员", "Remove a person from the registry"))
