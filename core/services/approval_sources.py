"""An approval's sources as they stand: what its decision recorded (``core.services.funding``)
beside what each fund has committed for each source so far.

The decision records each source's share of the approved amount once; the ledger keeps moving
(a claim's money arrives and is committed, a later claim adds money, a commitment is corrected).
``share`` attributes a project's commitments in a fund to the recorded lines of that fund: a
draw line has the decision's commitment (key ``decision:<id>:<fund key>``), a claim line the
commitments naming its pledge (at approval and as its money arrived), and the fund's "other"
line, or its last line, the rest (money of claims made after the approval, releases,
corrections). So a fund's lines always add up to exactly what the ledger says the fund has
committed to the project: the project page, the API and the disclosure read these figures.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from core.models import Decision, EntryKind, Fund, LedgerEntry, Project
from core.services import ledger
from core.services.context import Ctx
from core.services.funding import FundingLine


@dataclass(frozen=True)
class Source:
    """A recorded source beside what its fund has committed to the project for it so far."""

    line: FundingLine
    fund: Fund | None
    committed_fen: int  # now, by the ledger

    @property
    def outstanding_fen(self) -> int:
        """Part of the source's share not committed yet (e.g. a claim whose money is on its way)."""
        return max(self.line.amount_fen - self.committed_fen, 0)


@dataclass(frozen=True)
class Commitment:
    """A commitment to a project, as ``share`` attributes it: its fund, the pledge it names
    (a claim's), its key (a decision's draw) and its amount."""

    fund_id: int
    pledge_id: int | None
    key: str | None
    amount_fen: int


def commitments(ctx: Ctx, project_ids: list[int]) -> dict[int, list[Commitment]]:
    """The commitment entries of these projects, by project (one query)."""
    if not project_ids:
        return {}
    out: dict[int, list[Commitment]] = {pid: [] for pid in project_ids}
    rows = ctx.session.execute(select(LedgerEntry.project_id, LedgerEntry.fund_id, LedgerEntry.pledge_id,
                                      LedgerEntry.idempotency_key, LedgerEntry.amount_fen)
                               .where(LedgerEntry.project_id.in_(project_ids),
                                      LedgerEntry.kind == EntryKind.commitment.value)
                               .order_by(LedgerEntry.id))
    for project_id, fund_id, pledge_id, key, amount in rows:
        out[project_id].append(Commitment(fund_id, pledge_id, key, int(amount)))
    return out


def recorded(decision: Decision) -> list[FundingLine]:
    return [FundingLine.from_json(doc) for doc in decision.funding or []]


def sources(ctx: Ctx, decision: Decision) -> list[Source]:
    """The decision's recorded sources beside what each fund has committed to the project for
    each of them now (see ``share``)."""
    lines = recorded(decision)
    if not lines:
        return []
    committed = {fid: b.committed for fid, b in ledger.project_balances(ctx, decision.project_id).items()}
    funds = {f.id: f for f in ledger.funds_by_id(ctx, sorted({ln.fund_id for ln in lines if ln.fund_id is not None}))}
    return share(decision.id, lines, committed, commitments(ctx, [decision.project_id])[decision.project_id], funds)


def share(decision_id: int, lines: list[FundingLine], committed: dict[int, int], entries: list[Commitment],
          funds: dict[int, Fund]) -> list[Source]:
    """Each recorded line beside its part of what its fund has committed to the project
    (``committed``: fen by fund id, the ledger's net balance; ``entries``: the commitment
    entries, to attribute it): a draw line has the decision's commitment from its fund, a claim
    line the commitments naming its pledge (at approval and as its money arrived), and the
    rest of the fund's commitment (later claims' money, releases, corrections) goes to the
    fund's "other" line, or its last line. A fund's lines add up to exactly its commitment."""
    prefix = f"decision:{decision_id}:"
    now: dict[int, int] = {}
    for i, ln in enumerate(lines):
        if ln.fund_id is None or ln.source == "other":
            now[i] = 0
        elif ln.source == "claim":
            now[i] = sum(c.amount_fen for c in entries if c.fund_id == ln.fund_id and c.pledge_id == ln.pledge_id)
        else:
            now[i] = sum(c.amount_fen for c in entries if c.fund_id == ln.fund_id and c.pledge_id is None
                         and (c.key or "").startswith(prefix))
    for fund_id in {ln.fund_id for ln in lines if ln.fund_id is not None}:
        mine = [i for i, ln in enumerate(lines) if ln.fund_id == fund_id]
        rest = committed.get(fund_id, 0) - sum(now[i] for i in mine)
        other = next((i for i in mine if lines[i].source == "other"), mine[-1])
        now[other] += rest
    return [Source(ln, funds.get(ln.fund_id), now[i]) for i, ln in enumerate(lines)]


def standing_sources(ctx: Ctx, project: Project) -> tuple[Decision | None, list[Source]]:
    """The project's approval (its latest approved decision, if it stands) and its sources."""
    decision = ctx.session.scalars(select(Decision).where(Decision.project_id == project.id, Decision.outcome == "approved")
                                   .order_by(Decision.id.desc())).first()
    return (decision, sources(ctx, decision)) if decision is not None else (None, [])
