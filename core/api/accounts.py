"""Accounts: POST .../me/password (change one's own), the second factor (POST .../me/second-factor
to start, .../confirm, .../remove), and the offices' accounts of their units: GET/POST .../users,
POST .../users/<id>/reset-password | disable | enable, POST .../users/import (multipart .xlsx or
.csv). One-time passwords come back once, in the response that made them. See
``core.services.accounts``; everything goes through ``core.door.accounts``.

``init_app`` adds the API's half of the "first things first" guard (the web's is
``core.web.account``): an account on a one-time password gets 403 ``password_change_required``
from every API call but changing it and reading ``/me``."""
from __future__ import annotations

from flask import Flask, g, request, session
from flask.views import MethodView
from marshmallow import fields

from core import request_context
from core.api.base import (
    TENANT,
    TOTAL_HEADER,
    ApiSchema,
    Blueprint,
    PageQuery,
    context,
    limit_offset,
    locale,
    login_required,
    page_schema,
    paged,
)
from core.api.refusals import refuses
from core.api.shapes import ActionsField, UnitRefSchema, actions, unit_ref
from core.door.accounts import (
    BEGIN_SECOND_FACTOR,
    CHANGE_PASSWORD,
    CONFIRM_SECOND_FACTOR,
    CREATE_USER,
    DISABLE_USER,
    ENABLE_USER,
    IMPORT_USERS,
    REMOVE_SECOND_FACTOR,
    RESET_PASSWORD,
)
from core.i18n import T
from core.models import Role
from core.services import accounts, second_factor
from core.services.account_actions import USER_ACTIONS, user_offers
from core.violations import RuleError, Violation

blp = Blueprint("accounts", __name__, url_prefix=TENANT,
                description="One's own password and second factor; the offices' accounts of their units")


class AccountRoleSchema(ApiSchema):
    role = fields.String(required=True, metadata={"enum": [r.value for r in Role]})
    unit = fields.Nested(UnitRefSchema, required=True)


class AccountSchema(ApiSchema):
    id = fields.Integer(required=True)
    username = fields.String(required=True)
    display_name = fields.String(required=True)
    email = fields.String(allow_none=True)
    is_active = fields.Boolean(required=True)
    must_change_password = fields.Boolean(required=True, metadata={"description": "on a one-time password"})
    second_factor = fields.Boolean(required=True, metadata={"description": "a TOTP second factor is in force"})
    roles = fields.List(fields.Nested(AccountRoleSchema), required=True)
    actions = ActionsField("AccountActionSchema", USER_ACTIONS)


class IssuedAccountSchema(ApiSchema):
    user = fields.Nested(AccountSchema, required=True)
    one_time_password = fields.String(required=True, metadata={
        "description": "shown this once; the account must change it at its next sign-in"})


class IssuedAccountListSchema(ApiSchema):
    items = fields.List(fields.Nested(IssuedAccountSchema), required=True)


class UsersQuery(PageQuery):
    q = fields.String(load_default=None, metadata={"description": "part of a username or name"})


class SecondFactorStartSchema(ApiSchema):
    secret = fields.String(required=True, metadata={"description": "base32, for typing into the app"})
    uri = fields.String(required=True, metadata={"description": "otpauth:// URI (what the QR code holds)"})


class RecoveryCodesSchema(ApiSchema):
    recovery_codes = fields.List(fields.String(), required=True, metadata={"description": "shown this once"})


AccountPageSchema = page_schema(AccountSchema, "AccountPageSchema")


def _account(ctx, user, lang: str) -> dict:
    return {"id": user.id, "username": user.username, "display_name": user.display_name, "email": user.email,
            "is_active": user.is_active, "must_change_password": user.must_change_password,
            "second_factor": second_factor.enabled(user),
            "roles": [{"role": m.role, "unit": unit_ref(m.org_unit, lang)} for m in user.memberships],
            "actions": actions(user_offers(ctx, user), lang)}


def _issued(ctx, user, password: str) -> dict:
    ctx.session.refresh(user)  # its role, added in the same unit of work
    return {"user": _account(ctx, user, locale()), "one_time_password": password}


@blp.route("/me/password")
class MyPassword(MethodView):
    @login_required
    @blp.arguments(CHANGE_PASSWORD.schema)
    @blp.response(204)
    @refuses({422: "wrong_password password_too_short password_common password_contains_username password_unchanged"})
    def post(self, body):
        """Change one's own password (a one-time one included)"""
        ctx = context(login=True)
        CHANGE_PASSWORD(ctx, **body)
        ctx.commit()


@blp.route("/me/second-factor")
class MySecondFactor(MethodView):
    @login_required
    @blp.response(201, SecondFactorStartSchema)
    @refuses({409: "already_enrolled"})
    def post(self):
        """Start enrolling a TOTP second factor: the secret and its otpauth:// URI (not yet in force)"""
        ctx = context(login=True)
        user = BEGIN_SECOND_FACTOR(ctx)
        ctx.commit()
        return {"secret": user.totp_secret, "uri": second_factor.provisioning_uri(user, request_context.tenant().name)}


