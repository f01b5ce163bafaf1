"""Monthly fund requests (资金申请) in the web UI:

- a section of the project page (``project_section``, core's answer to ``tongxin_project_panels``): the project's requests with their states
  and the actions open to the viewer (withdraw, supervise, accept, refuse, disburse, record
  spending with a voucher, refund: ``core.services.fund_request_actions`` decides, as it does
  for the API's ``actions``; a step that is the viewer's but not possible now is shown disabled
  with its reason), the form to file a request, and the final accounts (决算表) with its .xlsx
  download;
- the street office's page "资金申请": requests waiting for acceptance, the month's batches, and
  approved requests waiting to be paid;
- a batch's page, where a street leader sees the total against their authority and approves
  it, and the office records the disbursement of the whole batch.

Every POST is an operation of ``core.door.money``: its form is read by the operation's own input
schema (the API's), and it either commits completely or re-renders the page it came from
(``back``: the project page, the office page or the batch page) with each problem beside its field.

The forms that record money (filing, an expense, a refund) carry an idempotency key in a hidden
field, made when the form is rendered and kept when a refused form is shown again: a double click
or a browser's resubmission records once, and its answer is the first's (the same message, the
same page). A form rendered afresh gets a new key.
"""
from __future__ import annotations

import io
import uuid
from dataclasses import dataclass, field

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, send_file, url_for

from core.door import money as door
from core.i18n import T
from core.money import money_text
from core.models import FundRequest, Project, ProjectState
from core.models.fund_request import FundRequestState
from core.permissions import A
from core.plugin_host.contributions import Panel
from core.services import final_accounts as accounts_service
from core.services import fund_request_actions as actions
from core.services import fund_requests as service
from core.services.actions import Offers
from core.services.context import Ctx
from core.services.spreadsheets import XLSX_MIMETYPE
from core.violations import RuleError, Violation
from core.web import project_page, queries
from core.web.context import ctx, forbid_unless, login_required
from core.web.forms import FormErrors, split_errors
from core.web.templating import _t
from core.formats import month_text

bp = Blueprint("fund_requests", __name__, url_prefix="/t/<tenant>")
FILE_FIELDS = ("amount", "purpose", "beneficiaries", "month", "budget_item_id", "override_reason")
ACTION_FIELDS = ("reason", "note", "month")
MONEY_FIELDS = ("amount", "memo", "voucher")
# What a refused money form shows again as sent: its fields and its idempotency key (hidden: a
# refusal of the key itself is shown above the form, not beside a field).
FILE_VALUES, MONEY_VALUES = (*FILE_FIELDS, "key"), ("amount", "memo", "key")
# Each fund request state has its badge class in site.css (state-<state>).
BADGES = {s.value: f"state-{s.value}" for s in FundRequestState}
PAGE_SECTION = "fund-requests"  # the project page's anchor for a refusal here: #form-fund-requests


@dataclass
class Failure:
    """A refused POST, for the page that is re-rendered: which form, why, what was typed."""

    section: str  # "file", "req-<id>", "spend-<id>", "refund-<id>", "batch-<id>"
    violations: list[Violation]
    values: dict = field(default_factory=dict)


def fresh_key() -> str:
    """A new idempotency key for a form being rendered."""
    return uuid.uuid4().hex


def _failure(section: str) -> Failure | None:
    failure = g.get("fund_request_failure")
    return failure if failure is not None and failure.section == section else None


def _errors(section: str, names, locale: str) -> FormErrors:
    failure = _failure(section)
    return split_errors(failure.violations, "", names, locale) if failure else FormErrors()


def _values(section: str, defaults: dict) -> dict:
    failure = _failure(section)
    return {**defaults, **(failure.values if failure else {})}


# -- what each row offers the viewer ----------------------------------------------------------------

@dataclass
class Row:
    request: FundRequest
    badge: str
    money: service.RequestMoney
    vouchers: list
    offers: Offers  # what the viewer may do with it now (core.services.fund_request_actions)
    action: dict = field(default_factory=dict)   # values of the accept/refuse/supervise form
    action_errors: FormErrors = field(default_factory=FormErrors)
    spend: dict = field(default_factory=dict)
    spend_errors: FormErrors = field(default_factory=FormErrors)
    refund: dict = field(default_factory=dict)
    refund_errors: FormErrors = field(default_factory=FormErrors)


