"""Applications: the operations on a project from its creation to its decision and its changes
(create, forms, budget, attachments, submit, withdraw, endorse, score, decide, change requests).

Each schema here is what both the API (``core.api.projects``, ``review``, ``endorsements``,
``changes``) and the web (``core.web.projects``, ``review``, ``endorsement``) parse their input
with; each operation calls its service. The schemas keep the names the OpenAPI document has
always given them (``CreateProject``, ``BudgetInput``, ...), so clients are not broken by the move.

An uploaded file arrives as one value (``file``, ``stamp``); the services take its name and its
stream, so that the CLI, the demo and the tests call them without a web request: the two small
functions below hand an upload to its service, and nothing else."""
from __future__ import annotations

from typing import BinaryIO

from marshmallow import INCLUDE, ValidationError, fields, validate
from flask_smorest.fields import Upload
from werkzeug.datastructures import FileStorage

from core.door.fields import FileField, Flag, Id, InputSchema, OverrideReason, Verdict, Whole, Yuan
from core.door.operations import declare
from core.i18n import T
from core.permissions import A
from core.services import changes as change_service
from core.services import endorsement as endorsement_service
from core.services import budget_rows, projects, review

# -- creating and filling in ---------------------------------------------------------------------------


class CreateProjectSchema(InputSchema):
    programme_id = Id(required=True)
    applicant_unit_id = Id(required=True, metadata={"description": "a unit the user may apply for"})
    track = fields.String(required=True, validate=validate.Length(min=1, max=64))
    title = fields.String(required=True, validate=validate.Length(
        min=projects.TITLE_MIN, max=projects.TITLE_MAX, error=f"{projects.TITLE_RULE.zh} | {projects.TITLE_RULE.en}"),
        metadata={"description": "spaces around it are not counted", "label": T("项目名称", "Title")})


class FormDataSchema(InputSchema):
    """The form's fields, validated by the policy's schema for the form (see the programme's
    ``forms[].fields``); every bad field is named at once."""

    class Meta:
        unknown = INCLUDE


class BudgetItemInputSchema(InputSchema):
    description = fields.String(required=True, validate=validate.Length(min=1, max=projects.BUDGET_DESCRIPTION_MAX))
    amount = Yuan(required=True)
    category = fields.String(allow_none=True, validate=validate.Length(max=budget_rows.CATEGORY_MAX), metadata={
        "label": T("预算类别", "Category"),
        "description": "one of the programme's budget_categories where its policies list them (their rules judge it)"})


class BudgetInputSchema(InputSchema):
    items = fields.List(fields.Nested(BudgetItemInputSchema), required=True,
                        validate=validate.Length(max=projects.MAX_BUDGET_ITEMS),
                        metadata={"description": "replaces every item", "label": T("预算明细", "Budget items")})


class AttachmentUploadSchema(InputSchema):
    kind = fields.String(required=True, validate=validate.Length(min=1, max=64),
                         metadata={"description": "one of the programme's attachment_kinds",
                                   "label": T("附件类别", "Kind")})
    file = FileField(required=True, error_messages={"required": "请选择要上传的文件 | Choose a file to upload"},
                     metadata={"label": T("文件", "File")})


def attach(ctx, project_id: int, kind: str, file: FileStorage, *, storage):
    """``projects.attach`` with the upload's name and stream."""
    return projects.attach(ctx, project_id, kind, file.filename or "", file.stream, storage)


CREATE = declare("project.create", A.project_apply, CreateProjectSchema, projects.create_project,
                 T("开始申报项目（草稿）", "Start a draft application"))
SAVE_FORM = declare("project.save_form", A.project_apply, FormDataSchema, projects.save_form,
                    T("保存申报表", "Save one of the policy's forms"))
SET_BUDGET = declare("project.budget", A.project_apply, BudgetInputSchema, projects.set_budget,
                     T("保存项目预算", "Replace the budget items"))
ATTACH = declare("project.attach", A.project_apply, AttachmentUploadSchema, attach,
                 T("上传附件", "Attach a file"))
SUBMIT = declare("project.submit", A.project_apply, None, projects.submit, T("提交申报", "Submit for review"))
WITHDRAW = declare("project.withdraw", A.project_apply, None, projects.withdraw, T("撤回项目", "Withdraw"))


# -- endorsement -----------------------------------------------------------------------------------------

ENDORSE_OUTCOME_ERROR = "结果只能是：endorsed（审核盖章）、returned（退回修改） | The outcome must be endorsed or returned"


