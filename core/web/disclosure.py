"""(Being written: see the module's owner in the session brief.)"""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("disclosure", __name__, url_prefix="/t/<tenant>")
