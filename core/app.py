"""The application factory: one Flask app per call, with its own plugin host and database."""
from __future__ import annotations

from flask import Flask

from core import request_context
from core.config import Settings
from core.platform import Platform
from core.production import refuse_unsafe
from core.plugin_host.manager import PluginHost


def create_app(settings: Settings | None = None, *, host: PluginHost | None = None) -> Flask:
    if settings is None:
        # Read from the environment, as gunicorn (core.wsgi) and `tongxin serve` do: a production
        # database with unsafe settings stops here, naming what to set (core.production).
        settings = Settings.from_env()
        refuse_unsafe(settings)
    # The platform's clock comes with it (TONGXIN_TODAY pins it): nothing process-wide is set.
    platform = Platform.build(settings, host)

    app = Flask(__name__, template_folder="web/templates", static_folder="web/static")
    app.config.update(
        SECRET_KEY=settings.secret_key,
        # Leave room for multipart overhead; the storage layer enforces the file limit itself
        # with a clear message, this only stops absurd bodies early.
        MAX_CONTENT_LENGTH=settings.max_upload_bytes + 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        # Lax keeps the cookie off cross-site POSTs. It does not stop a page of the same *site* on
        # another port or subdomain: the web forms' CSRF tokens and the API's check of cookie-borne
        # writes (core.api.cookie_writes) do.
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        JSON_AS_ASCII=False,
    )
    app.json.ensure_ascii = False
    if settings.proxy_hops:
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxy_hops, x_proto=settings.proxy_hops)
    app.extensions["tongxin"] = platform
    request_context.init_app(app)

    from core import api, login_limits, security_headers, web
    login_limits.init_app(app)
    security_headers.init_app(app)
    api.init_app(app)
    web.init_app(app)
    return app