class OptionalFile(Upload):
    """A file that may be left out; an empty file input (no file chosen) counts as none."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, FileStorage):
            return value if value.filename else None
        if value in (None, ""):
            return None
        raise ValidationError("请上传文件（multipart/form-data） | Send a file (multipart/form-data)")


class EndorsementJsonSchema(InputSchema):
    """The body as JSON: no file can travel in it (send multipart to upload the stamp page)."""

    outcome = fields.String(required=True, validate=validate.OneOf(endorsement_service.OUTCOMES,
                                                                   error=ENDORSE_OUTCOME_ERROR))
    reason = fields.String(load_default="", validate=validate.Length(max=4000), metadata={
        "description": f"required (at least {endorsement_service.MIN_REASON} characters) when returned"})
    stamp = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=0), metadata={
        "description": "null or empty in JSON: a stamp page is uploaded as multipart/form-data"})
    override_reason = OverrideReason()


class EndorsementInputSchema(EndorsementJsonSchema):
    """The body as JSON or multipart, as the endpoint reads it (and the web's form)."""

    stamp = OptionalFile(load_default=None, allow_none=True, metadata={
        "description": "the scanned stamp page (PDF, JPEG or PNG); multipart only"})


def endorse(ctx, project_id: int, outcome: str, reason: str = "", stamp: FileStorage | str | None = None,
            override_reason: str | None = None, *, storage):
    """``endorsement.endorse`` with the stamp page's name and stream, if one was uploaded (JSON
    sends none: an empty ``stamp``)."""
    has_file = isinstance(stamp, FileStorage) and bool(stamp.filename)
    stream: BinaryIO | None = stamp.stream if has_file else None
    return endorsement_service.endorse(ctx, project_id, outcome, reason,
                                       stamp_filename=stamp.filename if has_file else None, stamp_stream=stream,
                                       storage=storage, override_reason=override_reason)


ENDORSE = declare("project.endorse", A.project_endorse, EndorsementInputSchema, endorse,
                  T("审核盖章或退回申报", "Endorse (stamp) or return an application"))


# -- review ------------------------------------------------------------------------------------------------

DECISION_OUTCOME_ERROR = ("评审结果只能是：approved（通过）、rejected（不通过）、returned（退回修改） | "
                          "The outcome must be approved, rejected or returned")


class ScoreInputSchema(InputSchema):
    points = fields.Dict(keys=fields.String(), values=Whole(), required=True, metadata={
        "description": "criterion key → points (0..max_points of the rubric)", "label": T("评分", "Points")})
    comment = fields.String(load_default="", validate=validate.Length(max=review.COMMENT_MAX),
                            metadata={"label": T("评审意见", "Comments")})


class DecisionInputSchema(InputSchema):
    outcome = fields.String(required=True, validate=validate.OneOf(review.OUTCOMES, error=DECISION_OUTCOME_ERROR),
                            metadata={"label": T("评审结果", "Outcome")})
    explanation = fields.String(load_default="", validate=validate.Length(max=4000), metadata={
        "description": f"required (at least {review.MIN_EXPLANATION} characters) unless approved"})
    approved_amount = Yuan(load_default=None, allow_none=True,
                           metadata={"description": "yuan; default: the amount requested"})
    approvals = fields.List(fields.String(validate=validate.Length(min=1, max=64)), load_default=list,
                            metadata={"description": "codes of 'needs approval' problems the panel approves explicitly"})
    details = fields.Dict(keys=fields.String(), values=fields.Dict(),
                          load_default=dict, metadata={
                              "description": "with an approval: the policy's decision forms by key (the programme's "
                                             "decision_forms), e.g. {\"selection\": {\"tier\": \"quanzhou\"}}"})
    override_reason = OverrideReason()
    confirm_missing_scores = Flag(load_default=None, allow_none=True, metadata={
        "label": T("确认在缺少评分的情况下作出决定", "Decide although some panel members have not scored"),
        "description": "while panel members have not scored: true decides anyway, false is refused "
                       "(scores_missing_unconfirmed) so the person can confirm; omitted decides without asking. "
                       "Where the policy requires every score, the decision is refused (scores_missing) either way"})


SCORE = declare("review.score", A.review_score, ScoreInputSchema, review.score,
                T("按评分标准评分", "Score by the rubric"))
DECIDE = declare("review.decide", A.review_decide, DecisionInputSchema, review.decide,
                 T("作出评审决定", "Decide an application"))


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
