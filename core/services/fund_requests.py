"""Monthly fund requests (资金申请): filing, supervision, the street office's check, the
month's batch per street, the leader's approval within their authority, disbursement, and the
spending (with receipts) and refunds of the money a request brought.

The flow (states in ``core.models.fund_request``)::

    applicant files ─▶ submitted ─(supervisor, where the policy wants it)─▶ supervised
                           │                                                    │
                           └──────────────── street office checks ◀─────────────┘
                                                   │ re-checked against the committed budget
                                                   ▼
                          checked, in the open batch of its street and month
                                                   │ a street leader approves the batch
                                                   ▼ (total ≤ their authority limit)
                                               approved ─▶ disbursed (ledger entries naming it)

**What a request may ask for.** A project's money is what its approval committed (the sum of
``Balance.committed`` over ``funding.approved_funding``). What is still free to request is
that, less what was disbursed, less the amounts of the project's other open requests: an open
request holds its money from filing until it is disbursed, refused or withdrawn, so two
requests can never both be promised the same yuan. A request on a budget line is also bounded
by the line's amount less the line's other open and disbursed requests. The office re-checks
both when it checks, because the numbers may have moved (a release, a correction).

**Serialised writers.** Every writing function first takes the database's write lock on what
it decides about: on PostgreSQL ``SELECT ... FOR UPDATE`` of the project, request or batch row
(a filing locks its project, so two filings cannot both see the same headroom; the office's
check and the leader's approval both lock the batch, so no request joins a batch between the
leader reading its total and approving it); on SQLite, which has one writer per database, the
transaction is begun with ``BEGIN IMMEDIATE`` before anything is read (as the ledger does).

**Money moves only through the ledger**, under its fund locks, with idempotency keys
``fund_request:<id>:<fund id>`` for disbursements, so a retry posts nothing twice. Each
function writes in the caller's transaction; a refusal leaves nothing behind once the caller
rolls back, and the caller commits with ``ctx.commit()``.
"""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import BinaryIO, Iterable

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from core.i18n import T, Text
from core.models import (
    Attachment,
    BudgetItem,
    EntryKind,
    FundRequest,
    FundRequestBatch,
    LedgerEntry,
    Membership,
    OrgUnit,
    Project,
    ProjectState,
)
from core.models.fund_request import OPEN_STATES, BatchState, FundRequestState
from core.models.org import UnitKind
from core.money import money_text, read_yuan
from core.permissions import A, Action
from core.plugin_host.contributions import FundRequestRules
from core.services import calendar, funding, ledger, paging
from core.services.context import Ctx
from core.services.programmes import policy_of
from core.services.projects import MAX_PROJECT_FEN, get_project
from core.violations import Forbidden, NotFound, RuleError, Violation, Violations

REQUEST = T("资金申请", "fund request")
BATCH = T("月度汇总", "monthly batch")
# Limits of what people type, read by the API's input schemas too (one place each).
MIN_REASON = 5
TEXT_MAX = 500  # purpose, beneficiaries, notes, reasons, memos (their columns are String(500))
MONTH_PATTERN = r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$"  # YYYY-MM in the platform's years
MONTH = re.compile(MONTH_PATTERN)
YEARS = range(2000, 2101)
KEY_PATTERN = r"^[A-Za-z0-9_.:-]{1,80}$"  # an idempotency key of expenses and refunds
RECEIPT_KIND = "receipt"  # the attachment kind of a receipt (core's own, not a policy's)
RECEIPT_TYPES = ("application/pdf", "image/jpeg", "image/png")
# Requests whose money is counted against a budget line: still open, or paid out.
HOLDING_STATES = (*OPEN_STATES, FundRequestState.disbursed.value)


# ---------------------------------------------------------------- reading


def this_month(ctx: Ctx) -> str:
    """The month it is today (Shanghai's), as fund requests name months."""
    return ctx.clock.today().strftime("%Y-%m")


def next_month(month: str) -> str:
    year, mon = int(month[:4]), int(month[5:7])
    return f"{year + mon // 12}-{mon % 12 + 1:02d}"


def rules_of(ctx: Ctx, project: Project) -> FundRequestRules:
    policy, config = policy_of(ctx, project.programme)
    return policy.fund_request_rules(config)


def _visible_requests(ctx: Ctx) -> Select:
    applicant = aliased(OrgUnit)
    stmt = (select(FundRequest).join(Project, FundRequest.project_id == Project.id)
            .join(applicant, Project.applicant_unit_id == applicant.id))
    return stmt.where(ctx.where(A.fund_request_view, unit_path=applicant.path))


def get_request(ctx: Ctx, request_id: int, *, for_update: bool = False) -> FundRequest:
    """A request the actor may see (applicant's staff, supervisors, the street office and
    leaders above it); otherwise the same 404 as for one that does not exist."""
    if not isinstance(request_id, int) or isinstance(request_id, bool):
        raise NotFound(REQUEST, field="fund_request_id")
    stmt = _visible_requests(ctx).where(FundRequest.id == request_id)
    if for_update:
        stmt = stmt.with_for_update(of=FundRequest).execution_options(populate_existing=True)
    req = ctx.session.scalars(stmt).unique().one_or_none()
    if req is None:
        raise NotFound(REQUEST, field="fund_request_id")
    return req


