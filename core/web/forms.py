"""HTML forms from marshmallow schemas ("one schema, three faces"): turn a ``FieldSpec`` list
(``core.forms.describe``) into controls with their values and errors, read a posted HTML form
back into the dict the schema loads, and put each violation beside the field it names."""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import zip_longest
from typing import Any

from marshmallow import Schema, fields as mf
from werkzeug.datastructures import MultiDict

from core.formats import day_text
from core.forms import FieldSpec, describe
from core.violations import Violation


@dataclass
class Control:
    """One field as the template renders it."""

    spec: FieldSpec
    html_id: str
    value: Any
    errors: list[str] = field(default_factory=list)
    input_type: str = "text"   # for single-line inputs: text | number | date (amounts are text)
    inputmode: str | None = None
    step: str | None = None

    @property
    def name(self) -> str:
        return self.spec.name

    def is_chosen(self, choice_value: str) -> bool:
        if isinstance(self.value, (list, tuple)):
            return choice_value in self.value
        return self.value == choice_value

    @property
    def rows(self) -> int:
        """Lines for a list edited one item per line: all of them, within reason."""
        count = len(self.value) if isinstance(self.value, (list, tuple)) else 0
        return max(6, min(count + 1, 16))

    @property
    def text_value(self) -> str:
        if self.value is None:
            return ""
        if isinstance(self.value, (list, tuple)):
            return "\n".join(str(v) for v in self.value)
        return str(self.value)


@dataclass
class FormErrors:
    """Violations split into those beside a field and those for the form as a whole."""

    by_field: dict[str, list[str]] = field(default_factory=dict)
    general: list[Violation] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.by_field or self.general)


def split_errors(violations: list[Violation], prefix: str, field_names, locale: str) -> FormErrors:
    """``application.end_date`` → the ``end_date`` control of the ``application`` form;
    ``directions.0`` → ``directions``; anything else is shown above the form."""
    out = FormErrors()
    names = set(field_names)
    for v in violations:
        name = v.field or ""
        if prefix:
            name = name[len(prefix) + 1:] if name.startswith(prefix + ".") else ""
        head = name.split(".")[0]
        if head and head in names:
            out.by_field.setdefault(head, []).append(_message(v, locale))
        else:
            out.general.append(v)
    return out


def _message(v: Violation, locale: str) -> str:
    return v.message.render(locale)


def controls(schema_cls: type[Schema], values: dict | None, errors: FormErrors | None,
             id_prefix: str) -> list[Control]:
    schema = schema_cls()
    values = values or {}
    out = []
    for spec in describe(schema_cls):
        c = Control(spec=spec, html_id=f"{id_prefix}-{spec.name}", value=values.get(spec.name),
                    errors=list((errors.by_field.get(spec.name) if errors else None) or []))
        f = schema.fields.get(spec.name)
        if spec.widget == "date":
            c.input_type = "date"
        elif spec.widget == "amount":  # never type=number, which refuses "5,000元" before the server reads it
            c.input_type, c.inputmode = "text", "decimal"
        elif spec.widget == "number":
            if isinstance(f, mf.Integer):
                c.input_type, c.step, c.inputmode = "number", "1", "numeric"
            else:  # decimals stay text so that "5000.00" is never reformatted by the browser
                c.input_type, c.inputmode = "text", "decimal"
        out.append(c)
    return out


def read(schema_cls: type[Schema], form: MultiDict) -> dict:
    """The posted HTML form as the dict the schema loads. Empty inputs are left out, so a
    required field says "必填" instead of "not a valid date"."""
    data: dict[str, Any] = {}
    for spec in describe(schema_cls):
        name = spec.name
        if spec.widget == "checkboxes" or (spec.many and spec.choices):
            data[name] = [v for v in form.getlist(name) if v != ""]
        elif spec.widget == "lines" or spec.many:
            data[name] = [line.strip() for line in (form.get(name) or "").splitlines() if line.strip()]
        elif spec.widget == "checkbox":
            data[name] = form.get(name) in ("on", "true", "1", "yes")
        else:
            value = (form.get(name) or "").strip()
            if value != "":
                data[name] = value
    return data


def read_budget(form: MultiDict) -> list[dict]:
    """Budget rows from parallel ``description`` / ``amount`` / ``category`` inputs (the last
    only where the programme's policies list categories, or a row has one), as the API's budget
    lines (``core.door.applications.BudgetItemInputSchema`` loads them): blank rows are
    skipped (a category alone does not make a row), and an empty input of a row is left out, as
    ``core.door.form_values`` leaves out any empty input, so the schema says "required" as it
    does to JSON without the field."""
    rows = []
    for desc, amount, category in zip_longest(form.getlist("description"), form.getlist("amount"),
                                              form.getlist("category"), fillvalue=""):
        row = {"description": (desc or "").strip(), "amount": (amount or "").strip()}
        if any(row.values()):
            row["category"] = (category or "").strip()
            rows.append({k: v for k, v in row.items() if v})
    return rows


def budget_errors(violations: list[Violation], locale: str) -> tuple[dict[int, dict[str, list[str]]], list[Violation]]:
    """``budget.2.amount`` (the service's word) or ``items.2.amount`` (the input schema's) → row
    2's amount; ``budget`` or ``items`` → the editor as a whole."""
    rows: dict[int, dict[str, list[str]]] = {}
    general = []
    for v in violations:
        parts = (v.field or "").split(".")
        if len(parts) >= 2 and parts[0] in ("budget", "items") and parts[1].isdigit():
            key = parts[2] if len(parts) > 2 else "description"
            rows.setdefault(int(parts[1]), {}).setdefault(key, []).append(_message(v, locale))
        else:
            general.append(v)
    return rows, general


def display(spec: FieldSpec, value, locale: str) -> str | list[str]:
    """A stored value as text for read-only pages (choice labels instead of codes)."""
    if value is None or value == "" or value == []:
        return ""
    labels = {c.value: c.label.render(locale) for c in spec.choices}
    if isinstance(value, (list, tuple)):
        return [labels.get(str(v), str(v)) for v in value]
    if isinstance(value, bool):
        return ("是" if value else "否") if locale != "en" else ("yes" if value else "no")
    if spec.widget == "date":  # a stored ISO day reads as 2023年3月15日
        return day_text(value, locale)
    return labels.get(str(value), str(value))
