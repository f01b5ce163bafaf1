"""People's accounts: changing one's own password, and the offices' accounts of their units.

Everyone changes their own password (``change_password``: the current one, and a new one that
meets ``core.services.password_policy``). A district or street office (``A.user_manage``)
creates the accounts of its units, disables and re-enables them and resets their passwords; an
account is the office's when every role it holds is at the office's unit or below, so a street
never reaches the district's accounts or a sibling street's. An initial or reset password is
generated (``password_policy.one_time_password``), shown once to the office, and must be changed
at the next sign-in. Bulk import is ``core.services.account_import``.

Every change is audited (the flush listener writes the rows' changes, secrets redacted) and
every change of credentials goes through ``auth.credentials_changed``, where the user's sessions
end.
"""
from __future__ import annotations

import re

from sqlalchemy import exists, func, select

from core.i18n import T
from core.models import Membership, OrgUnit, Role, User, UnitKind
from core.permissions import A
from core.permissions.table import ROLE_UNIT_KINDS
from core.services import password_policy
from core.services.auth import credentials_changed, set_password, verify_password
from core.services.context import Ctx
from core.violations import NotFound, RuleError, Violation

USERNAME_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._-]{2,63}"
USERNAME_RULE = T("用户名为3至64个字母、数字或 ._-，以字母或数字开头",
                  "A username is 3-64 letters, digits or ._-, starting with a letter or digit")
NAME_MAX = 100
EMAIL_MAX = 200
NOT_YOURS = T("该账号的角色不全在您管理的单位内，您不能管理它", "This account holds roles outside the units you administer")


# -- one's own password ---------------------------------------------------------------------------

def change_password(ctx: Ctx, current_password: str, new_password: str) -> User:
    """The signed-in user replaces their password (a one-time one included)."""
    ctx.require(A.password_change, None, T("请先登录", "Sign in first"))
    user = ctx.actor.user
    if not verify_password(user, current_password, ctx.settings.password_hashing):
        raise RuleError(Violation("wrong_password", T("当前密码不正确", "The current password is wrong"),
                                  field="current_password"), status=422)
    password_policy.check(new_password, user.username)
    if verify_password(user, new_password, ctx.settings.password_hashing):
        raise RuleError(Violation("password_unchanged", T("新密码不能与当前密码相同", "The new password must differ from the current one"),
                                  field="new_password"), status=422)
    with ctx.action("password.change"):
        set_password(user, new_password, ctx.settings.password_hashing, one_time=False, now=ctx.clock.now())
        credentials_changed(ctx, user)
    return user


# -- the offices' accounts ------------------------------------------------------------------------

def manageable_units(ctx: Ctx) -> list[OrgUnit]:
    """The units where the actor may give accounts roles, tree order."""
    cond = ctx.where(A.user_manage, unit_path=OrgUnit.path)
    return list(ctx.session.scalars(select(OrgUnit).where(cond).order_by(OrgUnit.path)))


def may_manage(ctx: Ctx, user: User) -> bool:
    """Whether every role of ``user`` is at a unit the actor manages (an account without roles:
    only from the tenant's root)."""
    units = [m.org_unit for m in user.memberships]
    if not units:
        if "accounts_root" not in ctx.session.info:  # read once per unit of work
            ctx.session.info["accounts_root"] = ctx.session.scalars(
                select(OrgUnit).where(OrgUnit.parent_id.is_(None)).order_by(OrgUnit.id)).first()
        units = [ctx.session.info["accounts_root"]]
    return all(u is not None and ctx.can(A.user_manage, u).allowed for u in units)


def managed_user(ctx: Ctx, user_id: int) -> User:
    """The account ``user_id`` if the actor manages it; 404 when it is not in the tenant, 403
    when it is not the actor's."""
    ctx.require(A.user_manage, None, T("只有区级或街道管理员可以管理账号", "Only district and street administrators manage accounts"))
    user = ctx.session.get(User, user_id)
    if user is None:
        raise NotFound(T("账号", "account"), field="user_id")
    if not may_manage(ctx, user):
        raise RuleError(Violation("forbidden", NOT_YOURS, field="user_id"), status=403)
    return user


