"""What the caller may do now with a fund request and with a monthly batch (see
``core.services.actions``): the API's ``actions`` fields and the web's buttons both come from
``request_offers`` / ``batch_offers``, which ask the permission table and then the object's state
and money, as the guards of ``core.services.fund_requests`` do when the action is taken.

Lists pass what they have already loaded (the policy's rules per project, the requests' money,
the batches' totals and the leader's authority per street), so a page of rows costs no query
per row."""
from __future__ import annotations

from core.i18n import T, Text
from core.models import FundRequest, FundRequestBatch, Project, ProjectState
from core.models.fund_request import BatchState, FundRequestState
from core.money import money_text
from core.permissions import A
from core.plugin_host.contributions import FundRequestRules
from core.services import calendar
from core.services import fund_requests as service
from core.services.actions import Offer, Offers, offer
from core.services.context import Ctx

S = FundRequestState
# The operations on a request, in the order pages show them; each is an endpoint of
# core.api.fund_requests (record_expense: /expenses, refund: /refunds).
REQUEST_ACTIONS = ("withdraw", "supervise", "accept", "refuse", "disburse", "record_expense", "refund")
BATCH_ACTIONS = ("approve", "disburse")


def file_offer(ctx: Ctx, project: Project) -> Offer:
    """Whether the caller may file a fund request for ``project`` now (its approved money, inside
    the window the policy's calendar gives filing: the same check ``file_request`` makes)."""
    window = calendar.check(ctx, project.programme, A.fund_request_file, project)
    return offer(ctx, "file_fund_request", A.fund_request_file, project.applicant_unit,
                 now=project.state == ProjectState.approved.value,
                 not_now=T(f"项目当前状态为「{project.state_enum.label.zh}」，只有已立项的项目可以申请资金",
                           f"The project is {project.state_enum.label.en}; only approved projects may request money"),
                 blocked=None if window.allowed else window.violation.message)


def file_override(ctx: Ctx, project: Project) -> bool:
    """Whether the caller, refused by the calendar, may still file for ``project`` giving a
    reason (``override_reason``): the filing form then asks for it."""
    return calendar.may_override(ctx, project.programme, A.fund_request_file, project)


def _state(req: FundRequest, doing: Text) -> Text:
    label = req.state_enum.label
    return T(f"资金申请当前状态为「{label.zh}」，不能{doing.zh}", f"The fund request is {label.en}; it cannot be {doing.en}")


def request_offers(ctx: Ctx, req: FundRequest, *, rules: FundRequestRules | None = None,
                   money: service.RequestMoney | None = None) -> Offers:
    """The caller's offers on ``req``. ``rules``: the policy's fund request rules for its
    project; ``money``: what the ledger holds for it (both read when not given)."""
    project = req.project
    unit = project.applicant_unit
    rules = rules if rules is not None else service.rules_of(ctx, project)
    if money is None:
        money = service.request_money(ctx, project.id).get(req.id, service.RequestMoney())
    state = req.state
    supervising = rules.supervision and state == S.submitted.value
    awaits_committee = T(f"该申请尚未经{rules.supervision_label.zh}，街道暂不能审核",
                         f"It has not had its {rules.supervision_label.en} yet, so the office cannot act on it")
    not_approved = (T(f"项目当前状态为「{project.state_enum.label.zh}」，不能再拨付资金",
                      f"The project is {project.state_enum.label.en}; it can no longer receive money")
                    if project.state != ProjectState.approved.value else None)
    nothing_left = (T("该申请拨付的资金已全部支出", "All the money this request brought is spent")
                    if money.unspent <= 0 else None)
    # Refusing while the committee has not looked is the committee's to do (the office waits).
    refuser = A.fund_request_supervise if supervising and ctx.can(A.fund_request_supervise, unit) else A.fund_request_accept
    return Offers([
        offer(ctx, "withdraw", A.fund_request_file, unit, now=state == S.submitted.value,
              not_now=_state(req, T("撤回（已有人审核）", "withdrawn (someone has acted on it)"))),
        offer(ctx, "supervise", A.fund_request_supervise, unit, now=supervising,
              not_now=(_state(req, rules.supervision_label) if rules.supervision else
                       T("本年度项目的资金申请不需要监督委员会审核", "This programme's fund requests have no supervision step"))),
        offer(ctx, "accept", A.fund_request_accept, unit, now=state in (S.submitted.value, S.supervised.value),
              not_now=_state(req, T("审核", "accepted")),
              blocked=awaits_committee if supervising else not_approved),
        offer(ctx, "refuse", refuser, unit, now=state in (S.submitted.value, S.supervised.value, S.accepted.value),
              not_now=_state(req, T("退回", "refused")),
              blocked=awaits_committee if supervising and refuser is A.fund_request_accept else None),
        offer(ctx, "disburse", A.fund_request_accept, unit, now=state == S.approved.value,
              not_now=_state(req, T("拨付（须先经领导审批）", "disbursed (a leader must approve it first)"))),
        offer(ctx, "record_expense", A.fund_request_file, unit, now=state == S.disbursed.value,
              not_now=_state(req, T("登记支出（须先拨付）", "spent (it must be disbursed first)")), blocked=nothing_left),
        offer(ctx, "refund", A.fund_request_refund, unit, now=state == S.disbursed.value,
              not_now=_state(req, T("登记退回（须先拨付）", "refunded (it must be disbursed first)")), blocked=nothing_left),
    ])