def list_requests(ctx: Ctx, *, month: str | None = None, state: str | None = None, project_id: int | None = None,
                  within: OrgUnit | None = None, states: Iterable[str] | None = None,
                  limit: int = 200, offset: int = 0) -> tuple[list[FundRequest], int]:
    """Requests the actor may see, oldest first, optionally of one month, state or project, or
    of applicants at or below ``within``."""
    stmt = _visible_requests(ctx)
    if month:
        stmt = stmt.where(FundRequest.month == month)
    if state:
        stmt = stmt.where(FundRequest.state == state)
    if states is not None:
        stmt = stmt.where(FundRequest.state.in_(list(states)))
    if project_id is not None:
        stmt = stmt.where(FundRequest.project_id == project_id)
    if within is not None:
        unit = aliased(OrgUnit)
        stmt = stmt.where(Project.applicant_unit_id.in_(select(unit.id).where(unit.path.startswith(within.path))))
    total = ctx.session.scalar(select(func.count()).select_from(stmt.with_only_columns(FundRequest.id).subquery()))
    rows = ctx.session.scalars(stmt.order_by(FundRequest.id).limit(max(1, min(limit, 500))).offset(max(0, offset)))
    return list(rows.unique()), int(total or 0)


def project_requests(ctx: Ctx, project_id: int) -> list[FundRequest]:
    return list_requests(ctx, project_id=project_id, limit=500)[0]


def _visible_batches(ctx: Ctx) -> Select:
    street = aliased(OrgUnit)
    stmt = select(FundRequestBatch).join(street, FundRequestBatch.street_unit_id == street.id)
    return stmt.where(ctx.where(A.batch_view, unit_path=street.path))


def get_batch(ctx: Ctx, batch_id: int, *, for_update: bool = False) -> FundRequestBatch:
    if not isinstance(batch_id, int) or isinstance(batch_id, bool):
        raise NotFound(BATCH, field="batch_id")
    stmt = _visible_batches(ctx).where(FundRequestBatch.id == batch_id)
    if for_update:
        stmt = stmt.with_for_update(of=FundRequestBatch).execution_options(populate_existing=True)
    batch = ctx.session.scalars(stmt).unique().one_or_none()
    if batch is None:
        raise NotFound(BATCH, field="batch_id")
    return batch


def list_batches(ctx: Ctx, *, month: str | None = None, street_unit_id: int | None = None,
                 state: str | None = None, limit: int = 100, offset: int = 0) -> tuple[list[FundRequestBatch], int]:
    """Batches of streets the actor administers, leads or oversees, newest month first (a page
    of them, and their number in all)."""
    stmt = _visible_batches(ctx)
    if month:
        stmt = stmt.where(FundRequestBatch.month == month)
    if street_unit_id is not None:
        stmt = stmt.where(FundRequestBatch.street_unit_id == street_unit_id)
    if state:
        stmt = stmt.where(FundRequestBatch.state == state)
    stmt = stmt.order_by(FundRequestBatch.month.desc(), FundRequestBatch.id)
    return paging.page(ctx.session, stmt, limit=limit, offset=offset, unique=True)


def batch_requests(ctx: Ctx, batch_id: int) -> list[FundRequest]:
    return list(ctx.session.scalars(select(FundRequest).where(FundRequest.batch_id == batch_id)
                                    .order_by(FundRequest.id)).unique())


def batches_requests(ctx: Ctx, batch_ids: Iterable[int]) -> dict[int, list[FundRequest]]:
    """The requests of several batches by batch id, read at once (each batch's oldest first)."""
    ids = sorted(set(batch_ids))
    out: dict[int, list[FundRequest]] = {i: [] for i in ids}
    if ids:
        for req in ctx.session.scalars(select(FundRequest).where(FundRequest.batch_id.in_(ids))
                                       .order_by(FundRequest.id)).unique():
            out[req.batch_id].append(req)
    return out


def batch_total(ctx: Ctx, batch: FundRequestBatch, requests: list[FundRequest] | None = None) -> int:
    """What the leader approves: the batch's checked requests (after approval: what was approved).
    ``requests``: the batch's requests, when the caller has read them already."""
    if batch.state == BatchState.approved.value and batch.approved_total_fen is not None:
        return batch.approved_total_fen
    if requests is not None:
        return sum(r.amount_fen for r in requests if r.state == FundRequestState.checked.value)
    return int(ctx.session.scalar(select(func.coalesce(func.sum(FundRequest.amount_fen), 0)).where(
        FundRequest.batch_id == batch.id, FundRequest.state == FundRequestState.checked.value)) or 0)


def street_of(ctx: Ctx, unit: OrgUnit) -> OrgUnit:
    """The street (or town) whose office batches the unit's requests: the unit itself at
    street level, else its nearest ancestor of that kind."""
    if unit.kind == UnitKind.street.value:
        return unit
    found = ctx.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(unit.ancestor_ids),
                                                      OrgUnit.kind == UnitKind.street.value)).all()
    street = max(found, key=lambda u: len(u.path), default=None)
    if street is None:
        raise RuleError(Violation("no_street", T(
            f"「{unit.name}」不属于任何街道（镇），其资金申请无法编入月度汇总",
            f"{unit.name_en or unit.name} is under no street or town, so its requests cannot be batched"),
            field="project_id"), status=409)
    return street


def authority_fen(ctx: Ctx, street: OrgUnit) -> tuple[bool, int | None]:
    """(whether the actor is a street leader at or above ``street``, their largest authority
    limit there; None: no limit set, so no authority)."""
    if ctx.actor.id is None:
        return False, None
    rows = ctx.session.execute(select(Membership.authority_limit_fen, OrgUnit.path)
                               .join(OrgUnit, OrgUnit.id == Membership.org_unit_id)
                               .where(Membership.user_id == ctx.actor.id,
                                      Membership.role.in_([r.value for r in ctx.permissions.roles_for(A.batch_approve)]))).all()
    limits = [limit for limit, path in rows if street.path.startswith(path)]
    if not limits:
        return False, None
    set_limits = [x for x in limits if x is not None]
    return True, (max(set_limits) if set_limits else None)


# ---------------------------------------------------------------- money of requests