def users_page(ctx: Ctx, *, query: str | None = None, limit: int = 50, offset: int = 0) -> tuple[list[User], int]:
    """The accounts with a role at a unit the actor manages, by username, and their number: two
    statements plus the roles' (whatever the page size)."""
    ctx.require(A.user_manage, None, T("只有区级或街道管理员可以管理账号", "Only district and street administrators manage accounts"))
    reach = exists().where(Membership.user_id == User.id, Membership.org_unit_id == OrgUnit.id,
                           ctx.where(A.user_manage, unit_path=OrgUnit.path))
    stmt = select(User).where(reach)
    if query:
        like = f"%{query.strip()}%"
        stmt = stmt.where(User.username.ilike(like) | User.display_name.ilike(like))
    total = ctx.session.scalar(select(func.count()).select_from(stmt.with_only_columns(User.id).subquery()))
    rows = list(ctx.session.scalars(stmt.order_by(User.username).limit(max(1, min(limit, 200))).offset(max(0, offset))))
    return rows, int(total or 0)


def check_new_account(ctx: Ctx, username: str, display_name: str, role: str, unit: OrgUnit | None,
                      email: str | None, *, taken: set[str] = frozenset()) -> list[Violation]:
    """What is wrong with a new account's values (empty: nothing), each naming its field."""
    found = []
    if not re.fullmatch(USERNAME_PATTERN, username or ""):
        found.append(Violation("invalid_username", USERNAME_RULE, field="username"))
    elif username.lower() in taken or ctx.session.scalar(
            select(func.count()).select_from(User).where(func.lower(User.username) == username.lower())):
        found.append(Violation("username_taken", T(f"用户名「{username}」已被使用", f"The username {username} is taken"),
                               field="username"))
    if not (display_name or "").strip() or len(display_name) > NAME_MAX:
        found.append(Violation("invalid_name", T(f"请填写姓名（最多{NAME_MAX}个字符）", f"Give a name (at most {NAME_MAX} characters)"),
                               field="display_name"))
    if role not in Role._value2member_map_:
        found.append(Violation("invalid_role", T("没有该角色", "No such role"), field="role"))
    if unit is None:
        found.append(Violation("invalid_unit", T("没有该单位，或您不管理它", "No such unit, or you do not administer it"),
                               field="unit_id"))
    elif not ctx.can(A.user_manage, unit).allowed:
        found.append(Violation("invalid_unit", T(f"您不管理「{unit.name}」", f"You do not administer {unit.name_en or unit.name}"),
                               field="unit_id"))
    elif role in ROLE_UNIT_KINDS and unit.kind not in ROLE_UNIT_KINDS[role]:
        label = Role(role).label
        found.append(Violation("role_unit_mismatch", T(f"「{label.zh}」不能设在{UnitKind(unit.kind).label_zh}一级",
                                                       f"A {label.en} is not held at a {unit.kind}"), field="role"))
    if email and (len(email) > EMAIL_MAX or "@" not in email):
        found.append(Violation("invalid_email", T("邮箱格式不正确", "Not an e-mail address"), field="email"))
    return found


def add_account(ctx: Ctx, username: str, display_name: str, role: str, unit: OrgUnit, email: str | None) -> tuple[User, str]:
    """Create one checked account with its role and a one-time password (no checks: callers
    run ``check_new_account`` first)."""
    password = password_policy.one_time_password()
    user = User(username=username, display_name=display_name.strip(), email=email or None, password_hash="")
    set_password(user, password, ctx.settings.password_hashing, one_time=True, now=ctx.clock.now())
    ctx.session.add(user)
    ctx.session.flush()
    ctx.session.add(Membership(user_id=user.id, org_unit_id=unit.id, role=role))
    return user, password


