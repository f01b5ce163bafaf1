"""Security headers on every response of the app: the web pages, their static files, the API's
JSON, its OpenAPI document and its docs page.

- ``X-Content-Type-Options: nosniff``: a file is what its type says (an upload is never run as script);
- framing refused twice (``frame-ancestors 'none'`` and ``X-Frame-Options: DENY``): no clickjacking;
- ``Referrer-Policy: same-origin``: a page's address (with ids in it) is not sent to other sites;
- ``Content-Security-Policy``: every asset is served from here (no CDN, users' networks may be
  closed), no inline script on the web pages; the API's JSON may load nothing at all; the docs page
  (Swagger UI, from the installed swagger-ui-bundle) may run its own files and its one inline
  start-up script, allowed by the script's hash, taken from the page as served;
- ``Strict-Transport-Security`` when the request came over HTTPS (directly, or through the proxies
  ``Settings.proxy_hops`` trusts): browsers then never try plain HTTP again.
"""
from __future__ import annotations

import base64
import hashlib
import re

from flask import Flask, Response, request

WEB_POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
              "form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'")
API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
DOCS_POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self' {hashes}; "
               "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'")
HSTS = "max-age=31536000; includeSubDomains"
INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)


def policy_for(path: str, response: Response) -> str:
    if not path.startswith("/api/"):
        return WEB_POLICY
    # The docs page: HTML built in memory (a file sent from disk is never it).
    if response.mimetype == "text/html" and not response.is_streamed and not response.direct_passthrough:
        scripts = INLINE_SCRIPT.findall(response.get_data(as_text=True))
        hashes = " ".join("'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
                          for s in scripts)
        return DOCS_POLICY.format(hashes=hashes)
    return API_POLICY


def init_app(app: Flask) -> None:
    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        if "Content-Security-Policy" not in headers:
            headers["Content-Security-Policy"] = policy_for(request.path, response)
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", HSTS)
        return response