@dataclass
class RequestMoney:
    """What the ledger holds for one request, per fund (net of refunds and corrections), in fen."""

    disbursed: dict[int, int] = field(default_factory=dict)
    spent: dict[int, int] = field(default_factory=dict)

    @property
    def disbursed_total(self) -> int:
        return sum(self.disbursed.values())

    @property
    def spent_total(self) -> int:
        return sum(self.spent.values())

    @property
    def unspent(self) -> int:
        return self.disbursed_total - self.spent_total


def entry_sums(ctx: Ctx, *, project_id: int) -> dict[tuple[int | None, int, str], int]:
    """The project's ledger entries summed by (fund request, fund, kind), each correction
    counted negatively under the request, fund and kind of the entry it corrects."""
    correction = EntryKind.correction.value
    plain = (select(LedgerEntry.fund_request_id, LedgerEntry.fund_id, LedgerEntry.kind, func.sum(LedgerEntry.amount_fen))
             .where(LedgerEntry.project_id == project_id, LedgerEntry.kind != correction)
             .group_by(LedgerEntry.fund_request_id, LedgerEntry.fund_id, LedgerEntry.kind))
    corr, original = aliased(LedgerEntry), aliased(LedgerEntry)
    corrections = (select(original.fund_request_id, original.fund_id, original.kind, func.sum(corr.amount_fen))
                   .join(original, original.id == corr.corrects_id)
                   .where(corr.kind == correction, original.project_id == project_id)
                   .group_by(original.fund_request_id, original.fund_id, original.kind))
    out: dict[tuple[int | None, int, str], int] = {}
    for sign, stmt in ((1, plain), (-1, corrections)):
        for rid, fid, kind, total in ctx.session.execute(stmt):
            key = (rid, fid, kind)
            out[key] = out.get(key, 0) + sign * int(total or 0)
    return out


def request_money(ctx: Ctx, project_id: int) -> dict[int, RequestMoney]:
    """Per request of the project: disbursed and spent per fund."""
    out: dict[int, RequestMoney] = {}
    for (rid, fid, kind), fen in entry_sums(ctx, project_id=project_id).items():
        if rid is None:
            continue
        money = out.setdefault(rid, RequestMoney())
        if kind == EntryKind.disbursement.value:
            money.disbursed[fid] = money.disbursed.get(fid, 0) + fen
        elif kind == EntryKind.refund.value:
            money.disbursed[fid] = money.disbursed.get(fid, 0) - fen
        elif kind == EntryKind.expense.value:
            money.spent[fid] = money.spent.get(fid, 0) + fen
    return out


@dataclass(frozen=True)
class Headroom:
    """What a project may still request, in fen."""

    committed: int
    disbursed: int
    open_requests: int  # other open requests' amounts

    @property
    def remaining(self) -> int:
        return self.committed - self.disbursed - self.open_requests


def headroom(ctx: Ctx, project: Project, *, exclude_request_id: int | None = None) -> Headroom:
    money = funding.approved_funding(ctx, project)
    stmt = select(func.coalesce(func.sum(FundRequest.amount_fen), 0)).where(
        FundRequest.project_id == project.id, FundRequest.state.in_(OPEN_STATES))
    if exclude_request_id is not None:
        stmt = stmt.where(FundRequest.id != exclude_request_id)
    return Headroom(committed=sum(b.committed for _, b in money), disbursed=sum(b.disbursed for _, b in money),
                    open_requests=int(ctx.session.scalar(stmt) or 0))


@dataclass(frozen=True)
class LineRoom:
    budgeted: int
    used: int  # other open requests on the line, and what disbursed ones on it paid out

    @property
    def remaining(self) -> int:
        return self.budgeted - self.used


def line_room(ctx: Ctx, item: BudgetItem, *, exclude_request_id: int | None = None,
              money: dict[int, RequestMoney] | None = None) -> LineRoom:
    rows = ctx.session.execute(select(FundRequest.id, FundRequest.state, FundRequest.amount_fen).where(
        FundRequest.budget_item_id == item.id, FundRequest.state.in_(HOLDING_STATES))).all()
    if money is None and any(state == FundRequestState.disbursed.value for _, state, _ in rows):
        money = request_money(ctx, item.project_id)
    used = 0
    for rid, state, amount in rows:
        if rid == exclude_request_id:
            continue
        # A disbursed request holds what it actually paid out (less refunds), not what it asked.
        used += (money[rid].disbursed_total if rid in money else 0) if state == FundRequestState.disbursed.value else amount
    return LineRoom(item.amount_fen, used)


# ---------------------------------------------------------------- locking and guards


def _begin_write(ctx: Ctx) -> None:
    """On SQLite, take the database's write lock before reading what the decision depends on
    (see the module doc); on PostgreSQL the rows are locked with FOR UPDATE instead."""
    session = ctx.session
    if session.get_bind().dialect.name == "sqlite":
        connection = session.connection()
        if not connection.connection.dbapi_connection.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def _state_error(req: FundRequest, doing: Text) -> RuleError:
    label = req.state_enum.label
    return RuleError(Violation("wrong_state", T(
        f"资金申请#{req.id}当前状态为「{label.zh}」，不能{doing.zh}",
        f"Fund request #{req.id} is {label.en}; it cannot be {doing.en}"), field="state"), status=409)


def _require(ctx: Ctx, action: Action, unit: OrgUnit, message: Text) -> None:
    ctx.require(action, unit, message)


