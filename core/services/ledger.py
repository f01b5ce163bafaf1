"""The money ledger: funds, postings and the balances derived from them.

Money moves only by appending ``LedgerEntry`` rows; nothing here updates or deletes one. Each
posting function checks the fund's rules and writes the entry in the caller's transaction
(the caller commits with ``ctx.commit()``), so a refusal leaves nothing behind.

**The rules every posting keeps**, per fund and, for entries that name a project, per
(fund, project)::

    0 ≤ spent ≤ disbursed ≤ committed ≤ allocated          and  committed ≤ cap (when set)

where allocated = allocations + transfers in − transfers out, committed = commitments −
releases, disbursed = disbursements − refunds, spent = expenses, each net of corrections. A
correction reverses (part of) the entry it names, in that entry's column. A posting is refused
when it would break one of these rules (a rule already broken by older data does not block
postings that do not make it worse); the refusal names the rule, the numbers and the request.

**Holds.** A sponsor's claim (认领) sets money aside for the project it claims until that
project is decided: a ``hold`` entry naming the pledge and the project, ended by a
``hold_release`` (held = holds − releases of holds, never below zero, per fund and per
project). A hold moves no money and needs none to have arrived: a claim is a promise made at
the council meeting, often before the sponsor pays. What it changes is what *other* postings
may take: the fund's ``available`` is ``min(allocated, cap) − committed − held``, and a
commitment, a transfer out or a correction of an allocation is refused when it would leave
less than the fund holds for other projects' claims::

    committed + held for other projects ≤ min(allocated, cap)

(a commitment to the claimed project itself may use its own hold; see ``core.services.holds``
for when holds are made, released and turned into commitments). ``available`` is therefore
below zero while a fund holds more for claims than it has received: the claimed money is on
its way, and nothing else may be committed from the fund meanwhile.

**Caps hold under concurrency.** The check and the insert happen in one transaction that first
takes the fund's write lock, so two approvals can never both see the same headroom:

- PostgreSQL: ``SELECT ... FOR UPDATE`` on the fund row(s) (funds in id order, so a transfer
  cannot deadlock against another). Under READ COMMITTED every later statement in the
  transaction sees all entries committed before the lock was granted.
- SQLite (embedded, one process or a few): SQLite has one writer per database. pysqlite opens
  its transaction lazily at the first write, so a read-then-insert would read outside the write
  lock. Before reading, a ledger posting therefore starts the transaction with
  ``BEGIN IMMEDIATE`` (the pysqlite "take control of BEGIN" recipe, applied only to ledger
  writes rather than engine-wide): the write lock is taken before the balance is read, and other
  writers wait (busy_timeout) until this transaction ends. If the transaction already wrote
  something, pysqlite has already begun it and SQLite's write lock is already ours.

**Retries cannot post twice.** Every request carries an idempotency key, unique per tenant;
posting again with the same key and the same content returns the entry already written, and the
same key with different content is refused.

The ledger records; it does not decide who may. Callers (review decisions, fund requests,
API views) authorise the actor before they post.
"""
from __future__ import annotations

import functools
import uuid
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Iterable

from sqlalchemy import Integer, Select, String, bindparam, func, literal, literal_column, select, true, union_all
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from core.i18n import T, Text
from core.models import Attachment, EntryKind, Fund, FundKind, LedgerEntry, OrgUnit, Project
from core.models.ledger import HOLD_KINDS
from core.money import MoneyError, as_fen, money_text
from core.services.context import Ctx
from core.services.org import get_unit
from core.violations import NotFound, RuleError, Violation, Violations

FUND = T("资金", "fund")
ENTRY = T("记账条目", "ledger entry")
KEY_MAX = 200
MEMO_MAX = 500
NAME_MAX = 200
TIER_MAX = 64
YEARS = range(2000, 2101)
MIN_CORRECTION_REASON = 2

# The columns a balance sums, one per entry kind that moves money (a correction is counted
# negatively in the column of the entry it corrects).
COLUMNS = tuple(k.value for k in EntryKind if k is not EntryKind.correction)
# Corrections of these would break a pairing (transfers) or reverse a reversal; post a
# new transfer or the original entry again instead. A hold is ended by releasing it.
NOT_CORRECTABLE = {EntryKind.transfer_out.value, EntryKind.transfer_in.value, EntryKind.correction.value,
                   *HOLD_KINDS}


# ---------------------------------------------------------------- balances


