"""Money: the operations on funds, monthly fund requests and their batches, sponsors and pledges
(file, withdraw, supervise, accept, refuse, disburse, spend, refund; approve and disburse a batch;
find a policy's fund, allocate, transfer, correct; register a sponsor, open a co-governance fund,
pledge and claim, receive).

Each schema here is what both the API (``core.api.fund_requests``, ``fund_request_batches``,
``funds``, ``sponsors``) and the web (``core.web.fund_requests``, ``money``, ``sponsors``) parse
their input with; each operation calls its service. The limits (lengths, patterns) are the
services' own constants, so the OpenAPI document states what the services enforce; what needs
the database (an amount within the approved money, a claim on an announced project) stays in the
service. Each field carries its ``label``, so a refusal names it in words on the page and in the
API's message alike."""
from __future__ import annotations

from marshmallow import fields, validate

from core.door.fields import FileField, Id, InputSchema, Month, RecordKey, RequestKey, Text, Verdict, Yuan
from core.door.operations import declare
from core.i18n import T
from core.models import SponsorKind
from core.permissions import A
from core.services import calendar, funds, ledger, pledges
from core.services import fund_requests as requests

OUTCOME_ERROR = "结果只能是：approved（同意）、refused（不同意） | The outcome must be approved or refused"


def OverrideReason(doing: str) -> fields.String:
    """Why an action is taken outside the window its policy's calendar gives it: only the role a
    phase names as its approver may, with a reason (``core.services.calendar``)."""
    return fields.String(load_default=None, allow_none=True, validate=validate.Length(max=calendar.MAX_REASON), metadata={
        "label": T("时段外办理的理由", "Reason for acting outside the window"),
        "description": f"{doing} outside the phase its policy gives it: the reason of the role the phase names as "
                       f"approver ({calendar.MIN_REASON}-{calendar.MAX_REASON} characters); omit inside the phase"})


def Memo(**kwargs) -> fields.String:
    if not kwargs.get("required"):
        kwargs.setdefault("load_default", "")
    metadata = {"label": T("摘要", "Memo"), **kwargs.pop("metadata", {})}
    return fields.String(validate=validate.Length(max=ledger.MEMO_MAX), metadata=metadata, **kwargs)


# -- monthly fund requests -----------------------------------------------------------------------

class FundRequestInput(InputSchema):
    project_id = Id(required=True, metadata={"label": T("项目", "Project"),
                                             "description": "an approved project of the caller's unit"})
    amount = Yuan(required=True, metadata={"label": T("申请金额", "Amount")})
    purpose = Text(requests.TEXT_MAX, required=True, metadata={"label": T("用途", "Purpose"), "description": "用途"})
    beneficiaries = Text(requests.TEXT_MAX, load_default="", metadata={
        "label": T("使用对象", "Beneficiaries"), "description": "使用对象 (required where the policy says so)"})
    month = Month(load_default=None, allow_none=True, metadata={"label": T("申请月份", "Month")})
    budget_item_id = Id(load_default=None, allow_none=True, metadata={
        "label": T("预算明细", "Budget item"),
        "description": "one of the project's budget items (its id in the project's budget)"})
    override_reason = OverrideReason("filing")
    key = RecordKey("the request's idempotency key: a double click or a retry files it once")


class FundRequestSupervisionInput(InputSchema):
    approve = Verdict("approved", "refused", error=OUTCOME_ERROR, data_key="outcome", required=True,
                      metadata={"label": T("监督委员会意见", "Outcome")})
    note = Text(requests.TEXT_MAX, load_default="", metadata={
        "label": T("审核意见", "Note"),
        "description": f"the committee's note; the reason (at least {requests.MIN_REASON} characters) when refused"})


class FundRequestAcceptanceInput(InputSchema):
    month = Month(load_default=None, allow_none=True, metadata={
        "label": T("编入月度汇总", "Batch month"),
        "description": "put it into this month's batch instead of the month asked for (e.g. when that batch is approved)"})


class FundRequestRefusalInput(InputSchema):
    reason = Text(requests.TEXT_MAX, required=True, metadata={
        "label": T("审核意见", "Reason"),
        "description": f"at least {requests.MIN_REASON} characters; the applicant reads it"})


