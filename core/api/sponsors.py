"""Sponsors, pledges and claims. (Being written: see the module's owner in the session brief.)"""
from __future__ import annotations

from core.api.base import TENANT, Blueprint

blp = Blueprint("sponsors", __name__, url_prefix=f"{TENANT}/sponsors", description="Sponsors, pledges and claims")