@dataclass(frozen=True)
class Balance:
    """Sums of one fund's (or one fund-and-project's) entries, net of corrections, in fen."""

    fund_id: int | None = None
    cap_fen: int | None = None
    allocation: int = 0
    commitment: int = 0
    release: int = 0
    disbursement: int = 0
    expense: int = 0
    refund: int = 0
    transfer_out: int = 0
    transfer_in: int = 0
    hold: int = 0
    hold_release: int = 0

    @property
    def allocated(self) -> int:
        return self.allocation + self.transfer_in - self.transfer_out

    @property
    def committed(self) -> int:
        return self.commitment - self.release

    @property
    def disbursed(self) -> int:
        return self.disbursement - self.refund

    @property
    def spent(self) -> int:
        return self.expense

    @property
    def held(self) -> int:
        """Set aside for claimed projects not decided yet (see the module doc)."""
        return self.hold - self.hold_release

    @property
    def reserved(self) -> int:
        """Committed, or held for a claim: what other projects may not take."""
        return self.committed + self.held

    @property
    def limit(self) -> int:
        """What may be committed in all: the allocations, and never more than the cap."""
        return self.allocated if self.cap_fen is None else min(self.cap_fen, self.allocated)

    @property
    def available(self) -> int:
        """What may still be committed to a project that holds nothing here: below zero while
        the fund holds more for claims than it has received."""
        return self.limit - self.reserved

    def plus(self, column: str, signed_fen: int) -> "Balance":
        return replace(self, **{column: getattr(self, column) + signed_fen})

    def sums(self) -> dict[str, int]:
        return {c: getattr(self, c) for c in COLUMNS}

    def as_dict(self) -> dict:
        return {"fund_id": self.fund_id, "cap_fen": self.cap_fen, **self.sums(),
                "allocated": self.allocated, "committed": self.committed, "disbursed": self.disbursed,
                "spent": self.spent, "held": self.held, "available": self.available}


# The aggregate statements are built once, with bound parameters, so that a posting (which
# holds the fund's lock while it runs them) pays neither for building them nor for compiling.
_PLAIN, _CORR, _ORIGINAL, _KEYED, _CORRECTING = (aliased(LedgerEntry) for _ in range(5))
_TENANT = bindparam("tenant_id", type_=Integer)


def _movements(where, group=lambda entry: ()) -> list[Select]:
    """Sums per entry kind of the entries matching ``where`` (a function of the entity), as
    two SELECTs for a UNION ALL: plain entries by their kind, and corrections negated under
    the kind of the entry each corrects.

    Two linear aggregates rather than one self-join of every entry with the entry it might
    correct: only corrections are joined, so the cost stays proportional to the fund's entries
    whatever plan the database caches for the statement."""
    correction = EntryKind.correction.value
    plain, corr, original = _PLAIN, _CORR, _ORIGINAL
    return [
        select(*group(plain), plain.kind.label("column"), func.sum(plain.amount_fen).label("total"))
        .where(plain.tenant_id == _TENANT, plain.kind != correction, where(plain))
        .group_by(*group(plain), plain.kind),
        select(*group(corr), original.kind.label("column"), (-func.sum(corr.amount_fen)).label("total"))
        .join(original, original.id == corr.corrects_id)
        .where(corr.tenant_id == _TENANT, corr.kind == correction, where(corr))
        .group_by(*group(corr), original.kind),
    ]


def _fold(balance: Balance, column: str, total) -> Balance:
    # PostgreSQL's SUM(bigint) is numeric (a Decimal here); the values are whole fen.
    return balance.plus(column, int(total)) if column in COLUMNS else balance


@functools.cache
def _balances_statement(some: bool) -> Select:
    chosen = (lambda e: e.fund_id.in_(bindparam("ids", expanding=True))) if some else (lambda e: true())
    moved = union_all(*_movements(chosen, group=lambda e: (e.fund_id.label("fund_id"),))).subquery()
    stmt = (select(Fund.id, Fund.cap_fen, moved.c.column, moved.c.total)
            .outerjoin(moved, moved.c.fund_id == Fund.id)
            .order_by(Fund.id))
    return stmt.where(Fund.id.in_(bindparam("ids", expanding=True))) if some else stmt


