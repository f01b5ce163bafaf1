"""Gathering a disclosure: everything about a list of projects in a fixed number of queries,
however many projects there are (see ``core.services.disclosure``)."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from core.i18n import T, Text
from core.models import Decision, EntryKind, Fund, FundRequest, LedgerEntry, Pledge, Project, ProjectState, SponsorKind
from core.plugin_host.manager import PluginFailure
from core.services import approval_sources, funding, holds, ledger
from core.services.context import Ctx
from core.services.disclosure.contents import Approval, Movement, PledgeLine, ProjectDisclosure, Source
from core.services.programmes import policy_of

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


def disclose(ctx: Ctx, projects: list[Project], own_funds: list[Fund]) -> tuple[list[ProjectDisclosure], list[PledgeLine]]:
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
                   entry.voucher_attachment_id.is_not(None).label("has_voucher"), original.kind.label("corrected_kind"),
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
                            purpose=r.purpose or "", month=r.month or "", has_voucher=bool(r.has_voucher)))
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
