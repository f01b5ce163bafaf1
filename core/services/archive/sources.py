"""Core's record sources (see ``core.plugin_host.sources``): where the archive's evidence and the
tools' work are found for the records core keeps today. ``register_core`` puts them into a
platform's registry when the platform is built.

- ``form`` (``{"form": key}``): the application form of that key, saved;
- ``attachment`` (``{"kinds": [...]}``): files of those kinds, uploaded with the application or
  to the archive afterwards;
- ``expenses``: spending recorded in the ledger, each with its voucher (凭证);
- ``final_accounts``: the final accounts (决算表) the ledger draws up;
- ``disclosure``: the project's public disclosure (村(居)务公开) shows money paid or spent;
- ``visits`` (``{"kinds": [...]}`` optional): supervision visits of those kinds;
- ``change_requests``: the change requests (变更申请) filed.

Records other parts of the platform keep (plan tasks, activity records and their photos, the
people registry, reports and self-assessments) are registered by those parts, beside these.
"""
from __future__ import annotations

from sqlalchemy import case, func, select

from core.formats import day_text  # the day in words, as every page writes it
from core.i18n import T
from core.models import ChangeRequest, EntryKind, LedgerEntry, Project, SupervisionVisit
from core.models.supervision import VisitKind
from core.money import money_text
from core.plugin_host.sources import Finding, Link, Source, SourceRegistry
from core.services.disclosure import DISCLOSED_STATES

PROJECT_PAGE = "web.projects.show"
ARCHIVE_PAGE = "web.archive.page"
SUPERVISION_PAGE = "web.supervision.project"


def _kinds(params: dict) -> list[str]:
    kinds = params.get("kinds") or ([params["kind"]] if params.get("kind") else [])
    return [str(k) for k in kinds]


# -- form ------------------------------------------------------------------------------------------

def _form_link(project: Project, params: dict) -> Link:
    return Link(PROJECT_PAGE, f"form-{params.get('form', '')}")


def _form(ctx, project: Project, params: dict) -> Finding:
    saved = params.get("form") in (project.forms or {})
    return Finding(saved, T("已填写", "filled in") if saved else T("尚未填写", "not filled in yet"),
                   _form_link(project, params), int(saved))


# -- attachments -------------------------------------------------------------------------------------

def _attachment_link(project: Project, params: dict) -> Link:
    return Link(ARCHIVE_PAGE, "documents")


def _attachments(ctx, project: Project, params: dict) -> Finding:
    kinds = set(_kinds(params))
    n = sum(1 for a in project.attachments if a.kind in kinds)
    return Finding(n > 0, T(f"已上传{n}份", f"{n} uploaded") if n else T("尚未上传", "none uploaded yet"),
                   _attachment_link(project, params), n)


# -- money: expenses with vouchers, final accounts, disclosure ----------------------------------------

def _fund_requests_link(project: Project, params: dict) -> Link:
    return Link(PROJECT_PAGE, "fund-requests")


def _expenses(ctx, project: Project, params: dict) -> Finding:
    n, without = ctx.session.execute(
        select(func.count(), func.coalesce(func.sum(case((LedgerEntry.voucher_attachment_id.is_(None), 1), else_=0)), 0))
        .where(LedgerEntry.project_id == project.id, LedgerEntry.kind == EntryKind.expense.value)).one()
    n, without = int(n or 0), int(without or 0)
    if not n:
        detail = T("尚无支出记录", "no spending recorded yet")
    elif without:
        detail = T(f"{n}笔支出中{without}笔未附凭证", f"{without} of {n} expenses have no voucher")
    else:
        detail = T(f"{n}笔支出，均附凭证", f"{n} expenses, each with its voucher")
    return Finding(n > 0 and not without, detail, _fund_requests_link(project, params), n)