class FundRequestExpenseInput(InputSchema):
    amount = Yuan(required=True, metadata={"label": T("支出金额", "Amount")})
    memo = Text(requests.TEXT_MAX, required=True, metadata={"label": T("支出说明", "Description"),
                                                         "description": "what was bought"})
    voucher = FileField(required=True, error_messages={"required": "请上传 PDF、JPG 或 PNG 文件 | Upload a PDF, JPG or PNG file"},
                        metadata={"label": T("凭证/发票", "Voucher"),
                                  "description": "the expense's voucher: an invoice or other proof of payment (PDF, JPEG or PNG)"})
    key = RecordKey("the expense's idempotency key: the same amount, memo and voucher sent again under it are recorded once")


class FundRequestRefundInput(InputSchema):
    amount = Yuan(required=True, metadata={"label": T("退回金额", "Amount")})
    memo = Text(requests.TEXT_MAX, load_default="", metadata={"label": T("说明", "Note")})
    key = RecordKey("the refund's idempotency key: the same amount and memo sent again under it are recorded once")


FILE_REQUEST = declare("fund_request.file", A.fund_request_file, FundRequestInput, requests.file_request,
                       T("申请资金", "File a fund request"))
WITHDRAW_REQUEST = declare("fund_request.withdraw", A.fund_request_file, None, requests.withdraw,
                           T("撤回资金申请", "Withdraw a fund request"))
SUPERVISE_REQUEST = declare("fund_request.supervise", A.fund_request_supervise, FundRequestSupervisionInput,
                            requests.supervise, T("监督委员会审核资金申请", "Give the supervision committee's sign-off"))
ACCEPT_REQUEST = declare("fund_request.accept", A.fund_request_accept, FundRequestAcceptanceInput, requests.accept,
                         T("审核资金申请，编入月度汇总", "Accept a fund request into the month's batch"))
# The supervision committee refuses while the request awaits it, the office afterwards: the
# service decides whose turn it is; the office's right is the one the table documents here.
REFUSE_REQUEST = declare("fund_request.refuse", A.fund_request_accept, FundRequestRefusalInput, requests.refuse,
                         T("退回资金申请", "Refuse a fund request"))
DISBURSE_REQUEST = declare("fund_request.disburse", A.fund_request_accept, None, requests.disburse,
                           T("登记拨付", "Record a request's disbursement"))
RECORD_EXPENSE = declare("fund_request.record_expense", A.fund_request_file, FundRequestExpenseInput,
                         requests.record_expense, T("登记支出及凭证", "Record spending with its voucher"))
REFUND = declare("fund_request.refund", A.fund_request_refund, FundRequestRefundInput, requests.record_refund,
                 T("登记退回", "Record a refund"))

# -- the monthly batches -------------------------------------------------------------------------

APPROVE_BATCH = declare("batch.approve", A.batch_approve, None, requests.approve_batch,
                        T("审批月度汇总", "Approve a monthly batch"))
DISBURSE_BATCH = declare("batch.disburse", A.fund_request_accept, None, requests.disburse_batch,
                         T("登记月度汇总的拨付", "Record a batch's disbursement"))

# -- funds ---------------------------------------------------------------------------------------

FUND_KEY = "idempotency key, unique per request (spaces around it are dropped)"


class PolicyFundInput(InputSchema):
    programme_id = Id(required=True, metadata={"label": T("年度项目", "Programme")})
    org_unit_id = Id(required=True, metadata={"label": T("单位", "Unit"), "description": "the unit that owns the fund"})
    # The service calls it the fund's key; the API has always called the field "fund".
    key = fields.String(required=True, data_key="fund", validate=validate.Length(min=1, max=64), metadata={
        "label": T("资金", "Fund"), "description": "the policy's fund key, e.g. pool, line"})


class AllocationInput(InputSchema):
    amount = Yuan(required=True, metadata={"label": T("金额", "Amount")})
    key = RequestKey(ledger.KEY_MAX, metadata={"description": FUND_KEY})
    memo = Memo()


class TransferInput(AllocationInput):
    from_fund_id = Id(required=True, metadata={"label": T("调出资金", "From fund")})
    to_fund_id = Id(required=True, metadata={"label": T("调入资金", "To fund")})


class CorrectionInput(InputSchema):
    key = RequestKey(ledger.KEY_MAX, metadata={"description": FUND_KEY})
    memo = Memo(required=True, metadata={"label": T("更正理由", "Reason"),
                                                           "description": "why: the correction's reason"})
    amount = Yuan(load_default=None, allow_none=True, metadata={"label": T("金额", "Amount"),
                                                                "description": "default: the whole entry"})


