"""Schema-driven fuzzing: every operation of the served OpenAPI document (/api/openapi.json), driven by
schemathesis in-process (WSGI) on the production profile, as an office user (ghxl_admin) and as a
neighbourhood user (luochuan) of a test world with money in it (tests/money_factories.build).

What the document promises is what the server does:
- no input of any shape gives a server error;
- every response matches the documented schema of its status (and content type);
- input the document calls valid is accepted, or refused by a business rule whose code the document
  lists for that operation and status (core.api.refusals), never by the operation's own input schema;
- input the document calls invalid is refused (4xx).

Bounded and deterministic: a fixed number of derandomized examples per operation, mode and user
(about two minutes on two cores). The fuzzer's view of the document differs from the served one
only to reach real rows instead of 404s: the tenant is the world's ``jingan``; for valid input, an id in a URL names
one of the tenant's rows (ids in a body range over the first ``ID_CAP``), plugin names and form keys
are those that exist, and the tokens the run signs in with are out of reach of the token-revoking
operation.
"""
from __future__ import annotations

import copy
import json
import time
from collections import Counter
from dataclasses import dataclass

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.core.failures import FailureGroup
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
)
from sqlalchemy import select

from core.api.base import ID_MAX, INPUT_CODE
from core.models import (
    Attachment,
    ChangeRequest,
    Fund,
    FundRequest,
    FundRequestBatch,
    LedgerEntry,
    OrgUnit,
    Pledge,
    Programme,
    Project,
    Sponsor,
)
from tests.clients import login
from tests.factories import PASSWORD, acting
from tests.money_factories import build
from tests.security.routes import record_counts

pytestmark = pytest.mark.postgres

USERS = ("ghxl_admin", "luochuan")
TENANT = "jingan"
ID_CAP = 24            # ids the fuzzer uses for valid input: most of the world's and the scenario's rows
EXAMPLES = 12          # per operation, generation mode and user
SPARE_TOKENS = 3       # per user: what DELETE /auth/tokens/{id} may revoke without ending the run


@dataclass(frozen=True)
class Finding:
    kind: str          # server_error | schema_violation | valid_refused | unlisted_code | invalid_accepted
    user: str
    operation: str
    mode: str
    detail: str


# Path parameters naming rows, and the rows they name.
ROWS = {"project_id": Project, "unit_id": OrgUnit, "programme_id": Programme, "fund_id": Fund,
        "entry_id": LedgerEntry, "request_id": FundRequest, "batch_id": FundRequestBatch, "pledge_id": Pledge,
        "sponsor_id": Sponsor, "attachment_id": Attachment, "change_id": ChangeRequest}


def world_ids(platform) -> dict[str, list[int]]:
    """The ids of the tenant's rows, by path parameter: valid input names them."""
    with acting(platform, TENANT, None) as ctx:
        found = {name: list(ctx.session.scalars(select(model.id).order_by(model.id)))
                 for name, model in ROWS.items()}
    return {name: ids for name, ids in found.items() if ids}


def fuzz_view(spec: dict, path_values: dict[str, list], *, narrow_ids: bool) -> dict:
    """The served document as the fuzzer sees it: the tenant fixed and the other path parameters
    naming what exists (see the module's docstring); for valid input, ids in queries and bodies
    narrowed to ``ID_CAP`` as well. Invalid queries and bodies keep the served limits: an id above
    ``ID_CAP`` is no less valid for being out of the fuzzer's reach."""
    view = copy.deepcopy(spec)

    def narrow(node):
        if isinstance(node, dict):
            if node.get("type") == "integer" and node.get("maximum") == ID_MAX:
                node["maximum"] = ID_CAP
            for value in node.values():
                narrow(value)
        elif isinstance(node, list):
            for value in node:
                narrow(value)

    if narrow_ids:
        narrow(view)
    for item in view["paths"].values():
        for parameter in item.get("parameters", []):
            values = [TENANT] if parameter["name"] == "tenant" else path_values.get(parameter["name"])
            if values:
                parameter["schema"] = {"type": "integer" if isinstance(values[0], int) else "string", "enum": values}
    return view


def documented_codes(operation: dict, status: int) -> set[str] | None:
    """The codes the document lists for ``status`` (None: the status is not documented itself)."""
    response = operation["responses"].get(str(status))
    if response is None:
        return None
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    parts = schema.get("allOf", [{}, {}])
    return set(parts[1].get("properties", {}).get("code", {}).get("enum", ()))


