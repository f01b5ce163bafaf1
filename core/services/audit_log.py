"""Reading the audit log, which ``core.models.auditing`` writes on every flush, scoped by org unit.

Who reads which entries is the permission table's ``A.audit_read``: each entry carries the unit
of the row it describes, so a street administrator reads the entries of their street and the
units below it, and the district (the tenant's root) reads all, including the entries about
tenant-wide rows (people, tokens) that carry no unit.

Reading the log is itself recorded (``audit.read``: who, which filter, which page), as is every
export of personal data (``person.export``): the log says who looked at
what it holds. A read carries no unit, so the district (the tenant's root) reads who read."""
from __future__ import annotations

from sqlalchemy import func, or_, select

from core.i18n import T
from core.models import AuditEntry, OrgUnit, User
from core.permissions import A, holder_grants
from core.services.context import Ctx


def _readable(ctx: Ctx):
    """The entries the actor may read, as a statement to refine."""
    ctx.require(A.audit_read, None, T("只有管理员可以查看操作日志", "Only administrators may read the audit log"))
    cond = ctx.where(A.audit_read, unit_path=OrgUnit.path)
    at_root = any(g.unit_path.count("/") == 2 for g in holder_grants(ctx.actor, A.audit_read, table=ctx.permissions))
    if at_root:
        cond = or_(cond, AuditEntry.org_unit_id.is_(None))
    return select(AuditEntry).outerjoin(OrgUnit, OrgUnit.id == AuditEntry.org_unit_id).where(cond)


def entries(ctx: Ctx, *, entity: str | None = None, entity_id: int | None = None,
            limit: int = 50, offset: int = 0) -> tuple[list[tuple[AuditEntry, User | None]], int]:
    """One page of the log the actor may read, newest first, each entry with the user who acted
    (None for the system), and the number of matching entries: two queries whatever the page size."""
    stmt = _readable(ctx)
    # The read is recorded first, so the district's page shows it: whoever reads sees that reading is logged.
    record_read(ctx, {"entity": entity, "entity_id": entity_id, "offset": offset, "limit": limit})
    if entity:
        stmt = stmt.where(AuditEntry.entity == entity)
    if entity_id is not None:
        stmt = stmt.where(AuditEntry.entity_id == entity_id)
    total = ctx.session.scalar(select(func.count()).select_from(stmt.with_only_columns(AuditEntry.id).subquery()))
    page = (stmt.add_columns(User).outerjoin(User, User.id == AuditEntry.actor_id)
            .order_by(AuditEntry.id.desc()).limit(max(1, min(limit, 200))).offset(max(0, offset)))
    return [(row[0], row[1]) for row in ctx.session.execute(page)], int(total or 0)


def record_read(ctx: Ctx, what: dict) -> None:
    """Write a read of the log to the log (the caller commits)."""
    ctx.session.add(AuditEntry(actor_id=ctx.actor.id, action="audit.read", entity="audit_entries", entity_id=None,
                               org_unit_id=None, after={k: v for k, v in what.items() if v is not None}))
    ctx.session.flush()


def entities(ctx: Ctx) -> list[str]:
    """The kinds of rows (tables) among the entries the actor may read."""
    return sorted(ctx.session.scalars(_readable(ctx).with_only_columns(AuditEntry.entity).distinct()))
