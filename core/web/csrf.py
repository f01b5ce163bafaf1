"""Cross-site request forgery protection for the web forms: a random token kept in the signed
session cookie and echoed by every form; a POST without the matching token is refused.
(No extra dependency: this is all Flask-WTF's CSRF does for plain forms.)"""
from __future__ import annotations

import hmac
import secrets

from flask import request, session

from core.i18n import T
from core.violations import RuleError, Violation

FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class CsrfRefused(RuleError):
    status = 400

    def __init__(self):
        super().__init__(Violation("csrf", T("页面已过期或来源不明，请返回上一页刷新后重新提交。",
                                             "This page has expired or did not come from this site. Go back, reload and try again."),
                                   field=FIELD))


def token() -> str:
    value = session.get("csrf")
    if not value:
        value = session["csrf"] = secrets.token_urlsafe(32)
    return value


def renew() -> None:
    """A new token, e.g. after signing in, so a token seen before login is worthless after."""
    session["csrf"] = secrets.token_urlsafe(32)


def check() -> None:
    if request.method not in UNSAFE:
        return
    expected = session.get("csrf") or ""
    sent = request.form.get(FIELD) or request.headers.get(HEADER) or ""
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise CsrfRefused()