def balances(ctx: Ctx, fund_ids: Iterable[int] | None = None) -> dict[int, Balance]:
    """Balances of many funds (default: every fund of the tenant) in one aggregate query."""
    ids = None if fund_ids is None else list(fund_ids)
    if ids is not None and not ids:
        return {}
    params = {"tenant_id": ctx.tenant_id} | ({} if ids is None else {"ids": ids})
    out: dict[int, Balance] = {}
    for row in ctx.session.execute(_balances_statement(ids is not None), params):
        b = out.get(row.id) or Balance(fund_id=row.id, cap_fen=row.cap_fen)
        out[row.id] = _fold(b, row.column, row.total) if row.column is not None else b
    return out


def balances_by_project(ctx: Ctx, project_ids: list[int]) -> dict[int, dict[int, Balance]]:
    """{project_id: {fund_id: Balance of that project in that fund}} for many projects in one
    aggregate query; per project, funds in the order of their first entry for it (for an
    approval, the funding plan's order). The many-project form of ``project_balances``,
    built from the ledger's own movement sums so corrections count exactly as there."""
    if not project_ids:
        return {}
    group = lambda e: (e.project_id.label("project_id"), e.fund_id.label("fund_id"))  # noqa: E731
    parts = _movements(lambda e: e.project_id.in_(project_ids), group=group)
    first = (select(LedgerEntry.project_id.label("project_id"), LedgerEntry.fund_id.label("fund_id"),
                    literal("first").label("column"), func.min(LedgerEntry.id).label("total"))
             .where(LedgerEntry.project_id.in_(project_ids))
             .group_by(LedgerEntry.project_id, LedgerEntry.fund_id))
    sums: dict[int, dict[int, Balance]] = defaultdict(dict)
    order: dict[tuple[int, int], int] = {}
    for row in ctx.session.execute(union_all(*parts, first), {"tenant_id": ctx.tenant_id}):
        key = (row.project_id, row.fund_id)
        if row.column == "first":
            order[key] = int(row.total)
            continue
        per = sums[row.project_id]
        per[row.fund_id] = _fold(per.get(row.fund_id) or Balance(fund_id=row.fund_id), row.column, row.total)
    return {pid: {fid: per[fid] for fid in sorted(per, key=lambda f: order.get((pid, f), 0))}
            for pid, per in sums.items()}


def project_balances(ctx: Ctx, project_id: int) -> dict[int, Balance]:
    """One project's balance in each fund it has entries in, in the funding plan's order."""
    return balances_by_project(ctx, [project_id]).get(project_id, {})


def funds_by_id(ctx: Ctx, ids: list[int]) -> list[Fund]:
    """These funds, in the order given."""
    found = {f.id: f for f in ctx.session.scalars(select(Fund).where(Fund.id.in_(ids)))} if ids else {}
    return [found[i] for i in ids if i in found]


def balance(ctx: Ctx, fund_id: int) -> Balance:
    fund = get_fund(ctx, fund_id)
    return balances(ctx, [fund.id])[fund.id]


@dataclass(frozen=True)
class _State:
    """What a posting needs to know, read in one statement once the fund is locked."""

    fund: Balance
    project: Balance | None
    key_entry_id: int | None
    corrected: int  # how much of the entry being corrected is corrected already


@functools.cache
def _state_statement(project: bool, key: bool, corrects: bool):
    def tagged(selects: list[Select], tag: str) -> list[Select]:
        return [q.add_columns(literal_column(f"'{tag}'").label("scope")) for q in selects]

    fund_id = bindparam("fund_id", type_=Integer)
    parts = tagged(_movements(lambda e: e.fund_id == fund_id), "fund")
    if project:
        project_id = bindparam("project_id", type_=Integer)
        parts += tagged(_movements(lambda e: (e.fund_id == fund_id) & (e.project_id == project_id)), "project")
    if key:
        k = _KEYED
        parts.append(select(literal_column("'key'").label("column"), k.id.label("total"), literal_column("'key'").label("scope"))
                     .where(k.tenant_id == _TENANT, k.idempotency_key == bindparam("key", type_=String)))
    if corrects:
        c = _CORRECTING
        parts.append(select(literal_column("'corrected'").label("column"), func.sum(c.amount_fen).label("total"),
                            literal_column("'corrected'").label("scope"))
                     .where(c.tenant_id == _TENANT, c.corrects_id == bindparam("corrects_id", type_=Integer)))
    return union_all(*parts)


