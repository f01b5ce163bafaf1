"""The close-out (结项): the programme's office closes an approved project once its work and
money are settled. Closing

- draws up the final accounts (tool 12, ``core.services.final_accounts``) as they stand and keeps
  their totals with the close-out (``ProjectCloseout``);
- releases to each fund what the project's approval committed there and was never paid out,
  by a ledger ``release`` under the fund's lock with the idempotency key
  ``closeout:<project id>:<fund id>``, so the money is the fund's to commit again and the
  ledger still reconciles;
- moves the project to ``closed``: it keeps everything it recorded, stays public with its
  money, and takes nothing new (``core.services.closed``).

A project is closed only when nothing is left half-done, each refusal saying what to do first:
no fund request still open, no money paid out and neither spent nor refunded (a voucher or a
refund first: the ledger could not release it), no rectification still open, no change request
awaiting a decision. ``preview`` answers the same questions without closing, for the page.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from core.i18n import T
from core.models import ChangeRequest, DueItem, Fund, FundRequest, Project, ProjectCloseout, ProjectState
from core.models.obligation import OWED_STATES, ItemState
from core.models.fund_request import OPEN_STATES as OPEN_REQUESTS
from core.money import money_text
from core.permissions import A
from core.services import calendar, final_accounts, ledger
from core.services.closed import refuse_if_closed
from core.services.context import Ctx
from core.services.projects import _transitioned, get_project
from core.services.supervision import open_count, supervision_clause
from core.services.supervision.common import MIN_TEXT, TEXT_MAX, text
from core.violations import Forbidden, RuleError, Violation

KEY = "closeout:{project}:{fund}"


@dataclass
class Preview:
    """What closing the project would do now: the final accounts, what each fund gets back, and
    what still stands in the way (``blockers``); ``closeout`` once it is closed."""

    project: Project
    accounts: final_accounts.FinalAccounts
    releases: list[tuple[Fund, int]] = field(default_factory=list)
    blockers: list[Violation] = field(default_factory=list)
    closeout: ProjectCloseout | None = None

    @property
    def released_fen(self) -> int:
        return sum(amount for _, amount in self.releases)


def _releases(ctx: Ctx, project: Project) -> tuple[list[tuple[Fund, int]], dict[int, ledger.Balance]]:
    """Per fund of the project: committed but not paid out (what closing releases)."""
    balances = ledger.project_balances(ctx, project.id)
    funds = ledger.funds_by_id(ctx, list(balances))
    return [(f, balances[f.id].committed - balances[f.id].disbursed) for f in funds
            if balances[f.id].committed > balances[f.id].disbursed], balances


def _blockers(ctx: Ctx, project: Project, balances: dict[int, ledger.Balance]) -> list[Violation]:
    found = []
    requests = int(ctx.session.scalar(select(func.count()).select_from(FundRequest).where(
        FundRequest.project_id == project.id, FundRequest.state.in_(OPEN_REQUESTS))) or 0)
    if requests:
        found.append(Violation("open_fund_requests", T(
            f"尚有{requests}笔资金申请未办结（待审核、待审批或待拨付）：请先办结或撤回后再结项",
            f"{requests} fund request(s) are still open (awaiting checks, approval or payment): settle or withdraw them first"),
            field="project_id"))
    unspent = sum(b.disbursed - b.spent for b in balances.values() if b.disbursed > b.spent)
    if unspent:
        found.append(Violation("unspent_money", T(
            f"已拨付但未登记支出的资金{money_text(unspent).zh}：请先登记支出（附凭证），或将未使用的部分退回资金后再结项",
            f"{money_text(unspent).en} was paid out and neither spent nor refunded: record the spending (with vouchers) "
            "or refund what was not used first"), field="project_id"))
    rectifying = open_count(ctx, project.id)
    if rectifying:
        found.append(Violation("open_rectifications", T(
            f"尚有{rectifying}项整改未完成：请责任单位报告整改情况，由街道社区自治办确认后再结项",
            f"{rectifying} rectification(s) are not closed: the owner reports, the office accepts, then the project closes"),
            field="project_id", clause=supervision_clause(ctx, project)))
    pending = int(ctx.session.scalar(select(func.count()).select_from(ChangeRequest).where(
        ChangeRequest.project_id == project.id, ChangeRequest.status == "pending")) or 0)
    if pending:
        found.append(Violation("change_pending", T("有待审批的项目变更申请：请先作出决定再结项",
                                                   "A change request awaits a decision: decide it first"), field="project_id"))
    return found


def closeout_of(ctx: Ctx, project: Project) -> ProjectCloseout | None:
    return ctx.session.scalars(select(ProjectCloseout).where(ProjectCloseout.project_id == project.id)).one_or_none()


def preview(ctx: Ctx, project_id: int) -> Preview:
    """The close-out as it would be now (or as it was, for a closed project): for those who may
    read the project's final accounts."""
    project = get_project(ctx, project_id)
    accounts = final_accounts.final_accounts(ctx, project.id)  # its own guard: who may read the accounts
    if project.state == ProjectState.closed.value:
        return Preview(project, accounts, closeout=closeout_of(ctx, project))
    releases, balances = _releases(ctx, project)
    blockers = _blockers(ctx, project, balances) if project.state == ProjectState.approved.value else []
    return Preview(project, accounts, releases, blockers)


