"""Claim holds: from the moment a sponsor's pledge claims (认领) a project, its fund sets the
claimed money aside for that project until the project is decided.

- **Made** when the claim is recorded (``pledges.pledge`` naming a project that is announced
  and not decided yet: submitted, endorsed, under review or returned): a ledger ``hold`` in the
  pledge's fund naming the pledge and the project, for the pledge's money, but never more than
  the project asks for beyond what earlier claims already hold for it (its requested amount
  less the holds outstanding for it in any fund), since a project cannot use more. A pledge of
  resources only holds nothing; so does a claim of a project already approved, whose money is
  committed to it as it arrives (``pledges.receive``).
- **Whether or not the money has arrived.** The claim is the sponsor's promise at the council
  meeting; the hold stands from then on, so no other project's approval can take that money
  meanwhile: a fund's available balance is what it has less what is committed *and held*
  (``core.services.ledger``), and may be below zero while claimed money is on its way.
- **Released** (a ``hold_release`` of all that is held) when the project is rejected or
  withdrawn. Money the sponsor has already sent stays in the fund, free for other projects:
  the claim is over, the gift remains.
- **Turned into the commitment** on approval (``core.services.funding.commit_approval``): the
  part of the approved amount the policy's own draws leave open is met from the claims' holds,
  in claim order, each committed from its fund (naming the pledge) as far as the fund can pay
  it now, the rest when the sponsor's money arrives; then the holds are released.
- A returned application keeps its holds: it may come back.

Keys: ``claim:<pledge id>:hold`` and ``claim:<pledge id>:hold-release``, one of each per pledge,
so a retried request can neither hold nor release twice. Services write in the caller's
transaction; the caller commits.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select, union_all
from sqlalchemy.orm import aliased

from core.i18n import T, Text
from core.models import EntryKind, LedgerEntry, Pledge, Project, ProjectState, SponsorKind
from core.services import ledger
from core.services.context import Ctx

# Announced and not decided: a claim of such a project holds its money.
UNDECIDED = (ProjectState.submitted.value, ProjectState.endorsed.value, ProjectState.under_review.value,
             ProjectState.returned.value)
INDIVIDUAL = T("个人捐赠者", "an individual donor")


@dataclass(frozen=True)
class Held:
    """What one claim holds for its project, in its fund."""

    pledge: Pledge
    fund_id: int
    amount_fen: int


def hold_key(pledge_id: int) -> str:
    return f"claim:{pledge_id}:hold"


def release_key(pledge_id: int) -> str:
    return f"claim:{pledge_id}:hold-release"


def sponsor_label(pledge: Pledge) -> Text:
    """Who claims, as anyone may read it: an individual donor is not named (as in disclosure)."""
    sponsor = pledge.sponsor
    if sponsor.kind == SponsorKind.individual.value:
        return INDIVIDUAL
    return Text(sponsor.name, sponsor.name)


def outstanding(ctx: Ctx, project_id: int) -> list[Held]:
    """What each claim still holds for the project, in claim (pledge id) order."""
    rows = ctx.session.execute(
        select(LedgerEntry.pledge_id, LedgerEntry.fund_id, LedgerEntry.kind, func.sum(LedgerEntry.amount_fen))
        .where(LedgerEntry.project_id == project_id,
               LedgerEntry.kind.in_((EntryKind.hold.value, EntryKind.hold_release.value)))
        .group_by(LedgerEntry.pledge_id, LedgerEntry.fund_id, LedgerEntry.kind))
    held: dict[tuple[int, int], int] = defaultdict(int)
    for pledge_id, fund_id, kind, total in rows:
        held[(pledge_id, fund_id)] += int(total) * (1 if kind == EntryKind.hold.value else -1)
    if not any(v > 0 for v in held.values()):
        return []
    pledges = {p.id: p for p in ctx.session.scalars(select(Pledge).where(Pledge.id.in_([k[0] for k in held])))}
    return [Held(pledges[pid], fid, amount) for (pid, fid), amount in sorted(held.items()) if amount > 0]


def received(ctx: Ctx, pledge_ids: list[int]) -> dict[int, int]:
    """Per pledge, the money it brought in: allocations naming it, net of their corrections."""
    if not pledge_ids:
        return {}
    alloc, corr, original = aliased(LedgerEntry), aliased(LedgerEntry), aliased(LedgerEntry)
    allocation = EntryKind.allocation.value
    stmt = union_all(
        select(alloc.pledge_id.label("pledge_id"), func.sum(alloc.amount_fen).label("total"))
        .where(alloc.kind == allocation, alloc.pledge_id.in_(pledge_ids)).group_by(alloc.pledge_id),
        select(original.pledge_id.label("pledge_id"), (-func.sum(corr.amount_fen)).label("total"))
        .join(original, original.id == corr.corrects_id)
        .where(corr.kind == EntryKind.correction.value, original.kind == allocation, original.pledge_id.in_(pledge_ids))
        .group_by(original.pledge_id))
    out: dict[int, int] = defaultdict(int)
    for pledge_id, total in ctx.session.execute(stmt):
        out[pledge_id] += int(total or 0)
    return dict(out)


def hold_claim(ctx: Ctx, pledge: Pledge) -> LedgerEntry | None:
    """Set the claim's money aside for its project (see the module doc); None when there is
    nothing to hold. The caller has authorised the claim and holds the fund's lock."""
    if pledge.project_id is None or pledge.amount_fen <= 0:
        return None
    project = ctx.session.get(Project, pledge.project_id)
    # The state as it stands now, under the fund's lock (an approval takes it too), not as the
    # session first read it: a claim must not hold money for a project decided meanwhile.
    state = ctx.session.scalar(select(Project.state).where(Project.id == pledge.project_id))
    if project is None or state not in UNDECIDED:
        return None
    already = sum(h.amount_fen for h in outstanding(ctx, project.id))
    amount = min(pledge.amount_fen, project.requested_fen - already)
    if amount <= 0:
        return None
    memo = f"{sponsor_label(pledge).zh}认领「{project.title}」，立项前预留"
    return ledger.hold(ctx, pledge.fund_id, amount, project.id, pledge.id, hold_key(pledge.id),
                       memo=memo[:ledger.MEMO_MAX])


def end(ctx: Ctx, held: Held, project: Project, why: Text) -> LedgerEntry:
    """Release all of one claim's hold."""
    return ledger.release_hold(ctx, held.fund_id, held.amount_fen, project.id, held.pledge.id,
                               release_key(held.pledge.id), memo=f"{project.title}：{why.zh}"[:ledger.MEMO_MAX])


def release(ctx: Ctx, project: Project, why: Text) -> list[LedgerEntry]:
    """Release everything the project's claims hold (it was rejected or withdrawn)."""
    held = outstanding(ctx, project.id)
    if held:  # every fund's lock first, in id order, as every multi-fund posting takes them
        ledger.lock_funds(ctx, sorted({h.fund_id for h in held}))
        held = outstanding(ctx, project.id)  # re-read under the locks
    return [end(ctx, h, project, why) for h in held]


REJECTED = T("项目未通过立项，认领预留解除", "the project was not approved: the claim's hold is released")
WITHDRAWN = T("项目已撤回，认领预留解除", "the project was withdrawn: the claim's hold is released")
APPROVED = T("项目已立项，认领预留转为承诺", "the project was approved: the claim's hold became its commitment")