def _state(ctx: Ctx, fund: Fund, *, project_id: int | None = None, key: str | None = None,
           corrects_id: int | None = None) -> _State:
    stmt = _state_statement(project_id is not None, key is not None, corrects_id is not None)
    params = {"tenant_id": ctx.tenant_id, "fund_id": fund.id, "project_id": project_id, "key": key,
              "corrects_id": corrects_id}
    fund_b = Balance(fund_id=fund.id, cap_fen=fund.cap_fen)
    project_b = Balance(fund_id=fund.id) if project_id is not None else None
    key_entry_id, corrected = None, 0
    for row in ctx.session.execute(stmt, {k: v for k, v in params.items() if v is not None or k == "tenant_id"}):
        if row.scope == "fund":
            fund_b = _fold(fund_b, row.column, row.total)
        elif row.scope == "project":
            project_b = _fold(project_b, row.column, row.total)
        elif row.scope == "key":
            key_entry_id = int(row.total)
        elif row.total is not None:
            corrected = int(row.total)
    return _State(fund_b, project_b, key_entry_id, corrected)


# ---------------------------------------------------------------- the rules


@dataclass(frozen=True)
class _Rule:
    code: str
    lhs: str  # a Balance property (or "zero") that must not exceed ...
    rhs: str  # ... this one; a rule whose rhs is None for the fund (no cap) does not apply
    message: Text


# Read as "lhs ≤ rhs". Placeholders: {fund} {lhs} {rhs} {kind} {amount} {room}.
HOLD_RULE = _Rule("hold_negative", "zero", "held",
                  T("「{fund}」解除的预留超过所预留的金额：已预留 {rhs}，本次{kind} {amount}",
                    "{fund}: more released than was held: held {rhs}, this {kind} {amount}"))
RULES = (
    _Rule("spent_negative", "zero", "spent",
          T("「{fund}」的支出更正后将为负数：已支出 {rhs}，本次{kind} {amount}",
            "{fund}: spending would become negative: spent {rhs}, this {kind} {amount}")),
    _Rule("over_disbursed", "spent", "disbursed",
          T("「{fund}」的支出不能超过已拨付金额：已拨付 {rhs}，已支出 {lhs}，本次{kind} {amount}（尚可 {room}）",
            "{fund}: spending cannot exceed what was disbursed: disbursed {rhs}, spent {lhs}, this {kind} {amount} ({room} left)")),
    _Rule("over_committed", "disbursed", "committed",
          T("「{fund}」的拨付不能超过已承诺金额：已承诺 {rhs}，已拨付 {lhs}，本次{kind} {amount}（尚可 {room}）",
            "{fund}: disbursements cannot exceed commitments: committed {rhs}, disbursed {lhs}, this {kind} {amount} ({room} left)")),
    _Rule("over_allocation", "committed", "allocated",
          T("「{fund}」资金不足：已到位 {rhs}，已承诺 {lhs}，本次{kind} {amount}（可用 {room}）",
            "{fund}: not enough money: allocated {rhs}, committed {lhs}, this {kind} {amount} ({room} available)")),
    _Rule("over_cap", "committed", "cap_fen",
          T("超出「{fund}」的上限：上限 {rhs}，已承诺 {lhs}，本次{kind} {amount}（最多还可承诺 {room}）",
            "{fund} would exceed its cap: cap {rhs}, committed {lhs}, this {kind} {amount} (at most {room} more)")),
    HOLD_RULE,
)


# Checked for postings other than holds, once the rules above pass (see the module doc).
CLAIMS_RULE = _Rule("held_for_claims", "reserved", "limit",
                    T("「{fund}」可用资金不足：到位（不超过上限）{rhs}，已承诺及为其他项目认领预留 {lhs}，本次{kind} {amount}（可用 {room}）",
                      "{fund}: not enough free money: allocated (within the cap) {rhs}, committed or held for other "
                      "projects' claims {lhs}, this {kind} {amount} ({room} free)"))

# Per project only the chain below the commitments applies (a project's allocation and cap
# are its fund's), and what is held for it never goes below zero.
PROJECT_RULES = RULES[:3] + (HOLD_RULE,)


def _value(b: Balance, name: str) -> int | None:
    return 0 if name == "zero" else getattr(b, name)


