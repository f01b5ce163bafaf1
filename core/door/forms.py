"""An HTML form as the data an operation's schema loads.

Why a translation at all: a form sends every value as a string, a checkbox only when ticked, a
list as repeated names or one line per item, and an empty input for "not given". The schema is
written for JSON (an integer is an integer, ``true`` is ``true``). ``form_values`` bridges the
two once, by the schema's own field types, so the web needs no parsing of its own and refuses
exactly what the API refuses, with the same messages."""
from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields as mf
from werkzeug.datastructures import FileStorage, MultiDict

from core.door.fields import Flag


def form_values(schema: type[Schema] | Schema, form: MultiDict, files: MultiDict | None = None) -> dict[str, Any]:
    """The posted ``form`` (and ``files``) as JSON-shaped data for ``schema``.

    - an empty input is left out, so a required field says "必填" and an optional one takes
      its default;
    - a checkbox (``Flag``/``Boolean``) is ``True`` when ticked (``on``, ``true``, ``1``, ``yes``),
      ``False`` when absent;
    - an integer field gets an ``int`` from its digits; anything else is passed on as typed, so
      the schema's own message names it;
    - a list takes the repeated values of its name, or one item per line of a single textarea;
    - a mapping of scalars takes the inputs named ``<name>.<key>`` (``points.feasibility``);
    - a file field takes the upload, unless none was chosen.
    Fields the form does not show (a nested object, a mapping of objects) are the view's to add."""
    instance = schema() if isinstance(schema, type) else schema
    data: dict[str, Any] = {}
    for name, field in instance.load_fields.items():
        key = field.data_key or name
        if isinstance(field, (Flag, mf.Boolean)):
            data[key] = form.get(key) in ("on", "true", "1", "yes")
        elif isinstance(field, mf.List):
            values = [v.strip() for v in form.getlist(key)]
            if len(values) == 1 and "\n" in values[0]:
                values = [line.strip() for line in values[0].splitlines()]
            values = [v for v in values if v]
            if values or key in form:
                data[key] = [_scalar(field.inner, v) for v in values]
        elif isinstance(field, mf.Dict) and _scalar_values(field):
            # A mapping of scalars (points per criterion) is sent as inputs named "<name>.<key>",
            # as its errors are named: an empty input is left out, like any other.
            start = f"{key}."
            names = [k for k in form if k.startswith(start) and len(k) > len(start)]
            if names:
                data[key] = {k[len(start):]: _scalar(field.value_field, v) for k in names
                             if (v := (form.get(k) or "").strip())}
        elif isinstance(field, (mf.Nested, mf.Dict)):
            continue
        elif files is not None and key in files:
            upload = files.get(key)
            if isinstance(upload, FileStorage) and upload.filename:
                data[key] = upload
        else:
            value = (form.get(key) or "").strip()
            if value != "":
                data[key] = _scalar(field, value)
    return data


def _scalar_values(field: mf.Dict) -> bool:
    return field.value_field is not None and not isinstance(field.value_field, (mf.Dict, mf.Nested, mf.List))


def _scalar(field: mf.Field, value: str):
    if isinstance(field, mf.Integer) and value.isascii() and value.isdigit():
        return int(value)
    return value
