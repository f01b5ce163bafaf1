"""The public directory of hosted tenants (district bureaus and county-level cities)."""
from __future__ import annotations

from sqlalchemy import select

from core.models import Tenant
from core.services.context import Ctx


def directory(ctx: Ctx) -> list[Tenant]:
    """Every tenant, by slug. The directory is not tenant-owned: any session may read it."""
    return list(ctx.session.scalars(select(Tenant).order_by(Tenant.slug)))
