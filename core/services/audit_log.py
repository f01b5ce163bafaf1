"""Reading the audit log, which ``core.audit`` writes on every flush. Administrators only."""
from __future__ import annotations

from sqlalchemy import func, select

from core.i18n import T
from core.models import AuditEntry, User
from core.services.context import Ctx
from core.violations import Forbidden


def entries(ctx: Ctx, *, entity: str | None = None, entity_id: int | None = None,
            limit: int = 50, offset: int = 0) -> tuple[list[tuple[AuditEntry, User | None]], int]:
    """One page of the tenant's log, newest first, each entry with the user who acted (None for
    the system), and the number of matching entries: two queries whatever the page size."""
    if not ctx.actor.is_admin:
        raise Forbidden(T("只有管理员可以查看操作日志", "Only administrators may read the audit log"))
    stmt = select(AuditEntry)
    if entity:
        stmt = stmt.where(AuditEntry.entity == entity)
    if entity_id is not None:
        stmt = stmt.where(AuditEntry.entity_id == entity_id)
    total = ctx.session.scalar(select(func.count()).select_from(stmt.with_only_columns(AuditEntry.id).subquery()))
    page = (stmt.add_columns(User).outerjoin(User, User.id == AuditEntry.actor_id)
            .order_by(AuditEntry.id.desc()).limit(max(1, min(limit, 200))).offset(max(0, offset)))
    return [(row[0], row[1]) for row in ctx.session.execute(page)], int(total or 0)
