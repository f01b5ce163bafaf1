"""Funds: finding, listing and creating them, their caps, and reading a fund's balance and entries."""
from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError

from core.i18n import T
from core.models import Fund, FundKind, LedgerEntry, OrgUnit
from core.money import money_text
from core.services.context import Ctx
from core.services.ledger.inputs import FUND, NAME_MAX, TIER_MAX, YEARS, _amount
from core.services.ledger.locking import _lock, _state
from core.services.ledger.sums import Balance, balances
from core.services.org import get_unit
from core.violations import NotFound, RuleError, Violation, Violations


def get_fund(ctx: Ctx, fund_id: int, field: str = "fund_id") -> Fund:
    fund = ctx.session.get(Fund, fund_id) if isinstance(fund_id, int) and not isinstance(fund_id, bool) else None
    if fund is None:
        raise NotFound(FUND, field=field)
    return fund


def find_fund(ctx: Ctx, org_unit_id: int, year: int, kind: str, name: str) -> Fund | None:
    return ctx.session.scalars(select(Fund).where(Fund.org_unit_id == org_unit_id, Fund.year == year,
                                                  Fund.kind == kind, Fund.name == name)).one_or_none()


def list_funds(ctx: Ctx, *, org_unit_id: int | None = None, within: OrgUnit | None = None,
               year: int | None = None, kind: str | None = None, visible=None) -> list[Fund]:
    """Funds of one unit, or of every unit at or below ``within``, optionally one year/kind.
    ``visible``: a condition on the fund and its ``OrgUnit`` (the permission table's filter)."""
    return list(ctx.session.scalars(funds_query(org_unit_id=org_unit_id, within=within, year=year, kind=kind,
                                                visible=visible)))


def funds_query(*, org_unit_id: int | None = None, within: OrgUnit | None = None, year: int | None = None,
                kind: str | None = None, visible=None) -> Select:
    """The statement behind ``list_funds`` (for a page of it: ``core.services.paging``)."""
    stmt = select(Fund).join(OrgUnit, OrgUnit.id == Fund.org_unit_id).order_by(OrgUnit.path, Fund.year, Fund.kind, Fund.name)
    if visible is not None:
        stmt = stmt.where(visible)
    if org_unit_id is not None:
        stmt = stmt.where(Fund.org_unit_id == org_unit_id)
    if within is not None:
        stmt = stmt.where(OrgUnit.path.startswith(within.path))
    if year is not None:
        stmt = stmt.where(Fund.year == year)
    if kind is not None:
        stmt = stmt.where(Fund.kind == kind)
    return stmt


def create_fund(ctx: Ctx, org_unit_id: int, year: int, kind: str, name: str, *,
                cap_fen: int | None = None, tier: str | None = None) -> Fund:
    unit = get_unit(ctx, org_unit_id)
    v = Violations()
    kinds = {k.value for k in FundKind}
    if kind not in kinds:
        v.add(Violation("invalid_fund_kind", T(
            "资金类型只能是：" + "、".join(k.label.zh for k in FundKind),
            "The fund kind must be one of: " + ", ".join(k.value for k in FundKind)), field="kind"))
    if not isinstance(year, int) or isinstance(year, bool) or year not in YEARS:
        v.add(Violation("invalid_year", T(f"年度应为{YEARS.start}至{YEARS.stop - 1}之间的整数",
                                          f"The year must be a whole number {YEARS.start}..{YEARS.stop - 1}"), field="year"))
    name = name.strip() if isinstance(name, str) else ""
    if not name or len(name) > NAME_MAX:
        v.add(Violation("invalid_fund_name", T(f"资金名称必填，最长{NAME_MAX}个字", f"A fund name of at most {NAME_MAX} characters is required"),
                        field="name"))
    tier = tier.strip() if isinstance(tier, str) else tier
    if kind == FundKind.subsidy.value and (not isinstance(tier, str) or not tier or len(tier) > TIER_MAX):
        v.add(Violation("tier_required", T(f"补助必须注明级别（最长{TIER_MAX}个字）", f"A subsidy needs its tier (at most {TIER_MAX} characters)"),
                        field="tier"))
    elif kind != FundKind.subsidy.value and tier not in (None, ""):
        v.add(Violation("tier_not_allowed", T("只有补助类资金有级别", "Only subsidies have a tier"), field="tier"))
    v.raise_if_blocking()
    if kind != FundKind.subsidy.value:
        tier = None
    cap = None if cap_fen is None else _amount(cap_fen, "cap_fen", allow_zero=True)
    exists = RuleError(Violation("fund_exists", T(
        f"{unit.name}{year}年已有名为「{name}」的{FundKind(kind).label.zh}",
        f"{unit.name_en or unit.name} already has a {FundKind(kind).label.en} named '{name}' for {year}"),
        field="name"), status=409)
    if find_fund(ctx, unit.id, year, kind, name) is not None:
        raise exists
    with ctx.action("fund.create"):
        fund = Fund(org_unit_id=unit.id, year=year, kind=kind, name=name, tier=tier, cap_fen=cap)
        ctx.session.add(fund)
        try:
            ctx.session.flush()
        except IntegrityError as exc:  # created at the same moment by someone else
            if not any(name in str(exc.orig) for name in ("uq_funds_", "UNIQUE constraint failed: funds.")):
                raise
            raise exists from None
    return fund


def set_cap(ctx: Ctx, fund_id: int, cap_fen: int | None) -> Fund:
    """Change a fund's cap (e.g. a plugin's config changed). Never below what is committed."""
    cap = None if cap_fen is None else _amount(cap_fen, "cap_fen", allow_zero=True)
    fund = _lock(ctx, [get_fund(ctx, fund_id).id])[0]
    committed = _state(ctx, fund).fund.committed
    if cap is not None and cap < committed:
        raise RuleError(Violation("cap_below_committed", T(
            f"「{fund.name}」已承诺 {money_text(committed).zh}，上限不能低于此数（本次设为 {money_text(cap).zh}）",
            f"{fund.name} has {money_text(committed).en} committed; its cap cannot go below that (asked {money_text(cap).en})"),
            field="cap_fen"))
    with ctx.action("fund.set_cap"):
        fund.cap_fen = cap
    return fund


def _label(fund: Fund) -> str:
    tier = f"·{fund.tier}" if fund.tier else ""
    return f"{fund.name}{tier}（{fund.year}）"


def funds_by_id(ctx: Ctx, ids: list[int]) -> list[Fund]:
    """These funds, in the order given."""
    found = {f.id: f for f in ctx.session.scalars(select(Fund).where(Fund.id.in_(ids)))} if ids else {}
    return [found[i] for i in ids if i in found]


def balance(ctx: Ctx, fund_id: int) -> Balance:
    fund = get_fund(ctx, fund_id)
    return balances(ctx, [fund.id])[fund.id]


def entries(ctx: Ctx, fund_id: int, *, project_id: int | None = None) -> list[LedgerEntry]:
    fund = get_fund(ctx, fund_id)
    return list(ctx.session.scalars(entries_query(fund.id, project_id=project_id)))


def entries_query(fund_id: int, *, project_id: int | None = None) -> Select:
    """A fund's entries, oldest first (for a page of them: ``core.services.paging``)."""
    stmt = select(LedgerEntry).where(LedgerEntry.fund_id == fund_id).order_by(LedgerEntry.id)
    if project_id is not None:
        stmt = stmt.where(LedgerEntry.project_id == project_id)
    return stmt
