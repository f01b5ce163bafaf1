"""Errors as pages people can act on, in their language, never a stack trace.

- ``RuleError`` that a view did not handle itself (not found, forbidden, unknown tenant, an
  expired form) → a page listing each reason with its clause, with the error's status;
- ``PluginFailure`` → recorded for the tenant's administrators
  (``core.services.faults.record_fault``) and a friendly 503;
- 400/403/404/405/413/500 → Chinese (or English) pages;
- a database that cannot be reached (``core.db.unavailable``) → 503 with ``Retry-After``, a
  page that needs no database and reloads itself, so it recovers by itself when the database is
  back.

Requests under ``/api/`` are left to the API's own handlers: when the API registered app-wide
handlers before us they are called, otherwise a minimal JSON body is returned.
"""
from __future__ import annotations

import logging

from flask import Flask, current_app, g, jsonify, render_template, request, url_for
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException

from core import request_context
from core.db import RETRY_AFTER, unavailable
from core.i18n import T, Text
from core.plugin_host.manager import PluginFailure
from core.services.faults import record_fault
from core.violations import RuleError, Violation

log = logging.getLogger(__name__)

HTTP_TEXT = {
    400: (T("请求有误", "Bad request"), T("请求无法处理，请返回上一页重试。", "The request could not be processed. Go back and try again.")),
    403: (T("无权访问", "Forbidden"), T("您没有权限查看或操作此页面。", "You may not see or do this.")),
    404: (T("页面不存在", "Page not found"), T("您要找的页面不存在，或您无权查看。", "The page does not exist, or you may not see it.")),
    405: (T("操作方式不正确", "Method not allowed"), T("此页面不支持该操作方式。", "This page does not accept that kind of request.")),
    409: (T("状态冲突", "Conflict"), T("当前状态下不能进行该操作。", "This cannot be done in the current state.")),
    413: (T("文件过大", "File too large"), T("上传的内容超过了允许的大小，请压缩或拆分后重试。", "The upload is larger than allowed. Make it smaller and try again.")),
    415: (T("文件类型不符", "Unsupported file type"), T("不接受该类型的文件。", "This file type is not accepted.")),
    422: (T("内容有误", "Please check the input"), T("提交的内容有问题，请按提示修改。", "Please correct the input as described.")),
    500: (T("系统出错", "Server error"), T("系统出现意外错误，已记录。请稍后重试。", "Something went wrong on our side and was logged. Please try again later.")),
    503: (T("暂时无法提供服务", "Temporarily unavailable"), T("该功能暂时不可用，请稍后再试。", "This is temporarily unavailable. Please try again later.")),
}


def _is_api() -> bool:
    return request.path.startswith("/api/")


def _rollback() -> None:
    """Discard the request's unfinished work before rendering anything else."""
    c = g.get("ctx")
    if c is not None:
        try:
            c.session.rollback()
        except Exception:  # noqa: BLE001 - the page must still render
            log.exception("rollback failed while rendering an error page")


def _page(status: int, violations: list[Violation] | None = None, title: Text | None = None):
    heading, text = HTTP_TEXT.get(status, HTTP_TEXT[500 if status >= 500 else 400])
    return render_template("errors/error.html", status=status, heading=title or heading, text=text,
                           violations=violations or []), status


def _json(status: int, violations: list[Violation]):
    loc = request_context.locale()
    return jsonify({"status": status, "errors": [v.as_dict(loc) for v in violations]}), status


def init_app(app: Flask) -> None:
    spec = app.error_handler_spec.setdefault(None, {})
    # Handlers the API registered app-wide before us, kept for /api/ requests.
    api_rule = spec.get(None, {}).get(RuleError)
    api_failure = spec.get(None, {}).get(PluginFailure)
    api_http = {code: spec.get(code, {}) for code in HTTP_TEXT}

    @app.errorhandler(RuleError)
    def _rule_error(err: RuleError):
        _rollback()
        if _is_api():
            return api_rule(err) if api_rule else _json(err.status, err.violations)
        return _page(err.status, err.violations)

    @app.errorhandler(PluginFailure)
    def _plugin_failure(err: PluginFailure):
        _rollback()
        tenant = request_context.tenant()
        record_fault(app.extensions["tongxin"], tenant.id if tenant else None, err)
        if _is_api():
            return api_failure(err) if api_failure else _json(503, [err.violation()])
        return _page(503, [err.violation()])

    def _http_error(err: HTTPException):
        code = err.code or 500
        if _is_api():
            previous = next((h for cls, h in api_http.get(code, {}).items() if isinstance(err, cls)), None)
            if previous is not None:
                return previous(err)
            return _json(code, [Violation(f"http_{code}", HTTP_TEXT.get(code, HTTP_TEXT[500])[1])])
        if code >= 500:
            _rollback()
        return _page(code)

    @app.errorhandler(DBAPIError)
    def _database_error(err: DBAPIError):
        if not unavailable(err):
            raise err  # a statement that failed: a bug, answered as 500 and logged
        _rollback()
        log.warning("the database cannot be reached: %s %s: %s", request.method, request.path, err.orig)
        if _is_api():  # the API's blueprints answer their own; a URL of none gets the same shape
            response, status = _json(503, [DATABASE_DOWN])
            response.headers["Retry-After"] = str(RETRY_AFTER)
            return response, status
        return unavailable_page()

    for code in HTTP_TEXT:
        if code in (409, 415, 422, 503):
            continue  # raised as RuleError / PluginFailure, not as HTTP exceptions
        app.register_error_handler(code, _http_error)


DATABASE_DOWN = Violation("database_unavailable", T(
    f"数据库暂时无法连接，您的操作没有完成，请约{RETRY_AFTER}秒后重试。",
    f"The database cannot be reached just now; nothing was done. Please try again in about {RETRY_AFTER} seconds."))


def unavailable_page():
    """The 503 page of a database that cannot be reached: rendered without the site's context
    processors (they ask the database); a page that was read reloads itself after
    ``Retry-After``, a form that was sent offers the way back to it (reloading would not send it)."""
    loc = request_context.locale()
    reading = request.method in ("GET", "HEAD")
    heading, _ = HTTP_TEXT[503]
    html = current_app.jinja_env.get_template("errors/unavailable.html").render(
        locale=loc, retry_after=RETRY_AFTER if reading else None, heading=heading.render(loc), text=DATABASE_DOWN.message.render(loc),
        site=T("同心 · 社区自治项目平台", "Tongxin community projects").render(loc),
        stylesheet=url_for("static", filename="css/site.css"), again=request.full_path.rstrip("?") if reading else (request.referrer or "/"),
        retry_label=T("重试", "Try again").render(loc))
    return html, 503, {"Retry-After": str(RETRY_AFTER)}
