"""Applications: the operations on a project from its creation to its decision and its changes
(create, forms, budget, attachments, submit, withdraw, endorse, score, decide, change requests).

Each schema here is what both the API (``core.api.projects``, ``review``, ``endorsements``,
``changes``) and the web (``core.web.projects``, ``review``, ``endorsement``) parse their input
with; each operation calls its service."""
from __future__ import annotations

from marshmallow import fields, validate

from core.door.fields import InputSchema, Verdict
from core.door.operations import declare
from core.i18n import T
from core.permissions import A
from core.services import changes as change_service

# -- change requests -----------------------------------------------------------------------------

CHANGE_DECISION_ERROR = "结果只能是：approved（同意）、refused（不同意） | The outcome must be approved or refused"


class ChangeRequestInput(InputSchema):
    reason = fields.String(required=True, validate=validate.Length(max=4000), metadata={
        "description": f"why (at least {change_service.MIN_REASON} characters)"})
    proposed_track = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=64),
                                   metadata={"description": "a new project type (track key); omit to keep it"})
    proposed_forms = fields.Dict(keys=fields.String(), values=fields.Dict(),
                                 load_default=dict, metadata={
                                     "description": "form key → the form's full new data, validated by the form's schema"})


class ChangeDecisionInput(InputSchema):
    approve = Verdict("approved", "refused", error=CHANGE_DECISION_ERROR, data_key="outcome", required=True)
    reason = fields.String(load_default="", validate=validate.Length(max=4000), metadata={
        "description": f"required (at least {change_service.MIN_REASON} characters) when refused"})


REQUEST_CHANGE = declare("change.request", A.change_request, ChangeRequestInput, change_service.request_change,
                         T("申请项目变更", "Request a change to an approved project"))
DECIDE_CHANGE = declare("change.decide", A.change_decide, ChangeDecisionInput, change_service.decide_change,
                        T("审批项目变更", "Decide a change request"))
