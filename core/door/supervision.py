"""Supervision and the close-out: the operations on an approved project's supervision (assign a
commissioned organisation, record a visit with its checklist answers and rectifications),
on its rectifications (the owner reports, the office accepts or returns), on its archive (add a
document) and its close-out (结项).

Each schema is what both the API (``core.api.supervision``, ``core.api.closeout``) and the web
(``core.web.supervision``, ``core.web.closeout``) parse their input with; the lengths are the
services' own constants. What needs the database (an item of the checklists that apply, a date
after the approval, a login commissioned above the project) stays in the service."""
from __future__ import annotations

from marshmallow import fields, validate

from core.door.fields import FileField, Id, InputSchema, Text, Verdict
from core.door.operations import declare
from core.i18n import T
from core.models.supervision import Answer, VisitKind, VisitMethod
from core.permissions import A
from core.services import archive, closeout, supervision

KEY_MAX = 64  # a checklist item's or an attachment kind's key, as a policy declares it


def _choice(enum_cls, label) -> validate.OneOf:
    words = "、".join(f"{m.label.zh}（{m.value}）" for m in enum_cls)
    return validate.OneOf([m.value for m in enum_cls], error=f"{label}应为以下之一：{words} | must be one of "
                                                            f"{', '.join(m.value for m in enum_cls)}")


class AssignmentInput(InputSchema):
    user_id = Id(required=True, metadata={"label": T("督导机构账号", "Organisation's login"),
                                          "description": "a login holding the commissioned organisation's role above the project"})


class ChecklistAnswerInput(InputSchema):
    item = fields.String(required=True, validate=validate.Length(min=1, max=KEY_MAX), metadata={
        "label": T("检查项", "Checklist item"), "description": "an item key of a checklist that applies to the project"})
    answer = fields.String(required=True, validate=_choice(Answer, "检查结果"), metadata={"label": T("检查结果", "Answer")})
    note = Text(supervision.NOTE_MAX, load_default="", metadata={
        "label": T("说明", "Note"), "description": "what was found; required when the answer is not_met"})


class RectificationInput(InputSchema):
    description = Text(supervision.TEXT_MAX, required=True, metadata={
        "label": T("整改事项", "What to put right"), "description": f"at least {supervision.MIN_TEXT} characters"})
    due_on = fields.Date(required=True, metadata={
        "label": T("整改期限", "Due"), "description": f"after the visit, within {supervision.DUE_WITHIN_DAYS} days of it"})
    item = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=KEY_MAX), metadata={
        "label": T("对应检查项", "Checklist item"), "description": "the checklist item it follows from, if any"})


class VisitInput(InputSchema):
    visited_on = fields.Date(required=True, metadata={
        "label": T("督导日期", "Date"), "description": "not after today, not before the project's approval"})
    kind = fields.String(required=True, validate=_choice(VisitKind, "督导类型"), metadata={"label": T("督导类型", "Kind")})
    method = fields.String(load_default=VisitMethod.visit.value, validate=_choice(VisitMethod, "督导方式"),
                           metadata={"label": T("督导方式", "How")})
    visitors = Text(supervision.VISITORS_MAX, required=True, metadata={
        "label": T("督导人员", "Who visited"), "description": "who went, and for whom (the office or the organisation)"})
    observed = Text(supervision.TEXT_MAX, required=True, metadata={
        "label": T("督导情况", "What was seen"), "description": f"at least {supervision.MIN_TEXT} characters"})
    advice = Text(supervision.TEXT_MAX, load_default="", metadata={"label": T("意见建议", "Advice")})
    checklist = fields.List(fields.Nested(ChecklistAnswerInput), load_default=list,
                            validate=validate.Length(max=supervision.MAX_ITEMS), metadata={
                                "label": T("检查表", "Checklist"),
                                "description": "answers to the items of the checklists that apply (a mid-term visit answers every item)"})
    rectifications = fields.List(fields.Nested(RectificationInput), load_default=list,
                                 validate=validate.Length(max=supervision.MAX_ITEMS), metadata={
                                     "label": T("整改事项", "Rectifications"),
                                     "description": "what the applicant must put right, each with its due date"})


class RectificationReportInput(InputSchema):
    report = Text(supervision.TEXT_MAX, required=True, metadata={
        "label": T("整改情况", "What was done"), "description": f"at least {supervision.MIN_TEXT} characters"})


class RectificationAcceptanceInput(InputSchema):
    accept = Verdict("accepted", "returned", data_key="outcome", required=True,
                     error="结果只能是：accepted（确认完成）、returned（退回） | The outcome must be accepted or returned",
                     metadata={"label": T("确认结果", "Outcome")})
    note = Text(supervision.NOTE_MAX, load_default="", metadata={
        "label": T("意见", "Note"), "description": f"the reason (at least {supervision.MIN_TEXT} characters) when returned"})


class ArchiveDocumentInput(InputSchema):
    kind = fields.String(required=True, validate=validate.Length(min=1, max=KEY_MAX), metadata={
        "label": T("材料类别", "Kind"), "description": "a kind the project's archive asks for as attachments"})
    file = FileField(required=True, error_messages={"required": "请上传 PDF、JPG、PNG 或 Word 文件 | Upload a PDF, JPG, PNG or Word file"},
                     metadata={"label": T("文件", "File"), "description": "PDF, JPEG, PNG or Word (.docx)"})


class CloseoutInput(InputSchema):
    summary = Text(supervision.TEXT_MAX, required=True, metadata={
        "label": T("结项意见", "Close-out summary"), "description": f"at least {supervision.MIN_TEXT} characters"})


ASSIGN = declare("supervision.assign", A.supervision_assign, AssignmentInput, supervision.assign,
                 T("指派受委托专业机构督导项目", "Assign a project to a commissioned organisation"))
UNASSIGN = declare("supervision.unassign", A.supervision_assign, AssignmentInput, supervision.unassign,
                   T("结束专业机构对项目的督导指派", "End an organisation's assignment to a project"))
RECORD_VISIT = declare("supervision.visit", A.supervision_visit, VisitInput, supervision.record_visit,
                       T("记录督导（检查表、整改事项）", "Record a supervision visit (checklist, rectifications)"))
REPORT_RECTIFICATION = declare("rectification.report", A.rectification_report, RectificationReportInput,
                               supervision.report, T("报告整改完成情况", "Report what was done"))
ACCEPT_RECTIFICATION = declare("rectification.accept", A.rectification_accept, RectificationAcceptanceInput,
                               supervision.accept, T("确认整改完成或退回", "Accept or return a rectification"))
UPLOAD_DOCUMENT = declare("archive.upload", A.archive_upload, ArchiveDocumentInput, archive.upload,
                          T("上传项目档案材料", "Add a document to the archive"))
CLOSE_PROJECT = declare("project.close", A.project_close, CloseoutInput, closeout.close,
                        T("项目结项", "Close a project"))
