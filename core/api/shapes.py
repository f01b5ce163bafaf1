"""Response schemas and converters shared by several resources: references to units and
users, violations and the error envelope, choices, and a plugin schema's field descriptions
(``core.forms.describe``) so an API client can render the same form the web UI renders.

Labels are rendered in the request's language (zh unless the client asks for en).
"""
from __future__ import annotations

from marshmallow import fields

from core.api.base import ApiSchema
from core.forms import describe
from core.i18n import Text
from core.models import OrgUnit, User
from core.models.org import UnitKind
from core.money import fen_to_yuan
from core.violations import Violation


def text(value: Text | None, lang: str) -> str | None:
    return value.render(lang) if value is not None else None


def yuan(fen: int | None) -> str | None:
    return None if fen is None else str(fen_to_yuan(fen))


# -- errors ----------------------------------------------------------------------------------------

class ViolationSchema(ApiSchema):
    code = fields.String(required=True, metadata={"description": "machine-readable rule code"})
    field = fields.String(allow_none=True, metadata={"description": "the field concerned (dotted path)"})
    message = fields.String(required=True)
    clause = fields.String(allow_none=True, metadata={"description": "the clause of the source document"})
    severity = fields.String(metadata={"enum": ["block", "needs_approval"]})
    approver = fields.String(allow_none=True)


class ErrorSchema(ApiSchema):
    """Every 4xx/5xx answer of the API."""

    code = fields.String(required=True, metadata={"description": "the single violation's code, or the kind of failure"})
    message = fields.String(required=True, metadata={"description": "summary in the client's language"})
    errors = fields.List(fields.Nested(ViolationSchema), required=True)


def violations(items: list[Violation], lang: str) -> list[dict]:
    return [v.as_dict(lang) for v in items]


# -- references --------------------------------------------------------------------------------

class UnitRefSchema(ApiSchema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True, metadata={"enum": [k.value for k in UnitKind]})


def unit_ref(unit: OrgUnit | None, lang: str) -> dict | None:
    if unit is None:
        return None
    return {"id": unit.id, "code": unit.code, "name": unit.name_in(lang), "kind": unit.kind}


class UserRefSchema(ApiSchema):
    id = fields.Integer(required=True)
    display_name = fields.String(required=True)


def user_ref(user: User | None) -> dict | None:
    return None if user is None else {"id": user.id, "display_name": user.display_name}


class ChoiceSchema(ApiSchema):
    value = fields.String(required=True)
    label = fields.String(required=True)


def choices(items, lang: str) -> list[dict]:
    return [{"value": c.value, "label": c.label.render(lang)} for c in items or ()]


# -- what the caller may do now --------------------------------------------------------------------

def ActionsField(name: str, keys, **kwargs) -> fields.List:
    """An object's ``actions``: one entry per action of its kind (``keys``, in this order);
    ``name`` names the entry's schema (e.g. "FundRequestActionSchema")."""
    item = type(name, (ActionSchema,), {
        "action": fields.String(required=True, metadata={"enum": list(keys), "description": "the operation"})})
    return fields.List(fields.Nested(item), required=True, metadata={"description": (
        "what the caller may do with this object now, computed as the service's guard decides "
        "(the permission table, then the object's state); the same answers the web's buttons give"),
        **kwargs.pop("metadata", {})}, **kwargs)


class ActionSchema(ApiSchema):
    action = fields.String(required=True, metadata={"description": "the operation"})
    allowed = fields.Boolean(required=True, metadata={"description": "the caller may take it now"})
    reason = fields.String(allow_none=True, metadata={"description": "why not (null when allowed), in the client's language"})
    shown = fields.Boolean(required=True, metadata={"description": (
        "whether a user interface should show it to this caller: enabled when allowed, else disabled with the "
        "reason; false when it is not the caller's to take or not part of the object's present step")})
    permission = fields.String(required=True, metadata={
        "description": "the permission table's action it needs (see docs/permissions.md)"})


def actions(offers, lang: str) -> list[dict]:
    return [{"action": o.key, "allowed": o.allowed, "reason": text(o.reason, lang) if not o.allowed else None,
             "shown": o.shown, "permission": o.permission.key} for o in offers]


# -- forms -----------------------------------------------------------------------------------------

class FieldSpecSchema(ApiSchema):
    name = fields.String(required=True)
    label = fields.String(required=True)
    widget = fields.String(required=True, metadata={"description": "text, textarea, select, checkboxes, date, number, amount (yuan as typed: 5000, 5,000, 5000元), checkbox, lines"})
    required = fields.Boolean(required=True)
    help = fields.String(allow_none=True)
    choices = fields.List(fields.Nested(ChoiceSchema), required=True)
    many = fields.Boolean(required=True, metadata={"description": "the value is a list"})
    min_length = fields.Integer(allow_none=True, metadata={"description": "a text's fewest characters, if the schema says"})
    max_length = fields.Integer(allow_none=True, metadata={"description": "a text's most characters, if the schema says"})


def field_specs(schema_cls, lang: str) -> list[dict]:
    return [{"name": f.name, "label": f.label.render(lang), "widget": f.widget, "required": f.required,
             "help": text(f.help, lang), "choices": choices(f.choices, lang), "many": f.many,
             "min_length": f.min_length, "max_length": f.max_length}
            for f in describe(schema_cls)]
