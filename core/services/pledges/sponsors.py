"""Sponsors (共建单位): registering one with the unit it twins with, finding and listing them."""
from __future__ import annotations

from sqlalchemy import func, select

from core.i18n import T, Text
from core.models import OrgUnit, Sponsor, SponsorKind, User
from core.permissions import A
from core.services import paging
from core.services.context import Ctx
from core.services.org import get_unit
from core.violations import Forbidden, NotFound, RuleError, Violation, Violations

SPONSOR = T("共建单位", "sponsor")
NAME_MAX, CONTACT_MAX = 200, 200


def _text(value, name: str, label: Text, max_len: int, *, required: bool = False) -> tuple[str, Violation | None]:
    text = value.strip() if isinstance(value, str) else ("" if value is None else None)
    if text is None or len(text) > max_len or (required and not text):
        what = "必填，" if required else ""
        return "", Violation(f"invalid_{name}", T(f"{label.zh}{what}最长{max_len}个字",
                                                  f"{label.en}: {'required, ' if required else ''}at most {max_len} characters"),
                             field=name)
    return text, None


def register_sponsor(ctx: Ctx, org_unit_id: int, name: str, kind: str, *, contact: str = "",
                     user_id: int | None = None) -> Sponsor:
    """Register a sponsor with the unit it twins with (street or district administrators at or
    above it). Names are unique per unit."""
    unit = get_unit(ctx, org_unit_id)
    if not ctx.can(A.sponsor_register, unit):
        raise Forbidden(T(f"只有「{unit.name}」或上级的街道、区管理员可以登记共建单位",
                          f"Only street or district administrators at or above {unit.name_en or unit.name} may register sponsors"))
    v = Violations()
    name, problem = _text(name, "name", T("共建单位名称", "Sponsor name"), NAME_MAX, required=True)
    v.add(problem)
    contact, problem = _text(contact, "contact", T("联系人及电话", "Contact"), CONTACT_MAX)
    v.add(problem)
    if kind not in {k.value for k in SponsorKind}:
        kinds = "、".join(k.label.zh for k in SponsorKind)
        v.add(Violation("invalid_kind", T(f"单位类型应为以下之一：{kinds}",
                                          f"The kind must be one of {', '.join(k.value for k in SponsorKind)}"),
                        field="kind"))
    if user_id is not None:
        user = ctx.session.get(User, user_id) if isinstance(user_id, int) and not isinstance(user_id, bool) else None
        if user is None:
            v.add(Violation("user_not_found", T("未找到该登录账号", "No such login"), field="user_id"))
    v.raise_if_blocking()
    exists = RuleError(Violation("sponsor_exists", T(
        f"「{unit.name}」已登记名为「{name}」的共建单位，不能重复登记",
        f"{unit.name_en or unit.name} already has a sponsor named '{name}'"), field="name"), status=409)
    if ctx.session.scalars(select(Sponsor.id).where(Sponsor.org_unit_id == unit.id, Sponsor.name == name)).first():
        raise exists
    sponsor = Sponsor(org_unit_id=unit.id, name=name, kind=kind, contact=contact, user_id=user_id)
    try:
        with ctx.session.begin_nested(), ctx.action("sponsor.register"):
            ctx.session.add(sponsor)
    except RuleError:  # registered at the same moment by someone else
        raise exists from None
    return sponsor


def get_sponsor(ctx: Ctx, sponsor_id: int, field: str = "sponsor_id") -> Sponsor:
    sponsor = ctx.session.get(Sponsor, sponsor_id) if isinstance(sponsor_id, int) and not isinstance(sponsor_id, bool) else None
    if sponsor is None:
        raise NotFound(SPONSOR, field=field)
    return sponsor


def may_see_sponsor(ctx: Ctx, sponsor: Sponsor) -> bool:
    return ctx.can(A.sponsor_view, sponsor).allowed


def own_sponsors(ctx: Ctx) -> list[Sponsor]:
    """The sponsors the signed-in user represents."""
    if not ctx.actor.is_authenticated:
        return []
    return list(ctx.session.scalars(select(Sponsor).where(Sponsor.user_id == ctx.actor.id).order_by(Sponsor.id)))


def list_sponsors(ctx: Ctx, org_unit_id: int | None = None) -> list[Sponsor]:
    """With a unit: the sponsors that may pledge to its funds (registered with it or a unit
    above it), for its staff. Without: the sponsors registered within the actor's units, and
    those the actor represents."""
    return list(ctx.session.scalars(_sponsors_query(ctx, org_unit_id)))


def sponsors_page(ctx: Ctx, org_unit_id: int | None = None, *, limit: int, offset: int = 0) -> tuple[list[Sponsor], int]:
    """A page of ``list_sponsors`` and their number in all."""
    return paging.page(ctx.session, _sponsors_query(ctx, org_unit_id), limit=limit, offset=offset)


def _sponsors_query(ctx: Ctx, org_unit_id: int | None):
    if org_unit_id is not None:
        unit = get_unit(ctx, org_unit_id)
        if not ctx.can(A.sponsor_view, unit):
            raise Forbidden(T(f"只有「{unit.name}」及上级的工作人员可以查看其共建单位",
                              f"Only staff at or above {unit.name_en or unit.name} may list its sponsors"))
        return _eligible_sponsors_query(unit)
    return (select(Sponsor).join(OrgUnit, OrgUnit.id == Sponsor.org_unit_id)
            .where(ctx.where(A.sponsor_view, unit_path=OrgUnit.path, sponsor_user_id=Sponsor.user_id))
            .order_by(OrgUnit.path, Sponsor.id))


def eligible_sponsors(ctx: Ctx, unit: OrgUnit) -> list[Sponsor]:
    """Sponsors registered with ``unit`` or a unit above it, nearest first."""
    return list(ctx.session.scalars(_eligible_sponsors_query(unit)))


def _eligible_sponsors_query(unit: OrgUnit):
    # The nearest unit is the deepest: its path, which extends its ancestors', is the longest.
    return (select(Sponsor).join(OrgUnit, OrgUnit.id == Sponsor.org_unit_id)
            .where(Sponsor.org_unit_id.in_(unit.ancestor_ids))
            .order_by(func.length(OrgUnit.path).desc(), Sponsor.id))
