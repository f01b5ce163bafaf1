"""Public disclosure and the district's money view. (Being written: see the module's owner in the session brief.)"""
from __future__ import annotations

from core.api.base import TENANT, Blueprint

blp = Blueprint("disclosure", __name__, url_prefix=f"{TENANT}/disclosure", description="Public disclosure and the district's money view")
