"""Every response carries the security headers: every route of the URL map (a new route is
covered by itself), called anonymously with each of its methods, web pages, static files, the
API's JSON, its OpenAPI document and its docs page alike; HSTS over HTTPS."""
from __future__ import annotations

import re

from core.security_headers import API_POLICY, WEB_POLICY

SAMPLE = {"tenant": "jingan", "filename": "swagger-ui.css", "key": "gonghexinlu", "plugin": "gonghexinlu"}
REQUIRED = ("X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy", "Content-Security-Policy")


def _url(rule) -> str:
    values = {}
    for name in rule.arguments - set(rule.defaults or ()):  # a default (an export's fmt) is not in the address
        converter = type(rule._converters[name]).__name__
        values[name] = SAMPLE.get(name, 1 if converter in ("IdConverter", "IntegerConverter") else "x")
        if name == "filename" and "static" in rule.endpoint:
            values[name] = "css/site.css"
    return rule.build(values, append_unknown=False)[1]


def test_every_route_answers_with_the_security_headers(app):
    client = app.test_client()
    covered = 0
    for rule in app.url_map.iter_rules():
        path = _url(rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            r = client.open(path, method=method)
            assert r.status_code < 500, (method, path, r.status_code)
            missing = [h for h in REQUIRED if h not in r.headers]
            assert not missing, (method, path, missing)
            assert r.headers["X-Content-Type-Options"] == "nosniff" and r.headers["X-Frame-Options"] == "DENY"
            assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"], (method, path)
            assert "Strict-Transport-Security" not in r.headers  # plain HTTP: no HSTS
            r.close()
            covered += 1
    assert covered > 150, covered


def test_the_policies_fit_what_each_response_is(client):
    assert client.get("/").headers["Content-Security-Policy"] == WEB_POLICY
    assert client.get("/api/v1/tenants").headers["Content-Security-Policy"] == API_POLICY
    assert client.get("/api/openapi.json").headers["Content-Security-Policy"] == API_POLICY
    docs = client.get("/api/docs")
    policy = docs.headers["Content-Security-Policy"]
    # The docs page runs its own files and its one inline start-up script, allowed by hash; no CDN.
    assert re.search(r"script-src 'self' 'sha256-[A-Za-z0-9+/=]+'", policy), policy
    assert "http" not in policy and "unsafe-inline" not in policy


def test_hsts_over_https(client):
    r = client.get("/", base_url="https://localhost")
    assert r.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert client.get("/api/v1/tenants", base_url="https://localhost").headers["Strict-Transport-Security"]


def test_behind_a_trusted_proxy_https_is_read_from_x_forwarded_proto(settings):
    from core.app import create_app
    settings.proxy_hops = 1
    app = create_app(settings)
    try:
        r = app.test_client().get("/", headers={"X-Forwarded-Proto": "https"})
        assert "Strict-Transport-Security" in r.headers
    finally:
        app.extensions["tongxin"].db.dispose()
