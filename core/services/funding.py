"""Funding: a policy's funds made real, and an approval turned into commitments, source by source.

A policy declares the funds its projects draw on (``tongxin_funds``: kind, owner relative to
the project, name, cap from its config) and, per approved project, where the money comes from
(``tongxin_funding``: draws by fund key). This module, with ``core.services.policy_funds`` beside it,

- finds or creates the real ``Fund`` for a spec and a project (``core.services.policy_funds``:
  owner unit, programme year, kind, name; the cap from the programme's frozen config), so a
  street never has to set up a pool by hand before its panel can approve from it; the same
  module answers ``RuleContext.fund_available`` and ``fund_committed`` for rules and funding plans;
- commits the approved amount in the decision's own transaction and records, on the decision,
  where every part of it comes from.

**One truth per amount.** What a decision approves is split into *sources* whose amounts add
up to the approved amount exactly (``Decision.funding``, a list of ``FundingLine``), in this
order:

1. ``fund``: each of the policy's draws (e.g. the city's subsidy for a pilot's tier, a
   neighbourhood's line and the street's pool), committed from its fund at once. If a fund
   refuses (over its cap, not enough received, or the money is held for another project's
   claim), the decision is refused with that reason and nothing is written.
2. ``claim``: what the draws leave open is met next from the sponsors' claims of the project
   that hold money for it (``core.services.holds``), in claim order, each up to what it holds.
   Its fund commits as much of that share as it can pay now, from the claim's own money first
   (the commitment names the pledge); the rest is committed as the sponsor's money arrives
   (``pledges.receive``). The holds end here.
3. ``other``: whatever is still open is named, not left as a silent difference between the
   approved amount and the commitments: after the programme's own policy's co-governance fund
   (its first fund of kind ``sponsor_fund``, e.g. a fund for a town's own share and donors' money, where money
   for the project is recorded as claims and committed as it arrives), or, for a policy
   without one, "其他来源（自筹等）" with no fund: money the platform does not hold. Nothing is
   committed for it at approval.

So for a pilot of 130,000 yuan whose tier brings a subsidy of 100,000, the decision reads
100,000 from the city's subsidy (committed) and 30,000 from the town's share and other
sources (committed as the town's and donors' money arrives). The project page, the API's
``decisions[].funding`` and the disclosure show those same lines, each beside what its fund
has committed for it so far (``core.services.approval_sources``), so the lines of a fund
always add up to exactly the ledger's figure.

**Policies stack.** The funds are those of every policy that applies to the programme
(``core.plugin_host.stack``): the own policy's under their keys, an inherited policy's (a
district's community foundation) as ``"<policy>.<key>"``. The own policy's funds are set up on
the first approval as before; an inherited policy's fund is created only when a draw needs it,
so a district's fund exists at a street only once the street sets it up or a decision draws on it.

Commitments carry the idempotency key ``decision:<id>:<fund key>`` (a draw) or
``decision:<id>:claim:<pledge id>`` (a claim), so they can be found from the decision and are
never posted twice. The policy is asked for its draws after the project's funds (and those its
claims hold money in) are locked, in id order, as every ledger posting takes them.
"""
from __future__ import annotations

from dataclasses import dataclass

from core.i18n import T, Text
from core.models import Decision, Fund, FundKind, Project
from core.plugin_host.contributions import Draw, FundSpec
from core.plugin_host.facts import ProjectFacts
from core.services import holds, ledger
from core.services.context import Ctx
# A policy's funds, found or created per owner unit and year: their own module, which the rules'
# context asks too. Re-exported, as ``funding.find`` and friends are what callers know.
from core.services.policy_funds import available, committed_to, ensure, find, fund_for, owner_unit, spec_of, specs  # noqa: F401
from core.services.programmes import policy_of
from core.services.rule_facts import SessionRuleContext, facts
from core.violations import RuleError, Violation

SOURCES = ("fund", "claim", "other")
OTHER_SOURCES = T("其他来源（自筹等）", "other sources (own funds etc.)")


