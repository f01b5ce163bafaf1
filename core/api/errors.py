"""One JSON shape for every API error, in the client's language (zh unless it asks for en):

    {"code": "micro_over_limit", "message": "<summary>", "errors": [violation.as_dict(locale), ...]}

``code`` is the violation's code when there is one problem, otherwise a code for the kind of
failure (``invalid``, ``not_found`` ...). Every 4xx names the field and, where a policy rule
refused, the clause. Users never see a stack trace.

Handlers are registered on the API's blueprints (so the web UI may render its own HTML
errors), plus a path-aware fallback for URLs under /api/ that match no rule at all.
"""
from __future__ import annotations

import logging

from flask import Flask, Response, current_app, g, jsonify, request
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException, default_exceptions

from core.db import RETRY_AFTER, unavailable
from core.door.errors import input_violations
from core.i18n import T, Text
from core.plugin_host.manager import PluginFailure
from core.request_context import locale
from core.services.faults import record_fault
from core.violations import RuleError, Violation

log = logging.getLogger(__name__)
API_PREFIX = "/api/"

# The answer for an HTTP error that carries no violation of its own.
GENERIC: dict[int, tuple[str, Text]] = {
    400: ("bad_request", T("请求格式不正确", "The request is malformed")),
    401: ("unauthenticated", T("请先登录，或提供有效的访问令牌", "Log in first, or send a valid token")),
    403: ("forbidden", T("您无权执行此操作", "You may not do this")),
    404: ("not_found", T("未找到该地址或资源，或您无权查看", "Not found, or you may not see it")),
    405: ("method_not_allowed", T("该地址不支持此请求方法", "This method is not allowed here")),
    406: ("not_acceptable", T("无法以所请求的格式答复", "Cannot answer in the requested format")),
    409: ("conflict", T("与当前状态冲突，请刷新后重试", "This conflicts with the current state; reload and retry")),
    413: ("too_large", T("请求体过大", "The request body is too large")),
    415: ("unsupported_media_type", T("不支持的内容类型", "Unsupported content type")),
    422: ("invalid", T("提交的内容有误", "The input is invalid")),
    429: ("too_many_requests", T("请求过于频繁，请稍后再试", "Too many requests; try again later")),
    500: ("server_error", T("服务器内部错误，已记录；请稍后再试", "Internal error, logged; please try again later")),
}
SUMMARY_CODE = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
                409: "conflict", 413: "too_large", 415: "unsupported_media_type", 422: "invalid",
                503: "unavailable"}
# A database that cannot be reached answers 503 with the code "database_unavailable" and a
# Retry-After (``_database_error``).


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


def summary(violations: list[Violation], lang: str) -> str:
    messages = [v.message.render(lang) for v in violations]
    if len(messages) == 1:
        return messages[0]
    if lang == "en":
        return f"{len(messages)} problems: " + "; ".join(messages[:3]) + ("; ..." if len(messages) > 3 else "")
    return f"共有{len(messages)}处问题：" + "；".join(messages[:3]) + ("……" if len(messages) > 3 else "")


