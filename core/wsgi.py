"""The WSGI entry point of the production profile: ``gunicorn core.wsgi:app``.

Settings come from the environment (TONGXIN_*), as for the worker and the CLI. Each gunicorn
worker process imports this module and so builds its own app, engine and plugin host.
"""
from core.app import create_app

app = create_app()