def _breaches(label: str, before: Balance, after: Balance, kind: EntryKind, amount: int,
              rules: tuple[_Rule, ...] = RULES, field: str = "amount_fen") -> list[Violation]:
    """The rules this posting breaks: broken afterwards, and worse than before."""
    out = []
    for rule in rules:
        rhs_after, rhs_before = _value(after, rule.rhs), _value(before, rule.rhs)
        if rhs_after is None:
            continue  # no cap
        slack_after = rhs_after - _value(after, rule.lhs)
        slack_before = rhs_before - _value(before, rule.lhs)
        if slack_after >= 0 or slack_after >= slack_before:
            continue
        out.append(Violation(rule.code, Text(
            rule.message.zh.format(fund=label, lhs=money_text(_value(before, rule.lhs)).zh, rhs=money_text(rhs_before).zh,
                                   kind=kind.label.zh, amount=money_text(amount).zh, room=money_text(max(slack_before, 0)).zh),
            rule.message.en.format(fund=label, lhs=money_text(_value(before, rule.lhs)).en, rhs=money_text(rhs_before).en,
                                   kind=kind.label.en, amount=money_text(amount).en, room=money_text(max(slack_before, 0)).en)),
            field=field))
    return out


# ---------------------------------------------------------------- input


def _amount(value, field: str = "amount_fen", *, allow_zero: bool = False) -> int:
    try:
        fen = as_fen(value)
    except MoneyError:
        raise RuleError(Violation("invalid_amount", T(
            "金额应为整数（单位：分），不能是小数、浮点数或文字",
            "The amount must be a whole number of fen, not a fraction, a float or text"), field=field)) from None
    if fen < 0 or (fen == 0 and not allow_zero):
        raise RuleError(Violation("invalid_amount", T(
            "金额必须大于0" if not allow_zero else "金额不能为负数",
            "The amount must be greater than zero" if not allow_zero else "The amount cannot be negative"), field=field))
    return fen


def _key(value) -> str:
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > KEY_MAX:
        raise RuleError(Violation("invalid_idempotency_key", T(
            f"请求编号（幂等键）必填，最长{KEY_MAX}个字符", f"An idempotency key of at most {KEY_MAX} characters is required"),
            field="key"))
    return value.strip()


def _memo(value, *, required: bool = False) -> str:
    memo = (value or "").strip() if isinstance(value, str) or value is None else None
    if memo is None or len(memo) > MEMO_MAX:
        raise RuleError(Violation("invalid_memo", T(f"摘要最长{MEMO_MAX}个字", f"The memo may be at most {MEMO_MAX} characters"),
                                  field="memo"))
    if required and len(memo) < MIN_CORRECTION_REASON:
        raise RuleError(Violation("reason_required", T("更正必须写明原因", "A correction needs its reason"), field="memo"))
    return memo


# ---------------------------------------------------------------- funds


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


# ---------------------------------------------------------------- locking


def lock_funds(ctx: Ctx, fund_ids: list[int]) -> list[Fund]:
    """Take these funds' write locks now, for a caller that must read balances and then post
    several entries as one decision (e.g. an approval drawn from two funds)."""
    return _lock(ctx, fund_ids)


def _lock(ctx: Ctx, fund_ids: list[int]) -> list[Fund]:
    """Take the write lock for these funds for the rest of the transaction (see module doc)."""
    session = ctx.session
    if session.get_bind().dialect.name == "sqlite":
        connection = session.connection()
        if not connection.connection.dbapi_connection.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
    ids = sorted(set(fund_ids))
    if not ids or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise NotFound(FUND, field="fund_id")
    funds = list(session.scalars(select(Fund).where(Fund.id.in_(ids)).order_by(Fund.id)
                                 .with_for_update(of=Fund).execution_options(populate_existing=True)))
    if len(funds) != len(ids):
        raise NotFound(FUND, field="fund_id")
    return funds


# ---------------------------------------------------------------- idempotency


def _replayed(ctx: Ctx, key: str, entry_id: int | None, expected: dict) -> LedgerEntry | None:
    """The entry already posted under ``key``, if it is the same request; a refusal if not."""
    if entry_id is None:
        return None
    existing = ctx.session.get(LedgerEntry, entry_id)
    if all(getattr(existing, k) == v for k, v in expected.items()):
        return existing
    raise _conflict(key, existing)


def _conflict(key: str, existing: LedgerEntry | None) -> RuleError:
    which = f"（#{existing.id}）" if existing is not None else ""
    return RuleError(Violation("idempotency_conflict", T(
        f"请求编号「{key}」已用于另一笔记账{which}，请换一个编号",
        f"The idempotency key '{key}' was already used for a different posting {which}".rstrip()),
        field="key"), status=409)


