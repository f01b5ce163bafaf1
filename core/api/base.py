"""The API's building blocks: the blueprint class with its request parser, the base schema,
URL converters, pagination and the login guard. Every resource module builds on these, so
bad input is refused the same way everywhere: as a ``RuleError`` the error handlers render.
"""
from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import replace
from typing import ClassVar

import flask_smorest
from flask import g
from marshmallow import Schema, ValidationError, fields, validate
from marshmallow.utils import missing
from webargs.core import is_json
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import CombinedMultiDict, FileStorage, MultiDict
from werkzeug.routing import BaseConverter, IntegerConverter

from core import request_context
from core.api.json_body import read_json
from core.forms import field_label, validation_violations, zh_message
from core.i18n import T, Text
from core.money import FEN_PER_YUAN, MAX_FEN, MAX_TEXT, YUAN_PATTERN
from core.services.context import Ctx
from core.violations import RuleError, Violation

# Ids are 32-bit integers in the database: a larger number in a URL or a body would make the
# database raise, so it is refused as input instead.
ID_MAX = 2**31 - 1
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

# marshmallow messages core.forms does not translate, in the platform's "中文 | English" form.
_MORE_ZH = [
    ("Not a valid mapping type.", "应为对象（键值对）"),
    ("Invalid type.", "类型不正确"),
    ("Not a valid email address.", "不是有效的电子邮箱地址"),
    ("Not a valid URL.", "不是有效的网址"),
    ("Not a valid UUID.", "不是有效的 UUID"),
    ("Number too large.", "数值过大"),
    ("Special numeric values (nan or infinity) are not permitted.", "不允许 NaN 或无穷大"),
    ("String does not match expected pattern.", "格式不正确"),
    ("Field may not be blank.", "不能为空"),
]


def _localise(messages):
    """Give every marshmallow message a Chinese text before core.forms renders it, so no
    English-only message reaches a zh client."""
    if isinstance(messages, dict):
        return {k: _localise(v) for k, v in messages.items()}
    if isinstance(messages, (list, tuple)):
        return [_localise(m) for m in messages]
    text = str(messages)
    if " | " in text or zh_message(text) != text:
        return text
    for en, zh in _MORE_ZH:
        if text == en:
            return f"{zh} | {text}"
    if text.isascii():
        return f"取值无效（{text}） | {text}"
    return text


# The code of a refusal by an operation's own input schema (the request does not match what the
# OpenAPI document says): distinct from ``invalid_field``, a policy's form or config schema refusing.
INPUT_CODE = "invalid_input"


def input_violations(err: ValidationError, schema: Schema | None = None) -> list[Violation]:
    """A schema's ValidationError (webargs namespaces it by location) → violations per field,
    each with ``INPUT_CODE``. Errors of the body as a whole (marshmallow's ``_schema``) are
    reported on ``body``."""
    messages = err.messages
    if isinstance(messages, dict) and len(messages) == 1 and next(iter(messages)) in ApiParser.__location_map__:
        messages = next(iter(messages.values()))
    if isinstance(messages, dict) and "_schema" in messages:
        messages = {**{k: v for k, v in messages.items() if k != "_schema"}, "body": messages["_schema"]}
    elif not isinstance(messages, dict):
        messages = {"body": messages}
    out = []
    for v in validation_violations(ValidationError(_localise(messages)), schema=schema):
        v = replace(v, code=INPUT_CODE)
        if v.field and field_label(schema, v.field) is None:
            # No label in the schema: name the field itself, so the message says which one.
            v = replace(v, message=Text(f"{v.field}：{v.message.zh}", f"{v.field}: {v.message.en}"))
        out.append(v)
    return out


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
        raise RuleError(input_violations(error, schema), status=error_status_code or 422)


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
        from core.api.errors import (
            attach,  # late: the error module renders with this one's helpers
        )
        attach(self)


class Pattern(validate.Regexp):
    """``validate.Regexp`` matching the whole value, as JSON Schema's ``pattern`` with ``^...$``
    reads: Python's ``$`` alone would also let a final newline through."""

    def __call__(self, value):
        if not isinstance(value, str) or self.regex.fullmatch(value) is None:
            raise ValidationError(self._format_error(value))
        return value


class ApiSchema(Schema):
    """Base of every request and response schema (unknown input fields are refused)."""


class Whole(fields.Integer):
    """An integer as JSON sends it, never a float (marshmallow would silently truncate 1.5 to 1),
    a boolean or a string of digits: the document says ``integer``. A query string sends digits:
    there, ``strict=False`` (see ``QueryWhole``)."""

    def __init__(self, *, strict: bool = True, **kwargs):
        super().__init__(strict=strict, **kwargs)

    def _validated(self, value):
        if isinstance(value, float):
            raise self.make_error("invalid", input=value)
        return super()._validated(value)


def QueryWhole(**kwargs) -> Whole:
    """An integer in a query string (digits)."""
    return Whole(strict=False, **kwargs)


class Flag(fields.Boolean):
    """A JSON ``true`` or ``false``, and nothing else: marshmallow's Boolean would also take
    "yes", "on", 1 ..., which the document (``type: boolean``) calls invalid."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


def Id(**kwargs) -> fields.Integer:
    """An id in a body: an integer 1..2^31-1."""
    return Whole(validate=validate.Range(min=1, max=ID_MAX), **kwargs)


def QueryId(**kwargs) -> fields.Integer:
    """An id in a query string."""
    return Id(strict=False, **kwargs)


def Yuan(**kwargs) -> fields.Raw:
    """An amount of yuan as given by the client, documented as ``core.money`` reads it (the one
    reader: ``read_yuan``): a string of ``YUAN_PATTERN`` or an integer, at most ``MAX_FEN``.
    The services parse it into fen and refuse anything else, naming the field."""
    metadata = {
        "anyOf": [{"type": "string", "pattern": YUAN_PATTERN},
                  {"type": "integer", "minimum": 0, "maximum": MAX_FEN // FEN_PER_YUAN}],
        "example": "4800.50",
        "description": f"yuan, as an office types it: \"5000\", \"5,000.50\", \"5000元\", \"0.5万\" or \"1.2万元\" "
                       f"(at most two decimals of yuan, six of 万; thousands grouped by three or not at all; "
                       f"full-width digits, comma and point and spaces around it are read too), or an integer; "
                       f"0 to {MAX_TEXT} yuan. Floats, signs, exponents and capital numerals (伍仟) are refused",
    }
    extra = dict(kwargs.pop("metadata", {}))
    if "description" in extra:
        metadata["description"] = f"{extra.pop('description')}. {metadata['description']}"
    return fields.Raw(metadata={**metadata, **extra}, **kwargs)


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


def context(*, login: bool = False) -> Ctx:
    """The request's Ctx. A bearer token that does not resolve (unknown, revoked, another
    tenant's) is a 401 rather than a silent anonymous view; ``login`` requires a user."""
    ctx = request_context.ctx()
    if g.get("auth_kind") == "token" and not ctx.actor.is_authenticated:
        raise Unauthenticated(T("访问令牌无效、已撤销，或不属于该辖区",
                                "The token is invalid, revoked, or belongs to another tenant"))
    if login and not ctx.actor.is_authenticated:
        raise Unauthenticated()
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
