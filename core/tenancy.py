"""Tenancy fails closed.

The tenant is the district-level root (a district bureau or a county-level city). Every
tenant-owned row carries ``tenant_id``; ``TenantOwned`` marks such models. Two mechanisms keep
tenants apart, so forgetting a filter in a handler cannot leak rows:

1. the ORM adds ``tenant_id = <session's tenant>`` to every query of a tenant-owned model
   (``with_loader_criteria``), and stamps the session's tenant on every new row, refusing rows
   that name another tenant;
2. on PostgreSQL, row-level security (ENABLE + FORCE, runtime role without BYPASSRLS) applies
   the same predicate in the database (see the migrations).

A session with no tenant matches ``tenant_id IS NULL`` / an empty setting: no rows.
"""
from __future__ import annotations

from sqlalchemy import ForeignKey, event
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column, with_loader_criteria


class TenancyError(RuntimeError):
    """Raised when code tries to write a row without a tenant or into another tenant."""


class TenantOwned:
    """Mixin for every model whose rows belong to one tenant."""

    @declared_attr
    def tenant_id(cls) -> Mapped[int]:  # noqa: N805 - SQLAlchemy declared_attr
        return mapped_column(ForeignKey("tenants.id", ondelete="RESTRICT"), index=True, nullable=False)


# Set on a statement's execution options by the few platform-level reads that must span
# tenants (nothing in request handling uses it).
ALL_TENANTS = "tongxin_all_tenants"


@event.listens_for(Session, "do_orm_execute")
def _add_tenant_criteria(state) -> None:
    if state.is_column_load or state.is_relationship_load:
        return  # the parent query's criteria propagate to these
    if state.execution_options.get(ALL_TENANTS):
        return
    if not (state.is_select or state.is_update or state.is_delete):
        return
    tenant_id = state.session.info.get("tenant_id")
    state.statement = state.statement.options(
        with_loader_criteria(TenantOwned, lambda cls: cls.tenant_id == tenant_id, include_aliases=True)
    )


@event.listens_for(Session, "before_flush")
def _stamp_tenant(session: Session, _context, _instances) -> None:
    tenant_id = session.info.get("tenant_id")
    for obj in session.new:
        if not isinstance(obj, TenantOwned):
            continue
        if tenant_id is None:
            raise TenancyError(f"cannot save {type(obj).__name__} without a tenant in the session")
        if obj.tenant_id is None:
            obj.tenant_id = tenant_id
        elif obj.tenant_id != tenant_id:
            raise TenancyError(f"{type(obj).__name__} names tenant {obj.tenant_id}, session is {tenant_id}")
    for obj in session.dirty:
        if isinstance(obj, TenantOwned) and obj.tenant_id != tenant_id:
            raise TenancyError(f"cannot change {type(obj).__name__} of another tenant")
