"""Public disclosure (村(居)务公开): where a unit's project money came from and where it went.

For an org unit (a neighbourhood, or a street with everything below it) and a year, and for
one project, this module gathers what residents and their congress are shown:

- every approved project of the unit with its **sources** (each fund it draws on, with what
  was committed, disbursed and spent from it; the sponsors' pledges that claimed it, promised
  and received; in-kind resources), its **approval** (date, approved amount and where the
  decision said it comes from, source by source, each beside what its fund has committed so
  far: the same lines as the project page, ``core.services.approval_sources``), its
  **disbursements** (with the purpose and month of the fund request each answers) and its
  **spending** (date, memo, amount, and whether a receipt exists);
- the unit's own funds with allocated, committed, disbursed, spent and remaining.

What is public, and what is not: only projects in ``DISCLOSED_STATES``; no reviewer's scores,
comments or name; no receipt file (only the fact that one exists); no fund request's
beneficiaries; an individual donor appears by kind, not by name. Everything here is read-only.

All figures are the ledger's (``core.services.ledger``): fund balances from
``ledger.balances``, each project's balance per fund from one aggregate over the projects'
entries (the same net-of-corrections sums ``ledger.project_balances`` makes for one project).
Listed movements are signed as they move their column (a refund or a correction is negative),
so each list adds up to the balance shown above it. However many projects a unit has, a
disclosure costs a fixed number of queries.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from sqlalchemy import func, select, union_all
from sqlalchemy.orm import aliased, lazyload

from core.i18n import T, Text
from core.models import (
    Decision, EntryKind, Fund, FundKind, FundRequest, LedgerEntry, OrgUnit, Pledge, Programme, Project,
    ProjectState, SponsorKind,
)
from core.money import format_yuan
from core.plugin_host.manager import PluginFailure
from core.services import approval_sources, funding, holds, ledger
from core.services.context import Ctx
from core.services.org import get_unit
from core.services.programmes import policy_of
from core.violations import NotFound

PROJECT = T("项目", "project")
# States whose projects are public with their money. Drafts, applications under review and
# refused ones are not: only what was approved was ever promised money.
DISCLOSED_STATES = (ProjectState.approved.value,)
# Ledger times are stored in UTC; a disclosure dates them as residents do (China has one time
# zone and no daylight saving).
LOCAL = dt.timezone(dt.timedelta(hours=8))

PAID = (EntryKind.disbursement.value, EntryKind.refund.value)
SPENT = (EntryKind.expense.value,)
# How a listed entry moves its column: refunds reduce what was disbursed.
SIGN = {EntryKind.disbursement.value: 1, EntryKind.refund.value: -1, EntryKind.expense.value: 1}
INDIVIDUAL = T("个人捐赠者", "an individual donor")


def local_date(at: dt.datetime | None) -> dt.date | None:
    if at is None:
        return None
    if at.tzinfo is None:  # SQLite hands back naive UTC
        at = at.replace(tzinfo=dt.timezone.utc)
    return at.astimezone(LOCAL).date()


# ---------------------------------------------------------------- what is shown


@dataclass(frozen=True)
class Source:
    """One fund a project draws on, with this project's share of it."""

    fund: Fund
    committed_fen: int
    disbursed_fen: int
    spent_fen: int

    @property
    def kind_label(self) -> Text:
        return FundKind(self.fund.kind).label


@dataclass(frozen=True)
class PledgeLine:
    """A sponsor's pledge: promised (money and/or in kind) and received (allocations naming it)."""

    id: int
    sponsor_name: Text
    sponsor_kind: str
    fund_id: int
    fund_name: str
    project_id: int | None  # only a disclosed project is named ...
    project_title: str
    claimed: bool           # ... though the pledge may claim one that is not (yet) disclosed
    promised_fen: int
    received_fen: int
    in_kind: str
    occasion: str
    pledged_on: dt.date

    @property
    def sponsor_kind_label(self) -> Text:
        return SponsorKind(self.sponsor_kind).label


