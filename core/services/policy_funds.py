"""A policy's funds made real: each ``FundSpec`` a policy declares (``tongxin_funds``) becomes a
``Fund`` of its owner unit and programme year, and what that fund could pay a project answers the
rules' ``RuleContext.fund_available`` and ``fund_committed``.

The owner is relative to the project (the programme's unit, the applicant, the applicant's
parent); the fund is found by unit, year, kind and name, and created with the spec's cap the
first time an approval needs it (``ensure``), so a street never has to set up a pool by hand
before its panel can approve from it. ``core.services.funding`` turns an approval into
commitments from these funds; ``core.services.rule_facts`` asks them for the rules.
"""
from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from core.models import Fund, OrgUnit, Programme
from core.plugin_host.contributions import FundSpec
from core.services import ledger
from core.services.context import Ctx
from core.services.programmes import policy_of
from core.violations import RuleError


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
    """The funds of every policy of the programme, by the key the programme knows them by."""
    policy, config = policy_of(ctx, programme)
    return {s.key: s for s in policy.funds(config)}


def spec_of(ctx: Ctx, programme: Programme, plugin_name: str, key: str) -> FundSpec | None:
    """The fund ``key`` of the policy ``plugin_name`` (its own key, as a tenant file names it),
    if that policy applies to the programme and declares it."""
    policy, _ = policy_of(ctx, programme)
    layer = next((layer for layer in policy.layers if layer.name == plugin_name), None)
    return specs(ctx, programme).get(layer.fund_key(key)) if layer is not None else None


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


def available(ctx: Ctx, programme_id: int, applicant_unit_id: int, key: str, project_id: int | None = None) -> int:
    """``RuleContext.fund_available``: 0 for a fund that does not exist yet. What the fund
    holds for the project's own claims is available to it (``project_id``)."""
    programme = ctx.session.get(Programme, programme_id)
    applicant = ctx.session.get(OrgUnit, applicant_unit_id)
    if programme is None or applicant is None:
        return 0
    fund = fund_for(ctx, programme, applicant, key)
    if fund is None:
        return 0
    own = ledger.project_balances(ctx, project_id).get(fund.id) if project_id is not None else None
    return max(ledger.balance(ctx, fund.id).available + (own.held if own else 0), 0)


def committed_to(ctx: Ctx, project_id: int | None, programme_id: int, applicant_unit_id: int, key: str) -> int:
    """``RuleContext.fund_committed``: what the project already has from that fund, committed
    or held for it by claims."""
    programme = ctx.session.get(Programme, programme_id)
    applicant = ctx.session.get(OrgUnit, applicant_unit_id)
    if project_id is None or programme is None or applicant is None:
        return 0
    fund = fund_for(ctx, programme, applicant, key)
    if fund is None:
        return 0
    mine = ledger.project_balances(ctx, project_id).get(fund.id)
    return max(mine.committed + mine.held, 0) if mine else 0
