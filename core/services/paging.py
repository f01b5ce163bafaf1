"""One page of a list, and how many there are in all: how every list that can grow is read.

Why one helper: a list that can grow (funds, ledger entries, batches, scores, pledges ...) is
answered a page at a time with its total, in two statements whatever the page, so the API can
send the same envelope for every list (``core.api.base.paged``) and no page costs more than
another. Services build the statement (filters, permission, order) and hand it here."""
from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

MAX_LIMIT = 500


def page(session: Session, stmt: Select, *, limit: int, offset: int = 0, unique: bool = False) -> tuple[list, int]:
    """The rows of ``stmt`` (already ordered) from ``offset``, at most ``limit`` of them, and
    the number of rows in all. ``unique``: the statement eagerly joins a collection."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = session.scalars(stmt.limit(max(1, min(limit, MAX_LIMIT))).offset(max(0, offset)))
    return list(rows.unique() if unique else rows), int(total or 0)
