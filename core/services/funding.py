"""Funding: a policy's funds made real, and an approval turned into commitments.

A policy declares the funds its projects draw on (``tongxin_funds``: kind, owner relative to
the project, name, cap from its config) and, per approved project, where the money comes from
(``tongxin_funding``: draws by fund key). This module

- finds or creates the real ``Fund`` for a spec and a project (owner unit, programme year,
  kind, name; the cap from the programme's frozen config), so a street never has to set up a
  pool by hand before its panel can approve from it;
- answers ``RuleContext.fund_available`` for rules and funding plans;
- commits the approved amount in the decision's own transaction: the project's funds are
  locked first (in id order, as every ledger posting does), then the plugin is asked for its
  draws, then each draw is committed by the ledger, whose cap and allocation checks run under
  the same locks. A refusal of any draw refuses the decision; nothing is half-written.

Commitments carry the idempotency key ``decision:<id>:<fund key>``, so they can be found from
the decision and never posted twice.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from core.i18n import Text
from core.models import Decision, Fund, OrgUnit, Programme, Project
from core.plugin_host.contributions import Draw, FundSpec
from core.plugin_host.facts import ProjectFacts
from core.services import ledger
from core.services.context import Ctx
from core.services.programmes import policy_of
from core.violations import RuleError, Violation


@dataclass(frozen=True)
class PlannedDraw:
    """One line of an approval's funding, for showing before and after the decision."""

    spec: FundSpec
    fund: Fund | None  # None: the fund does not exist yet (it is created on approval)
    amount_fen: int
    available_fen: int
    note: Text


def owner_unit(ctx: Ctx, spec: FundSpec, programme: Programme, applicant: OrgUnit) -> OrgUnit:
    if spec.owner == "programme":
        return programme.org_unit
    if spec.owner == "applicant":
        return applicant
    parent = applicant.parent
    if parent is None:  # an applicant at the root has no parent: the programme's unit pays
        return programme.org_unit
    return parent


def specs(ctx: Ctx, programme: Programme) -> dict[str, FundSpec]:
    policy, config = policy_of(ctx, programme)
    return {s.key: s for s in policy.funds(config)}


def find(ctx: Ctx, spec: FundSpec, unit: OrgUnit, year: int) -> Fund | None:
    return ledger.find_fund(ctx, unit.id, year, spec.kind, spec.name.zh)


def ensure(ctx: Ctx, spec: FundSpec, unit: OrgUnit, year: int) -> Fund:
    """The fund for ``spec`` at ``unit`` for ``year``, created (with the spec's cap) if missing.
    Two approvals creating the same fund at once: the loser's savepoint is rolled back and it
    uses the winner's."""
    fund = find(ctx, spec, unit, year)
    if fund is not None:
        return fund
    try:
        with ctx.session.begin_nested():
            return ledger.create_fund(ctx, unit.id, year, spec.kind, spec.name.zh, cap_fen=spec.cap_fen, tier=spec.tier)
    except (RuleError, IntegrityError):
        fund = find(ctx, spec, unit, year)
        if fund is None:
            raise
        return fund


def fund_for(ctx: Ctx, programme: Programme, applicant: OrgUnit, key: str, *, create: bool = False) -> Fund | None:
    spec = specs(ctx, programme).get(key)
    if spec is None:
        return None
    unit = owner_unit(ctx, spec, programme, applicant)
    return ensure(ctx, spec, unit, programme.year) if create else find(ctx, spec, unit, programme.year)


def available(ctx: Ctx, programme_id: int, applicant_unit_id: int, key: str) -> int:
    """``RuleContext.fund_available``: 0 for a fund that does not exist yet."""
    programme = ctx.session.get(Programme, programme_id)
    applicant = ctx.session.get(OrgUnit, applicant_unit_id)
    if programme is None or applicant is None:
        return 0
    fund = fund_for(ctx, programme, applicant, key)
    return 0 if fund is None else max(ledger.balance(ctx, fund.id).available, 0)


def committed_to(ctx: Ctx, project_id: int | None, programme_id: int, applicant_unit_id: int, key: str) -> int:
    """``RuleContext.fund_committed``: what the project already has committed from that fund."""
    programme = ctx.session.get(Programme, programme_id)
    applicant = ctx.session.get(OrgUnit, applicant_unit_id)
    if project_id is None or programme is None or applicant is None:
        return 0
    fund = fund_for(ctx, programme, applicant, key)
    if fund is None:
        return 0
    mine = ledger.project_balances(ctx, project_id).get(fund.id)
    return max(mine.committed, 0) if mine else 0


def plan(ctx: Ctx, project: Project, approved_fen: int, details: dict | None = None) -> list[PlannedDraw]:
    """What the policy would commit for this approval, without writing anything (for the
    decision page)."""
    from core.services.projects import SessionRuleContext, facts  # late: projects imports review's neighbours
    policy, config = policy_of(ctx, project.programme)
    by_key = {s.key: s for s in policy.funds(config)}
    if not by_key:
        return []
    draws = policy.funding(facts(project, approved_fen, details or {}), config, SessionRuleContext(ctx))
    out = []
    for d in draws:
        spec = by_key[d.fund]
        fund = find(ctx, spec, owner_unit(ctx, spec, project.programme, project.applicant_unit), project.programme.year)
        avail = 0 if fund is None else max(ledger.balance(ctx, fund.id).available, 0)
        out.append(PlannedDraw(spec, fund, d.amount_fen, avail, d.note))
    return out


def commitment_key(decision_id: int, fund_key: str) -> str:
    return f"decision:{decision_id}:{fund_key}"


def commit_approval(ctx: Ctx, project: Project, decision: Decision, project_facts: ProjectFacts) -> list:
    """Commit an approval's money in the decision's transaction (see the module doc).
    Returns the commitment entries; raises ``RuleError`` (field ``approved_amount``, citing
    the fund's clause for the limit hit: its cap, or its allocation) when a fund refuses."""
    from core.services.projects import SessionRuleContext
    policy, config = policy_of(ctx, project.programme)
    by_key = {s.key: s for s in policy.funds(config)}
    if not by_key or not decision.approved_fen:
        return []
    programme, applicant = project.programme, project.applicant_unit
    funds = {key: ensure(ctx, spec, owner_unit(ctx, spec, programme, applicant), programme.year)
             for key, spec in by_key.items()}
    ledger.lock_funds(ctx, [f.id for f in funds.values()])
    draws: list[Draw] = policy.funding(project_facts, config, SessionRuleContext(ctx))
    entries, problems = [], []
    for d in draws:
        spec = by_key[d.fund]
        memo = f"{project.title}：{spec.name.zh}" + (f"（{d.note.zh}）" if d.note.zh else "")
        try:
            entries.append(ledger.commit(ctx, funds[d.fund].id, d.amount_fen, project.id,
                                         commitment_key(decision.id, d.fund), memo=memo[:ledger.MEMO_MAX]))
        except RuleError as err:
            problems += [Violation(v.code, v.message, field="approved_amount", clause=spec.clause_for(v.code) or v.clause)
                         for v in err.violations]
    if problems:
        raise RuleError(problems, status=409)
    return entries


def approved_funding(ctx: Ctx, project: Project) -> list[tuple[Fund, ledger.Balance]]:
    """The project's funds with its own balance in each (committed, disbursed, spent, net of
    releases and corrections), in the order the money was first committed (the funding
    plan's order): for fund requests, final accounts and disclosure."""
    by_fund = ledger.project_balances(ctx, project.id)
    return [(fund, by_fund[fund.id]) for fund in ledger.funds_by_id(ctx, list(by_fund))]