@dataclass(frozen=True)
class Approval:
    decided_on: dt.date
    approved_fen: int | None
    decision_id: int | None = None
    recorded: tuple[funding.FundingLine, ...] = ()
    funding: tuple[approval_sources.Source, ...] = ()  # the recorded lines with what is committed now


@dataclass(frozen=True)
class Movement:
    """A listed ledger entry: a disbursement, a refund, an expense or a correction of one.
    ``amount_fen`` is signed as the entry moves its column (a refund or correction is < 0)."""

    entry_id: int
    on: dt.date
    kind: str
    corrected_kind: str | None  # for a correction: the kind of the entry it corrects
    fund_id: int
    fund_name: str
    project_id: int
    amount_fen: int
    memo: str
    purpose: str  # the fund request's, when the entry answers one
    month: str
    has_receipt: bool

    @property
    def label(self) -> Text:
        return EntryKind(self.kind).label

    @property
    def corrected_label(self) -> Text | None:
        return EntryKind(self.corrected_kind).label if self.corrected_kind else None


@dataclass(frozen=True)
class ProjectDisclosure:
    project: Project
    track_label: Text
    approval: Approval | None
    sources: list[Source]
    pledges: list[PledgeLine]
    disbursements: list[Movement]
    spending: list[Movement]

    @property
    def committed_fen(self) -> int:
        return sum(s.committed_fen for s in self.sources)

    @property
    def disbursed_fen(self) -> int:
        return sum(s.disbursed_fen for s in self.sources)

    @property
    def spent_fen(self) -> int:
        return sum(s.spent_fen for s in self.sources)

    @property
    def undisbursed_fen(self) -> int:
        return self.committed_fen - self.disbursed_fen

    @property
    def unspent_fen(self) -> int:
        return self.disbursed_fen - self.spent_fen

    @property
    def promised_fen(self) -> int:
        return sum(p.promised_fen for p in self.pledges)

    @property
    def received_fen(self) -> int:
        return sum(p.received_fen for p in self.pledges)

    @property
    def in_kind(self) -> list[PledgeLine]:
        return [p for p in self.pledges if p.in_kind]

    @property
    def receipts(self) -> int:
        return sum(1 for m in self.spending if m.has_receipt)

    @property
    def expenses(self) -> int:
        return sum(1 for m in self.spending if m.kind == EntryKind.expense.value)


@dataclass(frozen=True)
class FundLine:
    fund: Fund
    balance: ledger.Balance

    @property
    def kind_label(self) -> Text:
        return FundKind(self.fund.kind).label


@dataclass(frozen=True)
class UnitDisclosure:
    unit: OrgUnit
    year: int
    years: list[int]
    projects: list[ProjectDisclosure]
    funds: list[FundLine]
    pledges: list[PledgeLine]  # to the unit's funds of the year and to its projects

    def total(self, name: str) -> int:
        """A sum over the projects (``committed_fen``, ``disbursed_fen``, ``spent_fen`` ...)."""
        return sum(getattr(p, name) for p in self.projects)

    @property
    def approved_fen(self) -> int:
        return sum((p.approval.approved_fen or 0) for p in self.projects if p.approval)

    def fund_total(self, name: str) -> int:
        """A sum over the unit's funds (``allocated``, ``committed``, ``available`` ...)."""
        return sum(getattr(f.balance, name) for f in self.funds)

    @property
    def disbursements(self) -> list[Movement]:
        return [m for p in self.projects for m in p.disbursements]

    @property
    def spending(self) -> list[Movement]:
        return [m for p in self.projects for m in p.spending]


@dataclass(frozen=True)
class UnitChoice:
    """A unit on the "choose a unit" page, with its disclosed projects of the year."""

    unit: OrgUnit
    own: int        # projects the unit itself applied for
    within: int     # ... and those of every unit below it
    children: list["UnitChoice"] = field(default_factory=list)


