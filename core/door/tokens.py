"""Tokens: one's own API tokens, issued from the account page and revoked there or through the
API (``core.web.tokens``, ``core.api.auth``), by ``core.services.api_tokens``.

The password-for-token exchange (``POST /auth/token``) is not an operation here: it is the
API's sign-in, as the login form is the web's (see ``core.services.api_tokens``)."""
from __future__ import annotations

from marshmallow import fields, validate

from core.door.fields import InputSchema, Whole
from core.door.operations import declare
from core.i18n import T
from core.permissions import A
from core.services import api_tokens


class IssueTokenSchema(InputSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100),
                         metadata={"label": T("令牌名称", "Name"), "description": "a name to recognise the token by"})
    expires_in_days = Whole(load_default=None, allow_none=True, validate=validate.Range(min=1, max=3650),
                            metadata={"label": T("有效期（天）", "Lifetime (days)"),
                                      "description": "how long the token lives, in days (at most the deployment's maximum)"})


ISSUE_TOKEN = declare("token.issue", A.token_manage, IssueTokenSchema, api_tokens.issue,
                      T("为自己签发API令牌（只显示一次）", "Issue oneself an API token (shown once)"))
REVOKE_TOKEN = declare("token.revoke", A.token_manage, None, api_tokens.revoke,
                       T("撤销自己的API令牌", "Revoke one of one's own API tokens"))