def _text(value, field_name: str, label: Text, *, required: bool, v: Violations, clause: Text | None = None) -> str:
    text = value.strip() if isinstance(value, str) else ("" if value is None else None)
    if text is None:
        v.add(Violation(f"invalid_{field_name}", T(f"「{label.zh}」应为文字", f"{label.en} must be text"), field=field_name))
        return ""
    if required and not text:
        v.add(Violation(f"{field_name}_required", T(f"请填写「{label.zh}」", f"{label.en} is required"),
                        field=field_name, clause=clause))
    elif len(text) > TEXT_MAX:
        v.add(Violation(f"{field_name}_too_long", T(f"「{label.zh}」最长{TEXT_MAX}个字", f"{label.en}: at most {TEXT_MAX} characters"),
                        field=field_name))
    return text


def _reason(value, field_name: str = "reason") -> str:
    reason = value.strip() if isinstance(value, str) else ""
    if len(reason) < MIN_REASON or len(reason) > TEXT_MAX:
        raise RuleError(Violation("reason_required", T(
            f"不通过时必须写明理由（{MIN_REASON}至{TEXT_MAX}个字），申请单位将看到该理由",
            f"A refusal needs a reason of {MIN_REASON} to {TEXT_MAX} characters; the applicant will read it"),
            field=field_name))
    return reason


def _amount(value, field_name: str = "amount") -> tuple[int | None, Violation | None]:
    """Yuan → fen (> 0), or the violation naming the field; never more than a project could hold."""
    return read_yuan(value, field_name, max_fen=MAX_PROJECT_FEN)


def _month(ctx: Ctx, value, v: Violations) -> str:
    month = (value or "").strip() if isinstance(value, str) or value is None else None
    if not month:
        return this_month(ctx)
    match = MONTH.fullmatch(month)
    if match is None or int(match.group(1)) not in YEARS:
        v.add(Violation("invalid_month", T("申请月份格式应为“年-月”，如 2023-05", "The month must be YYYY-MM, e.g. 2023-05"),
                        field="month"))
        return ""
    return month


def _budget_item(project: Project, value, v: Violations) -> BudgetItem | None:
    if value in (None, ""):
        return None
    item_id = int(value) if isinstance(value, str) and value.strip().isdigit() else value
    item = next((b for b in project.budget_items if isinstance(item_id, int) and not isinstance(item_id, bool)
                 and b.id == item_id), None)
    if item is None:
        v.add(Violation("budget_item_not_in_project", T(
            "所选预算明细不属于本项目，请从本项目的预算明细中选择",
            "The budget line chosen is not one of this project's lines"), field="budget_item_id"))
    return item


def _budget_violations(ctx: Ctx, project: Project, amount: int, item: BudgetItem | None,
                       exclude_request_id: int | None = None) -> list[Violation]:
    out = []
    room = headroom(ctx, project, exclude_request_id=exclude_request_id)
    if amount > room.remaining:
        left = max(room.remaining, 0)
        out.append(Violation("over_approved_budget", T(
            f"申请金额 {money_text(amount).zh} 超出项目已立项资金的剩余额度：已承诺 {money_text(room.committed).zh}，"
            f"已拨付 {money_text(room.disbursed).zh}，其他在途申请 {money_text(room.open_requests).zh}，尚可申请 {money_text(left).zh}",
            f"The request of {money_text(amount).en} exceeds what is left of the project's approved money: committed "
            f"{money_text(room.committed).en}, disbursed {money_text(room.disbursed).en}, other open requests {money_text(room.open_requests).en}, "
            f"{money_text(left).en} left"), field="amount"))
    if item is not None:
        line = line_room(ctx, item, exclude_request_id=exclude_request_id)
        if amount > line.remaining:
            left = max(line.remaining, 0)
            out.append(Violation("over_budget_line", T(
                f"申请金额 {money_text(amount).zh} 超出预算明细「{item.description}」的剩余额度：预算 {money_text(line.budgeted).zh}，"
                f"已申请或已拨付 {money_text(line.used).zh}，尚可申请 {money_text(left).zh}",
                f"The request of {money_text(amount).en} exceeds what is left of the budget line '{item.description}': "
                f"budgeted {money_text(line.budgeted).en}, requested or disbursed {money_text(line.used).en}, {money_text(left).en} left"),
                field="amount"))
    return out


# ---------------------------------------------------------------- filing


def file_request(ctx: Ctx, project_id: int, *, amount, purpose, beneficiaries="", month=None,
                 budget_item_id=None, override_reason: str | None = None) -> FundRequest:
    """A neighbourhood asks for money for its approved project (amount in yuan), within the
    phases that allow filing, if the policy names any (an implementation phase, a spending
    window; ``core.services.calendar``)."""
    _begin_write(ctx)
    project = get_project(ctx, project_id, for_update=True)
    _require(ctx, A.fund_request_file, project.applicant_unit, T(
        f"只有「{project.applicant_unit.name}」的工作人员或项目团队可以为本项目申请资金",
        f"Only the staff or team of {project.applicant_unit.name_en or project.applicant_unit.name} may request money for this project"))
    if project.state != ProjectState.approved.value:
        raise RuleError(Violation("project_not_approved", T(
            f"项目当前状态为「{project.state_enum.label.zh}」，只有已立项的项目可以申请资金",
            f"The project is {project.state_enum.label.en}; only approved projects may request money"),
            field="project_id"), status=409)
    calendar.require(ctx, project.programme, A.fund_request_file, project, override_reason=override_reason)
    rules = rules_of(ctx, project)
    v = Violations()
    fen, problem = _amount(amount)
    v.add(problem)
    purpose = _text(purpose, "purpose", T("用途", "Purpose"), required=True, v=v)
    beneficiaries = _text(beneficiaries, "beneficiaries", T("使用对象", "Beneficiaries"),
                          required=rules.beneficiaries_required, v=v, clause=rules.clause)
    month = _month(ctx, month, v)
    item = _budget_item(project, budget_item_id, v)
    v.raise_if_blocking()
    street_of(ctx, project.applicant_unit)  # refused now rather than at the office's check
    problems = _budget_violations(ctx, project, fen, item)
    if problems:
        raise RuleError(problems)
    with ctx.action("fund_request.file"):
        req = FundRequest(project_id=project.id, month=month, amount_fen=fen, purpose=purpose,
                          beneficiaries=beneficiaries, budget_item_id=item.id if item else None,
                          budget_line=item.description if item else "", state=FundRequestState.submitted.value,
                          requested_by_id=ctx.actor.id)
        ctx.session.add(req)
    return req


