"""Balances: the sums of a fund's (or a fund-and-project's) entries, net of corrections.

Nothing is stored: every ``Balance`` is summed from the entries when it is asked for, in one
aggregate statement for many funds or many projects."""
from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Iterable

from sqlalchemy import Integer, Select, bindparam, func, literal, select, true, union_all
from sqlalchemy.orm import aliased

from core.models import EntryKind, Fund, LedgerEntry
from core.services.context import Ctx

# The columns a balance sums, one per entry kind that moves money (a correction is counted
# negatively in the column of the entry it corrects).
COLUMNS = tuple(k.value for k in EntryKind if k is not EntryKind.correction)


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
        """Set aside for claimed projects not decided yet (see the package doc)."""
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
_PLAIN, _CORR, _ORIGINAL = (aliased(LedgerEntry) for _ in range(3))
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