@dataclass(frozen=True)
class FundingLine:
    """One source of an approval's money, as the decision records it (see the module doc).

    ``source``: "fund", "claim" or "other"; ``label``: what the source is, in both languages;
    ``fund_id``: the fund it comes from (None: money the platform does not hold);
    ``pledge_id``: the claiming pledge, for a claim; ``amount_fen``: the source's share of the
    approved amount; ``committed_fen``: what the decision itself committed from it."""

    source: str
    label: Text
    fund_id: int | None
    pledge_id: int | None
    amount_fen: int
    committed_fen: int

    def as_json(self) -> dict:
        return {"source": self.source, "label": {"zh": self.label.zh, "en": self.label.en},
                "fund_id": self.fund_id, "pledge_id": self.pledge_id, "amount_fen": self.amount_fen,
                "committed_fen": self.committed_fen}

    @classmethod
    def from_json(cls, doc: dict) -> "FundingLine":
        label = doc.get("label") or {}
        return cls(doc["source"], Text(label.get("zh", ""), label.get("en", "")), doc.get("fund_id"),
                   doc.get("pledge_id"), int(doc["amount_fen"]), int(doc.get("committed_fen") or 0))


@dataclass(frozen=True)
class PlannedLine:
    """A source as the decision page shows it before deciding: the line it would record, the
    policy's fund (None for a claim or a source outside the platform), the fund (None: not
    set up yet, it is created on approval) and what that fund could pay the project now."""

    line: FundingLine
    spec: FundSpec | None
    fund: Fund | None
    available_fen: int
    note: Text

    @property
    def amount_fen(self) -> int:
        return self.line.amount_fen

    @property
    def label(self) -> Text:
        return self.line.label

    @property
    def source(self) -> str:
        return self.line.source



# ---------------------------------------------------------------- an approval's sources


def _draw_label(spec: FundSpec, note: Text) -> Text:
    if not note.zh or note.zh == spec.name.zh:
        return spec.name
    return Text(f"{spec.name.zh}（{note.zh}）", f"{spec.name.en} ({note.en or note.zh})")


def _other_spec(by_key: dict[str, FundSpec], policy) -> FundSpec | None:
    """The own policy's first co-governance fund: an inherited policy's fund (a district's
    foundation) pays only what a draw or a claim names."""
    return next((s for k, s in by_key.items() if s.kind == FundKind.sponsor_fund.value and policy.is_own_fund(k)), None)


def _compose(ctx: Ctx, project: Project, approved_fen: int, draws: list[Draw], by_key: dict[str, FundSpec],
             funds: dict[str, Fund | None], held: list[holds.Held], other: FundSpec | None) -> list[PlannedLine]:
    """The sources of an approval (see the module doc), without writing anything. Claims are
    committed before the draws, so what each fund could pay is followed through the plan."""
    mine = ledger.project_balances(ctx, project.id)
    ids = {f.id for f in funds.values() if f is not None} | {h.fund_id for h in held}
    free = {fid: b.available + (mine[fid].held if fid in mine else 0) for fid, b in ledger.balances(ctx, ids).items()}
    left = approved_fen - sum(d.amount_fen for d in draws)
    shares = []
    for h in held:
        share = min(h.amount_fen, left)
        if share > 0:
            shares.append((h, share))
            left -= share
    # Each claim is paid from its own sponsor's money first, then from what else its fund can
    # pay (a co-governance fund is one pot, but the claim that brought the money is named).
    own = holds.received(ctx, [h.pledge.id for h, _ in shares])
    now: dict[int, int] = {}
    for h, share in shares:
        now[h.pledge.id] = max(min(share, own.get(h.pledge.id, 0), free.get(h.fund_id, 0)), 0)
        free[h.fund_id] = free.get(h.fund_id, 0) - now[h.pledge.id]
    claims = []
    for h, share in shares:
        more = max(min(share - now[h.pledge.id], free.get(h.fund_id, 0)), 0)
        free[h.fund_id] = free.get(h.fund_id, 0) - more
        label = holds.sponsor_label(h.pledge)
        line = FundingLine("claim", Text(f"{label.zh}认领", f"claimed by {label.en}"), h.fund_id, h.pledge.id, share,
                           now[h.pledge.id] + more)
        claims.append(PlannedLine(line, None, ledger.get_fund(ctx, h.fund_id), line.committed_fen + max(free[h.fund_id], 0),
                                  Text("", "")))
    out = []
    for d in draws:
        spec, fund = by_key[d.fund], funds.get(d.fund)
        avail = max(free.get(fund.id, 0), 0) if fund is not None else 0
        if fund is not None:
            free[fund.id] = avail - d.amount_fen
        line = FundingLine("fund", _draw_label(spec, d.note), fund.id if fund else None, None, d.amount_fen, d.amount_fen)
        out.append(PlannedLine(line, spec, fund, avail, d.note))
    out += claims
    if left > 0:
        spec = other
        fund = funds.get(spec.key) if spec is not None else None
        line = FundingLine("other", spec.name if spec is not None else OTHER_SOURCES, fund.id if fund else None,
                           None, left, 0)
        out.append(PlannedLine(line, spec, fund, 0, Text("", "")))
    return out