def respond(violations: list[Violation], status: int, *, code: str | None = None,
            headers: dict | None = None) -> Response:
    lang = locale()
    if code is None:
        code = violations[0].code if len(violations) == 1 else SUMMARY_CODE.get(status, "error")
    body = {"code": code, "message": summary(violations, lang), "errors": [v.as_dict(lang) for v in violations]}
    response = jsonify(body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="tongxin"'
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _rule_error(exc: RuleError) -> Response:
    # A refusal may carry headers (a lockout's Retry-After).
    return respond(exc.violations, exc.status, headers=getattr(exc, "headers", None))


def _plugin_failure(exc: PluginFailure) -> Response:
    tenant = g.get("tenant")
    record_fault(current_app.extensions["tongxin"], tenant.id if tenant is not None else None, exc)
    return respond([exc.violation()], 503, headers={"Retry-After": "60"})


def _no_rule_takes_the_path(exc: HTTPException) -> bool:
    """Whether a 405 is really a 404: Werkzeug answers 405 when two rules share a path and the
    id in it fails every rule's converter (``/activities/0`` with a GET and a PUT rule), although
    no method would have found anything there."""
    allowed = [m for m in (getattr(exc, "valid_methods", None) or []) if m not in ("HEAD", "OPTIONS")]
    adapter = current_app.url_map.bind_to_environ(request.environ)
    for method in allowed:
        try:
            adapter.match(method=method)
        except HTTPException as other:
            if other.code != 404:
                return False
        else:
            return False
    return bool(allowed)


def _http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    if status == 405 and _no_rule_takes_the_path(exc):
        status = 404
    data = getattr(exc, "data", None) or {}
    if data.get("exc") is not None and hasattr(data["exc"], "messages"):  # a webargs abort
        return respond(input_violations(data["exc"], data.get("schema")), status)
    code, message = GENERIC.get(status, ("error", T("请求无法处理", "The request cannot be handled")))
    if status == 405:
        message = T(f"该地址不支持 {request.method} 方法", f"{request.method} is not allowed here")
    elif status == 413:
        limit = current_app.config.get("MAX_CONTENT_LENGTH")
        if limit:
            mb = max(1, limit // (1024 * 1024))
            message = T(f"请求体过大（上限约{mb}MB）", f"The request body is too large (limit about {mb} MB)")
    field = "body" if status in (400, 413, 415) else None
    headers = {k: v for k, v in exc.get_headers() if k.lower() == "allow"}
    return respond([Violation(code, message, field=field)], status, code=code, headers=headers)


def _database_error(exc: DBAPIError) -> Response:
    """A database that cannot be reached: 503 ``database_unavailable`` with ``Retry-After``
    (nothing was done; the client tries again). Any other database error is a bug: 500."""
    if not unavailable(exc):
        return _server_error(exc)
    c = g.get("ctx")
    if c is not None:
        try:
            c.session.rollback()
        except Exception:  # noqa: BLE001 - the answer must still be given
            log.exception("rollback failed while answering 503")
    log.warning("the database cannot be reached: %s %s: %s", request.method, request.path, exc.orig)
    message = T(f"数据库暂时无法连接，操作没有完成，请约{RETRY_AFTER}秒后重试",
                f"The database cannot be reached just now; nothing was done. Retry in about {RETRY_AFTER} seconds")
    return respond([Violation("database_unavailable", message)], 503, headers={"Retry-After": str(RETRY_AFTER)})


def _server_error(exc) -> Response:
    original = getattr(exc, "original_exception", None)
    log.error("unhandled error in %s %s", request.method, request.path, exc_info=original or exc)
    code, message = GENERIC[500]
    return respond([Violation(code, message)], 500, code=code)


def attach(bp) -> None:
    """Register the API's handlers on one blueprint (done once, when the blueprint is made)."""
    bp.register_error_handler(RuleError, _rule_error)
    bp.register_error_handler(PluginFailure, _plugin_failure)
    bp.register_error_handler(HTTPException, _http_error)
    bp.register_error_handler(DBAPIError, _database_error)
    # Code-specific handlers the web UI may register on the app come before a blueprint's
    # generic one in Flask's lookup; these keep the API's answers JSON.
    for status in default_exceptions:
        if 400 <= status < 500:
            bp.register_error_handler(status, _http_error)
    bp.register_error_handler(500, _server_error)


def install(app: Flask) -> None:
    """The fallback for URLs under /api/ that match no rule."""

    @app.before_request
    def _unmatched_api_url():
        # A URL under /api/ that matches no rule (or not with this method) belongs to no
        # blueprint, so the handlers above do not see it: answer it here, before any other
        # handler of the app could render HTML for it.
        exc = request.routing_exception
        if exc is not None and is_api_request() and getattr(exc, "code", 0) >= 400:
            return _http_error(exc)
        return None


def json_http_error_or_default(exc: HTTPException):
    """flask-smorest's app-wide HTTPException handler, narrowed to /api/: elsewhere (the web
    UI) the error passes through unchanged for its own pages to render."""
    if is_api_request():
        return _http_error(exc)
    return exc
