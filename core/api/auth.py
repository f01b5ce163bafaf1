"""Tokens and the current user: POST .../auth/token (username + password → bearer token),
GET/DELETE .../auth/tokens, GET .../me.

A token belongs to one tenant's user: it is looked up inside the tenant of the URL, so a token
of another tenant resolves to nobody. The plain token is shown once, at issue. Every token
expires (a lifetime asked for, up to the deployment's maximum); its owner lists and revokes
theirs. Requests for a token are limited and recorded as sign-ins are (``core.services.sign_in``)."""
from __future__ import annotations

from flask import g
from flask.views import MethodView
from marshmallow import fields, validate

from core import login_limits, request_context
from core.api.base import TENANT, ApiSchema, Blueprint, Whole, context, locale, login_required
from core.api.shapes import UnitRefSchema, unit_ref
from core.api.refusals import refuses
from core.door.tokens import REVOKE_TOKEN
from core.models import Role
from core.services import auth, second_factor, sign_in

blp = Blueprint("auth", __name__, url_prefix=TENANT,
                description="Bearer tokens for API clients, and who the current user is")


class TokenRequestSchema(ApiSchema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1024),
                             metadata={"format": "password"})
    name = fields.String(load_default="api", validate=validate.Length(min=1, max=100),
                         metadata={"description": "a name to recognise the token by"})
    expires_in_days = Whole(load_default=None, allow_none=True, validate=validate.Range(min=1, max=3650),
                            metadata={"description": "how long the token lives, in days (default and maximum: "
                                                     "the deployment's, 30 and 90 unless configured)"})
    otp = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=20),
                        metadata={"description": "the TOTP code (or a recovery code) of an account with a second factor"})


class TokenSchema(ApiSchema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    expires_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)
    state = fields.String(required=True, metadata={"enum": ["active", "expired", "revoked"]})


class IssuedTokenSchema(TokenSchema):
    token = fields.String(required=True, metadata={"description": "send as 'Authorization: Bearer <token>'; shown once"})


class TokenListSchema(ApiSchema):
    items = fields.List(fields.Nested(TokenSchema), required=True)


class RoleSchema(ApiSchema):
    role = fields.String(required=True, metadata={"enum": [r.value for r in Role]})
    label = fields.String(required=True)
    unit = fields.Nested(UnitRefSchema, required=True, metadata={"description": "reaches every unit below it"})


class MeSchema(ApiSchema):
    id = fields.Integer(required=True)
    username = fields.String(required=True)
    display_name = fields.String(required=True)
    email = fields.String(allow_none=True)
    locale = fields.String(allow_none=True)
    tenant = fields.String(required=True)
    authenticated_by = fields.String(required=True, metadata={"enum": ["token", "cookie"]})
    roles = fields.List(fields.Nested(RoleSchema), required=True)


def _token(row, now) -> dict:
    return {"id": row.id, "name": row.name, "created_at": row.created_at, "expires_at": row.expires_at,
            "revoked_at": row.revoked_at, "state": auth.token_state(row, now)}


@blp.route("/auth/token")
class IssueToken(MethodView):
    @blp.doc(security=[])
    @blp.arguments(TokenRequestSchema)
    @blp.response(201, IssuedTokenSchema)
    @refuses({401: "invalid_credentials second_factor_required", 422: "token_lifetime", 429: "too_many_attempts"})
    def post(self, body):
        """Exchange a username and password (and a second factor's code, if the account has one)
        for a bearer token (limited: past the limit, 429 with Retry-After)"""
        # The API's sign-in, not an operation of the door (core.door.tokens): there is no one yet
        # to ask the permission table about, and sign_in limits and records it as a login.
        # Not context(): a stale token still sent along must not stand in the way of a new one.
        ctx = request_context.ctx()
        settings = ctx.settings
        lifetime = auth.token_lifetime(body["expires_in_days"], settings.token_days_default, settings.token_days_max)
        address, limits = login_limits.address(), login_limits.limits()
        user = sign_in.attempt(ctx, g.tenant.slug, body["username"], body["password"], address, "api", limits)
        if second_factor.enabled(user):
            sign_in.second_step(ctx, g.tenant.slug, user, body.get("otp"), address, "api", limits)
        with ctx.action("auth.token_issue"):
            token = auth.issue_token(ctx.session, user, body["name"], lifetime)
        row = auth.token_record(ctx.session, token)
        ctx.commit()
        return {**_token(row, ctx.clock.now()), "token": token}


@blp.route("/auth/tokens")
class Tokens(MethodView):
    @login_required
    @blp.response(200, TokenListSchema)
    def get(self):
        """The current user's tokens (expired and revoked ones too, saying so)"""
        ctx = context(login=True)
        now = ctx.clock.now()
        return {"items": [_token(t, now) for t in auth.tokens_of(ctx.session, ctx.actor.user)]}


@blp.route("/auth/tokens/<id:token_id>")
class Token(MethodView):
    @login_required
    @blp.response(204)
    def delete(self, token_id):
        """Revoke one of the current user's tokens"""
        ctx = context(login=True)
        REVOKE_TOKEN(ctx, token_id)
        ctx.commit()


@blp.route("/me")
class Me(MethodView):
    @login_required
    @blp.response(200, MeSchema)
    def get(self):
        """The current user and their roles"""
        ctx = context(login=True)
        lang = locale()
        user = ctx.actor.user
        roles = []
        for m in sorted(user.memberships, key=lambda m: (m.org_unit.path, m.role)):
            label = Role(m.role).label.render(lang) if m.role in Role._value2member_map_ else m.role
            roles.append({"role": m.role, "label": label, "unit": unit_ref(m.org_unit, lang)})
        return {"id": user.id, "username": user.username, "display_name": user.display_name, "email": user.email,
                "locale": user.locale, "tenant": g.tenant.slug, "authenticated_by": g.get("auth_kind", "cookie"),
                "roles": roles}
