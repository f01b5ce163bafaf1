"""The second factor: a time-based one-time code (TOTP, RFC 6238) from an authenticator app.

Optional for everyone, required of administrators where ``Settings.require_admin_totp`` is
set (``requires_enrolment``). Enrolment has two steps so that nobody is locked out by a secret
their phone never stored: ``begin`` keeps a new secret on the account (not yet in force) and
gives the ``otpauth://`` URI, shown as a QR code drawn here (SVG, no outside service: the
secret never leaves the server but to the person's screen); ``confirm`` takes a code from the
app, puts the factor in force and hands out ``RECOVERY_CODES`` recovery codes, shown once, each
good for one sign-in without the phone (only their SHA-256 is kept). ``remove`` needs the
password. ``verify`` is the sign-in step: a current code (one step of clock drift either way)
or an unused recovery code, which is then spent.
"""
from __future__ import annotations

import hashlib
import io
import secrets

import pyotp
import segno

from core.i18n import T
from core.models import User
from core.permissions import A
from core.services.auth import credentials_changed, verify_password
from core.services.context import Ctx
from core.violations import RuleError, Violation

ISSUER = "同心 Tongxin"
RECOVERY_CODES = 10
CODE_RULE = T("请输入验证器应用显示的6位数字", "Enter the 6-digit code your authenticator app shows")


def enabled(user: User) -> bool:
    return user is not None and user.totp_enabled_at is not None


def is_administrator(ctx: Ctx, user: User) -> bool:
    """Whether ``user`` holds a role that manages accounts (the permission table's
    ``A.user_manage``): the administrators the setting asks a second factor of."""
    admins = {r.value for r in ctx.permissions.roles_for(A.user_manage)}
    return user is not None and any(m.role in admins for m in user.memberships)


def requires_enrolment(ctx: Ctx, user: User) -> bool:
    """An administrator without a second factor where ``Settings.require_admin_totp`` asks one."""
    return bool(ctx.settings.require_admin_totp) and not enabled(user) and is_administrator(ctx, user)


def _now(ctx: Ctx) -> int:
    """The platform's now as a Unix time (pyotp would read an aware datetime as local time)."""
    return int(ctx.clock.now().timestamp())


def _digest(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").replace(" ", "").lower().encode()).hexdigest()


def provisioning_uri(user: User, tenant_name: str) -> str:
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=f"{user.username}@{tenant_name}", issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The QR code of ``uri`` as an inline SVG (drawn locally)."""
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="svg", scale=5, border=2, xmldecl=False, svgns=True,
                                     title="TOTP", dark="#000", light="#fff")
    return out.getvalue().decode()


def begin(ctx: Ctx) -> User:
    """Keep a new secret on the signed-in account, not yet in force (an enrolment already in
    force is not replaced: remove it first)."""
    ctx.require(A.second_factor_manage, None, T("请先登录", "Sign in first"))
    user = ctx.actor.user
    if enabled(user):
        raise RuleError(Violation("already_enrolled", T("已启用两步验证；如需更换，请先停用", "A second factor is in force: remove it first"),
                                  field="code"), status=409)
    if not user.totp_secret:
        with ctx.action("second_factor.begin"):
            user.totp_secret = pyotp.random_base32()
    return user


def confirm(ctx: Ctx, code: str) -> list[str]:
    """Put the secret in force with a code from the app; the recovery codes, shown once."""
    ctx.require(A.second_factor_manage, None, T("请先登录", "Sign in first"))
    user = ctx.actor.user
    if enabled(user) or not user.totp_secret:
        raise RuleError(Violation("not_enrolling", T("请先开始启用两步验证", "Start the enrolment first"), field="code"), status=409)
    if not pyotp.TOTP(user.totp_secret).verify((code or "").strip(), for_time=_now(ctx), valid_window=1):
        raise RuleError(Violation("wrong_code", T("验证码不正确或已过期", "The code is wrong or has expired"), field="code"), status=422)
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    with ctx.action("second_factor.enable"):
        user.totp_enabled_at = ctx.clock.now()
        user.totp_recovery = [_digest(c) for c in codes]
        credentials_changed(ctx, user)
    return codes


def remove(ctx: Ctx, current_password: str) -> User:
    """Take the second factor off the signed-in account (the password confirms it is them)."""
    ctx.require(A.second_factor_manage, None, T("请先登录", "Sign in first"))
    user = ctx.actor.user
    if not verify_password(user, current_password, ctx.settings.password_hashing):
        raise RuleError(Violation("wrong_password", T("当前密码不正确", "The current password is wrong"),
                                  field="current_password"), status=422)
    if ctx.settings.require_admin_totp and is_administrator(ctx, user):
        raise RuleError(Violation("second_factor_required", T("本平台要求管理员使用两步验证，不能停用",
                                                              "Administrators must keep a second factor here"),
                                  field="current_password"), status=409)
    with ctx.action("second_factor.remove"):
        user.totp_secret, user.totp_enabled_at, user.totp_recovery = None, None, None
        credentials_changed(ctx, user)
    return user


def verify(ctx: Ctx, user: User, code: str) -> bool:
    """The sign-in step: a current code, or an unused recovery code (spent now)."""
    code = (code or "").strip()
    if not enabled(user) or not code:
        return False
    if code.isdigit() and pyotp.TOTP(user.totp_secret).verify(code, for_time=_now(ctx), valid_window=1):
        return True
    digest = _digest(code)
    if digest in (user.totp_recovery or []):
        with ctx.action("second_factor.recovery_code_used"):
            user.totp_recovery = [d for d in user.totp_recovery if d != digest]
        return True
    return False
