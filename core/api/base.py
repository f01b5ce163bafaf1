"""The API's building blocks: the blueprint class with its request parser, the base schema,
URL converters, pagination and the login guard. Every resource module builds on these, so
bad input is refused the same way everywhere: as a ``RuleError`` the error handlers render.
"""
from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import ClassVar

import flask_smorest
from flask import g
from marshmallow import Schema, fields, validate
from marshmallow.utils import missing
from webargs.core import is_json
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import CombinedMultiDict, FileStorage, MultiDict
from werkzeug.routing import BaseConverter, IntegerConverter

from core import request_context
from core.api import errors
from core.api.json_body import read_json
from core.i18n import T
from core.door.errors import INPUT_CODE, input_status, input_violations  # noqa: F401  (re-exported for the API modules)
from core.door.fields import (  # noqa: F401  (the API's modules take their fields from here)
    ID_MAX, Flag, Id, InputSchema, Pattern, QueryId, QueryWhole, Whole, Yuan,
)
from core.services.context import Ctx
from core.violations import RuleError, Violation

TENANT = "/api/v1/t/<tenant:tenant>"
BEARER = "bearerAuth"
COOKIE = "cookieAuth"


# -- URL converters --------------------------------------------------------------------------------

class IdConverter(IntegerConverter):
    """A database id in a URL: 1..2^31-1. Anything else (text, 0, huge) is a plain 404."""

    def __init__(self, map, *args, **kwargs):
        super().__init__(map, min=1, max=ID_MAX)


class TenantConverter(BaseConverter):
    """A tenant slug. Anything outside it (NUL bytes, slashes) never reaches the database."""

    regex = r"[A-Za-z0-9._-]{1,64}"


class KeyConverter(BaseConverter):
    """A key a plugin declares (form keys, plugin names)."""

    regex = r"[A-Za-z0-9_.-]{1,64}"


def register_converters(app, api) -> None:
    app.url_map.converters.update(id=IdConverter, tenant=TenantConverter, key=KeyConverter)
    api.register_converter(IdConverter, lambda c: {"type": "integer", "minimum": 1, "maximum": ID_MAX})
    api.register_converter(TenantConverter, lambda c: {
        "type": "string", "pattern": f"^{TenantConverter.regex}$",
        "description": "tenant slug from GET /api/v1/tenants"})
    api.register_converter(KeyConverter, lambda c: {"type": "string", "pattern": f"^{KeyConverter.regex}$"})


# -- input ---------------------------------------------------------------------------------------

def _bad_text(value, path: str) -> str | None:
    """The path of the first string holding a NUL character or an unpaired surrogate: neither
    can be stored (PostgreSQL refuses NUL in text, UTF-8 has no surrogates)."""
    if isinstance(value, str):
        if "\x00" in value:
            return path
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return path
        return None
    if isinstance(value, FileStorage):
        return _bad_text(value.filename or "", path)
    if isinstance(value, MultiDict):  # a query string or form: a repeated key is still one field
        for key in value:
            found = next((f for f in (_bad_text(v, key) for v in value.getlist(key)) if f), None)
            if found or _bad_text(str(key), key):
                return key
        return None
    if isinstance(value, Mapping):
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            found = _bad_text(str(key), name) or _bad_text(item, name)
            if found:
                return found
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            found = _bad_text(item, f"{path}.{i}" if path else str(i))
            if found:
                return found
    return None


class ApiParser(FlaskParser):
    """webargs' Flask parser, answering bad input with ``RuleError`` (rendered by
    ``core.api.errors``) instead of an English abort."""

    __location_map__: ClassVar[dict] = {**FlaskParser.__location_map__, "multipart": "load_multipart"}

    def load_multipart(self, req, schema):
        """Form fields and files of one multipart body, read by one schema."""
        return self._makeproxy(CombinedMultiDict([req.form, req.files]), schema)

    def _raw_load_json(self, req):
        body = req.get_data(cache=True)
        if not is_json(req.mimetype):
            if body:
                raise RuleError(Violation(
                    "unsupported_media_type",
                    T("请求体应为 JSON，请设置 Content-Type: application/json",
                      "The body must be JSON; send Content-Type: application/json"),
                    field="body"), status=415)
            return missing
        return read_json(body)  # a RuleError naming the rule a malformed body breaks

    def pre_load(self, location_data, *, schema, req, location):
        data = getattr(location_data, "data", location_data)  # webargs wraps MultiDicts
        bad = _bad_text(data, "")
        if bad is not None:
            field = bad or "body"
            raise RuleError(Violation(
                "invalid_characters",
                T(f"{field}：内容含有不允许的字符（空字符或无效的 Unicode）",
                  f"{field}: holds characters that are not allowed (NUL or invalid Unicode)"),
                field=field), status=422)
        return location_data

    def handle_error(self, error, req, schema, *, error_status_code, error_headers):
        violations = input_violations(error, schema)
        raise RuleError(violations, status=error_status_code or input_status(violations))


