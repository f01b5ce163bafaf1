"""Operations: each thing a person can do, declared once (see ``core.door``).

An operation is a value its area module holds, not an entry written into a registry when the
module is imported: the API resource and the web view both take the operation, load their input
with ``op.load`` / ``op.from_form`` and call ``op(...)``; ``core.door.catalogue.operations()``
lists them by reading the area modules, and ``tests/test_door.py`` checks every one (a known
permission action, a schema whose every field is a parameter of the service, unique keys)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from marshmallow import Schema, ValidationError
from werkzeug.datastructures import MultiDict

from core.door.errors import input_status, input_violations
from core.door.forms import form_values
from core.i18n import Text
from core.permissions import Action
from core.violations import RuleError

@dataclass(frozen=True)
class Operation:
    """One declared operation. ``service(ctx, *ids, **values)`` does it; ``ids`` are the objects
    the URL names (a project's id), ``values`` what ``schema`` loaded."""

    key: str
    permission: Action
    schema: type[Schema] | None
    service: Callable[..., Any]
    summary: Text

    def load(self, data: Any) -> dict[str, Any]:
        """``data`` (JSON-shaped) loaded by the schema: typed values, or a ``RuleError`` (422)
        naming each field and its rule."""
        return load(self.schema, data) if self.schema is not None else {}

    def from_form(self, form: MultiDict, files: MultiDict | None = None, **extra) -> dict[str, Any]:
        """A posted HTML form loaded by the same schema the API uses; ``extra`` adds values the
        form does not carry as plain inputs (a nested object the view assembled)."""
        if self.schema is None:
            return {}
        return load(self.schema, {**form_values(self.schema, form, files), **extra})

    def __call__(self, ctx, *ids, **values):
        return self.service(ctx, *ids, **values)


def load(schema: type[Schema], data: Any) -> dict[str, Any]:
    try:
        return schema().load(data)
    except ValidationError as err:
        violations = input_violations(err, schema())
        raise RuleError(violations, status=input_status(violations)) from None


def declare(key: str, permission: Action, schema: type[Schema] | None, service: Callable[..., Any],
            summary: Text) -> Operation:
    """Declare an operation: the area module keeps it under a name of its own."""
    return Operation(key, permission, schema, service, summary)