@blp.route("/me/second-factor/confirm")
class ConfirmSecondFactor(MethodView):
    @login_required
    @blp.arguments(CONFIRM_SECOND_FACTOR.schema)
    @blp.response(200, RecoveryCodesSchema)
    @refuses({409: "not_enrolling", 422: "wrong_code"})
    def post(self, body):
        """Put the second factor in force with a code from the app; the recovery codes, once"""
        ctx = context(login=True)
        codes = CONFIRM_SECOND_FACTOR(ctx, **body)
        ctx.commit()
        return {"recovery_codes": codes}


@blp.route("/me/second-factor/remove")
class RemoveSecondFactor(MethodView):
    @login_required
    @blp.arguments(REMOVE_SECOND_FACTOR.schema)
    @blp.response(204)
    @refuses({409: "second_factor_required", 422: "wrong_password"})
    def post(self, body):
        """Remove one's second factor (the password confirms it)"""
        ctx = context(login=True)
        REMOVE_SECOND_FACTOR(ctx, **body)
        ctx.commit()


@blp.route("/users")
class Users(MethodView):
    @login_required
    @blp.arguments(UsersQuery, location="query")
    @blp.response(200, AccountPageSchema, headers=TOTAL_HEADER)
    @refuses({403: "forbidden"})
    def get(self, query):
        """The accounts with a role at the caller's units, by username (an administrator)"""
        ctx = context(login=True)
        rows, total = accounts.users_page(ctx, query=query.get("q"), **limit_offset(query))
        return paged([_account(ctx, u, locale()) for u in rows], total, query)

    @login_required
    @blp.arguments(CREATE_USER.schema)
    @blp.response(201, IssuedAccountSchema)
    @refuses({403: "forbidden", 422: "username_taken invalid_username invalid_name invalid_role invalid_unit role_unit_mismatch"})
    def post(self, body):
        """Create an account with one role at one of the caller's units, and its one-time password"""
        ctx = context(login=True)
        user, password = CREATE_USER(ctx, **body)
        ctx.commit()
        return _issued(ctx, user, password)


@blp.route("/users/import")
class ImportUsers(MethodView):
    @login_required
    @blp.arguments(IMPORT_USERS.schema, location="multipart")
    @blp.response(201, IssuedAccountListSchema)
    @refuses({403: "forbidden", 422: "import_row invalid_unit"})
    def post(self, body):
        """Import a unit's accounts from .xlsx or .csv: all of them, or none with every row's problem"""
        ctx = context(login=True)
        created = IMPORT_USERS(ctx, **body)
        ctx.commit()
        return {"items": [_issued(ctx, u, p) for u, p in created]}


@blp.route("/users/<id:user_id>/reset-password")
class ResetPassword(MethodView):
    @login_required
    @blp.response(200, IssuedAccountSchema)
    @refuses({403: "forbidden", 404: "not_found"})
    def post(self, user_id):
        """Reset an account's password: a new one-time password, once; its sessions end"""
        ctx = context(login=True)
        user, password = RESET_PASSWORD(ctx, user_id)
        ctx.commit()
        return _issued(ctx, user, password)


@blp.route("/users/<id:user_id>/disable")
class DisableUser(MethodView):
    @login_required
    @blp.response(200, AccountSchema)
    @refuses({403: "forbidden", 404: "not_found", 409: "own_account"})
    def post(self, user_id):
        """Disable an account of the caller's units: it can no longer sign in"""
        ctx = context(login=True)
        user = DISABLE_USER(ctx, user_id)
        ctx.commit()
        return _account(ctx, user, locale())


@blp.route("/users/<id:user_id>/enable")
class EnableUser(MethodView):
    @login_required
    @blp.response(200, AccountSchema)
    @refuses({403: "forbidden", 404: "not_found"})
    def post(self, user_id):
        """Re-enable a disabled account of the caller's units"""
        ctx = context(login=True)
        user = ENABLE_USER(ctx, user_id)
        ctx.commit()
        return _account(ctx, user, locale())


# What an account on a one-time password may still call.
OPEN_ENDPOINTS = {"accounts.MyPassword", "auth.Me", "auth.IssueToken", "auth.Tokens", "auth.Token"}


def init_app(app: Flask) -> None:
    @app.before_request
    def _password_first():
        if not request.path.startswith("/api/") or g.get("tenant") is None or request.endpoint in OPEN_ENDPOINTS:
            return
        if not request.headers.get("Authorization") and not session.get("sid"):
            return
        user = request_context.ctx().actor.user
        if user is not None and user.must_change_password:
            raise RuleError(Violation("password_change_required", T(
                "该账号正在使用一次性密码，请先修改密码（POST .../me/password）",
                "This account is on a one-time password: change it first (POST .../me/password)")), status=403)