class Blueprint(flask_smorest.Blueprint):
    """An API resource's blueprint: parses input with ``ApiParser`` and renders errors with
    ``core.api.errors``."""

    ARGUMENTS_PARSER = ApiParser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING: ClassVar[dict] = {
        **flask_smorest.Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
        "multipart": "multipart/form-data",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        errors.attach(self)


class ApiSchema(InputSchema):
    """Base of every request and response schema (unknown input fields are refused)."""




# -- pagination ----------------------------------------------------------------------------------

class PageQuery(ApiSchema):
    page = QueryWhole(load_default=1, validate=validate.Range(min=1, max=100_000),
                          metadata={"description": "1-based page number"})
    page_size = QueryWhole(load_default=20, validate=validate.Range(min=1, max=100),
                               metadata={"description": "items per page (1..100)"})


def page_schema(item: type[Schema], name: str) -> type[Schema]:
    """The pagination envelope around ``item``; the total is also sent as X-Total-Count."""
    return type(name, (ApiSchema,), {
        "items": fields.List(fields.Nested(item), required=True),
        "total": fields.Integer(required=True, metadata={"description": "matching items in all"}),
        "page": fields.Integer(required=True),
        "page_size": fields.Integer(required=True),
        "pages": fields.Integer(required=True),
    })


TOTAL_HEADER = {"X-Total-Count": {"description": "matching items in all", "schema": {"type": "integer"}}}


def paged(items: list, total: int, query: dict) -> tuple[dict, int, dict]:
    size = query["page_size"]
    body = {"items": items, "total": total, "page": query["page"], "page_size": size,
            "pages": (total + size - 1) // size}
    return body, 200, {"X-Total-Count": str(total)}


def limit_offset(query: dict) -> dict:
    return {"limit": query["page_size"], "offset": (query["page"] - 1) * query["page_size"]}


# -- who is asking -------------------------------------------------------------------------------

class Unauthenticated(RuleError):
    status = 401

    def __init__(self, message=None):
        super().__init__(Violation("unauthenticated", message or T(
            "请先登录，或在请求头中提供有效的访问令牌（Authorization: Bearer txn_...）",
            "Log in first, or send a valid token (Authorization: Bearer txn_...)")))


# Why a bearer token or a session cookie stands for nobody (``core.request_context``), as the
# 401 says it: a client can tell "ask for a new token" from "this token was never valid here".
TOKEN_REFUSED = {
    "unknown": T("访问令牌无效，或不属于该辖区", "The token is invalid, or belongs to another tenant"),
    "revoked": T("访问令牌已被撤销，请重新申请令牌", "This token has been revoked; ask for a new one"),
    "expired": T("访问令牌已过期，请用用户名和密码重新申请令牌",
                 "This token has expired; ask for a new one with your username and password"),
    "disabled": T("该账号已停用", "This account is disabled"),
}
SESSION_ENDED = {
    "ended": T("登录已结束（已退出，或密码、账号状态已更改），请重新登录",
               "The sign-in has ended (signed out, or the password or the account changed); sign in again"),
    "idle": T("长时间未操作，登录已超时，请重新登录", "The sign-in timed out after a while without activity; sign in again"),
    "expired": T("登录已超过最长时限，请重新登录", "The sign-in reached its time limit; sign in again"),
}


def context(*, login: bool = False) -> Ctx:
    """The request's Ctx. A bearer token that does not resolve (unknown, revoked, expired,
    another tenant's) is a 401 saying which, rather than a silent anonymous view; ``login``
    requires a user (and says why a session cookie no longer is one)."""
    ctx = request_context.ctx()
    if g.get("auth_kind") == "token" and not ctx.actor.is_authenticated:
        raise Unauthenticated(TOKEN_REFUSED.get(g.get("token_refusal"), TOKEN_REFUSED["unknown"]))
    if login and not ctx.actor.is_authenticated:
        raise Unauthenticated(SESSION_ENDED.get(g.get("session_ended")))
    return ctx


def locale() -> str:
    return request_context.locale()


SECURED = [{BEARER: []}, {COOKIE: []}]


def login_required(view):
    """Refuse anonymous callers with a 401 before their input is even parsed (an anonymous
    write answers "log in", not "field X is wrong"), and document the security schemes."""
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        context(login=True)
        return view(*args, **kwargs)
    return flask_smorest.Blueprint.doc(security=SECURED)(wrapper)