# ---------------------------------------------------------------- years


def years(ctx: Ctx) -> list[int]:
    """The years anything can be disclosed for: programme years and fund years, newest first."""
    stmt = union_all(select(Programme.year.label("year")).distinct(), select(Fund.year.label("year")).distinct())
    return sorted({int(y) for (y,) in ctx.session.execute(stmt)}, reverse=True)


def default_year(known: list[int], now: int) -> int:
    """This year (``now``) if anything exists for it, else the latest year before it, else the latest."""
    if now in known or not known:
        return now
    past = [y for y in known if y <= now]
    return max(past) if past else max(known)


def choose_year(ctx: Ctx, year: int | None) -> tuple[int, list[int]]:
    known = years(ctx)
    if year is None:
        year = default_year(known, ctx.clock.today().year)
    return year, sorted(set(known) | {year}, reverse=True)


# ---------------------------------------------------------------- entry points


def unit_choices(ctx: Ctx, year: int) -> list[UnitChoice]:
    """The tenant's tree, each unit with how many projects of ``year`` it discloses (two
    queries: the units and one grouped count)."""
    units = list(ctx.session.scalars(select(OrgUnit).order_by(OrgUnit.path)))
    counts = dict(ctx.session.execute(
        select(Project.applicant_unit_id, func.count())
        .join(Programme, Programme.id == Project.programme_id)
        .where(Project.state.in_(DISCLOSED_STATES), Programme.year == year)
        .group_by(Project.applicant_unit_id)).all())
    nodes = {u.id: UnitChoice(u, int(counts.get(u.id, 0)), 0) for u in units}
    roots: list[UnitChoice] = []
    for u in units:
        parent = nodes.get(u.parent_id) if u.parent_id else None
        (parent.children if parent else roots).append(nodes[u.id])

    def fill(node: UnitChoice) -> UnitChoice:
        kids = [fill(c) for c in node.children]
        return UnitChoice(node.unit, node.own, node.own + sum(k.within for k in kids), kids)
    return [fill(r) for r in roots]


def unit_disclosure(ctx: Ctx, unit_id: int, year: int | None = None) -> UnitDisclosure:
    """The disclosure of ``unit_id`` (with every unit below it) for ``year`` (default: see
    ``default_year``). Anyone may read it."""
    unit = get_unit(ctx, unit_id, field="unit_id")
    year, known = choose_year(ctx, year)
    projects = list(ctx.session.scalars(
        select(Project)
        .join(OrgUnit, OrgUnit.id == Project.applicant_unit_id)
        .join(Programme, Programme.id == Project.programme_id)
        .where(OrgUnit.path.startswith(unit.path), Programme.year == year, Project.state.in_(DISCLOSED_STATES))
        .order_by(OrgUnit.path, Project.id)
        .options(lazyload(Project.budget_items), lazyload(Project.attachments))).unique())
    own_funds = ledger.list_funds(ctx, within=unit, year=year)
    disclosed, pledges = _disclose(ctx, projects, own_funds)
    balances = ledger.balances(ctx, [f.id for f in own_funds])
    lines = [FundLine(f, balances[f.id]) for f in own_funds]
    return UnitDisclosure(unit, year, known, disclosed, lines, pledges)


def project_disclosure(ctx: Ctx, project_id: int) -> ProjectDisclosure:
    """One project's disclosure; a project that is not disclosed is "not found", like one
    that does not exist (no probing of ids)."""
    project = None
    if isinstance(project_id, int) and not isinstance(project_id, bool):
        project = ctx.session.scalars(
            select(Project).where(Project.id == project_id, Project.state.in_(DISCLOSED_STATES))
            .options(lazyload(Project.budget_items), lazyload(Project.attachments))).unique().one_or_none()
    if project is None:
        raise NotFound(PROJECT, field="project_id")
    disclosed, _ = _disclose(ctx, [project], [])
    return disclosed[0]