def _insert(ctx: Ctx, action: str, entries: list[LedgerEntry], key: str) -> None:
    """Write the entries. The key was checked under the fund's lock; only a posting to another
    fund with the same key, at the same moment, can still collide with it. That is answered
    with a 409 too (the session must then be rolled back, as after any refusal)."""
    with ctx.action(action):
        ctx.session.add_all(entries)
        try:
            ctx.session.flush()
        except IntegrityError as exc:
            if "idempotency_key" not in str(exc.orig):
                raise
            raise _conflict(key, None) from None


# ---------------------------------------------------------------- postings


def _check_project(ctx: Ctx, fund: Fund, project_id) -> None:
    project = ctx.session.get(Project, project_id) if isinstance(project_id, int) and not isinstance(project_id, bool) else None
    if project is None:
        raise NotFound(T("项目", "project"), field="project_id")
    if not project.applicant_unit.is_within(fund.org_unit):
        raise RuleError(Violation("project_outside_fund", T(
            f"项目「{project.title}」不属于「{fund.name}」所在单位（{fund.org_unit.name}）的辖区",
            f"The project '{project.title}' is not within the fund's unit ({fund.org_unit.name_en or fund.org_unit.name})"),
            field="project_id"))


def _check_receipt(ctx: Ctx, attachment_id, project_id: int | None) -> None:
    att = ctx.session.get(Attachment, attachment_id) if isinstance(attachment_id, int) and not isinstance(attachment_id, bool) else None
    if att is None:
        raise NotFound(T("收据附件", "receipt attachment"), field="receipt_attachment_id")
    if project_id is not None and att.project_id != project_id:
        raise RuleError(Violation("receipt_other_project", T("收据附件不属于该项目", "The receipt belongs to another project"),
                                  field="receipt_attachment_id"))


def _problems(fund: Fund, state: _State, project_id: int | None, column: str, signed: int,
              kind: EntryKind, amount: int) -> list[Violation]:
    label = _label(fund)
    problems = _breaches(label, state.fund, state.fund.plus(column, signed), kind, amount)
    if not problems and column not in HOLD_KINDS:
        # What the fund holds for *other* projects' claims is not this posting's to take; the
        # project's own hold is (an approval turns it into the commitment).
        own = state.project.held if state.project is not None else 0
        before = replace(state.fund, hold=state.fund.hold - own)
        problems = _breaches(label, before, before.plus(column, signed), kind, amount, (CLAIMS_RULE,))
    if project_id is not None:
        problems += _breaches(f"{label}·项目#{project_id}", state.project, state.project.plus(column, signed),
                              kind, amount, PROJECT_RULES)
    return problems


def _post(ctx: Ctx, kind: EntryKind, fund_id: int, amount_fen, key, *, project_id: int | None = None,
          memo: str = "", receipt_attachment_id: int | None = None, pledge_id: int | None = None,
          fund_request_id: int | None = None) -> LedgerEntry:
    amount = _amount(amount_fen)
    key = _key(key)
    memo = _memo(memo)
    # What can be checked without the lock is checked before it, to keep the lock short.
    if project_id is not None or receipt_attachment_id is not None:
        fund = get_fund(ctx, fund_id)
        if project_id is not None:
            _check_project(ctx, fund, project_id)
        if receipt_attachment_id is not None:
            _check_receipt(ctx, receipt_attachment_id, project_id)
    fund = _lock(ctx, [fund_id])[0]
    state = _state(ctx, fund, project_id=project_id, key=key)
    expected = dict(fund_id=fund.id, kind=kind.value, amount_fen=amount, project_id=project_id,
                    pledge_id=pledge_id, fund_request_id=fund_request_id)
    if (done := _replayed(ctx, key, state.key_entry_id, expected)) is not None:
        return done  # a retry of a request already posted
    problems = _problems(fund, state, project_id, kind.value, amount, kind, amount)
    if problems:
        raise RuleError(problems)
    entry = LedgerEntry(fund_id=fund.id, kind=kind.value, amount_fen=amount, project_id=project_id,
                        actor_id=ctx.actor.id, memo=memo, idempotency_key=key,
                        receipt_attachment_id=receipt_attachment_id, pledge_id=pledge_id,
                        fund_request_id=fund_request_id)
    _insert(ctx, f"ledger.{kind.value}", [entry], key)
    return entry


def allocate(ctx: Ctx, fund_id: int, amount_fen: int, key: str, *, memo: str = "",
             project_id: int | None = None, pledge_id: int | None = None) -> LedgerEntry:
    """Put money into a fund (the year's line, the pool's budget, a received pledge: then
    ``pledge_id`` names the pledge it honours)."""
    return _post(ctx, EntryKind.allocation, fund_id, amount_fen, key, memo=memo, project_id=project_id,
                 pledge_id=pledge_id)


