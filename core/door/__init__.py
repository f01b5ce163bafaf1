"""The one door every action goes through.

An *operation* is one thing a person (or a task) can do: file a fund request, decide an
application, record a pledge's receipt. It is declared once, in the module of its area
(``core.door.projects``, ``core.door.money``, ...), with

- a typed ``key`` (``"fund_request.file"``),
- the permission table's ``Action`` that guards it (``core.permissions``; the service asks
  ``ctx.require`` with it, the web and the API show it through ``core.services.actions``),
- one input schema (``InputSchema``): the API parses the request with it (and the OpenAPI document
  is generated from it, so the document states the limits that are enforced) and the web parses
  the posted form with the very same schema (``form_values`` turns an HTML form into the data the
  schema loads), so a length, a pattern, a range or a required field is written once;
- the one service function that does it, taking the schema's loaded, typed values as keyword
  arguments (a test checks that every field of the schema is a parameter of the service).

The calendar (which phases allow the action, and how firmly) and the business rules stay in the
service, which both faces call: a rule is never written in a view.

    op = projects.REQUEST_CHANGE
    values = op.load(data)                # or op.from_form(request.form, request.files)
    change = op(ctx, project_id, **values)

Every declared operation is listed by ``core.door.catalogue.operations()``, which reads every
area (and so the services behind them); this package itself stays light enough for any layer's
schemas to import.
"""
from __future__ import annotations

from core.door.fields import (
    FileField,
    Flag,
    Id,
    InputSchema,
    Month,
    OverrideReason,
    Pattern,
    QueryId,
    QueryWhole,
    RecordKey,
    RequestKey,
    Text,
    Verdict,
    Whole,
    Yuan,
)
from core.door.forms import form_values
from core.door.operations import Operation, declare, load

__all__ = [
    "FileField", "Flag", "Id", "InputSchema", "Month", "Operation", "OverrideReason", "Pattern", "QueryId", "QueryWhole",
    "RecordKey", "RequestKey", "Text", "Verdict", "Whole", "Yuan", "declare", "form_values", "load",
]