def is_disclosed(project: Project) -> bool:
    return project.state in DISCLOSED_STATES


# ---------------------------------------------------------------- gathering


def _disclose(ctx: Ctx, projects: list[Project], own_funds: list[Fund]) -> tuple[list[ProjectDisclosure], list[PledgeLine]]:
    """Everything about these projects in a fixed number of queries."""
    ids = [p.id for p in projects]
    by_project = ledger.balances_by_project(ctx, ids)
    approvals = _approvals(ctx, ids)
    entries = approval_sources.commitments(ctx, [pid for pid, a in approvals.items() if a.recorded])
    movements = _listed_entries(ctx, ids)
    fund_ids = {fid for per in by_project.values() for fid in per} | {m.fund_id for m in movements} \
        | {f.id for f in own_funds} | {ln.fund_id for a in approvals.values() for ln in a.recorded if ln.fund_id}
    pledge_rows = _pledges(ctx, ids, [f.id for f in own_funds])
    fund_ids |= {p.fund_id for p in pledge_rows}
    funds = {f.id: f for f in own_funds}
    missing = [i for i in fund_ids if i not in funds]
    funds.update({f.id: f for f in ledger.funds_by_id(ctx, sorted(missing))})
    received = holds.received(ctx, [p.id for p in pledge_rows])
    titles = {p.id: p.title for p in projects}
    pledges = [_pledge_line(p, funds, titles, received) for p in pledge_rows]
    tracks: dict[int, object] = {}
    out = []
    for project in projects:
        sources = [Source(funds[fid], b.committed, b.disbursed, b.spent) for fid, b in by_project.get(project.id, {}).items()]
        mine = [m for m in movements if m.project_id == project.id]
        approval = approvals.get(project.id)
        if approval is not None and approval.recorded:
            committed = {s.fund.id: s.committed_fen for s in sources}
            approval = replace(approval, funding=tuple(approval_sources.share(
                approval.decision_id, list(approval.recorded), committed, entries.get(project.id, []), funds)))
        out.append(ProjectDisclosure(
            project=project,
            track_label=_track_label(ctx, project, tracks),
            approval=approval,
            sources=sources,
            pledges=[p for p in pledges if p.project_id == project.id],
            disbursements=[_named(m, funds) for m in mine if _column(m) in PAID],
            spending=[_named(m, funds) for m in mine if _column(m) in SPENT],
        ))
    return out, pledges


def _approvals(ctx: Ctx, ids: list[int]) -> dict[int, Approval]:
    """The standing approval of each project (the latest approving decision): date, amount and
    its sources, nothing of who decided or why."""
    if not ids:
        return {}
    out = {}
    rows = ctx.session.execute(select(Decision.id, Decision.project_id, Decision.approved_fen, Decision.decided_at,
                                      Decision.funding)
                               .where(Decision.project_id.in_(ids), Decision.outcome == ProjectState.approved.value)
                               .order_by(Decision.id))
    for decision_id, project_id, approved_fen, decided_at, lines in rows:
        out[project_id] = Approval(local_date(decided_at), approved_fen, decision_id,
                                   tuple(funding.FundingLine.from_json(doc) for doc in lines or []))
    return out


def _column(m: Movement) -> str:
    return m.corrected_kind if m.kind == EntryKind.correction.value else m.kind


