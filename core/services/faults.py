"""Recording contained plugin failures where the tenant's administrators can see them."""
from __future__ import annotations

import logging

from sqlalchemy import select

from core.models import PluginFault
from core.platform import Platform
from core.plugin_host.manager import PluginFailure
from core.services.context import Ctx

log = logging.getLogger(__name__)


def record_fault(platform: Platform, tenant_id: int | None, failure: PluginFailure) -> None:
    """Store the failure in its own transaction (the request's own work is being rolled back)."""
    if not tenant_id:
        log.error("plugin failure outside a tenant: %s", failure)
        return
    try:
        with platform.db.scope(tenant_id=tenant_id) as s:
            s.add(PluginFault(plugin_name=failure.plugin, hook=failure.hook, error=failure.detail[:4000]))
    except Exception:  # noqa: BLE001 - reporting must never turn a contained failure into a crash
        log.exception("could not record plugin fault")


def recent_faults(ctx: Ctx, limit: int = 50) -> list[PluginFault]:
    return list(ctx.session.scalars(select(PluginFault).order_by(PluginFault.id.desc()).limit(limit)))
