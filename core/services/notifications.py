"""The acting user's in-app notifications (written by tasks such as notifying the panel)."""
from __future__ import annotations

from sqlalchemy import func, select

from core.models import Notification
from core.services.context import Ctx


def mine(ctx: Ctx, *, limit: int = 50, offset: int = 0) -> tuple[list[Notification], int]:
    """One page of the actor's notifications, newest first, and how many there are."""
    if not ctx.actor.is_authenticated:
        return [], 0
    stmt = select(Notification).where(Notification.user_id == ctx.actor.id)
    total = ctx.session.scalar(select(func.count()).select_from(stmt.with_only_columns(Notification.id).subquery()))
    rows = ctx.session.scalars(stmt.order_by(Notification.id.desc()).limit(max(1, min(limit, 200))).offset(max(0, offset)))
    return list(rows), int(total or 0)
