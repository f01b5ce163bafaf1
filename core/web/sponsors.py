"""(Being written: see the module's owner in the session brief.)"""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("sponsors", __name__, url_prefix="/t/<tenant>")
