"""A schema's refusal as violations: one per field, each naming the field and its rule in
Chinese and English, with the code ``invalid_input`` (the request does not match what the
OpenAPI document says), for the API's error body and the web's messages beside each field."""
from __future__ import annotations

from dataclasses import replace

from marshmallow import Schema, ValidationError

from core.door.fields import KEY_REQUIRED, KEY_REQUIRED_CODE, RequestKey
from core.forms import field_label, validation_violations, zh_message
from core.i18n import Text
from core.violations import Violation

# webargs namespaces a refusal by where the input came from; one location is unwrapped.
LOCATIONS = frozenset({"json", "query", "form", "headers", "cookies", "files", "json_or_form",
                       "multipart", "json_or_multipart"})


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


def _key_missing(schema: Schema | None, name: str | None, messages: dict) -> bool:
    """Whether ``name`` is the operation's idempotency key (``RequestKey``) and was not sent."""
    field = schema.fields.get(name) if schema is not None and name else None
    return isinstance(field, RequestKey) and KEY_REQUIRED in (messages.get(name) or ())


def input_status(violations: list[Violation]) -> int:
    """The status of a refusal by an operation's own schema: 400 when the idempotency key is
    missing (the request cannot be taken safely at all, whatever else it says), else 422."""
    return 400 if any(v.code == KEY_REQUIRED_CODE for v in violations) else 422


def input_violations(err: ValidationError, schema: Schema | None = None) -> list[Violation]:
    """A schema's ValidationError (webargs namespaces it by location) → violations per field,
    each with ``INPUT_CODE``. Errors of the body as a whole (marshmallow's ``_schema``) are
    reported on ``body``."""
    messages = err.messages
    if isinstance(messages, dict) and len(messages) == 1 and next(iter(messages)) in LOCATIONS:
        messages = next(iter(messages.values()))
    if isinstance(messages, dict) and "_schema" in messages:
        messages = {**{k: v for k, v in messages.items() if k != "_schema"}, "body": messages["_schema"]}
    elif not isinstance(messages, dict):
        messages = {"body": messages}
    out = []
    for v in validation_violations(ValidationError(_localise(messages)), schema=schema):
        v = replace(v, code=KEY_REQUIRED_CODE if _key_missing(schema, v.field, messages) else INPUT_CODE)
        if v.field and field_label(schema, v.field) is None:
            # No label in the schema: name the field itself, so the message says which one.
            v = replace(v, message=Text(f"{v.field}：{v.message.zh}", f"{v.field}: {v.message.en}"))
        out.append(v)
    return out
