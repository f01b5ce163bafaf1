"""Reading a JSON request body: whatever shape it arrives in, it is either a value the schemas
can read or a 400 that names the rule it breaks (in Chinese, English on request).

The rules, checked in this order, each with its own code:

- ``body_too_large`` (413): more than ``MAX_BYTES`` bytes; an API body is a form, not a file;
- ``malformed_json``: not JSON: bytes that are not UTF-8 (RFC 8259 §8.1: JSON is UTF-8), or text
  that does not parse, naming the byte, or the line and column; including what Python's reader
  would otherwise let through: ``NaN``, ``Infinity`` and integers longer than Python reads;
- ``json_too_deep``: arrays and objects nested deeper than ``MAX_DEPTH`` (no form of the platform
  nests more than a few levels; deeper input would only exhaust the stack further on);
- ``json_too_many_values``: more than ``MAX_VALUES`` values in all (huge arrays).

Documented in the OpenAPI description (``core.api.DESCRIPTION``) and on every operation that
takes a JSON body (``core.api.refusals``).
"""
from __future__ import annotations

import json

from core.i18n import T
from core.violations import RuleError, Violation

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 32
MAX_VALUES = 10_000

CODES_400 = ("malformed_json", "json_too_deep", "json_too_many_values")
CODES_413 = ("body_too_large",)


def _refuse(code: str, message, status: int = 400) -> RuleError:
    return RuleError(Violation(code, message, field="body"), status=status)


def _no_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def read_json(raw: bytes | str):
    """The parsed body, or a ``RuleError`` naming the rule it breaks."""
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogatepass")
    if len(raw) > MAX_BYTES:
        kib = MAX_BYTES // 1024
        raise _refuse("body_too_large", T(f"JSON 请求体不能超过{kib}KB（本次{len(raw) // 1024}KB）",
                                          f"A JSON body may be at most {kib} KiB (this one is {len(raw) // 1024} KiB)"),
                      status=413)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _refuse("malformed_json", T(f"请求体不是有效的 JSON：不是 UTF-8 编码（第{exc.start + 1}个字节起）",
                                          f"The request body is not valid JSON: not UTF-8 (from byte {exc.start + 1})")) from None
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise _refuse("malformed_json", T(f"请求体不是有效的 JSON（第{exc.lineno}行第{exc.colno}列：{exc.msg}）",
                                          f"The request body is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})")) from None
    except RecursionError:
        raise _too_deep() from None
    except ValueError as exc:  # NaN / Infinity, or an integer of thousands of digits
        raise _refuse("malformed_json", T(f"请求体不是有效的 JSON（{_zh_reason(exc)}）",
                                          f"The request body is not valid JSON ({exc})")) from None
    _check_shape(value)
    return value


def _zh_reason(exc: ValueError) -> str:
    text = str(exc)
    if "is not JSON" in text:
        return "JSON 中没有 NaN、Infinity 这样的值"
    return "数字位数过多"


def _too_deep() -> RuleError:
    return _refuse("json_too_deep", T(f"请求体的数组或对象嵌套过深（最多{MAX_DEPTH}层）",
                                      f"Arrays and objects in the body are nested too deeply (at most {MAX_DEPTH} levels)"))


def _check_shape(value) -> None:
    """Depth and size, walked without recursion (the body is what is being guarded against)."""
    count = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        count += 1
        if count > MAX_VALUES:
            raise _refuse("json_too_many_values", T(
                f"请求体包含的值过多（最多{MAX_VALUES}个），请分批提交",
                f"The body holds too many values (at most {MAX_VALUES}); send it in parts"))
        if isinstance(item, (dict, list)):
            if depth > MAX_DEPTH:
                raise _too_deep()
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
