"""REST API (flask-smorest) — see core/api/README or /api/docs."""
from flask import Flask


def init_app(app: Flask) -> None:
    """Registered by the app factory. Filled in by the API module."""