def requests_offers(ctx: Ctx, requests: list[FundRequest], money: dict[int, service.RequestMoney] | None = None
                    ) -> dict[int, Offers]:
    """Offers for each of ``requests`` by request id, reading the policy's rules once per
    project and, unless ``money`` is given (request id → its money), the money once per project."""
    rules: dict[int, FundRequestRules] = {}
    loaded = money is not None
    money = dict(money or {})
    out = {}
    for req in requests:
        if req.project_id not in rules:
            rules[req.project_id] = service.rules_of(ctx, req.project)
            if not loaded:
                money.update(service.request_money(ctx, req.project_id))
        out[req.id] = request_offers(ctx, req, rules=rules[req.project_id],
                                     money=money.get(req.id, service.RequestMoney()))
    return out


def batch_offers(ctx: Ctx, batch: FundRequestBatch, *, total: int | None = None,
                 requests: list[FundRequest] | None = None, authority: tuple[bool, int | None] | None = None) -> Offers:
    """The caller's offers on ``batch``: a street leader's approval within their authority, and
    the office's disbursement of its approved requests. ``total`` (what the leader approves),
    ``requests`` (the batch's) and ``authority`` (``service.authority_fen`` for its street) are
    read when not given."""
    street = batch.street_unit
    requests = service.batch_requests(ctx, batch.id) if requests is None else requests
    total = service.batch_total(ctx, batch, requests) if total is None else total
    is_leader, limit = service.authority_fen(ctx, street) if authority is None else authority
    is_open = batch.state == BatchState.open.value
    state_text = T(f"该月度汇总当前状态为「{BatchState(batch.state).label.zh}」",
                   f"The batch is {BatchState(batch.state).label.en}")
    blocked = None
    if not any(r.state == S.accepted.value for r in requests):
        blocked = T("该汇总中没有待审批的资金申请", "The batch holds no accepted requests")
    elif limit is None:
        blocked = T("您未设置审批权限，请报有权限的领导审批", "You have no authority limit set; a leader with one must approve it")
    elif total > limit:
        blocked = T(f"本月汇总合计 {money_text(total).zh}，超出您的审批权限（{money_text(limit).zh}），请报上级领导审批",
                    f"The batch totals {money_text(total).en}, above your authority ({money_text(limit).en}); "
                    f"a more senior leader must approve it")
    approve = offer(ctx, "approve", A.batch_approve, batch, now=is_open and is_leader, not_now=state_text, blocked=blocked)
    pending = any(r.state == S.approved.value for r in requests)
    disburse = offer(ctx, "disburse", A.fund_request_accept, street, now=batch.state == BatchState.approved.value,
                     not_now=T("该月度汇总尚未经街道领导审批，不能拨付", "The batch is not approved yet, so nothing can be paid"),
                     blocked=None if pending else T("该汇总中的资金申请均已拨付", "Every request of the batch is already paid"))
    return Offers([approve, disburse])