def rows_for(c: Ctx, requests: list[FundRequest]) -> list[Row]:
    money, vouchers = {}, {}
    for project_id in dict.fromkeys(req.project_id for req in requests):
        money.update(service.request_money(c, project_id))
        vouchers.update(service.vouchers(c, project_id))
    offers = actions.requests_offers(c, requests, money)
    out = []
    for req in requests:
        row = Row(req, BADGES.get(req.state, "state-draft"), money.get(req.id, service.RequestMoney()),
                  vouchers.get(req.id, []), offers[req.id])
        locale = c.locale
        row.action = _values(f"req-{req.id}", {"reason": "", "note": "", "month": req.month})
        row.action_errors = _errors(f"req-{req.id}", ACTION_FIELDS, locale)
        row.spend = _values(f"spend-{req.id}", {"amount": "", "memo": "", "key": fresh_key()})
        row.spend_errors = _errors(f"spend-{req.id}", MONEY_FIELDS, locale)
        row.refund = _values(f"refund-{req.id}", {"amount": "", "memo": "", "key": fresh_key()})
        row.refund_errors = _errors(f"refund-{req.id}", MONEY_FIELDS, locale)
        out.append(row)
    return out


# -- the project page's section ---------------------------------------------------------------------

def project_section(c: Ctx, project: Project) -> Panel | None:
    """The project's requests with their states and actions, the filing form and the final
    accounts: a section of the project page (``core.web.project_panels``)."""
    if not c.can(A.fund_request_view, project):
        return None
    requests = service.project_requests(c, project.id)
    filing = actions.file_offer(c, project)
    if project.state != ProjectState.approved.value and not requests:
        return None
    rules = service.rules_of(c, project)
    room = service.headroom(c, project)
    money = service.request_money(c, project.id)
    items = [(b, service.budget_item_room(c, b, money=money)) for b in project.budget_items]
    return Panel("pages/fund_requests/_panel.html", order=40, data={
        "rows": rows_for(c, requests), "filing": filing, "rules": rules, "room": room, "budget_items": items,
        "override": not filing.allowed and filing.shown and actions.file_override(c, project),
        "form": _values("file", {"amount": "", "purpose": "", "beneficiaries": "", "month": service.this_month(c),
                                   "budget_item_id": "", "override_reason": "", "key": fresh_key()}),
        "errors": _errors("file", FILE_FIELDS, c.locale),
        "accounts": accounts_service.final_accounts(c, project.id),
        "back": "project",
    })


# -- pages -------------------------------------------------------------------------------------------

@bp.get("/fund-requests")
@login_required
def office():
    return _office()


def month_requests(c: Ctx, month: str) -> list[FundRequest]:
    """The month's requests as the office page lists them (the page, and its export in
    ``core.web.lists``, read through this): refused (403) to whoever may not see the summary."""
    forbid_unless(c.can(A.fund_request_summary).allowed, T("只有街道社区自治办、街道领导和监督委员会可以查看资金申请汇总",
                                                   "Only street offices, street leaders and supervisors see the fund requests"))
    return service.list_requests(c, month=month)[0]


def month_arg(c: Ctx) -> str:
    """The month asked for (?month=YYYY-MM), or this month."""
    month = (request.args.get("month") or "").strip()
    return month if service.MONTH.match(month) else service.this_month(c)


def _office(status: int = 200):
    c = ctx()
    month = month_arg(c)
    this_month = month_requests(c, month)
    waiting, _ = service.list_requests(c, states=(FundRequestState.submitted.value, FundRequestState.supervised.value))
    to_pay, _ = service.list_requests(c, state=FundRequestState.approved.value)
    batches, _ = service.list_batches(c, month=month)
    recent = [b for b in service.list_batches(c, limit=24)[0] if b.month != month]
    return render_template(
        "pages/fund_requests/office.html", month=month, prev_month=_prev(month), next_month=service.next_month(month),
        waiting=rows_for(c, waiting), to_pay=rows_for(c, to_pay), this_month=rows_for(c, this_month),
        batches=[(b, service.batch_total(c, b)) for b in batches], recent=[(b, service.batch_total(c, b)) for b in recent],
        back="office"), status


