"""Reporting: the operations on obligations (应交事项) and their reports: write a report (save the
draft), hand it in, accept it or return it with reasons, and issue a 通报 on a late unit.

Each schema here is what both the API (``core.api.obligations``) and the web
(``core.web.reporting``) parse their input with; each operation calls its service in
``core.services.obligations.reports``. The report's own fields are the policy's form (the
obligation's schema), which the service validates, naming each field as ``body.<field>``; the
rules that need the database and the calendar (who owes it, whether the period is open, whether
it was handed in already) stay in the service."""
from __future__ import annotations

from marshmallow import fields, validate

from core.door.fields import InputSchema, Text
from core.door.operations import declare
from core.i18n import T
from core.permissions import A
from core.services.obligations import reports


class ReportInput(InputSchema):
    body = fields.Dict(keys=fields.String(), required=True, metadata={
        "label": T("报告内容", "Report"),
        "description": "the form's fields (the item's form); a list of rows (e.g. each pilot) sends its editable fields "
                       "with its key, the rest is filled from what the platform knows"})


class SubmissionInput(InputSchema):
    body = fields.Dict(keys=fields.String(), load_default=None, allow_none=True, metadata={
        "label": T("报告内容", "Report"),
        "description": "optional: save this body first, then hand it in; omit to hand in the saved draft"})


class ReturnInput(InputSchema):
    reason = Text(reports.TEXT_MAX, required=True, metadata={
        "label": T("退回理由", "Reason"),
        "description": f"at least {reports.MIN_REASON} characters; the writers read it"})


class AcceptInput(InputSchema):
    note = Text(reports.TEXT_MAX, load_default="", metadata={"label": T("审核意见", "Note")})


class NoticeInput(InputSchema):
    text = fields.String(required=True, validate=validate.Length(max=reports.TEXT_MAX), metadata={
        "label": T("通报内容", "Notice"),
        "description": f"at least {reports.MIN_REASON} characters: what the late unit is told"})


SAVE_REPORT = declare("report.save", A.obligation_report, ReportInput, reports.save,
                      T("填写报告（保存草稿）", "Write a report (save the draft)"))
SUBMIT_REPORT = declare("report.submit", A.obligation_report, SubmissionInput, reports.submit,
                        T("提交报告", "Hand a report in"))
RETURN_REPORT = declare("report.return", A.obligation_review, ReturnInput, reports.return_report,
                        T("退回报告", "Return a report with reasons"))
ACCEPT_REPORT = declare("report.accept", A.obligation_review, AcceptInput, reports.accept,
                        T("审核通过报告", "Accept a report"))
ISSUE_NOTICE = declare("obligation.notice", A.obligation_review, NoticeInput, reports.issue_notice,
                       T("通报逾期未交的单位", "Issue a notice on a late unit"))
