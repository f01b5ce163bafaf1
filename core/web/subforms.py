"""A policy form embedded in a larger HTML form (the decision form's tier select, the forms of a
change request): the same schema-driven controls as ``core.web.forms``, with input names
prefixed by the form's key so that its fields can never collide with the host form's own
(``outcome``, ``reason`` ...) or with another embedded form's. Also the read-only lines of a
form as filled in (e.g. a decision's details), with choice labels instead of codes."""
from __future__ import annotations

from dataclasses import dataclass, replace

from werkzeug.datastructures import MultiDict

from core.forms import describe
from core.plugin_host.contributions import FormSpec
from core.violations import Violation
from core.web.forms import Control, FormErrors, controls, display, read, split_errors

SEPARATOR = "--"


def prefix(spec: FormSpec) -> str:
    return f"{spec.key}{SEPARATOR}"


@dataclass
class Subform:
    spec: FormSpec
    controls: list[Control]
    errors: FormErrors


def subform(spec: FormSpec, values: dict | None, violations: list[Violation], locale: str, id_prefix: str = "sf") -> Subform:
    """Controls of ``spec`` with prefixed names; violations named ``<key>.<field>`` go beside
    their field, others of the form above it."""
    names = [f.name for f in describe(spec.schema)]
    mine = [v for v in violations if (v.field or "") == spec.key or (v.field or "").startswith(spec.key + ".")]
    errors = split_errors(mine, spec.key, names, locale)
    out = controls(spec.schema, values or {}, errors, f"{id_prefix}-{spec.key}")
    for c in out:
        c.spec = replace(c.spec, name=prefix(spec) + c.spec.name)
    return Subform(spec, out, errors)


def read_subform(spec: FormSpec, form: MultiDict) -> dict:
    """The embedded form's posted values, as the dict its schema loads."""
    start = prefix(spec)
    own = MultiDict([(k[len(start):], v) for k, v in form.items(multi=True) if k.startswith(start)])
    return read(spec.schema, own)


def lines(specs, data_by_key: dict, locale: str) -> list[tuple[object, str]]:
    """(label, shown value) for every field of ``specs`` present in ``data_by_key`` (a form key
    → its data), lists joined; for read-only display such as a decision's tier."""
    out = []
    for spec in specs:
        data = data_by_key.get(spec.key) or {}
        for f in describe(spec.schema):
            if f.name in data:
                shown = display(f, data[f.name], locale)
                out.append((f.label, ("、" if locale != "en" else ", ").join(shown) if isinstance(shown, list) else shown))
    return out