def withdraw(ctx: Ctx, request_id: int) -> FundRequest:
    """The applicant takes back a request nobody has acted on yet."""
    _begin_write(ctx)
    req = get_request(ctx, request_id, for_update=True)
    _require(ctx, A.fund_request_file, req.project.applicant_unit,
                  T("只有申请单位可以撤回资金申请", "Only the applicant may withdraw a fund request"))
    if req.state != FundRequestState.submitted.value:
        raise _state_error(req, T("撤回（已有人审核）", "withdrawn (someone has acted on it)"))
    with ctx.action("fund_request.withdraw"):
        req.state = FundRequestState.withdrawn.value
    return req


# ---------------------------------------------------------------- supervision and the office's check


def supervise(ctx: Ctx, request_id: int, *, approve: bool = True, note: str = "") -> FundRequest:
    """The supervision committee checks a request before the office (where the policy says so)."""
    _begin_write(ctx)
    req = get_request(ctx, request_id, for_update=True)
    rules = rules_of(ctx, req.project)
    if not rules.supervision:
        raise RuleError(Violation("no_supervision_step", T(
            "本年度项目的资金申请不需要监督委员会审核", "This programme's fund requests have no supervision step"),
            field="state"), status=409)
    _require(ctx, A.fund_request_supervise, req.project.applicant_unit, T(
        f"只有申请单位所属的监督委员会成员可以进行{rules.supervision_label.zh}",
        f"Only a supervision committee member over the applicant may give the {rules.supervision_label.en}"))
    if req.state != FundRequestState.submitted.value:
        raise _state_error(req, T(f"进行{rules.supervision_label.zh}", f"given the {rules.supervision_label.en}"))
    if not approve:
        return _refuse(ctx, req, note, "fund_request.supervision_refuse", supervised=True)
    v = Violations()
    note = _text(note, "note", T("审核意见", "Note"), required=False, v=v)
    v.raise_if_blocking()
    with ctx.action("fund_request.supervise"):
        req.state = FundRequestState.supervised.value
        req.supervised_by_id, req.supervised_at, req.supervision_note = ctx.actor.id, ctx.clock.now(), note
    return req


def _require_office_turn(ctx: Ctx, req: FundRequest, rules: FundRequestRules) -> None:
    _require(ctx, A.fund_request_check, req.project.applicant_unit, T(
        "只有申请单位所属街道（镇）社区自治办的管理员可以审核资金申请",
        "Only the street office above the applicant may check fund requests"))
    if rules.supervision and req.state == FundRequestState.submitted.value:
        raise RuleError(Violation("needs_supervision", T(
            f"该申请尚未经{rules.supervision_label.zh}，街道不能审核",
            f"This request has not had its {rules.supervision_label.en} yet, so the street office cannot check it"),
            field="state", clause=rules.clause), status=409)


def check(ctx: Ctx, request_id: int, *, month: str | None = None) -> FundRequest:
    """The street office accepts a request: re-checked against the committed budget (the
    numbers may have moved since filing), it joins the open batch of its street and month
    (``month`` lets the office move it to another month, e.g. when this month's batch is
    already approved)."""
    _begin_write(ctx)
    req = get_request(ctx, request_id, for_update=True)
    project = req.project
    rules = rules_of(ctx, project)
    _require_office_turn(ctx, req, rules)
    expected = FundRequestState.supervised.value if rules.supervision else FundRequestState.submitted.value
    if req.state != expected:
        raise _state_error(req, T("审核", "checked"))
    v = Violations()
    chosen = _month(ctx, month, v) if month not in (None, "") else req.month
    v.raise_if_blocking()
    if project.state != ProjectState.approved.value:
        raise RuleError(Violation("project_not_approved", T(
            f"项目当前状态为「{project.state_enum.label.zh}」，不能再拨付资金",
            f"The project is {project.state_enum.label.en}; it can no longer receive money"), field="project_id"), status=409)
    item = next((b for b in project.budget_items if b.id == req.budget_item_id), None)
    problems = _budget_violations(ctx, project, req.amount_fen, item, exclude_request_id=req.id)
    if problems:
        raise RuleError(problems, status=409)
    street = street_of(ctx, project.applicant_unit)
    batch = _open_batch(ctx, street, chosen)
    if batch.state != BatchState.open.value:
        later = next_month(chosen)
        raise RuleError(Violation("batch_already_approved", T(
            f"{street.name}{chosen}的资金申请汇总已经领导审批，不能再加入；请编入下月（{later}）汇总",
            f"{street.name_en or street.name}'s batch for {chosen} is already approved; put the request into the next month's ({later})"),
            field="month", clause=rules.clause), status=409)
    with ctx.action("fund_request.check"):
        req.month = chosen
        req.state = FundRequestState.checked.value
        req.checked_by_id, req.checked_at, req.batch_id = ctx.actor.id, ctx.clock.now(), batch.id
    return req


def find_batch(ctx: Ctx, street: OrgUnit, month: str) -> FundRequestBatch | None:
    """The batch of ``street`` and ``month``, locked for the rest of the transaction."""
    return ctx.session.scalars(select(FundRequestBatch).where(
        FundRequestBatch.street_unit_id == street.id, FundRequestBatch.month == month)
        .with_for_update(of=FundRequestBatch).execution_options(populate_existing=True)).one_or_none()