def _prev(month: str) -> str:
    year, mon = int(month[:4]), int(month[5:7])
    return f"{year - 1}-12" if mon == 1 else f"{year}-{mon - 1:02d}"


@bp.get("/fund-requests/batches/<int:batch_id>")
@login_required
def batch(batch_id: int):
    return _batch(batch_id)


def batch_view(c: Ctx, batch_id: int) -> tuple:
    """A batch the reader may see (``A.batch_view``; the same 404 otherwise) and its requests, as
    its page lists them (the page, and its export in ``core.web.lists``, read through this)."""
    b = service.get_batch(c, batch_id)
    return b, service.batch_requests(c, b.id)


def _batch(batch_id: int, status: int = 200):
    c = ctx()
    b, requests = batch_view(c, batch_id)
    is_leader, limit = service.authority_fen(c, b.street_unit)
    total = service.batch_total(c, b, requests)
    users = queries.users_by_id(c, [b.approved_by_id])
    failure = _failure(f"batch-{b.id}")
    return render_template(
        "pages/fund_requests/batch.html", batch=b, total=total, rows=rows_for(c, requests), is_leader=is_leader,
        limit=limit, within=limit is not None and total <= limit, approver=users.get(b.approved_by_id),
        offers=actions.batch_offers(c, b, total=total, requests=requests, authority=(is_leader, limit)),
        problems=failure.violations if failure else [], back="batch"), status


@bp.get("/projects/<int:project_id>/final-accounts.xlsx")
@login_required
def final_accounts_xlsx(project_id: int):
    c = ctx()
    fa = accounts_service.final_accounts(c, project_id)
    return send_file(io.BytesIO(accounts_service.workbook(fa, c.locale)), mimetype=XLSX_MIMETYPE, as_attachment=True,
                     download_name=accounts_service.filename(fa))


# -- actions -----------------------------------------------------------------------------------------

def _back(project_id: int | None, section: str, err: RuleError | None = None, values: dict | None = None,
          anchor: str = ""):
    """After a POST: on success back to the page it came from; on a refusal that page again,
    re-rendered with the problems beside the fields."""
    back = request.form.get("back", "project")
    batch_id = request.form.get("batch_id", type=int)
    if err is None:
        if back == "office":
            return redirect(url_for("web.fund_requests.office", month=request.form.get("page_month") or None) + anchor)
        if back == "batch" and batch_id:
            return redirect(url_for("web.fund_requests.batch", batch_id=batch_id) + anchor)
        return redirect(url_for("web.projects.show", project_id=project_id) + (anchor or "#fund-requests"))
    g.fund_request_failure = Failure(section, err.violations, values or {})
    if back == "office":
        return _office(err.status)
    if back == "batch" and batch_id:
        return _batch(batch_id, err.status)
    # The page's own notice ("not saved ... show me") links to #form-<section>, which this
    # section's template puts on the form or request that was refused.
    return project_page.render(project_id, project_page.Failure(PAGE_SECTION, err.violations), err.status)


def _project_of(c: Ctx, request_id: int) -> int | None:
    try:
        return service.get_request(c, request_id).project_id
    except RuleError:
        return None


def _act(request_id: int, section: str, op, done, values: tuple[str, ...] = (), **service_kwargs):
    """Take the operation ``op`` on the request, its input read from the posted form by the
    operation's own schema; ``service_kwargs`` are what the service needs besides (the file
    storage). ``done``: the message after it, or a function of the loaded input giving it;
    ``values``: the fields a refused form shows again as typed."""
    c = ctx()
    project_id = _project_of(c, request_id)
    try:
        loaded = op.from_form(request.form, request.files)
        op(c, request_id, **loaded, **service_kwargs)
        c.commit()
    except RuleError as err:
        c.session.rollback()
        if project_id is None:
            raise
        return _back(project_id, section, err, {name: request.form.get(name, "") for name in values})
    flash((done(loaded) if callable(done) else done).render(c.locale), "success")
    return _back(project_id, section, anchor=f"#fr-{request_id}")


