"""The OpenAPI document describes every endpoint the API serves."""
from __future__ import annotations

import re

from flask import Flask

from core.api import DOCS_ASSETS

RULE_VARIABLE = re.compile(r"<(?:[^<>:]+:)?([^<>:]+)>")
NOT_OPERATIONS = {"HEAD", "OPTIONS"}


def undocumented(app: Flask, spec: dict) -> list[str]:
    """Every (method, URL rule) under /api that the document does not describe. The
    documentation's own endpoints (the JSON, the Swagger UI page and its files) are not API
    operations."""
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api") or rule.endpoint.startswith("api-docs.") or rule.endpoint == DOCS_ASSETS:
            continue
        path = RULE_VARIABLE.sub(r"{\1}", rule.rule)
        described = spec["paths"].get(path, {})
        for method in sorted((rule.methods or set()) - NOT_OPERATIONS):
            if method.lower() not in described:
                missing.append(f"{method} {rule.rule}")
    return missing


def test_every_api_rule_is_in_the_openapi_document(app, client):
    r = client.get("/api/openapi.json")
    assert r.status_code == 200 and r.mimetype == "application/json"
    spec = r.get_json()
    assert spec["openapi"].startswith("3.")
    api_rules = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1")]
    assert len(api_rules) >= 20  # the check below really looks at the API
    assert undocumented(app, spec) == []


def test_the_check_notices_an_undocumented_rule(app, client):
    app.add_url_rule("/api/v1/t/<tenant>/secret", "secret", lambda: "", methods=["GET", "POST"])
    spec = client.get("/api/openapi.json").get_json()
    assert undocumented(app, spec) == ["GET /api/v1/t/<tenant>/secret", "POST /api/v1/t/<tenant>/secret"]


def test_operations_are_described_with_parameters_schemas_and_security(client):
    spec = client.get("/api/openapi.json").get_json()
    schemes = spec["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {"type": "http", "scheme": "bearer", "bearerFormat": "txn_..."}
    assert schemes["cookieAuth"]["in"] == "cookie"
    error = spec["components"]["schemas"]["Error"]
    assert set(error["properties"]) == {"code", "message", "errors"}
    for path, item in spec["paths"].items():
        names = re.findall(r"\{(\w+)\}", path)
        params = {p["name"]: p for p in item.get("parameters", [])}
        for name in names:  # every path variable, tenant included, is a documented path parameter
            assert params[name]["in"] == "path" and params[name]["required"], (path, name)
        for method, op in item.items():
            if method == "parameters":
                continue
            assert op.get("summary"), (method, path)
            assert "default" in op["responses"], (method, path)
            success = [code for code in op["responses"] if code.startswith("2")]
            assert success, (method, path)
            if method in ("post", "put", "delete") and not path.endswith("/auth/token"):
                assert {"bearerAuth": []} in op.get("security", []), (method, path)
            if method in ("post", "put") and "requestBody" in op:
                content = op["requestBody"]["content"]
                assert set(content) <= {"application/json", "multipart/form-data"}, (method, path)
    tenant = next(p for p in spec["paths"]["/api/v1/t/{tenant}/projects"]["parameters"] if p["name"] == "tenant")
    assert tenant["schema"]["type"] == "string"
    upload = spec["components"]["schemas"]["AttachmentUpload"]["properties"]["file"]
    assert upload == {"type": "string", "format": "binary"}
    listing = spec["paths"]["/api/v1/t/{tenant}/projects"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {"programme_id", "state", "track", "applicant_unit_id", "page", "page_size"}
    assert "X-Total-Count" in listing["responses"]["200"]["headers"]


def test_web_pages_keep_their_own_errors(client):
    # The API's JSON errors are for /api/ only; flask-smorest's app-wide handler is narrowed.
    r = client.get("/definitely-not-a-page")
    assert r.status_code == 404 and r.mimetype != "application/json"


def test_the_swagger_ui_needs_no_cdn(client):
    page = client.get("/api/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/api/openapi.json" in html
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/api/docs/assets/") for s in sources), sources
    for source in sources:
        r = client.get(source)
        assert r.status_code == 200 and len(r.data) > 1000, source
        r.close()
