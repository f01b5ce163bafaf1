"""Reading the org tree."""
from __future__ import annotations

from sqlalchemy import select

from core.i18n import T
from core.models import OrgUnit
from core.services.context import Ctx
from core.violations import NotFound

UNIT = T("组织单元", "org unit")


def get_unit(ctx: Ctx, unit_id: int, field: str = "org_unit_id") -> OrgUnit:
    unit = ctx.session.get(OrgUnit, unit_id) if isinstance(unit_id, int) else None
    if unit is None:
        raise NotFound(UNIT, field=field)
    return unit


def unit_by_code(ctx: Ctx, code: str) -> OrgUnit | None:
    return ctx.session.scalars(select(OrgUnit).where(OrgUnit.code == code)).one_or_none()


def subtree(ctx: Ctx, unit: OrgUnit, kind: str | None = None) -> list[OrgUnit]:
    stmt = select(OrgUnit).where(OrgUnit.path.startswith(unit.path)).order_by(OrgUnit.path)
    if kind:
        stmt = stmt.where(OrgUnit.kind == kind)
    return list(ctx.session.scalars(stmt))


def roots(ctx: Ctx) -> list[OrgUnit]:
    return list(ctx.session.scalars(select(OrgUnit).where(OrgUnit.parent_id.is_(None)).order_by(OrgUnit.id)))


def tree(ctx: Ctx) -> list[OrgUnit]:
    """Every unit of the tenant in one query, parents before children (ordered by path)."""
    return list(ctx.session.scalars(select(OrgUnit).order_by(OrgUnit.path, OrgUnit.id)))


def children(ctx: Ctx, unit: OrgUnit) -> list[OrgUnit]:
    return list(ctx.session.scalars(select(OrgUnit).where(OrgUnit.parent_id == unit.id).order_by(OrgUnit.code)))


def ancestors(ctx: Ctx, unit: OrgUnit) -> list[OrgUnit]:
    """The units above ``unit``, root first (one query, from the materialised path)."""
    ids = [i for i in unit.ancestor_ids if i != unit.id]
    if not ids:
        return []
    found = {u.id: u for u in ctx.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids)))}
    return [found[i] for i in ids if i in found]
