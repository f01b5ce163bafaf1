"""One schema, three faces: helpers that turn a plugin's marshmallow schema into violations
(for the API and the web form), and into a description the HTML form renderer walks.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from marshmallow import Schema, ValidationError, fields, validate

from core.i18n import Text
from core.money import Yuan, YuanDecimal
from core.plugin_host.contributions import Choice
from core.violations import Violation

# marshmallow speaks English; these are its default messages in the platform's language.
_ZH = [
    (r"^Missing data for required field\.$", "必填项，不能为空"),
    (r"^Field may not be null\.$", "不能为空"),
    (r"^Not a valid integer\.$", "不是有效的整数"),
    (r"^Not a valid number\.$", "不是有效的数字"),
    (r"^Number too large\.$", "数字过大"),
    (r"^Special numeric values \(nan or infinity\) are not permitted\.$", "不能是 NaN 或无穷大，请填写具体数字"),
    (r"^Not a valid string\.$", "不是有效的文本"),
    (r"^Not a valid boolean\.$", "不是有效的是/否值"),
    (r"^Not a valid date\.$", "不是有效的日期（格式：YYYY-MM-DD）"),
    (r"^Not a valid datetime\.$", "不是有效的日期时间"),
    (r"^Not a valid list\.$", "应为列表"),
    (r"^Invalid input type\.$", "输入类型不正确"),
    (r"^Unknown field\.$", "不认识的字段"),
    (r"^Shorter than minimum length (\d+)\.$", r"长度不能少于 \1 个字"),
    (r"^Longer than maximum length (\d+)\.$", r"长度不能超过 \1 个字"),
    (r"^Length must be between (\d+) and (\d+)\.$", r"长度应在 \1 到 \2 字之间"),
    (r"^Must be greater than or equal to (\S+)\.$", r"不能小于 \1"),
    (r"^Must be less than or equal to (\S+)\.$", r"不能大于 \1"),
    (r"^Must be greater than or equal to (\S+) and less than or equal to (\S+)\.$", r"应在 \1 到 \2 之间"),
    (r"^Must be one of: (.*)\.$", r"只能选择：\1"),
    (r"^One or more of the choices you made was not in: (.*)\.$", r"所选项不在可选范围内：\1"),
    (r"^Not a valid amount of yuan \(at most (\S+)\)\.$", r"金额不能超过\1元"),
    (r"^Not a valid amount of yuan.*$", "不是有效的金额（如 5000、5,000.50、5000元 或 0.5万；最多两位小数，不能为负）"),
    (r"^Invalid value\.$", "取值无效"),
]


def zh_message(message: str) -> str:
    for pattern, replacement in _ZH:
        if re.match(pattern, message):
            return re.sub(pattern, replacement, message)
    return message  # plugin-provided messages are already Chinese (or bilingual, "中文 | English")


def _bilingual(message: str) -> Text:
    if " | " in message:  # plugins write "中文 | English" in custom validator messages
        zh, en = message.split(" | ", 1)
        return Text(zh, en)
    return Text(zh_message(message), message)


def flatten_errors(messages, prefix: str = "") -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            out.extend(flatten_errors(value, name))
    elif isinstance(messages, (list, tuple)):
        for item in messages:
            if isinstance(item, (dict, list)):
                out.extend(flatten_errors(item, prefix))
            else:
                out.append((prefix, str(item)))
    else:
        out.append((prefix, str(messages)))
    return out


def field_label(schema: Schema | None, name: str) -> Text | None:
    if schema is None:
        return None
    f = schema.fields.get(name.split(".")[0])
    label = f.metadata.get("label") if f is not None else None
    return label if isinstance(label, Text) else None


def field_clause(schema: Schema | None, name: str) -> Text | None:
    """The clause a field's metadata cites (``metadata={"clause": T(...)}``): the words of the
    source document that say what the field may hold, cited when its value is refused."""
    if schema is None:
        return None
    f = schema.fields.get(name.split(".")[0])
    clause = f.metadata.get("clause") if f is not None else None
    return clause if isinstance(clause, Text) else None


def validation_violations(err: ValidationError, prefix: str = "", schema: Schema | None = None) -> list[Violation]:
    """A marshmallow ValidationError → violations naming each field, in zh and en, citing the
    field's clause where its metadata declares one."""
    out = []
    for name, message in flatten_errors(err.messages):
        full = f"{prefix}.{name}" if prefix and name else (prefix or name)
        text = _bilingual(message)
        label = field_label(schema, name)
        if label is not None:
            text = Text(f"{label.zh}：{text.zh}", f"{label.en}: {text.en}")
        out.append(Violation("invalid_field", text, field=full or None, clause=field_clause(schema, name)))
    return out