def _open_batch(ctx: Ctx, street: OrgUnit, month: str) -> FundRequestBatch:
    """The batch of ``street`` and ``month`` (locked), created if missing. Two offices creating
    it at the same moment: the loser's savepoint is rolled back and it uses the winner's."""
    batch = find_batch(ctx, street, month)
    if batch is not None:
        return batch
    try:
        with ctx.session.begin_nested():
            with ctx.action("fund_request.batch_open"):
                batch = FundRequestBatch(street_unit_id=street.id, month=month, state=BatchState.open.value)
                ctx.session.add(batch)
        return batch
    except (RuleError, IntegrityError):
        batch = find_batch(ctx, street, month)
        if batch is None:
            raise
        return batch


def refuse(ctx: Ctx, request_id: int, reason: str) -> FundRequest:
    """Refuse a request with the reason the applicant will read: by the supervision committee
    while it awaits them, otherwise by the street office (until the leader approved it)."""
    _begin_write(ctx)
    req = get_request(ctx, request_id, for_update=True)
    rules = rules_of(ctx, req.project)
    if rules.supervision and req.state == FundRequestState.submitted.value \
            and ctx.can(A.fund_request_supervise, req.project):
        return supervise(ctx, request_id, approve=False, note=reason)
    if req.state not in (FundRequestState.submitted.value, FundRequestState.supervised.value,
                         FundRequestState.checked.value):
        raise _state_error(req, T("退回", "refused"))
    _require_office_turn(ctx, req, rules)
    return _refuse(ctx, req, reason, "fund_request.refuse")


def _refuse(ctx: Ctx, req: FundRequest, reason: str, action: str, *, supervised: bool = False) -> FundRequest:
    reason = _reason(reason, "note" if supervised else "reason")
    if req.batch_id is not None:  # leaving a batch: serialise with the leader's approval of it
        batch = ctx.session.scalars(select(FundRequestBatch).where(FundRequestBatch.id == req.batch_id)
                                    .with_for_update(of=FundRequestBatch).execution_options(populate_existing=True)).one()
        if batch.state != BatchState.open.value:
            raise _state_error(req, T("退回（所在汇总已审批）", "refused (its batch is approved)"))
    with ctx.action(action):
        req.state = FundRequestState.refused.value
        req.refusal_reason = reason
        req.batch_id = None
        if supervised:
            req.supervised_by_id, req.supervised_at, req.supervision_note = ctx.actor.id, ctx.clock.now(), reason
    return req


# ---------------------------------------------------------------- the leader's approval


def approve_batch(ctx: Ctx, batch_id: int) -> FundRequestBatch:
    """A street leader approves the month's batch, within their authority limit."""
    _begin_write(ctx)
    batch = get_batch(ctx, batch_id, for_update=True)
    street = batch.street_unit
    is_leader, limit = authority_fen(ctx, street)
    if not (is_leader and ctx.can(A.batch_approve, batch)):
        raise Forbidden(T(f"只有{street.name}的街道领导可以审批资金申请汇总",
                          f"Only a leader of {street.name_en or street.name} may approve its batch"))
    if batch.state != BatchState.open.value:
        raise RuleError(Violation("batch_already_approved", T(
            f"{street.name}{batch.month}的资金申请汇总已经审批", f"The batch for {batch.month} is already approved"),
            field="state"), status=409)
    requests = [r for r in batch_requests(ctx, batch.id) if r.state == FundRequestState.checked.value]
    if not requests:
        raise RuleError(Violation("batch_empty", T("该汇总中没有待审批的资金申请", "The batch holds no checked requests"),
                                  field="batch_id"), status=409)
    total = sum(r.amount_fen for r in requests)
    clause = rules_of(ctx, requests[0].project).clause
    if limit is None or total > limit:
        shown = T("未设置审批权限", "no authority set") if limit is None else money_text(limit)
        raise RuleError(Violation("over_authority", T(
            f"本月汇总合计 {money_text(total).zh}，超出您的审批权限（{shown.zh}），请报上级领导审批",
            f"The batch totals {money_text(total).en}, above your authority ({shown.en}); a more senior leader must approve it"),
            field="batch_id", clause=clause), status=403)
    with ctx.action("fund_request.batch_approve"):
        batch.state = BatchState.approved.value
        batch.approved_by_id, batch.approved_at, batch.approved_total_fen = ctx.actor.id, ctx.clock.now(), total
        for r in requests:
            r.state = FundRequestState.approved.value
    return batch


# ---------------------------------------------------------------- disbursement


def disbursement_key(request_id: int, fund_id: int) -> str:
    return f"fund_request:{request_id}:{fund_id}"


def disburse(ctx: Ctx, request_id: int) -> list[LedgerEntry]:
    """The street office records that an approved request's money was paid out: split over the
    project's funds in the funding plan's order, each up to what it committed to the project
    and has not yet paid. All or nothing."""
    _begin_write(ctx)
    req = get_request(ctx, request_id, for_update=True)
    _require(ctx, A.fund_request_check, req.project.applicant_unit, T(
        "只有申请单位所属街道（镇）社区自治办的管理员可以登记拨付",
        "Only the street office above the applicant may record a disbursement"))
    return _disburse(ctx, req)