def commit(ctx: Ctx, fund_id: int, amount_fen: int, project_id: int | None, key: str, *, memo: str = "",
           pledge_id: int | None = None) -> LedgerEntry:
    """Promise money (a project's approval; ``pledge_id``: the claim whose money it is). Refused
    beyond the cap or the allocations, or into money held for other projects' claims."""
    return _post(ctx, EntryKind.commitment, fund_id, amount_fen, key, project_id=project_id, memo=memo,
                 pledge_id=pledge_id)


def hold(ctx: Ctx, fund_id: int, amount_fen: int, project_id: int, pledge_id: int, key: str, *,
         memo: str = "") -> LedgerEntry:
    """Set money aside for the project the pledge ``pledge_id`` claims (see the module doc)."""
    _require_id(pledge_id, T("认捐", "pledge"), "pledge_id")
    _require_id(project_id, T("项目", "project"), "project_id")
    return _post(ctx, EntryKind.hold, fund_id, amount_fen, key, project_id=project_id, memo=memo, pledge_id=pledge_id)


def release_hold(ctx: Ctx, fund_id: int, amount_fen: int, project_id: int, pledge_id: int, key: str, *,
                 memo: str = "") -> LedgerEntry:
    """End (part of) a hold: the claimed project was decided or withdrawn."""
    _require_id(pledge_id, T("认捐", "pledge"), "pledge_id")
    _require_id(project_id, T("项目", "project"), "project_id")
    return _post(ctx, EntryKind.hold_release, fund_id, amount_fen, key, project_id=project_id, memo=memo,
                 pledge_id=pledge_id)


def _require_id(value, what: Text, field: str) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise NotFound(what, field=field)


def release(ctx: Ctx, fund_id: int, amount_fen: int, project_id: int | None, key: str, *, memo: str = "") -> LedgerEntry:
    """Undo (part of) a commitment that has not been disbursed."""
    return _post(ctx, EntryKind.release, fund_id, amount_fen, key, project_id=project_id, memo=memo)


def disburse(ctx: Ctx, fund_id: int, amount_fen: int, project_id: int | None, key: str, *, memo: str = "",
             fund_request_id: int | None = None) -> LedgerEntry:
    """Pay out committed money (answering ``fund_request_id``, when a request asked for it)."""
    return _post(ctx, EntryKind.disbursement, fund_id, amount_fen, key, project_id=project_id, memo=memo,
                 fund_request_id=fund_request_id)


def expense(ctx: Ctx, fund_id: int, amount_fen: int, project_id: int | None, key: str, *,
            receipt_attachment_id: int | None = None, memo: str = "", fund_request_id: int | None = None) -> LedgerEntry:
    """Record spending of disbursed money, with its receipt when there is one (and the fund
    request whose money it spends, so the final accounts can set it against a budget line)."""
    return _post(ctx, EntryKind.expense, fund_id, amount_fen, key, project_id=project_id, memo=memo,
                 receipt_attachment_id=receipt_attachment_id, fund_request_id=fund_request_id)


def refund(ctx: Ctx, fund_id: int, amount_fen: int, project_id: int | None, key: str, *, memo: str = "",
           fund_request_id: int | None = None) -> LedgerEntry:
    """Return disbursed, unspent money to the fund."""
    return _post(ctx, EntryKind.refund, fund_id, amount_fen, key, project_id=project_id, memo=memo,
                 fund_request_id=fund_request_id)


