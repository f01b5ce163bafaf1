"""Cross-site request forgery on the API: a write (POST, PUT, PATCH, DELETE under ``/api/``)
authenticated by the web session's cookie instead of a bearer token must prove it comes from this
site's own pages: the CSRF token in the ``X-CSRF-Token`` header (the token the web forms carry),
or an ``Origin`` (failing that, a ``Referer``) that is this site's own origin.

Why SameSite=Lax is not enough: "site" ignores the port and subdomains, so a page served on
another port of the same host is *same-site* and its form posts and ``no-cors`` fetches carry the
cookie; and such a request may carry any body type a form can send (empty, url-encoded,
multipart), so "the API only reads JSON" is no defence either. The check looks at headers only,
never at the body, and happens before the body is read.

A bearer token is not sent by a browser on its own, so token-authenticated writes need neither.
"""
from __future__ import annotations

import hmac
from urllib.parse import urlsplit

from flask import Flask, request, session

from core import request_context
from core.i18n import T
from core.violations import RuleError, Violation
from core.web import csrf


class CrossSiteWrite(RuleError):
    status = 403

    def __init__(self):
        super().__init__(Violation("csrf", T(
            "来源不明的写操作已拒绝：使用登录 Cookie 调用接口时，请在请求头 X-CSRF-Token 中提供页面的令牌，"
            "或从本站页面发起（Origin 与本站一致），或改用访问令牌（Authorization: Bearer ...）。",
            "A write of unknown origin was refused: with the sign-in cookie, send the page's token in the "
            "X-CSRF-Token header, or call from this site's own pages (a matching Origin), or use a token "
            "(Authorization: Bearer ...)."), field=csrf.HEADER))


def _origin(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def own_origins() -> set[str]:
    """This site's origins: the one the request was addressed to, and the configured public URL."""
    found = {_origin(request.host_url), _origin(request_context.platform().settings.public_url)}
    return {o for o in found if o}


def check() -> None:
    if request.method not in csrf.UNSAFE or not request.path.startswith("/api/") or request.url_rule is None:
        return  # (an unmatched URL is answered 404/405 by the API's own handler)
    if request.headers.get("Authorization", "").lower().startswith("bearer "):
        return  # not the cookie's authority (and a bad token is refused as such)
    if not session.get("sid"):
        return  # no signed-in cookie: the request acts as nobody
    expected, sent = session.get("csrf") or "", request.headers.get(csrf.HEADER) or ""
    if expected and sent and hmac.compare_digest(sent.encode(), expected.encode()):
        return
    origin = request.headers.get("Origin")
    # "null" (a sandboxed frame, a redirect across sites) is no origin at all: refused.
    source = _origin(origin) if origin else _origin(request.headers.get("Referer"))
    if source is not None and source in own_origins():
        return
    raise CrossSiteWrite()


def init_app(app: Flask) -> None:
    app.before_request(check)
