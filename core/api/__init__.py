"""The REST API (flask-smorest), described by OpenAPI at /api/openapi.json.

Tenant-scoped resources live under ``/api/v1/t/<tenant>/...``; ``core.request_context`` turns the
``tenant`` URL variable into the request's tenant. Clients authenticate with a bearer token
(``POST /api/v1/t/<tenant>/auth/token``) or the web UI's session cookie; a write by cookie needs
the page's CSRF token or this site's Origin (``cookie_writes``). Views call the
services in ``core.services`` with the request's Ctx and commit after a successful change.
One module per resource; errors are rendered by ``core.api.errors``.
"""
from __future__ import annotations

from flask import Flask, send_from_directory
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from core.api import cookie_writes, errors, json_body
from core.api.base import BEARER, COOKIE, register_converters
from core.api.refusals import RefusalsPlugin
from core.api.shapes import ErrorSchema
from core.money import MAX_TEXT

DESCRIPTION = """\
同心 Tongxin: community self-governance projects for district bureaus and their streets.

- Tenant-scoped URLs start with `/api/v1/t/{tenant}/`; `GET /api/v1/tenants` lists the tenants.
- Authenticate with `POST /api/v1/t/{tenant}/auth/token` and send `Authorization: Bearer txn_...`. A token
  expires (`expires_in_days`, default and maximum set by the deployment); an expired or revoked one is a 401
  that says so. Failed attempts are limited per account and per address: past the limit, 429 with `Retry-After`.
- A write authenticated by the web's session cookie instead (this site's own pages) needs the page's token in
  `X-CSRF-Token` or an `Origin` of this site; otherwise 403 `csrf`.
- Errors: `{"code", "message", "errors": [{"code", "field", "message", "clause", "severity", "approver"}]}`,
  in Chinese unless the client asks for English (`Accept-Language: en` or `?lang=en`). Each operation
  lists, per status, the codes it refuses with; a policy's refusal cites its clause.
- A JSON body is UTF-8, at most %(json_kib)d KiB, nested at most %(json_depth)d levels and at most %(json_values)s values; anything
  else is a 400 (`malformed_json`, `json_too_deep`, `json_too_many_values`) or a 413 (`body_too_large`).
- Money is yuan as an office types it ("4800.50", "5,000", "5000元", "0.5万"; at most two decimals of yuan,
  at most %(max_yuan)s; full-width digits and spaces around it are read too) or integers; floats are refused.
  Amounts are answered as plain decimal strings ("4800.50").
- Timestamps are RFC 3339 with their offset (`2023-03-15T09:30:00+00:00`).
- Unknown query parameters are ignored; unknown fields of a body are refused.
- Lists that can grow are pages: `?page=1&page_size=20` (1..100), answered as
  `{"items", "total", "page", "page_size", "pages"}` with the total also in `X-Total-Count`.
- Projects, fund requests, batches and due items (obligations) say what the caller may do with them now:
  `"actions": [{"action", "allowed", "reason", "shown", "permission"}]` (the web shows the same buttons).
- Money moved for a fund request or a batch (disbursement, expense, refund) answers 201 with the request or
  batch and the ledger `entries` posted.
- Every operation that records money (a fund request, an expense, a refund, a pledge, money received, an
  allocation, a transfer, a correction) requires an idempotency key in its body's `key` field (a form field
  of a multipart body): make one per new record (a UUID will do) and send the same one when you send the
  same request again (a retry after a timeout, a double click). The same key with the same input records
  nothing new and answers what the first answered (the same status and object); the same key with other
  input is a 409 `idempotency_conflict`; a body without `key` is a 400 `idempotency_key_required`. A key is
  the tenant's and names one record of its kind (a fund request, a pledge, a ledger posting). A
  disbursement names no key: the request (or batch) is its own, and a second one is refused (409
  `already_disbursed`, `nothing_to_disburse`).
""" % {"json_kib": json_body.MAX_BYTES // 1024, "json_depth": json_body.MAX_DEPTH,
       "json_values": f"{json_body.MAX_VALUES:,}", "max_yuan": MAX_TEXT}