POLICY_FUND = declare("fund.policy_fund", A.fund_manage, PolicyFundInput, funds.policy_fund,
                      T("查找或设立政策规定的资金", "Find (or set up) a fund the policy names"))
ALLOCATE = declare("fund.allocate", A.fund_manage, AllocationInput, funds.allocate, T("拨入资金", "Allocate money"))
TRANSFER = declare("fund.transfer", A.fund_manage, TransferInput, funds.transfer,
                   T("调剂资金", "Transfer money between funds"))
CORRECT = declare("fund.correct", A.fund_manage, CorrectionInput, funds.correct,
                  T("更正记账条目", "Correct a ledger entry"))

# -- sponsors and pledges ------------------------------------------------------------------------


KIND_ERROR = (f"应为以下之一：{'、'.join(f'{k.label.zh}（{k.value}）' for k in SponsorKind)} | "
              f"must be one of {', '.join(k.value for k in SponsorKind)}")


class SponsorInput(InputSchema):
    org_unit_id = Id(required=True, metadata={"label": T("结对单位", "Unit")})
    name = fields.String(required=True, validate=validate.Length(max=pledges.NAME_MAX),
                         metadata={"label": T("单位名称", "Name")})
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in SponsorKind], error=KIND_ERROR),
                         metadata={"label": T("单位类型", "Kind")})
    contact = fields.String(load_default="", validate=validate.Length(max=pledges.CONTACT_MAX),
                            metadata={"label": T("联系人及电话", "Contact")})
    user_id = Id(load_default=None, allow_none=True, metadata={"label": T("登录账号", "Login"),
                                                               "description": "the login that represents it"})


class SponsorFundInput(InputSchema):
    programme_id = Id(required=True, metadata={"label": T("年度项目", "Programme")})
    org_unit_id = Id(required=True, metadata={"label": T("单位", "Unit"),
                                              "description": "the unit whose co-governance fund it is"})


class PledgeInput(InputSchema):
    sponsor_id = Id(required=True, metadata={"label": T("共建单位", "Sponsor")})
    fund_id = Id(required=True, metadata={"label": T("共治金", "Fund"),
                                          "description": "a co-governance fund (sponsor_fund)"})
    amount = Yuan(required=True, metadata={"label": T("认捐金额", "Amount"),
                                           "description": "yuan promised; \"0\" with in_kind for resources only"})
    in_kind = fields.String(load_default="", validate=validate.Length(max=pledges.IN_KIND_MAX),
                            metadata={"label": T("提供的实物或资源", "In kind")})
    project_id = Id(load_default=None, allow_none=True, metadata={"label": T("认领项目", "Claimed project"),
                                                                  "description": "the announced project claimed"})
    occasion = fields.String(load_default="", validate=validate.Length(max=pledges.OCCASION_MAX),
                             metadata={"label": T("认捐场合", "Occasion")})
    pledged_on = fields.String(load_default=None, allow_none=True, metadata={
        "label": T("认捐日期", "Date"), "format": "date",
        "description": "YYYY-MM-DD; default: today; not after today (read by the service, which names it)"})
    key = RequestKey(pledges.KEY_MAX, metadata={"description": "idempotency key chosen by the client"})
    override_reason = OverrideReason("a claim recorded (e.g. after the council meeting)")


class ReceiptInput(InputSchema):
    amount = Yuan(required=True, metadata={"label": T("到账金额", "Amount received")})
    key = RequestKey(pledges.KEY_MAX, metadata={"description": "idempotency key: a retry with the same key records nothing new"})
    memo = Memo()


REGISTER_SPONSOR = declare("sponsor.register", A.sponsor_register, SponsorInput, pledges.register_sponsor,
                           T("登记共建单位", "Register a sponsor"))
OPEN_SPONSOR_FUND = declare("sponsor_fund.open", A.pledge_record, SponsorFundInput, pledges.open_fund,
                            T("设立共治金台账", "Set up a co-governance fund"))
PLEDGE = declare("pledge.record", A.pledge_record, PledgeInput, pledges.pledge,
                 T("登记认捐（及认领）", "Record a pledge (and a claim)"))
RECEIVE = declare("pledge.receive", A.pledge_record, ReceiptInput, pledges.receive,
                  T("登记认捐到账", "Record money received for a pledge"))
