"""Server-rendered zh-CN web UI."""
from flask import Flask


def init_app(app: Flask) -> None:
    """Registered by the app factory. Filled in by the web module."""
