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
        # Lax keeps the cookie off cross-site POSTs, which with the web forms' CSRF tokens and the
        # API's JSON-only bodies is what stops cross-site writes.
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        JSON_AS_ASCII=False,
    )
    app.json.ensure_ascii = False
    app.extensions["tongxin"] = platform
    request_context.init_app(app)

    from core import api, web
    api.init_app(app)
    web.init_app(app)
    return app
