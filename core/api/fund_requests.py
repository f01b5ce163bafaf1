"""Monthly fund requests, batches and disbursements. (Being written: see the module's owner in the session brief.)"""
from __future__ import annotations

from core.api.base import TENANT, Blueprint

blp = Blueprint("fund_requests", __name__, url_prefix=f"{TENANT}/fund-requests", description="Monthly fund requests, batches and disbursements")