def _disburse(ctx: Ctx, req: FundRequest) -> list[LedgerEntry]:
    if req.state == FundRequestState.disbursed.value:
        raise RuleError(Violation("already_disbursed", T(
            f"资金申请#{req.id}已于{_day(req.disbursed_at)}拨付，不能重复拨付",
            f"Fund request #{req.id} was already disbursed ({_day(req.disbursed_at)}); it cannot be paid twice"),
            field="state"), status=409)
    if req.state != FundRequestState.approved.value:
        raise _state_error(req, T("拨付（须先经领导审批）", "disbursed (a leader must approve it first)"))
    project = req.project
    funds = funding.approved_funding(ctx, project)
    if funds:
        ledger.lock_funds(ctx, [f.id for f, _ in funds])
        funds = funding.approved_funding(ctx, project)  # re-read under the locks
    left, entries = req.amount_fen, []
    plan = []
    for fund, bal in funds:
        take = min(left, max(bal.committed - bal.disbursed, 0))
        if take > 0:
            plan.append((fund, take))
            left -= take
    if left > 0:
        room = req.amount_fen - left
        raise RuleError(Violation("over_committed", T(
            f"项目已承诺但未拨付的资金只剩 {money_text(room).zh}，不足以拨付本申请的 {money_text(req.amount_fen).zh}",
            f"Only {money_text(room).en} of the project's committed money is unpaid; the request asks {money_text(req.amount_fen).en}"),
            field="amount"), status=409)
    memo = f"资金申请#{req.id}（{req.month}）：{req.purpose}"[:ledger.MEMO_MAX]
    for fund, take in plan:
        entries.append(ledger.disburse(ctx, fund.id, take, project.id, disbursement_key(req.id, fund.id),
                                       memo=memo, fund_request_id=req.id))
    with ctx.action("fund_request.disburse"):
        req.state = FundRequestState.disbursed.value
        req.disbursed_at = ctx.clock.now()
    return entries


def disburse_batch(ctx: Ctx, batch_id: int) -> list[FundRequest]:
    """Record the disbursement of every approved (not yet paid) request of an approved batch."""
    _begin_write(ctx)
    batch = get_batch(ctx, batch_id, for_update=True)
    _require(ctx, A.fund_request_check, batch.street_unit, T(
        f"只有{batch.street_unit.name}社区自治办的管理员可以登记拨付",
        f"Only the office of {batch.street_unit.name_en or batch.street_unit.name} may record disbursements"))
    if batch.state != BatchState.approved.value:
        raise RuleError(Violation("batch_not_approved", T(
            "该月度汇总尚未经街道领导审批，不能拨付", "The batch is not approved yet, so nothing can be paid"),
            field="state"), status=409)
    pending = [r for r in batch_requests(ctx, batch.id) if r.state == FundRequestState.approved.value]
    if not pending:
        raise RuleError(Violation("nothing_to_disburse", T("该汇总中的资金申请均已拨付", "Every request of the batch is already paid"),
                                  field="state"), status=409)
    for req in pending:
        locked = get_request(ctx, req.id, for_update=True)
        _disburse(ctx, locked)
    return pending


def disbursement_entries(ctx: Ctx, request_ids: Iterable[int]) -> list[LedgerEntry]:
    """The disbursement entries posted for these requests, in posting order."""
    ids = sorted(set(request_ids))
    if not ids:
        return []
    return list(ctx.session.scalars(select(LedgerEntry).where(
        LedgerEntry.fund_request_id.in_(ids), LedgerEntry.kind == EntryKind.disbursement.value).order_by(LedgerEntry.id)))


def _day(value) -> str:
    return value.strftime("%Y-%m-%d") if value is not None else ""


# ---------------------------------------------------------------- spending and refunds


def _money_of_request(ctx: Ctx, req: FundRequest) -> tuple[list, RequestMoney]:
    """The project's funds (locked, in plan order) and this request's money in them."""
    funds = funding.approved_funding(ctx, req.project)
    if funds:
        ledger.lock_funds(ctx, [f.id for f, _ in funds])
    return [f for f, _ in funding.approved_funding(ctx, req.project)], request_money(ctx, req.project_id).get(req.id, RequestMoney())


def _key_token(key) -> str:
    if key in (None, ""):
        return uuid.uuid4().hex
    if not isinstance(key, str) or not re.fullmatch(KEY_PATTERN, key.strip()):
        raise RuleError(Violation("invalid_idempotency_key", T(
            "请求编号（幂等键）应为1至80个字母、数字或 _.:- ", "The idempotency key must be 1-80 letters, digits or _.:-"),
            field="key"))
    return key.strip()


def _replayed(ctx: Ctx, prefix: str) -> list[LedgerEntry]:
    return list(ctx.session.scalars(select(LedgerEntry).where(LedgerEntry.idempotency_key.startswith(prefix, autoescape=True))
                                    .order_by(LedgerEntry.id)))


def _replay(done: list[LedgerEntry], fen: int, key: str) -> list[LedgerEntry]:
    """A retry under a key already used: what was recorded then, if it asks the same; a key sent
    again with another amount is a conflict, not a silent replay. The input is read first: a
    retry is refused for what any request would be refused for."""
    if sum(e.amount_fen for e in done) != fen:
        raise RuleError(Violation("idempotency_conflict", T(
            f"请求编号「{key}」已用于另一笔金额不同的登记", f"The key '{key}' was already used for another amount"),
            field="key"), status=409)
    return done


def _disbursed_request(ctx: Ctx, request_id: int, action: Action, who: Text, kind: str, doing: Text, key: str | None):
    """What recording an expense and a refund share: the request locked, the caller's role, a
    retry's earlier entries (the same key), and a request that has been disbursed. Returns
    (request, the entries' key prefix, the entries already recorded under ``key`` or [])."""
    _begin_write(ctx)
    req = get_request(ctx, request_id, for_update=True)
    _require(ctx, action, req.project.applicant_unit, who)
    prefix = f"fund_request:{req.id}:{kind}:{_key_token(key)}:"
    done = _replayed(ctx, prefix) if key else []
    if not done and req.state != FundRequestState.disbursed.value:
        raise _state_error(req, doing)
    return req, prefix, done or []