def plan(ctx: Ctx, project: Project, approved_fen: int, details: dict | None = None) -> list[PlannedLine]:
    """Where the money of this approval would come from, without writing anything (for the
    decision page): the same sources, in the same order, that ``commit_approval`` records."""
    policy, config = policy_of(ctx, project.programme)
    by_key = {s.key: s for s in policy.funds(config)}
    draws = (policy.funding(facts(project, approved_fen, details or {}), config, SessionRuleContext(ctx))
             if by_key and approved_fen else [])
    programme, applicant = project.programme, project.applicant_unit
    funds = {k: find(ctx, spec, owner_unit(ctx, spec, programme, applicant), programme.year) for k, spec in by_key.items()}
    return _compose(ctx, project, approved_fen, draws, by_key, funds, holds.outstanding(ctx, project.id),
                    _other_spec(by_key, policy))


def commitment_key(decision_id: int, fund_key: str) -> str:
    return f"decision:{decision_id}:{fund_key}"


def claim_commitment_key(decision_id: int, pledge_id: int) -> str:
    return f"decision:{decision_id}:claim:{pledge_id}"


def commit_approval(ctx: Ctx, project: Project, decision: Decision, project_facts: ProjectFacts) -> list[FundingLine]:
    """Commit an approval's money in the decision's transaction and record its sources on the
    decision (see the module doc); the project's claims stop holding money either way.
    Returns the sources; raises ``RuleError`` (field ``approved_amount``, citing the fund's
    clause for the limit hit: its cap, or its allocation) when a fund refuses a draw."""
    policy, config = policy_of(ctx, project.programme)
    by_key = {s.key: s for s in policy.funds(config)}
    programme, applicant = project.programme, project.applicant_unit
    approved = decision.approved_fen or 0
    # The own policy's funds are set up on the first approval; an inherited one's only if drawn.
    owner = {key: owner_unit(ctx, spec, programme, applicant) for key, spec in by_key.items()}
    funds = {key: (ensure if policy.is_own_fund(key) else find)(ctx, spec, owner[key], programme.year)
             for key, spec in by_key.items()} if approved else {}
    held = holds.outstanding(ctx, project.id)
    ids = sorted({f.id for f in funds.values() if f is not None} | {h.fund_id for h in held})
    if ids:
        ledger.lock_funds(ctx, ids)
        held = holds.outstanding(ctx, project.id)  # re-read under the locks
    draws: list[Draw] = policy.funding(project_facts, config, SessionRuleContext(ctx)) if by_key and approved else []
    missing = sorted({d.fund for d in draws if funds.get(d.fund) is None})
    for key in missing:  # an inherited fund a draw needs: set up now, and locked like the others
        funds[key] = ensure(ctx, by_key[key], owner[key], programme.year)
    if missing:
        ledger.lock_funds(ctx, [funds[key].id for key in missing])
    planned = _compose(ctx, project, approved, draws, by_key, funds, held, _other_spec(by_key, policy))
    memo = lambda what: f"{project.title}：{what}"[:ledger.MEMO_MAX]  # noqa: E731
    for p in planned:
        if p.source == "claim" and p.line.committed_fen:
            ledger.commit(ctx, p.line.fund_id, p.line.committed_fen, project.id,
                          claim_commitment_key(decision.id, p.line.pledge_id), memo=memo(p.label.zh),
                          pledge_id=p.line.pledge_id)
    for h in held:
        holds.end(ctx, h, project, holds.APPROVED)
    problems = []
    for d, p in zip(draws, (p for p in planned if p.source == "fund")):
        spec = by_key[d.fund]
        try:
            ledger.commit(ctx, funds[d.fund].id, d.amount_fen, project.id, commitment_key(decision.id, d.fund),
                          memo=memo(p.label.zh))
        except RuleError as err:
            problems += [Violation(v.code, v.message, field="approved_amount", clause=spec.clause_for(v.code) or v.clause)
                         for v in err.violations]
    if problems:
        raise RuleError(problems, status=409)
    lines = [p.line for p in planned]
    decision.funding = [line.as_json() for line in lines]
    return lines


def approved_funding(ctx: Ctx, project: Project) -> list[tuple[Fund, ledger.Balance]]:
    """The project's funds with its own balance in each (committed, disbursed, spent, net of
    releases and corrections), in the order the money was first committed (the funding
    plan's order): for fund requests, final accounts and disclosure."""
    by_fund = ledger.project_balances(ctx, project.id)
    return [(fund, by_fund[fund.id]) for fund in ledger.funds_by_id(ctx, list(by_fund))]