def _money(ctx, project: Project) -> tuple[int, int, int]:
    """(disbursed, spent, entries that move money to or in the project) from the ledger."""
    rows = {kind: n for kind, n in ctx.session.execute(select(LedgerEntry.kind, func.count()).where(
        LedgerEntry.project_id == project.id).group_by(LedgerEntry.kind))}
    spent = int(ctx.session.scalar(select(func.coalesce(func.sum(LedgerEntry.amount_fen), 0)).where(
        LedgerEntry.project_id == project.id, LedgerEntry.kind == EntryKind.expense.value)) or 0)
    return int(rows.get(EntryKind.disbursement.value, 0)), spent, int(rows.get(EntryKind.expense.value, 0))


def _final_accounts(ctx, project: Project, params: dict) -> Finding:
    _, spent, expenses = _money(ctx, project)
    detail = (T(f"已登记支出{money_text(spent).zh}，决算表随之生成", f"{money_text(spent).en} spent; the accounts follow")
              if expenses else T("尚无支出，决算表为空", "no spending yet: the accounts are empty"))
    return Finding(expenses > 0, detail, _fund_requests_link(project, params), expenses)


def _disclosure_link(project: Project, params: dict) -> Link:
    return Link("web.disclosure.project")


def _disclosure(ctx, project: Project, params: dict) -> Finding:
    if project.state not in DISCLOSED_STATES:
        return Finding(False, T("项目未立项，不公开", "not approved: not disclosed"), None)
    paid, _, spent = _money(ctx, project)
    if not (paid or spent):
        return Finding(False, T("尚无拨付或支出可公开", "nothing paid or spent to disclose yet"), _disclosure_link(project, params))
    return Finding(True, T(f"资金公开已列出{paid}笔拨付、{spent}笔支出", f"the disclosure lists {paid} payments and {spent} expenses"),
                   _disclosure_link(project, params), paid + spent)


# -- supervision and changes -----------------------------------------------------------------------

def _visits_link(project: Project, params: dict) -> Link:
    return Link(SUPERVISION_PAGE)


def _visits(ctx, project: Project, params: dict) -> Finding:
    kinds = _kinds(params) or [k.value for k in VisitKind]
    n, last = ctx.session.execute(select(func.count(), func.max(SupervisionVisit.visited_on)).where(
        SupervisionVisit.project_id == project.id, SupervisionVisit.kind.in_(kinds))).one()
    n = int(n or 0)
    detail = T(f"已督导{n}次（最近一次{day_text(last)}）", f"{n} visit(s), the latest on {day_text(last, 'en')}") if n else T("尚无督导记录", "no visits yet")
    return Finding(n > 0, detail, _visits_link(project, params), n)


def _changes_link(project: Project, params: dict) -> Link:
    return Link(PROJECT_PAGE, "changes")


def _changes(ctx, project: Project, params: dict) -> Finding:
    n = int(ctx.session.scalar(select(func.count()).select_from(ChangeRequest).where(ChangeRequest.project_id == project.id)) or 0)
    return Finding(n > 0, T(f"{n}份变更申请", f"{n} change request(s)") if n else T("尚无变更（根据需要使用）", "none (used as needed)"),
                   _changes_link(project, params), n)


CORE_SOURCES = (
    Source("form", T("申报表单", "application form"), _form, _form_link),
    Source("attachment", T("附件与档案材料", "attachments and archive documents"), _attachments, _attachment_link),
    Source("expenses", T("支出及凭证", "spending with vouchers"), _expenses, _fund_requests_link),
    Source("final_accounts", T("项目经费决算表", "final accounts"), _final_accounts, _fund_requests_link),
    Source("disclosure", T("资金公开", "public disclosure"), _disclosure, _disclosure_link),
    Source("visits", T("督导记录", "supervision visits"), _visits, _visits_link),
    Source("change_requests", T("项目变更申请", "change requests"), _changes, _changes_link),
)


def register_core(registry: SourceRegistry) -> None:
    """Register core's sources (again: nothing changes)."""
    for source in CORE_SOURCES:
        registry.register(source)