class TongxinApi(Api):
    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self):
        # flask-smorest's own handler would turn every HTTP error of the app, web pages
        # included, into JSON; this one only answers for /api/.
        self._app.register_error_handler(HTTPException, errors.json_http_error_or_default)


def policy_rule_codes(host) -> list[str]:
    """The codes the installed policies' rules refuse with (``PolicyInfo.rule_codes``)."""
    return sorted({code for policy in host.policies.values() for code in policy.info.rule_codes})


DOCS_ASSETS = "api_docs_assets"  # the endpoint serving the Swagger UI's own files


def _swagger_ui(app: Flask) -> None:
    """An interactive page at /api/docs, served entirely from the installed swagger-ui-bundle
    package (users' networks may be closed: no CDN). Without the package, only the JSON."""
    try:
        from swagger_ui_bundle import swagger_ui_path
    except ImportError:
        return
    app.config.setdefault("OPENAPI_SWAGGER_UI_PATH", "docs")
    app.config.setdefault("OPENAPI_SWAGGER_UI_URL", "/api/docs/assets/")

    def asset(filename):
        return send_from_directory(str(swagger_ui_path), filename, max_age=86400)

    app.add_url_rule("/api/docs/assets/<path:filename>", DOCS_ASSETS, asset)


def init_app(app: Flask) -> None:
    """Registered by the app factory."""
    from core.api import (
        audit,
        auth,
        changes,
        delivery,
        disclosure,
        endorsements,
        fund_request_batches,
        fund_requests,
        funds,
        handovers,
        inbox,
        notifications,
        obligations,
        org_units,
        people_registry,
        plugin_settings,
        plugins,
        programmes,
        projects,
        review,
        sponsors,
        tenants,
    )
    from core.api import closeout, supervision  # supervision, the archive and the close-out
    from core.api import accounts  # accounts: passwords, second factor, the offices' accounts
    from core.api import activity_changes, mail  # correcting activity records; failed mail sent again

    for key, value in {
        "API_TITLE": "Tongxin (同心) API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api",
        "OPENAPI_JSON_PATH": "openapi.json",
        "API_SPEC_OPTIONS": {"info": {"description": DESCRIPTION}},
    }.items():
        app.config.setdefault(key, value)

    _swagger_ui(app)
    host = app.extensions["tongxin"].host
    api = TongxinApi(app, spec_kwargs={"extra_plugins": [RefusalsPlugin(lambda: policy_rule_codes(host))]})
    api.spec.components.security_scheme(BEARER, {"type": "http", "scheme": "bearer", "bearerFormat": "txn_..."})
    api.spec.components.security_scheme(COOKIE, {"type": "apiKey", "in": "cookie", "name": app.config.get("SESSION_COOKIE_NAME", "session")})
    register_converters(app, api)

    blueprints = [tenants.blp, plugins.blp, auth.blp, org_units.blp, plugin_settings.blp, programmes.blp,
                  projects.blp, review.blp, endorsements.blp, changes.blp, audit.blp, notifications.blp,
                  funds.blp, fund_requests.blp, fund_request_batches.blp, sponsors.blp, disclosure.blp,
                  inbox.blp, handovers.blp,  # inbox: to-dos, notifications, roles handed over
                  delivery.blp, people_registry.blp,  # delivery: plan tasks, activity records, people
                  supervision.blp, closeout.blp,  # supervision, the archive and the close-out
                  obligations.blp,  # reporting: obligations and their reports
                  accounts.blp,  # accounts: passwords, second factor, the offices' accounts
                  activity_changes.blp, mail.blp]  # correcting activity records; failed mail sent again
    errors.install(app)
    cookie_writes.init_app(app)  # cookie-authenticated writes must come from this site's pages
    for blp in blueprints:
        api.register_blueprint(blp)
    accounts.init_app(app)  # a one-time password is changed first
    app.extensions["tongxin_api"] = api