def record_expense(ctx: Ctx, request_id: int, *, amount, memo: str = "", receipt=None, storage=None,
                   key: str | None = None) -> list[LedgerEntry]:
    """The applicant records spending of a disbursed request's money, with its receipt (stored
    as an attachment of the project): ``receipt`` is the upload as it came (werkzeug's
    ``FileStorage``, or anything with a ``filename`` and a ``stream``). Never more than the
    request paid out and is unspent. ``key`` makes a retry safe: the same key returns what was
    recorded the first time."""
    receipt_filename = getattr(receipt, "filename", None)
    receipt_stream: BinaryIO | None = getattr(receipt, "stream", None)
    req, prefix, done = _disbursed_request(
        ctx, request_id, A.fund_request_file, T("只有申请单位可以登记支出", "Only the applicant may record spending"),
        "expense", T("登记支出（须先拨付）", "spent (it must be disbursed first)"), key)
    v = Violations()
    fen, problem = _amount(amount)
    v.add(problem)
    memo = _text(memo, "memo", T("支出说明", "Description"), required=True, v=v)
    if receipt_stream is None or not receipt_filename:
        v.add(Violation("receipt_required", T("请上传收据或发票（PDF、JPG 或 PNG）", "Upload the receipt (PDF, JPG or PNG)"),
                        field="receipt"))
    v.raise_if_blocking()
    if done:
        return _replay(done, fen, key)
    data, content_type = storage.read_upload(receipt_stream, receipt_filename, RECEIPT_TYPES, field="receipt")
    funds, money = _money_of_request(ctx, req)
    if fen > money.unspent:
        raise RuleError(Violation("over_request_disbursed", T(
            f"支出 {money_text(fen).zh} 超出该申请已拨付未支出的金额：已拨付 {money_text(money.disbursed_total).zh}，"
            f"已支出 {money_text(money.spent_total).zh}，尚可支出 {money_text(money.unspent).zh}",
            f"Spending {money_text(fen).en} exceeds what this request paid out and is unspent: disbursed "
            f"{money_text(money.disbursed_total).en}, spent {money_text(money.spent_total).en}, {money_text(money.unspent).en} left"),
            field="amount"))
    stored_key, digest = storage.save(ctx.tenant_id, data)
    name = receipt_filename.replace("\\", "/").rsplit("/", 1)[-1].strip()[-255:] or "receipt"
    with ctx.action("fund_request.receipt"):
        receipt = Attachment(project_id=req.project_id, kind=RECEIPT_KIND, filename=name, content_type=content_type,
                             size=len(data), sha256=digest, storage_key=stored_key, uploaded_by_id=ctx.actor.id)
        ctx.session.add(receipt)
    entries, left = [], fen
    text = f"资金申请#{req.id}：{memo}"[:ledger.MEMO_MAX]
    for fund in funds:
        take = min(left, money.disbursed.get(fund.id, 0) - money.spent.get(fund.id, 0))
        if take > 0:
            entries.append(ledger.expense(ctx, fund.id, take, req.project_id, f"{prefix}{fund.id}", memo=text,
                                          receipt_attachment_id=receipt.id, fund_request_id=req.id))
            left -= take
    return entries


def record_refund(ctx: Ctx, request_id: int, *, amount, memo: str = "", key: str | None = None) -> list[LedgerEntry]:
    """Unspent money of a disbursed request goes back to its funds (the last-drawn fund first)."""
    req, prefix, done = _disbursed_request(
        ctx, request_id, A.fund_request_refund,
        T("只有申请单位或街道社区自治办可以登记退回", "Only the applicant or the street office may record a refund"),
        "refund", T("登记退回（须先拨付）", "refunded (it must be disbursed first)"), key)
    v = Violations()
    fen, problem = _amount(amount)
    v.add(problem)
    memo = _text(memo, "memo", T("退回说明", "Description"), required=False, v=v)
    v.raise_if_blocking()
    if done:
        return _replay(done, fen, key)
    funds, money = _money_of_request(ctx, req)
    if fen > money.unspent:
        raise RuleError(Violation("over_request_unspent", T(
            f"退回 {money_text(fen).zh} 超出该申请已拨付未支出的金额 {money_text(money.unspent).zh}",
            f"Refunding {money_text(fen).en} exceeds the {money_text(money.unspent).en} this request paid out and has not spent"),
            field="amount"))
    entries, left = [], fen
    text = f"资金申请#{req.id}退回" + (f"：{memo}" if memo else "")
    for fund in reversed(funds):
        take = min(left, money.disbursed.get(fund.id, 0) - money.spent.get(fund.id, 0))
        if take > 0:
            entries.append(ledger.refund(ctx, fund.id, take, req.project_id, f"{prefix}{fund.id}",
                                         memo=text[:ledger.MEMO_MAX], fund_request_id=req.id))
            left -= take
    return entries


def receipts(ctx: Ctx, project_id: int) -> dict[int, list[tuple[LedgerEntry, Attachment | None]]]:
    """Per request of the project, its expense entries with their receipts, oldest first."""
    rows = ctx.session.execute(select(LedgerEntry, Attachment)
                               .outerjoin(Attachment, Attachment.id == LedgerEntry.receipt_attachment_id)
                               .where(LedgerEntry.project_id == project_id, LedgerEntry.kind == EntryKind.expense.value,
                                      LedgerEntry.fund_request_id.is_not(None))
                               .order_by(LedgerEntry.id)).all()
    out: dict[int, list] = {}
    for entry, att in rows:
        out.setdefault(entry.fund_request_id, []).append((entry, att))
    return out