@dataclass(frozen=True)
class FieldSpec:
    """How to render one schema field as an HTML control."""

    name: str
    label: Text
    widget: str
    required: bool
    help: Text | None
    choices: tuple[Choice, ...]
    many: bool
    # The length rule of a text field (its ``validate.Length``), shown beside the label before
    # anything is typed: the same numbers that refuse it, never a second copy.
    min_length: int | None = None
    max_length: int | None = None

    @property
    def length_hint(self) -> Text | None:
        """"20–2000 字", "至少 5 字", "最多 500 字" (None for a list, a choice or no rule)."""
        low = self.min_length if self.min_length and self.min_length > 1 else None
        high = self.max_length
        if self.many or self.choices or self.widget in ("checkbox", "date", "number") or not (low or high):
            return None
        if low and high:
            return Text(f"{low}–{high} 字", f"{low}–{high} characters")
        if low:
            return Text(f"至少 {low} 字", f"at least {low} characters")
        return Text(f"最多 {high} 字", f"at most {high} characters")


def length_rule(f: fields.Field) -> tuple[int | None, int | None]:
    """(min, max) of the field's ``validate.Length`` validators, if any."""
    low = high = None
    for v in getattr(f, "validators", ()) or ():
        if isinstance(v, validate.Length) and v.equal is None:
            if v.min is not None:
                low = v.min if low is None else max(low, v.min)
            if v.max is not None:
                high = v.max if high is None else min(high, v.max)
    return low, high


def describe(schema_cls: type[Schema]) -> list[FieldSpec]:
    schema = schema_cls()
    return [_spec(name, f) for name, f in schema.fields.items() if not f.dump_only]


def field_rule(schema_cls: type[Schema] | None, path: str) -> FieldSpec | None:
    """The spec of one field of an operation's schema, ``"reason"`` or, inside a list of
    objects, ``"tasks.title"``: what a hand-written form shows beside that input (its length
    rule), read from the validator that refuses it."""
    schema = schema_cls() if schema_cls is not None else None
    *outer, name = path.split(".")
    for part in outer:
        f = schema.fields.get(part) if schema is not None else None
        f = f.inner if isinstance(f, fields.List) else f
        schema = f.schema if isinstance(f, fields.Nested) else None
    f = schema.fields.get(name) if schema is not None else None
    return _spec(name, f) if f is not None else None


def _spec(name: str, f: fields.Field) -> FieldSpec:
    md = f.metadata
    many = isinstance(f, fields.List)
    widget = md.get("widget")
    if widget is None:
        if many:
            widget = "checkboxes" if md.get("choices") else "lines"
        elif isinstance(f, (Yuan, YuanDecimal)):  # typed as people write it: 5000, 5,000, 5000元
            widget = "amount"
        elif isinstance(f, fields.Date):
            widget = "date"
        elif isinstance(f, (fields.Integer, fields.Decimal)):
            widget = "number"
        elif isinstance(f, fields.Boolean):
            widget = "checkbox"
        elif md.get("choices"):
            widget = "select"
        else:
            widget = "text"
    low, high = length_rule(f) if isinstance(f, fields.String) else (None, None)
    return FieldSpec(
        name=name,
        label=md.get("label") or Text(name, name),
        widget=widget,
        required=f.required,
        help=md.get("help"),
        choices=tuple(md.get("choices") or ()),
        many=many,
        min_length=low,
        max_length=high,
    )
