"""What every posting does first: take the fund's write lock, then read the fund's state under it
(see "Caps hold under concurrency" in the package doc)."""
from __future__ import annotations

import functools
from dataclasses import dataclass

from sqlalchemy import Integer, Select, String, bindparam, func, literal_column, select, union_all
from sqlalchemy.orm import aliased

from core.models import Fund, LedgerEntry
from core.services.context import Ctx
from core.services.ledger.inputs import FUND
from core.services.ledger.sums import _TENANT, Balance, _fold, _movements
from core.violations import NotFound

_KEYED, _CORRECTING = (aliased(LedgerEntry) for _ in range(2))


def lock_funds(ctx: Ctx, fund_ids: list[int]) -> list[Fund]:
    """Take these funds' write locks now, for a caller that must read balances and then post
    several entries as one decision (e.g. an approval drawn from two funds)."""
    return _lock(ctx, fund_ids)


def _lock(ctx: Ctx, fund_ids: list[int]) -> list[Fund]:
    """Take the write lock for these funds for the rest of the transaction (see the package doc)."""
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
