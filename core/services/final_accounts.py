"""A project's final accounts (经费决算表): per line of its budget, what was budgeted, requested,
disbursed and spent, and the balance; plus the money that belongs to no budget line.

Everything is derived: requests from ``fund_requests``, money from the ledger. Each ledger
entry of the project is set against the budget line of the fund request it names; entries
that name no request (or a request on no line) fall into the row "not on a budget line", so
the totals always equal the ledger's own totals for the project.

Columns, in fen:

- budgeted: the line's amount in the project's (approved) budget;
- requested: fund requests on the line that are open or disbursed (not refused or withdrawn);
- disbursed: paid out for those requests, net of refunds and corrections;
- spent: expenses recorded against those requests, net of corrections;
- balance: budgeted − spent (结余; negative when the line is overspent or has no budget).

``workbook`` renders the same as an .xlsx with Chinese headers; amounts are numbers computed
from fen with ``Decimal`` (exact), shown with two decimals.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from core.i18n import T, Text
from core.models import EntryKind, FundRequest, Project
from core.permissions import A
from core.money import fen_to_yuan
from core.services import fund_requests
from core.services.context import Ctx
from core.services.projects import get_project
from core.violations import Forbidden
from core.services.spreadsheets import printable

UNASSIGNED = T("未列入预算明细", "not on a budget line")
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
class Line:
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

    def add(self, other: "Line") -> None:
        for key in ("budgeted", "requested", "disbursed", "spent"):
            setattr(self, key, getattr(self, key) + getattr(other, key))


@dataclass
class FinalAccounts:
    project: Project
    lines: list[Line]
    unassigned: Line
    total: Line
    committed: int  # what the approval committed (the project's approved money)
    refunded: int
    as_of: str  # the day it was drawn up (today, on the platform's clock)

    @property
    def show_unassigned(self) -> bool:
        """Whether any money or request falls outside the budget lines."""
        u = self.unassigned
        return bool(u.requested or u.disbursed or u.spent)

    @property
    def rows(self) -> list[Line]:
        """The budget lines, then the unassigned row when anything is in it."""
        return self.lines + ([self.unassigned] if self.show_unassigned else [])


def may_view(ctx: Ctx, project: Project) -> bool:
    return ctx.can(A.fund_request_view, project).allowed


def final_accounts(ctx: Ctx, project_id: int) -> FinalAccounts:
    project = get_project(ctx, project_id)
    if not may_view(ctx, project):
        raise Forbidden(T("只有申报单位、其上级街道和监督委员会可以查看项目经费决算",
                          "Only the applicant, the street above it and the supervision committee may see the final accounts"))
    lines = {b.id: Line(b.description, b.id, budgeted=b.amount_fen) for b in project.budget_items}
    unassigned = Line(UNASSIGNED)

    def line_of(item_id: int | None) -> Line:
        return lines.get(item_id, unassigned) if item_id is not None else unassigned

    requests = ctx.session.execute(select(FundRequest.id, FundRequest.budget_item_id, FundRequest.state, FundRequest.amount_fen)
                                   .where(FundRequest.project_id == project.id)).all()
    line_by_request = {}
    for rid, item_id, state, amount in requests:
        line_by_request[rid] = line_of(item_id)
        if state in REQUESTED_STATES:
            line_by_request[rid].requested += amount

    committed = refunded = 0
    for (rid, _fund_id, kind), fen in fund_requests.entry_sums(ctx, project_id=project.id).items():
        line = line_by_request.get(rid, unassigned) if rid is not None else unassigned
        if kind == EntryKind.disbursement.value:
            line.disbursed += fen
        elif kind == EntryKind.refund.value:
            line.disbursed -= fen
            refunded += fen
        elif kind == EntryKind.expense.value:
            line.spent += fen
        elif kind == EntryKind.commitment.value:
            committed += fen
        elif kind == EntryKind.release.value:
            committed -= fen

    total = Line(T("合计", "Total"))
    ordered = [lines[b.id] for b in project.budget_items]
    for line in ordered + [unassigned]:
        total.add(line)
    return FinalAccounts(project, ordered, unassigned, total, committed, refunded, ctx.clock.today().isoformat())


# ---------------------------------------------------------------- the .xlsx


def workbook(accounts: FinalAccounts, locale: str = "zh") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    def tr(value) -> str:
        return printable(value.render(locale) if isinstance(value, Text) else str(value))

    project = accounts.project
    wb = Workbook()
    ws = wb.active
    ws.title = tr(T("经费决算表", "Final accounts"))
    money_format = "#,##0.00"
    thin = Side(style="thin", color="999999")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    width = 2 + len(COLUMNS)

    ws.append([tr(T("项目经费决算表", "Project final accounts"))])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    applicant = project.applicant_unit
    info = [
        (T("项目名称", "Project"), project.title),
        (T("申报单位", "Applicant"), (applicant.name_en or applicant.name) if locale == "en" else applicant.name),
        (T("年度项目", "Programme"), project.programme.title),
        (T("核定（承诺）金额（元）", "Approved (committed, yuan)"), fen_to_yuan(accounts.committed)),
        (T("编制日期", "As of"), accounts.as_of),
    ]
    for label, value in info:
        ws.append([tr(label), printable(value)])
        if isinstance(value, Decimal):
            ws.cell(row=ws.max_row, column=2).number_format = money_format
    ws.append([])

    header = [tr(T("序号", "No.")), tr(T("预算明细", "Budget line"))] + [tr(label) for _, label in COLUMNS]
    ws.append(header)
    header_row = ws.max_row
    for col in range(1, width + 1):
        cell = ws.cell(row=header_row, column=col)
        cell.font, cell.border = Font(bold=True), box
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)

    def money_row(first, line: Line, bold: bool = False) -> None:
        ws.append([first, tr(line.label)] + [fen_to_yuan(v) for v in line.values().values()])
        row = ws.max_row
        for col in range(1, width + 1):
            cell = ws.cell(row=row, column=col)
            cell.border = box
            if bold:
                cell.font = Font(bold=True)
            if col > 2:
                cell.number_format = money_format

    for i, line in enumerate(accounts.lines, start=1):
        money_row(i, line)
    if accounts.show_unassigned:
        money_row("", accounts.unassigned)
    money_row("", accounts.total, bold=True)
    if accounts.refunded:
        ws.append([])
        ws.append([tr(T("其中已退回（元）", "Of which refunded (yuan)")), fen_to_yuan(accounts.refunded)])
        ws.cell(row=ws.max_row, column=2).number_format = money_format

    widths = [8, 30] + [16] * len(COLUMNS)
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def filename(accounts: FinalAccounts) -> str:
    return f"经费决算表-{accounts.project.id}.xlsx"
