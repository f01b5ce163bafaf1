"""A project's final accounts (经费决算表): per item of its budget, what was budgeted, requested,
disbursed and spent, and the balance; plus the money that belongs to no budget item.

Everything is derived: requests from ``fund_requests``, money from the ledger. Each ledger
entry of the project is set against the budget item of the fund request it names; entries
that name no request (or a request on no item) fall into the row "not on a budget item", so
the totals always equal the ledger's own totals for the project.

Columns, in fen:

- budgeted: the item's amount in the project's (approved) budget;
- requested: fund requests on the item that are open or disbursed (not refused or withdrawn);
- disbursed: paid out for those requests, net of refunds and corrections;
- spent: expenses recorded against those requests, net of corrections;
- balance: budgeted − spent (结余; negative when the item is overspent or has no budget).

``workbook`` renders the same as an .xlsx with ``core.services.spreadsheets`` (where every
workbook is built): Chinese headers (English when asked), amounts as exact ``Decimal`` yuan
computed from fen, shown with two decimals.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from core.i18n import T, Text
from core.models import EntryKind, FundRequest, Project
from core.permissions import A
from core.services import fund_requests
from core.services.context import Ctx
from core.services.projects import get_project
from core.violations import Forbidden
from core.services.spreadsheets import Column, add_sheet, new_workbook, to_bytes

UNASSIGNED = T("未列入预算明细", "not on a budget item")
COLUMNS = (
    ("budgeted", T("预算金额（元）", "Budgeted (yuan)")),
    ("requested", T("已申请（元）", "Requested (yuan)")),
    ("disbursed", T("已拨付（元）", "Disbursed (yuan)")),
    ("spent", T("实际支出（元）", "Spent (yuan)")),
    ("balance", T("结余（元）", "Balance (yuan)")),
)
# Requests whose amount counts as "requested": still open, or paid out.
REQUESTED_STATES = fund_requests.HOLDING_STATES


@dataclass
class AccountsRow:
    label: Text | str
    budget_item_id: int | None = None
    budgeted: int = 0
    requested: int = 0
    disbursed: int = 0
    spent: int = 0

    @property
    def balance(self) -> int:
        return self.budgeted - self.spent

    def values(self) -> dict[str, int]:
        return {key: getattr(self, key) for key, _ in COLUMNS}

    def add(self, other: "AccountsRow") -> None:
        for key in ("budgeted", "requested", "disbursed", "spent"):
            setattr(self, key, getattr(self, key) + getattr(other, key))


@dataclass
class FinalAccounts:
    project: Project
    items: list[AccountsRow]  # a row per budget item, in the budget's order
    unassigned: AccountsRow
    total: AccountsRow
    committed: int  # what the approval committed (the project's approved money)
    refunded: int
    as_of: str  # the day it was drawn up (today, on the platform's clock)

    @property
    def show_unassigned(self) -> bool:
        """Whether any money or request falls outside the budget items."""
        u = self.unassigned
        return bool(u.requested or u.disbursed or u.spent)

    @property
    def rows(self) -> list[AccountsRow]:
        """The budget items' rows, then the unassigned row when anything is in it."""
        return self.items + ([self.unassigned] if self.show_unassigned else [])


def may_view(ctx: Ctx, project: Project) -> bool:
    return ctx.can(A.fund_request_view, project).allowed


def final_accounts(ctx: Ctx, project_id: int) -> FinalAccounts:
    project = get_project(ctx, project_id)
    if not may_view(ctx, project):
        raise Forbidden(T("只有申报单位、其上级街道和监督委员会可以查看项目经费决算",
                          "Only the applicant, the street above it and the supervision committee may see the final accounts"))
    by_item = {b.id: AccountsRow(b.description, b.id, budgeted=b.amount_fen) for b in project.budget_items}
    unassigned = AccountsRow(UNASSIGNED)

    def row_of(item_id: int | None) -> AccountsRow:
        return by_item.get(item_id, unassigned) if item_id is not None else unassigned

    requests = ctx.session.execute(select(FundRequest.id, FundRequest.budget_item_id, FundRequest.state, FundRequest.amount_fen)
                                   .where(FundRequest.project_id == project.id)).all()
    row_by_request = {}
    for rid, item_id, state, amount in requests:
        row_by_request[rid] = row_of(item_id)
        if state in REQUESTED_STATES:
            row_by_request[rid].requested += amount

    committed = refunded = 0
    for (rid, _fund_id, kind), fen in fund_requests.entry_sums(ctx, project_id=project.id).items():
        row = row_by_request.get(rid, unassigned) if rid is not None else unassigned
        if kind == EntryKind.disbursement.value:
            row.disbursed += fen
        elif kind == EntryKind.refund.value:
            row.disbursed -= fen
            refunded += fen
        elif kind == EntryKind.expense.value:
            row.spent += fen
        elif kind == EntryKind.commitment.value:
            committed += fen
        elif kind == EntryKind.release.value:
            committed -= fen

    total = AccountsRow(T("合计", "Total"))
    ordered = [by_item[b.id] for b in project.budget_items]
    for row in ordered + [unassigned]:
        total.add(row)
    return FinalAccounts(project, ordered, unassigned, total, committed, refunded, ctx.clock.today().isoformat())


# ---------------------------------------------------------------- the .xlsx


def workbook(accounts: FinalAccounts, locale: str = "zh") -> bytes:
    """The final accounts as an .xlsx, built as every workbook is (``core.services.spreadsheets``):
    the sheet 经费决算表 holds the table (a row per budget item, the unassigned row when anything
    is in it, then the 合计 row, summed in fen), and the sheet 项目信息 the project, its applicant
    and programme, what its approval committed, what was refunded and the day it was drawn up.
    The title, with the project's name, heads every printed page."""
    def tr(value) -> str:
        return value.render(locale) if isinstance(value, Text) else str(value)

    project = accounts.project
    applicant = project.applicant_unit
    title = tr(T(f"项目经费决算表：{project.title}", f"Project final accounts: {project.title}"))
    wb = new_workbook(title)
    columns = [Column(tr(T("序号", "No.")), "int"), Column(tr(T("预算明细", "Budget item")))]
    columns += [Column(tr(label), "yuan", total=True) for _, label in COLUMNS]
    numbered: list[tuple[int | None, AccountsRow]] = list(enumerate(accounts.items, start=1))
    if accounts.show_unassigned:
        numbered.append((None, accounts.unassigned))
    add_sheet(wb, tr(T("经费决算表", "Final accounts")), columns,
              [[number, tr(row.label), *row.values().values()] for number, row in numbered],
              title=title, total_label=tr(T("合计", "Total")))
    add_sheet(wb, tr(T("项目信息", "Project")), [
        Column(tr(T("项目名称", "Project"))), Column(tr(T("申报单位", "Applicant"))),
        Column(tr(T("年度项目", "Programme"))), Column(tr(T("核定（承诺）金额（元）", "Approved (committed, yuan)")), "yuan"),
        Column(tr(T("其中已退回（元）", "Of which refunded (yuan)")), "yuan"), Column(tr(T("编制日期", "As of")), "date"),
    ], [[project.title, (applicant.name_en or applicant.name) if locale == "en" else applicant.name,
         project.programme.title, accounts.committed, accounts.refunded, dt.date.fromisoformat(accounts.as_of)]],
        title=title, totals=False)
    return to_bytes(wb)


def filename(accounts: FinalAccounts) -> str:
    return f"经费决算表-{accounts.project.id}.xlsx"
