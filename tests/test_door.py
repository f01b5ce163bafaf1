"""The one door: every declared operation is whole (a permission action, a schema whose every
field the service takes), and a web form is read by the same schema as the API's JSON."""
from __future__ import annotations

import inspect

import pytest
from werkzeug.datastructures import MultiDict

from core.door import Flag, Id, InputSchema, Text, Whole, form_values
from core.door.applications import DECIDE_CHANGE
from core.door.catalogue import operations
from core.permissions import A
from core.violations import RuleError
from marshmallow import fields


APPLICATIONS = {"project.create", "project.save_form", "project.budget", "project.attach", "project.submit",
                "project.withdraw", "project.endorse", "review.score", "review.decide", "change.request",
                "change.decide"}


def test_operations_are_declared():
    keys = [op.key for op in operations()]
    assert len(keys) == len(set(keys))
    assert APPLICATIONS <= set(keys)
    assert {op.key for op in operations() if op.service.__module__ in (
        "core.door.applications", "core.services.projects.drafting", "core.services.projects.submission",
        "core.services.review", "core.services.changes", "core.services.endorsement")} == APPLICATIONS


def test_the_api_parses_each_application_operation_with_its_schema(client):
    """The OpenAPI document is generated from what the API parses with: every application
    operation's schema is the request body of one of its endpoints, so the document states the
    limits the operation enforces."""
    spec = client.get("/api/openapi.json").get_json()
    bodies = set()
    for item in spec["paths"].values():
        for operation in (o for o in item.values() if isinstance(o, dict)):
            for content in (operation.get("requestBody") or {}).get("content", {}).values():
                ref = content.get("schema", {}).get("$ref", "")
                bodies.add(ref.rsplit("/", 1)[-1])
    for op in operations():
        if op.key in APPLICATIONS and op.schema is not None:
            name = op.schema.__name__.removesuffix("Schema")
            assert name in bodies, f"{op.key}: no endpoint reads {name}"


@pytest.mark.parametrize("op", operations(), ids=lambda op: op.key)
def test_each_operation_is_whole(op):
    assert op.permission in A.all(), f"{op.key}: its permission is not one of core's actions"
    assert op.summary.zh and op.summary.en
    params = inspect.signature(op.service).parameters
    takes_anything = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    if op.schema is not None and not takes_anything:
        for name, field in op.schema().load_fields.items():
            target = field.attribute or name
            assert target in params, f"{op.key}: the schema's field {name!r} is not a parameter of {op.service.__name__}"


class Sample(InputSchema):
    count = Whole(required=True)
    ref = Id(load_default=None)
    urgent = Flag(load_default=False)
    note = Text(max_length=5, load_default="")
    tags = fields.List(fields.String(), load_default=list)


def test_a_form_is_read_as_the_json_the_schema_loads():
    form = MultiDict([("count", " 12 "), ("urgent", "on"), ("note", ""), ("tags", "a\nb\n\n c ")])
    assert form_values(Sample, form) == {"count": 12, "urgent": True, "tags": ["a", "b", "c"]}
    assert form_values(Sample, MultiDict([("tags", "x"), ("tags", "y")]))["tags"] == ["x", "y"]
    assert form_values(Sample, MultiDict())["urgent"] is False


def test_a_form_is_refused_as_the_json_would_be():
    with pytest.raises(RuleError) as refused:
        DECIDE_CHANGE.from_form(MultiDict([("outcome", "maybe")]))
    assert [v.field for v in refused.value.violations] == ["outcome"]
    assert "approved" in refused.value.violations[0].message.zh
    assert DECIDE_CHANGE.from_form(MultiDict([("outcome", "refused"), ("reason", " 不符合 ")])) == {
        "approve": False, "reason": "不符合"}
    assert DECIDE_CHANGE.load({"outcome": "approved"}) == {"approve": True, "reason": ""}
