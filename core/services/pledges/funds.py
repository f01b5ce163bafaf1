"""Co-governance funds (共治金, kind ``sponsor_fund``) as sponsorship sees them: which funds take
pledges, who may record them, opening the fund a programme's policy declares, and the policy
clause a fund's refusal cites."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from core.i18n import T, Text
from core.models import Fund, FundKind, OrgUnit, Programme
from core.permissions import A
from core.services import funding, ledger, paging
from core.services.context import Ctx
from core.services.org import get_unit
from core.services.programmes import get_programme, policy_of
from core.violations import Forbidden, NotFound, RuleError, Violation


def _pledge_fund(ctx: Ctx, fund_id) -> Fund:
    fund = ledger.get_fund(ctx, fund_id)
    if fund.kind != FundKind.sponsor_fund.value:
        raise RuleError(Violation("not_a_pledge_fund", T(
            f"「{fund.name}」是{fund.kind_enum.label.zh}，不接受认捐；认捐只能进入共治金/自治金",
            f"{fund.name} is a {fund.kind_enum.label.en}; pledges go only to co-governance funds"), field="fund_id"))
    return fund


def may_record(ctx: Ctx, fund: Fund) -> bool:
    return ctx.can(A.pledge_record, fund).allowed


def sponsor_funds(ctx: Ctx) -> list[Fund]:
    """Co-governance funds at or below the units where the actor is staff (or supervises)."""
    return list(ctx.session.scalars(_sponsor_funds_query(ctx)))


def sponsor_funds_page(ctx: Ctx, *, limit: int, offset: int = 0) -> tuple[list[Fund], int]:
    """A page of ``sponsor_funds`` and their number in all."""
    return paging.page(ctx.session, _sponsor_funds_query(ctx), limit=limit, offset=offset)


def _sponsor_funds_query(ctx: Ctx):
    return (select(Fund).join(OrgUnit, OrgUnit.id == Fund.org_unit_id)
            .where(Fund.kind == FundKind.sponsor_fund.value, ctx.where(A.sponsor_view, unit_path=OrgUnit.path))
            .order_by(Fund.year.desc(), OrgUnit.path, Fund.name))


def get_sponsor_fund(ctx: Ctx, fund_id: int) -> Fund:
    """A co-governance fund, for its staff and supervisors."""
    fund = _pledge_fund(ctx, fund_id)
    if not ctx.can(A.sponsor_view, fund.org_unit):
        raise NotFound(ledger.FUND, field="fund_id")
    return fund


@dataclass(frozen=True)
class FundOpening:
    """A co-governance fund a programme's policy declares for a unit: set up already or not."""

    programme: Programme
    unit: OrgUnit
    name: Text
    fund: Fund | None


def fund_openings(ctx: Ctx, programmes: list[Programme]) -> list[FundOpening]:
    """For these programmes, the co-governance funds their policies declare for the units the
    actor may record pledges for: per neighbourhood (owner "applicant") or the programme's own
    unit (owner "programme"), with the fund when it exists."""
    from core.services.org import subtree
    out = []
    for programme in programmes:
        policy, config = policy_of(ctx, programme)
        for spec in policy.funds(config):
            if spec.kind != FundKind.sponsor_fund.value:
                continue
            if spec.owner == "programme":
                units = [programme.org_unit]
            elif spec.owner == "applicant":
                units = subtree(ctx, programme.org_unit, kind="neighbourhood")
            else:
                continue  # a parent's fund is opened from its own pages
            for unit in units:
                if ctx.can(A.pledge_record, unit):
                    out.append(FundOpening(programme, unit, spec.name,
                                           funding.find(ctx, spec, unit, programme.year)))
    return out


def open_fund(ctx: Ctx, programme_id: int, org_unit_id: int) -> Fund:
    """Set up (or find) the co-governance fund the programme's policy declares for the unit,
    with the policy's cap, so pledges can be recorded before any project is approved."""
    programme = get_programme(ctx, programme_id)
    unit = get_unit(ctx, org_unit_id)
    if not ctx.can(A.pledge_record, unit):
        raise Forbidden(T(f"只有「{unit.name}」及上级的工作人员可以设立其共治金",
                          f"Only staff at or above {unit.name_en or unit.name} may set up its fund"))
    if not unit.is_within(programme.org_unit):
        raise RuleError(Violation("unit_outside_programme", T(
            f"「{unit.name}」不在「{programme.title}」的范围内", f"{unit.name_en or unit.name} is outside the programme"),
            field="org_unit_id"))
    policy, config = policy_of(ctx, programme)
    pledgeable = [s for s in policy.funds(config) if s.kind == FundKind.sponsor_fund.value]  # the unit's own (owner "programme") or a neighbourhood's
    spec = next((s for s in pledgeable if (s.owner == "programme") == (unit.id == programme.org_unit_id)), pledgeable[0] if pledgeable else None)
    if spec is None:
        raise RuleError(Violation("no_pledge_fund", T(f"「{programme.title}」的政策没有共治金",
                                                      "This programme's policy has no co-governance fund"),
                                  field="programme_id"))
    return funding.fund_for(ctx, programme, unit, spec.key, create=True)


def fund_clause(ctx: Ctx, fund: Fund, code: str = "over_cap") -> Text | None:
    """The clause of the policy whose fund this is (the first programme at or above the fund's
    unit that declares a co-governance fund of this name) for the limit ``code`` names (its
    cap, by default), cited when the fund refuses."""
    ids = fund.org_unit.ancestor_ids
    for programme in ctx.session.scalars(select(Programme).where(Programme.org_unit_id.in_(ids),
                                                                 Programme.year == fund.year)):
        try:
            policy, config = policy_of(ctx, programme)
            specs = policy.funds(config)
        except Exception:  # noqa: BLE001 - a citation must never turn a refusal into a crash
            continue
        for spec in specs:
            if spec.kind == fund.kind and spec.name.zh == fund.name:
                return spec.clause_for(code)
    return None