def _listed_entries(ctx: Ctx, ids: list[int]) -> list[Movement]:
    """The projects' disbursements, refunds and expenses, and corrections of them, oldest first,
    each with the purpose and month of the fund request it answers (one query)."""
    if not ids:
        return []
    entry, original = aliased(LedgerEntry), aliased(LedgerEntry)
    listed = PAID + SPENT
    request_id = func.coalesce(entry.fund_request_id, original.fund_request_id)
    stmt = (select(entry.id, entry.kind, entry.amount_fen, entry.fund_id, entry.project_id, entry.at, entry.memo,
                   entry.receipt_attachment_id.is_not(None).label("has_receipt"), original.kind.label("corrected_kind"),
                   FundRequest.purpose, FundRequest.month)
            .outerjoin(original, original.id == entry.corrects_id)
            .outerjoin(FundRequest, FundRequest.id == request_id)
            .where(entry.project_id.in_(ids),
                   entry.kind.in_(listed) | ((entry.kind == EntryKind.correction.value) & original.kind.in_(listed)))
            .order_by(entry.id))
    out = []
    for r in ctx.session.execute(stmt):
        corrected = r.corrected_kind if r.kind == EntryKind.correction.value else None
        sign = -SIGN[corrected] if corrected else SIGN[r.kind]
        out.append(Movement(entry_id=r.id, on=local_date(r.at), kind=r.kind, corrected_kind=corrected, fund_id=r.fund_id,
                            fund_name="", project_id=r.project_id, amount_fen=sign * int(r.amount_fen), memo=r.memo or "",
                            purpose=r.purpose or "", month=r.month or "", has_receipt=bool(r.has_receipt)))
    return out


def _named(m: Movement, funds: dict[int, Fund]) -> Movement:
    fund = funds.get(m.fund_id)
    return replace(m, fund_name=fund.name if fund else "")


def _pledges(ctx: Ctx, project_ids: list[int], fund_ids: list[int]) -> list[Pledge]:
    if not project_ids and not fund_ids:
        return []
    cond = Pledge.project_id.in_(project_ids or [-1]) | Pledge.fund_id.in_(fund_ids or [-1])
    return list(ctx.session.scalars(select(Pledge).where(cond).order_by(Pledge.pledged_on, Pledge.id)))


def _pledge_line(p: Pledge, funds: dict[int, Fund], titles: dict[int, str], received: dict[int, int]) -> PledgeLine:
    sponsor = p.sponsor
    # A person who gave is not named in public; an organisation is (that is its recognition).
    name = INDIVIDUAL if sponsor.kind == SponsorKind.individual.value else Text(sponsor.name, sponsor.name)
    project_id = p.project_id if p.project_id in titles else None
    fund = funds.get(p.fund_id)
    return PledgeLine(id=p.id, sponsor_name=name, sponsor_kind=sponsor.kind, fund_id=p.fund_id,
                      fund_name=fund.name if fund else "", project_id=project_id,
                      project_title=titles.get(project_id, "") if project_id else "", claimed=p.project_id is not None,
                      promised_fen=p.amount_fen, received_fen=received.get(p.id, 0), in_kind=p.in_kind or "",
                      occasion=p.occasion or "", pledged_on=p.pledged_on)


def _track_label(ctx: Ctx, project: Project, cache: dict) -> Text:
    if project.programme_id not in cache:
        try:
            policy, config = policy_of(ctx, project.programme)
            cache[project.programme_id] = {t.key: t.label for t in policy.tracks(config)}
        except PluginFailure:  # a broken plugin must not hide where the money went
            cache[project.programme_id] = {}
    return cache[project.programme_id].get(project.track) or Text(project.track, project.track)


# ---------------------------------------------------------------- the congress report (.xlsx)


def report_title(d: UnitDisclosure) -> str:
    return f"{d.unit.name}{d.year}年度自治项目资金公开"