@bp.post("/projects/<int:project_id>/fund-requests")
@login_required
def file(project_id: int):
    c = ctx()
    try:
        req = door.FILE_REQUEST(c, **door.FILE_REQUEST.from_form(request.form, project_id=project_id))
        rid, month = req.id, req.month
        c.commit()
    except RuleError as err:
        c.session.rollback()
        return _back(project_id, "file", err, {name: request.form.get(name, "") for name in FILE_VALUES})
    flash(_t(f"资金申请#{rid}已提交（{month_text(month)}），等待审核。",
             f"Fund request #{rid} filed for {month_text(month, 'en')}; it awaits acceptance."), "success")
    return redirect(url_for("web.projects.show", project_id=project_id) + f"#fr-{rid}")


@bp.post("/fund-requests/<int:request_id>/withdraw")
@login_required
def withdraw(request_id: int):
    return _act(request_id, f"req-{request_id}", door.WITHDRAW_REQUEST,
                T("资金申请已撤回。", "The fund request was withdrawn."))


@bp.post("/fund-requests/<int:request_id>/supervise")
@login_required
def supervise(request_id: int):
    return _act(request_id, f"req-{request_id}", door.SUPERVISE_REQUEST, lambda given: (
        T("监督委员会意见已记录。", "The supervision committee's sign-off is recorded.") if given["approve"] else
        T("已不同意该申请，申请单位将看到理由。", "Refused; the applicant will read why.")), values=("note",))


@bp.post("/fund-requests/<int:request_id>/accept")
@login_required
def accept(request_id: int):
    return _act(request_id, f"req-{request_id}", door.ACCEPT_REQUEST, T(
        "已审核通过，编入月度汇总，等待街道领导审批。", "Accepted: it is in the month's batch, awaiting the leader's approval."),
        values=("month",))


@bp.post("/fund-requests/<int:request_id>/refuse")
@login_required
def refuse(request_id: int):
    return _act(request_id, f"req-{request_id}", door.REFUSE_REQUEST,
                T("已退回该申请，申请单位将看到理由。", "Refused; the applicant will read why."), values=("reason",))


@bp.post("/fund-requests/<int:request_id>/disburse")
@login_required
def disburse(request_id: int):
    return _act(request_id, f"req-{request_id}", door.DISBURSE_REQUEST, T("已登记拨付。", "The disbursement is recorded."))


@bp.post("/fund-requests/<int:request_id>/expenses")
@login_required
def spend(request_id: int):
    return _act(request_id, f"spend-{request_id}", door.RECORD_EXPENSE,
                T("支出及凭证已登记。", "The spending and its voucher are recorded."), values=MONEY_VALUES,
                storage=current_app.extensions["tongxin"].storage)


@bp.post("/fund-requests/<int:request_id>/refunds")
@login_required
def refund(request_id: int):
    return _act(request_id, f"refund-{request_id}", door.REFUND, T("退回已登记。", "The refund is recorded."),
                values=MONEY_VALUES)


@bp.post("/fund-requests/batches/<int:batch_id>/approve")
@login_required
def approve_batch(batch_id: int):
    c = ctx()
    try:
        b = door.APPROVE_BATCH(c, batch_id)
        total, month = b.approved_total_fen, b.month
        c.commit()
    except RuleError as err:
        c.session.rollback()
        g.fund_request_failure = Failure(f"batch-{batch_id}", err.violations)
        return _batch(batch_id, err.status)
    flash(_t(f"已审批{month_text(month)}资金申请汇总，合计 {money_text(total).zh}。",
             f"The {month_text(month, 'en')} batch is approved: {money_text(total).en} in all."), "success")
    return redirect(url_for("web.fund_requests.batch", batch_id=batch_id))


@bp.post("/fund-requests/batches/<int:batch_id>/disburse")
@login_required
def disburse_batch(batch_id: int):
    c = ctx()
    try:
        paid = len(door.DISBURSE_BATCH(c, batch_id))
        c.commit()
    except RuleError as err:
        c.session.rollback()
        g.fund_request_failure = Failure(f"batch-{batch_id}", err.violations)
        return _batch(batch_id, err.status)
    flash(_t(f"已登记{paid}笔资金申请的拨付。", f"Recorded the disbursement of {paid} request(s)."), "success")
    return redirect(url_for("web.fund_requests.batch", batch_id=batch_id))