def transfer(ctx: Ctx, from_fund_id: int, to_fund_id: int, amount_fen: int, key: str, *, memo: str = "",
             project_id: int | None = None) -> tuple[LedgerEntry, LedgerEntry]:
    """Move uncommitted money between two funds of the tenant: a paired out/in, one transfer id."""
    amount = _amount(amount_fen)
    key = _key(key)
    memo = _memo(memo)
    source, target = get_fund(ctx, from_fund_id, "from_fund_id"), get_fund(ctx, to_fund_id, "to_fund_id")
    if source.id == target.id:
        raise RuleError(Violation("transfer_same_fund", T("不能在同一资金内调拨", "A transfer needs two different funds"),
                                  field="to_fund_id"))
    if project_id is not None:
        _check_project(ctx, source, project_id)
        _check_project(ctx, target, project_id)
    _lock(ctx, [source.id, target.id])
    state = _state(ctx, source, key=key)
    kind = EntryKind.transfer_out
    expected = dict(fund_id=source.id, kind=kind.value, amount_fen=amount, project_id=project_id)
    if (out := _replayed(ctx, key, state.key_entry_id, expected)) is not None:
        incoming = ctx.session.scalars(select(LedgerEntry).where(
            LedgerEntry.transfer_id == out.transfer_id, LedgerEntry.kind == EntryKind.transfer_in.value)).one()
        if incoming.fund_id != target.id:
            raise _conflict(key, out)  # the same key, another destination
        return out, incoming
    # An incoming transfer only raises the target's allocation, which no rule bounds.
    problems = _problems(source, state, None, kind.value, amount, kind, amount)
    if problems:
        raise RuleError(problems)
    tid = str(uuid.uuid4())
    common = dict(amount_fen=amount, project_id=project_id, actor_id=ctx.actor.id, memo=memo, transfer_id=tid)
    out = LedgerEntry(fund_id=source.id, kind=kind.value, idempotency_key=key, **common)
    incoming = LedgerEntry(fund_id=target.id, kind=EntryKind.transfer_in.value, idempotency_key=None, **common)
    _insert(ctx, "ledger.transfer", [out, incoming], key)
    return out, incoming


def correct(ctx: Ctx, entry_id: int, key: str, memo: str, amount_fen: int | None = None) -> LedgerEntry:
    """Reverse (part of) an entry: a new ``correction`` entry naming it. Default: all that is
    left of it. To replace a wrong amount, correct it and post the right one."""
    key = _key(key)
    memo = _memo(memo, required=True)
    amount = None if amount_fen is None else _amount(amount_fen)
    original = ctx.session.get(LedgerEntry, entry_id) if isinstance(entry_id, int) and not isinstance(entry_id, bool) else None
    if original is None:
        raise NotFound(ENTRY, field="entry_id")
    if original.kind in NOT_CORRECTABLE:
        raise RuleError(Violation("not_correctable", T(
            f"「{original.kind_enum.label.zh}」条目不能更正；调拨请做一笔反向调拨，更正记录请重新记原条目",
            f"A {original.kind_enum.label.en} entry cannot be corrected; reverse a transfer with another transfer"),
            field="entry_id"))
    fund = _lock(ctx, [original.fund_id])[0]
    state = _state(ctx, fund, project_id=original.project_id, key=key, corrects_id=original.id)
    expected = dict(kind=EntryKind.correction.value, corrects_id=original.id, fund_id=original.fund_id)
    if amount is not None:
        expected["amount_fen"] = amount
    if (done := _replayed(ctx, key, state.key_entry_id, expected)) is not None:
        return done
    left = original.amount_fen - state.corrected
    amount = left if amount is None else amount
    if amount > left or amount <= 0:
        raise RuleError(Violation("correction_exceeds_entry", T(
            f"条目#{original.id}金额 {money_text(original.amount_fen).zh}，已更正 {money_text(state.corrected).zh}，本次更正 {money_text(amount).zh} 超出剩余 {money_text(left).zh}",
            f"Entry #{original.id} is {money_text(original.amount_fen).en}, {money_text(state.corrected).en} already corrected; {money_text(amount).en} exceeds the {money_text(left).en} left"),
            field="amount_fen"))
    problems = _problems(fund, state, original.project_id, original.kind, -amount, EntryKind.correction, amount)
    if problems:
        raise RuleError(problems)
    entry = LedgerEntry(fund_id=fund.id, kind=EntryKind.correction.value, amount_fen=amount,
                        project_id=original.project_id, actor_id=ctx.actor.id, memo=memo,
                        idempotency_key=key, corrects_id=original.id)
    _insert(ctx, "ledger.correction", [entry], key)
    return entry


def entries(ctx: Ctx, fund_id: int, *, project_id: int | None = None) -> list[LedgerEntry]:
    fund = get_fund(ctx, fund_id)
    return list(ctx.session.scalars(entries_query(fund.id, project_id=project_id)))


def entries_query(fund_id: int, *, project_id: int | None = None) -> Select:
    """A fund's entries, oldest first (for a page of them: ``core.services.paging``)."""
    stmt = select(LedgerEntry).where(LedgerEntry.fund_id == fund_id).order_by(LedgerEntry.id)
    if project_id is not None:
        stmt = stmt.where(LedgerEntry.project_id == project_id)
    return stmt