def classify(raw_operation: dict, case, mode: GenerationMode, response) -> tuple[str, str] | None:
    """What is wrong with this answer, by the module's rules (schema conformance apart)."""
    status = response.status_code
    if status >= 500:
        return "server_error", f"{status} {response.text[:300]}"
    if mode == GenerationMode.NEGATIVE:
        # A path "made invalid" against the fuzzer's narrowed view may still name another row the
        # served document allows; anything really invalid there cannot reach a view (a 404).
        if status < 400 and not case.meta.is_negative_at(ParameterLocation.PATH):
            sent = response.request.body
            return "invalid_accepted", f"{status} (sent {sent[:300] if sent else sent!r})"
        return None
    if status < 400:
        return None
    try:
        body = response.json()
    except ValueError:
        return "schema_violation", f"{status} not JSON: {response.text[:200]}"
    codes = {body.get("code")} | {e.get("code") for e in body.get("errors", [])}
    if INPUT_CODE in codes or body.get("code") in ("malformed_json", "json_too_deep", "json_too_many_values"):
        return "valid_refused", f"{status} {json.dumps(body, ensure_ascii=False)[:400]}"
    listed = documented_codes(raw_operation, status)
    if listed is None or not codes <= listed:
        return "unlisted_code", f"{status} {sorted(codes - (listed or set()))} not in {sorted(listed or ())}"
    return None


def run_fuzz(app, client, platform) -> tuple[list[Finding], Counter]:
    tokens = {user: login(client, user) for user in USERS}
    spare = [client.post(f"/api/v1/t/{TENANT}/auth/token", json={"username": user, "password": PASSWORD}).get_json()["id"]
             for user in USERS for _ in range(SPARE_TOKENS)]
    spec = client.get("/api/openapi.json").get_json()
    programmes = client.get(f"/api/v1/t/{TENANT}/programmes").get_json()["items"]
    path_values = {
        "token_id": spare,
        "plugin_name": [p["name"] for p in client.get("/api/v1/-/plugins.json").get_json()["plugins"]],
        "form_key": sorted({f["key"] for p in programmes
                            for f in client.get(f"/api/v1/t/{TENANT}/programmes/{p['id']}").get_json()["forms"]}),
        **world_ids(platform),
    }
    views = {mode: _load(fuzz_view(spec, path_values, narrow_ids=mode == GenerationMode.POSITIVE), app)
             for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)}
    findings: list[Finding] = []
    calls: Counter = Counter()
    for path, item in spec["paths"].items():
        for method, raw in item.items():
            if method == "parameters":
                continue
            label = f"{method.upper()} {path}"
            for user in USERS:
                for mode, schema in views.items():
                    if mode == GenerationMode.NEGATIVE and not _can_be_invalid(raw):
                        continue
                    operation = schema[path][method.upper()]
                    _explore(operation, raw, label, user, mode, tokens[user], findings, calls)
    return findings, calls


def _load(view: dict, app):
    schema = schemathesis.openapi.from_dict(view)
    schema.app = app
    # The run signs in itself (the headers it sends): no generated credentials in their place.
    # Unknown query parameters are ignored by the API (its description says so), so adding some
    # does not make a request invalid.
    schema.config.generation.update(with_security_parameters=False, allow_extra_parameters=False)
    return schema


def _can_be_invalid(raw: dict) -> bool:
    return bool(raw.get("parameters") or raw.get("requestBody"))


def _explore(operation, raw, label, user, mode, headers, findings, calls) -> None:
    seen: set[tuple] = set()

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    def explore(case):
        calls[mode.value] += 1
        try:
            response = case.call(headers=headers)
        except Exception as exc:  # noqa: BLE001 - the in-process transport re-raises what the view raised
            problems = [("server_error", f"{type(exc).__name__}: {str(exc)[:300]}")]
        else:
            problems = [classify(raw, case, mode, response)]
            if response.status_code < 500:
                problems.append(_conformance(case, response))
        for problem in filter(None, problems):
            if (problem[0], problem[1][:80]) not in seen:
                seen.add((problem[0], problem[1][:80]))
                findings.append(Finding(problem[0], user, label, mode.value, f"{problem[1]} ← {_sent(case)}"))

    explore()


def _sent(case) -> str:
    """What the case sent, briefly (for the report)."""
    body = getattr(case, "body", None)
    if isinstance(body, (dict, list)):
        text = json.dumps(body, ensure_ascii=False, default=repr)
    else:
        text = "-" if type(body).__name__ == "NotSet" else repr(body)
    return f"path={case.path_parameters} query={case.query} body={text[:200]}"


def _conformance(case, response) -> tuple[str, str] | None:
    try:
        case.validate_response(response, checks=[response_schema_conformance, content_type_conformance,
                                                 response_headers_conformance])
    except FailureGroup as group:
        return "schema_violation", "; ".join(f"{f.title}: {f.message}" for f in group.exceptions)[:600]
    return None


def test_every_operation_holds_to_its_document(app, platform):
    build(platform)
    client = app.test_client()
    started = time.monotonic()
    findings, calls = run_fuzz(app, client, platform)
    took = time.monotonic() - started
    counts = Counter(f.kind for f in findings)
    report = "\n".join(f"{f.kind}: {f.user} {f.mode} {f.operation}: {f.detail}" for f in findings[:60])
    print(f"\nfuzz: {sum(calls.values())} calls ({dict(calls)}) in {took:.0f}s; findings {dict(counts)}\n{report}")
    record_counts({"fuzz_cases": sum(calls.values()), "fuzz_findings": len(findings)})  # scripts/test prints them
    assert sum(calls.values()) > 400  # the run really exercised the API
    assert findings == [], f"{dict(counts)}\n{report}"