def close(ctx: Ctx, project_id: int, *, summary: str) -> ProjectCloseout:
    """Close the project (see the module doc); refused with every reason that stands in the way."""
    project = get_project(ctx, project_id, for_update=True)
    if not ctx.can(A.project_close, project).allowed:
        raise Forbidden(T(f"只有年度项目「{project.programme.title}」的主办单位（街道社区自治办）可以办理结项",
                          f"Only the office running {project.programme.title} closes its projects"))
    refuse_if_closed(ctx, project, T("再次结项", "be closed again"), field="state")
    if project.state != ProjectState.approved.value:
        label = project.state_enum.label
        raise RuleError(Violation("project_not_approved", T(
            f"项目当前状态为「{label.zh}」，只有已立项的项目可以结项", f"The project is {label.en}; only approved projects close"),
            field="state"), status=409)
    calendar.require(ctx, project.programme, A.project_close, project)
    said, problem = text(summary, "summary", T("结项意见", "Close-out summary"), limit=TEXT_MAX, required=True, minimum=MIN_TEXT)
    if problem:
        raise RuleError(problem)
    _, balances = _releases(ctx, project)
    if balances:
        ledger.lock_funds(ctx, list(balances))  # then read again: the money cannot move under us
    releases, balances = _releases(ctx, project)
    blockers = _blockers(ctx, project, balances)
    if blockers:
        raise RuleError(blockers, status=409)
    committed = sum(b.committed for b in balances.values())
    memo = f"{project.title}：结项，释放未拨付的承诺资金"[:ledger.MEMO_MAX]
    for fund, amount in releases:
        ledger.release(ctx, fund.id, amount, project.id, KEY.format(project=project.id, fund=fund.id), memo=memo)
    before = project.state
    with ctx.action("project.close"):
        row = ProjectCloseout(project_id=project.id, closed_by_id=ctx.actor.id, summary=said, committed_fen=committed,
                              disbursed_fen=sum(b.disbursed for b in balances.values()),
                              spent_fen=sum(b.spent for b in balances.values()),
                              released_fen=sum(amount for _, amount in releases))
        ctx.session.add(row)
        project.state = ProjectState.closed.value
        # A closed project takes no more records, so it owes no more reports: what it still
        # owed is waived (no to-do, reminder or escalation follows); what was handed in stays.
        for item in ctx.session.scalars(select(DueItem).where(DueItem.project_id == project.id,
                                                              DueItem.state.in_(OWED_STATES))):
            item.state = ItemState.waived.value
    _transitioned(ctx, project, "close", before)
    return row