def create_user(ctx: Ctx, username: str, display_name: str, unit_id: int, role: str,
                email: str | None = None) -> tuple[User, str]:
    """A new account with one role at one of the actor's units, and its one-time password (shown
    once, changed at the first sign-in)."""
    ctx.require(A.user_manage, None, T("只有区级或街道管理员可以创建账号", "Only district and street administrators create accounts"))
    unit = ctx.session.get(OrgUnit, unit_id)
    problems = check_new_account(ctx, username, display_name, role, unit, email)
    if problems:
        raise RuleError(problems, status=422)
    with ctx.action("user.create"):
        return add_account(ctx, username, display_name, role, unit, email)


def reset_password(ctx: Ctx, user_id: int) -> tuple[User, str]:
    """A new one-time password for one of the actor's accounts (shown once); the old one and
    every session of the account end."""
    user = managed_user(ctx, user_id)
    password = password_policy.one_time_password()
    with ctx.action("user.reset_password"):
        set_password(user, password, ctx.settings.password_hashing, one_time=True, now=ctx.clock.now())
        credentials_changed(ctx, user)
    return user, password


def disable(ctx: Ctx, user_id: int) -> User:
    """Disable one of the actor's accounts: it can no longer sign in, its sessions end."""
    user = managed_user(ctx, user_id)
    if user.id == ctx.actor.id:
        raise RuleError(Violation("own_account", T("不能停用自己的账号", "You cannot disable your own account"),
                                  field="user_id"), status=409)
    if not user.is_active:
        return user
    with ctx.action("user.disable"):
        user.is_active = False
        credentials_changed(ctx, user)
    return user


def enable(ctx: Ctx, user_id: int) -> User:
    """Re-enable a disabled account of the actor's units (its password is as it was)."""
    user = managed_user(ctx, user_id)
    if user.is_active:
        return user
    with ctx.action("user.enable"):
        user.is_active = True
        credentials_changed(ctx, user)
    return user


# -- the first administrator ----------------------------------------------------------------------

def create_admin(platform, tenant_slug: str, username: str, display_name: str, password: str,
                 email: str | None = None) -> User:
    """The first district administrator of a tenant (``tongxin users create-admin``), with the
    password the operator chose (checked by the policy, so not one-time). Acts as the tenant
    loader does, as the tenant's own root administrator; audited as ``user.create_admin``."""
    from core.models import Tenant
    from core.permissions.table import ROOT_ROLE
    from core.services.context import Actor, Grant
    with platform.db.session() as s:
        tenant_id = s.scalars(select(Tenant.id).where(Tenant.slug == tenant_slug)).one_or_none()
    if tenant_id is None:
        raise RuleError(Violation("unknown_tenant", T(f"没有辖区「{tenant_slug}」（先运行 tongxin tenants load）",
                                                      f"No tenant {tenant_slug} (run tongxin tenants load first)"),
                                  field="tenant"), status=404)
    with platform.db.scope(tenant_id=tenant_id) as s:
        root = s.scalars(select(OrgUnit).where(OrgUnit.parent_id.is_(None)).order_by(OrgUnit.id)).first()
        ctx = Ctx(session=s, actor=Actor(None, (Grant(ROOT_ROLE.value, root.id, root.path, root.kind),)),
                  host=platform.host, settings=platform.settings, tenant_id=tenant_id)
        problems = check_new_account(ctx, username, display_name, ROOT_ROLE.value, root, email)
        problems += password_policy.violations(password, username, field="password")
        if problems:
            raise RuleError(problems, status=422)
        with ctx.action("user.create_admin"):
            user, _ = add_account(ctx, username, display_name, ROOT_ROLE.value, root, email)
            set_password(user, password, platform.settings.password_hashing, one_time=False, now=ctx.clock.now())
        s.expunge(user)
        return user
