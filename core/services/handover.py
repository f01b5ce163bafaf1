"""Handing a role over to a successor (人员变动、工作交接).

When the person holding a role at a unit leaves it (a new director of the street office, a
neighbourhood's staff member moving on), an administrator of the unit hands the role to a
successor: in one audited transaction the successor's membership begins at the same unit, with
the same role (and, for a leader, the same authority limit), the predecessor's ends, and a
``RoleHandover`` records who, what, why and when.

**What follows the role, and why nothing is copied.** To-dos are computed from the roles a
person holds (``core.services.inbox``): the moment the successor holds the role, every to-do of
that role is theirs and no longer the predecessor's, with nothing to move and nothing left
behind. Two things are held by the person rather than by the role, and move with it:

- the review panel seats of the role's programmes (``PanelMember`` is per person): the
  successor takes each seat (a chair's too) of a programme run at or below the unit, unless
  they already sit on that panel;
- the leader's authority limit, carried on the membership.

Notifications stay with the person they were sent to: each records what that person was told,
and a predecessor who keeps other roles still needs theirs. The successor is told instead, by
one notification naming the role and the number of to-dos it brings, linking to their inbox.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import aliased, joinedload

from core.i18n import T, Text
from core.models import Membership, Notification, OrgUnit, PanelMember, Programme, Role, RoleHandover, User
from core.permissions import A
from core.services import inbox, paging
from core.services.context import Actor, Ctx, Grant
from core.violations import NotFound, RuleError, Violation, Violations

REASON_MIN, REASON_MAX = 2, 500


def role_label(role: str) -> Text:
    try:
        return Role(role).label
    except ValueError:
        return T(role, role)


def handable(ctx: Ctx, *, limit: int = 200, offset: int = 0) -> tuple[list[Membership], int]:
    """The roles the actor may hand over: those held at their units and below, by unit then
    person, and their number in all."""
    unit = aliased(OrgUnit)
    stmt = (select(Membership).join(unit, unit.id == Membership.org_unit_id).options(joinedload(Membership.user))
            .where(ctx.where(A.role_hand_over, unit_path=unit.path))
            .order_by(unit.path, Membership.role, Membership.user_id))
    return paging.page(ctx.session, stmt, limit=limit, offset=offset)


def role_todos(ctx: Ctx, membership: Membership) -> inbox.Summary:
    """The to-dos the role carries: the inbox of its holder as if they held this role alone."""
    grant = Grant(membership.role, membership.org_unit_id, membership.org_unit.path, membership.org_unit.kind)
    as_holder = Ctx(session=ctx.session, actor=Actor(membership.user, (grant,)), host=ctx.host,
                    settings=ctx.settings, tenant_id=ctx.tenant_id, locale=ctx.locale)
    return inbox.summary(as_holder)


def hand_over(ctx: Ctx, membership_id: int, successor_id: int, reason: str) -> RoleHandover:
    """Hand the role ``membership_id`` to the user ``successor_id``, at the same unit. Refused
    (nothing changes) for a role the actor may not hand over, an unknown or inactive successor,
    the holder themselves, a successor who already holds the role there, or a reason shorter
    than ``REASON_MIN`` characters."""
    membership = ctx.session.scalars(select(Membership).where(Membership.id == membership_id)).one_or_none()
    if membership is None:
        raise NotFound(T("该角色", "The role"), field="membership_id")
    unit = membership.org_unit
    label = role_label(membership.role)
    ctx.require(A.role_hand_over, membership, T(
        f"您无权交接「{unit.name}」的{label.zh}角色：需要该单位或其上级单位的管理员",
        f"You may not hand over the {label.en} role at {unit.name_en or unit.name}: it takes an administrator there or above"))
    v = Violations()
    successor = ctx.session.scalars(select(User).where(User.id == successor_id)).one_or_none()
    reason = (reason or "").strip()
    if successor is None or not successor.is_active:
        v.add(Violation("unknown_successor", T("找不到该接任人，或其账号已停用", "No such successor, or their account is disabled"),
                        field="successor_id"))
    elif successor.id == membership.user_id:
        v.add(Violation("same_person", T("接任人不能是原任职人本人", "The successor cannot be the person handing over"),
                        field="successor_id"))
    if len(reason) < REASON_MIN or len(reason) > REASON_MAX:
        v.add(Violation("reason_required", T(f"请写明交接原因（{REASON_MIN}至{REASON_MAX}个字）",
                                             f"Give the reason for the handover ({REASON_MIN}-{REASON_MAX} characters)"),
                        field="reason"))
    v.raise_if_blocking()
    already = ctx.session.scalars(select(Membership.id).where(
        Membership.user_id == successor.id, Membership.org_unit_id == unit.id, Membership.role == membership.role)).first()
    if already is not None:
        raise RuleError(Violation("already_holds_role", T(
            f"{successor.display_name}已在「{unit.name}」担任{label.zh}", f"{successor.display_name} already holds the {label.en} role at {unit.name_en or unit.name}"),
            field="successor_id"), status=409)
    # Counted before anything is written: the inbox reads, it may roll back a failing kind.
    carried = role_todos(ctx, membership).todos
    predecessor = membership.user
    with ctx.action("role.hand_over"):
        ctx.session.add(Membership(user_id=successor.id, org_unit_id=unit.id, role=membership.role,
                                   authority_limit_fen=membership.authority_limit_fen))
        seats = _move_panel_seats(ctx, membership, successor)
        record = RoleHandover(org_unit_id=unit.id, role=membership.role, from_user_id=predecessor.id,
                              to_user_id=successor.id, reason=reason, authority_limit_fen=membership.authority_limit_fen,
                              open_todos=carried, panel_seats=seats, handed_over_by_id=ctx.actor.id)
        ctx.session.add(record)
        ctx.session.delete(membership)
        ctx.session.flush()
        ctx.session.add(Notification(
            user_id=successor.id, kind="role_handover", dedupe_key=f"handover:{record.id}",
            subject=f"您已接任「{unit.name}」的{label.zh}"[:200],
            body=(f"{predecessor.display_name}在「{unit.name}」的{label.zh}角色已交接给您（原因：{reason}）。"
                  f"随角色转来待办{carried}项" + (f"，评审小组席位{seats}个" if seats else "") + "，请在收件箱查看。"),
            link="/inbox"))
    return record


def _move_panel_seats(ctx: Ctx, membership: Membership, successor: User) -> int:
    """The predecessor's panel seats of programmes run at or below the role's unit, where the
    role sits on panels: each goes to the successor (a seat they already have stays theirs, and
    the predecessor's is ended). The number moved."""
    if membership.role not in {r.value for r in ctx.permissions.roles_for(A.review_score)}:
        return 0
    unit = membership.org_unit
    owner = aliased(OrgUnit)
    seats = list(ctx.session.scalars(
        select(PanelMember).join(Programme, Programme.id == PanelMember.programme_id)
        .join(owner, owner.id == Programme.org_unit_id)
        .where(PanelMember.user_id == membership.user_id, owner.path.startswith(unit.path))))
    taken = set(ctx.session.scalars(select(PanelMember.programme_id).where(
        PanelMember.user_id == successor.id, PanelMember.programme_id.in_([s.programme_id for s in seats] or [-1]))))
    moved = 0
    for seat in seats:
        if seat.programme_id in taken:
            ctx.session.delete(seat)
        else:
            seat.user_id = successor.id
            moved += 1
    return moved


def handovers_page(ctx: Ctx, *, limit: int = 50, offset: int = 0) -> tuple[list[RoleHandover], int]:
    """Past handovers at the units where the actor may hand roles over, newest first."""
    unit = aliased(OrgUnit)
    stmt = (select(RoleHandover).join(unit, unit.id == RoleHandover.org_unit_id)
            .where(ctx.where(A.role_hand_over, unit_path=unit.path)).order_by(RoleHandover.id.desc()))
    return paging.page(ctx.session, stmt, limit=limit, offset=offset)


def candidates(ctx: Ctx, limit: int = 1000) -> list[User]:
    """The people a role may be handed to: the tenant's active users, by name."""
    return list(ctx.session.scalars(select(User).where(User.is_active.is_(True))
                                    .order_by(User.display_name, User.id).limit(limit)))


def people(ctx: Ctx, ids) -> dict[int, User]:
    """The users of ``ids`` (None left out), in one query: the names a list of handovers shows."""
    wanted = sorted({i for i in ids if i is not None})
    return {u.id: u for u in ctx.session.scalars(select(User).where(User.id.in_(wanted)))} if wanted else {}


def get_membership(ctx: Ctx, membership_id: int) -> Membership:
    """A role the actor may hand over (else not found, as if it did not exist)."""
    unit = aliased(OrgUnit)
    found = ctx.session.scalars(select(Membership).join(unit, unit.id == Membership.org_unit_id).where(
        Membership.id == membership_id, ctx.where(A.role_hand_over, unit_path=unit.path))).one_or_none()
    if found is None:
        raise NotFound(T("该角色", "The role"), field="membership_id")
    return found
