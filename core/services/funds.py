"""Who may see and move a fund's money, on top of the ledger (which records but does not decide).

- Reading: the permission table decides (``A.fund_view``): administrators, leaders and
  supervisors see the funds at or below their units; everyone's staff see their own units'
  funds and those above them (a neighbourhood sees its street's pool), never a sibling
  street's funds or ledger. A fund one may not see answers 404, as one that does not exist.
- Allocating money into a fund, transferring between funds and correcting an entry: the
  street or district administrators at or above the fund's unit (the street allocates its
  neighbourhoods' lines and its pool; the district or city its subsidies).
- A fund of a policy is addressed by the programme and the policy's fund key, so a street can
  allocate a neighbourhood's line before anything was ever committed from it.
"""
from __future__ import annotations

from core.i18n import T
from core.models import Fund, LedgerEntry, OrgUnit, Programme
from core.money import parse_yuan
from core.permissions import A
from core.services import funding, ledger, paging
from core.services.context import Ctx
from core.services.org import get_unit
from core.violations import Forbidden, NotFound, RuleError, Violation


def may_manage(ctx: Ctx, fund: Fund) -> bool:
    return ctx.can(A.fund_manage, fund).allowed


def visible_fund(ctx: Ctx, fund_id, field: str = "fund_id") -> Fund:
    """A fund the actor may see; otherwise the same 404 as for one that does not exist."""
    fund = ledger.get_fund(ctx, fund_id, field)
    if not ctx.can(A.fund_view, fund):
        raise NotFound(ledger.FUND, field=field)
    return fund


def _require_manager(ctx: Ctx, fund: Fund) -> None:
    if not may_manage(ctx, fund):
        raise Forbidden(T(f"只有「{fund.org_unit.name}」或其上级的管理员可以调整该资金",
                          f"Only administrators of {fund.org_unit.name_en or fund.org_unit.name} or above may move this fund's money"))


def _require_member(ctx: Ctx) -> None:
    if not ctx.actor.is_authenticated:
        raise Forbidden(T("请先登录", "Log in first"))


def _visible_funds_query(ctx: Ctx, year: int | None, org_unit_id: int | None, within_unit_id: int | None):
    _require_member(ctx)
    within = get_unit(ctx, within_unit_id) if within_unit_id is not None else None
    return ledger.funds_query(org_unit_id=org_unit_id, within=within, year=year,
                              visible=ctx.where(A.fund_view, unit_path=OrgUnit.path))


def _with_balances(ctx: Ctx, funds: list[Fund]) -> list[tuple[Fund, ledger.Balance]]:
    sums = ledger.balances(ctx, [f.id for f in funds])  # one aggregate query for all of them
    return [(f, sums[f.id]) for f in funds]


def visible_funds(ctx: Ctx, *, year: int | None = None, org_unit_id: int | None = None,
                  within_unit_id: int | None = None) -> list[tuple[Fund, ledger.Balance]]:
    funds = list(ctx.session.scalars(_visible_funds_query(ctx, year, org_unit_id, within_unit_id)))
    return _with_balances(ctx, funds)


def visible_funds_page(ctx: Ctx, *, year: int | None = None, org_unit_id: int | None = None,
                       within_unit_id: int | None = None, limit: int, offset: int = 0
                       ) -> tuple[list[tuple[Fund, ledger.Balance]], int]:
    """A page of ``visible_funds`` and their number in all."""
    funds, total = paging.page(ctx.session, _visible_funds_query(ctx, year, org_unit_id, within_unit_id),
                               limit=limit, offset=offset)
    return _with_balances(ctx, funds), total


def fund_with_balance(ctx: Ctx, fund_id: int) -> tuple[Fund, ledger.Balance]:
    _require_member(ctx)
    fund = visible_fund(ctx, fund_id)
    return fund, ledger.balance(ctx, fund.id)


def policy_fund(ctx: Ctx, programme_id, org_unit_id, key) -> Fund:
    """The fund named ``key`` by the programme's policy, owned by ``org_unit_id`` (created on
    first use, with the cap of the programme's frozen config)."""
    programme = ctx.session.get(Programme, programme_id) if isinstance(programme_id, int) else None
    if programme is None:
        raise NotFound(T("年度项目", "programme"), field="programme_id")
    unit = get_unit(ctx, org_unit_id)
    if not unit.is_within(programme.org_unit) and not programme.org_unit.is_within(unit):
        raise RuleError(Violation("unit_outside_programme", T(
            f"「{unit.name}」不在「{programme.title}」的范围内", f"{unit.name_en or unit.name} is outside the programme"),
            field="org_unit_id"))
    spec = funding.specs(ctx, programme).get(key)
    if spec is None:
        known = "、".join(f"{s.key}（{s.name.zh}）" for s in funding.specs(ctx, programme).values()) or "无"
        raise RuleError(Violation("unknown_fund", T(f"该年度项目的政策没有名为「{key}」的资金；可选：{known}",
                                                    f"The programme's policy declares no fund '{key}'"), field="fund"))
    fund = funding.find(ctx, spec, unit, programme.year)
    if fund is None:
        ctx.require(A.fund_manage, unit, T("只有该单位或其上级的管理员可以设立资金",
                                           "Only administrators of the unit or above may set up its fund"))
        fund = funding.ensure(ctx, spec, unit, programme.year)
    elif not ctx.can(A.fund_view, fund):
        raise NotFound(ledger.FUND, field="org_unit_id")
    return fund


def allocate(ctx: Ctx, fund_id: int, amount, key: str, memo: str = "") -> LedgerEntry:
    """Put ``amount`` yuan (as a client sends it: ``core.money.read_yuan``) into the fund."""
    fund = ledger.get_fund(ctx, fund_id)
    _require_manager(ctx, fund)
    return ledger.allocate(ctx, fund.id, parse_yuan(amount), key, memo=memo)


def transfer(ctx: Ctx, from_fund_id: int, to_fund_id: int, amount, key: str, memo: str = "") -> tuple[LedgerEntry, LedgerEntry]:
    """Move ``amount`` yuan of uncommitted money from one fund to another."""
    for fid, field in ((from_fund_id, "from_fund_id"), (to_fund_id, "to_fund_id")):
        _require_manager(ctx, ledger.get_fund(ctx, fid, field))
    return ledger.transfer(ctx, from_fund_id, to_fund_id, parse_yuan(amount), key, memo=memo)


def correct(ctx: Ctx, entry_id: int, key: str, memo: str, amount=None) -> LedgerEntry:
    """Reverse ``amount`` yuan of an entry (None: all of it) with a new entry naming it."""
    entry = ctx.session.get(LedgerEntry, entry_id) if isinstance(entry_id, int) else None
    if entry is None:
        raise NotFound(ledger.ENTRY, field="entry_id")
    _require_manager(ctx, ledger.get_fund(ctx, entry.fund_id))
    return ledger.correct(ctx, entry.id, key, memo, None if amount is None else parse_yuan(amount))


def entries(ctx: Ctx, fund_id: int, project_id: int | None = None) -> list[LedgerEntry]:
    _require_member(ctx)
    return ledger.entries(ctx, visible_fund(ctx, fund_id).id, project_id=project_id)


def entries_page(ctx: Ctx, fund_id: int, *, limit: int, offset: int = 0) -> tuple[list[LedgerEntry], int]:
    """A page of a visible fund's entries, oldest first, and their number in all."""
    _require_member(ctx)
    return paging.page(ctx.session, ledger.entries_query(visible_fund(ctx, fund_id).id), limit=limit, offset=offset)