def report_workbook(d: UnitDisclosure) -> bytes:
    """The residents' congress report: sheets 资金来源 / 立项审批 / 拨付 / 支出, and the unit's
    funds; each sheet ends with its 合计, which equals the ledger's balances."""
    from core.services.spreadsheets import Column, add_sheet, new_workbook, to_bytes  # late: openpyxl only when asked

    title = report_title(d)
    wb = new_workbook(title)
    # The projects' funds, then the sponsors' pledges (claiming a project or given to a fund):
    # separate columns, so the committed total and the pledged total are each the ledger's.
    sources = [[p.project.title, s.kind_label.zh, s.fund.name, s.fund.org_unit.name,
                s.committed_fen, s.disbursed_fen, s.spent_fen, None, None, ""]
               for p in d.projects for s in p.sources]
    sources += [[pl.project_title or ("（认领项目尚未立项）" if pl.claimed else "（未指定项目）"),
                 f"共建单位认捐（{pl.sponsor_kind_label.zh}）", pl.sponsor_name.zh, pl.fund_name,
                 None, None, None, pl.promised_fen, pl.received_fen, pl.in_kind] for pl in d.pledges]
    add_sheet(wb, "资金来源", [
        Column("项目名称"), Column("来源类型"), Column("来源"), Column("资金所属单位"),
        Column("承诺金额（元）", "yuan", total=True), Column("已拨付（元）", "yuan", total=True),
        Column("已支出（元）", "yuan", total=True), Column("认捐金额（元）", "yuan", total=True),
        Column("认捐已到账（元）", "yuan", total=True), Column("实物资源", width=30),
    ], sources, title=f"{title} · 资金来源")
    add_sheet(wb, "立项审批", [
        Column("项目名称"), Column("项目类型"), Column("申报单位"), Column("年度项目"), Column("立项日期", "date"),
        Column("核定金额（元）", "yuan", total=True), Column("资金来源构成", width=50),
    ], [[p.project.title, p.track_label.zh, p.project.applicant_unit.name, p.project.programme.title,
         p.approval.decided_on if p.approval else None, p.approval.approved_fen if p.approval else None,
         _sources_text(p.approval)]
        for p in d.projects], title=f"{title} · 立项审批")
    titles = {p.project.id: p.project.title for p in d.projects}
    add_sheet(wb, "拨付", [
        Column("日期", "date"), Column("项目名称"), Column("资金"), Column("类别"), Column("用途（资金申请）", width=30),
        Column("申请月份"), Column("摘要", width=30), Column("金额（元）", "yuan", total=True),
    ], [[m.on, titles[m.project_id], m.fund_name, _movement_label(m), m.purpose, m.month, m.memo, m.amount_fen]
        for m in d.disbursements], title=f"{title} · 拨付")
    add_sheet(wb, "支出", [
        Column("日期", "date"), Column("项目名称"), Column("资金"), Column("类别"), Column("摘要", width=30),
        Column("凭证"), Column("金额（元）", "yuan", total=True),
    ], [[m.on, titles[m.project_id], m.fund_name, _movement_label(m), m.memo, "有凭证" if m.has_receipt else "",
         m.amount_fen] for m in d.spending], title=f"{title} · 支出")
    add_sheet(wb, "各项资金", [
        Column("资金名称"), Column("资金类型"), Column("所属单位"), Column("已到位（元）", "yuan", total=True),
        Column("已承诺（元）", "yuan", total=True), Column("已拨付（元）", "yuan", total=True),
        Column("已支出（元）", "yuan", total=True), Column("可用余额（元）", "yuan", total=True),
        Column("上限（元）", "yuan"),
    ], [[f.fund.name + (f"·{f.fund.tier}" if f.fund.tier else ""), f.kind_label.zh, f.fund.org_unit.name,
         f.balance.allocated, f.balance.committed, f.balance.disbursed, f.balance.spent, f.balance.available,
         f.fund.cap_fen] for f in d.funds], title=f"{title} · 各项资金")
    return to_bytes(wb)


def _sources_text(approval: Approval | None) -> str:
    """The approval's sources in one cell: "市级补助 100,000.00（已承诺 100,000.00）；..."."""
    if approval is None:
        return ""
    return "；".join(f"{s.line.label.zh} {format_yuan(s.line.amount_fen)}（已承诺 {format_yuan(s.committed_fen)}）"
                    for s in approval.funding)


def _movement_label(m: Movement) -> str:
    if m.corrected_kind:
        return f"更正（{m.corrected_label.zh}）"
    return m.label.zh
