"""What the current web request is about, beyond what ``core.request_context`` resolves:
whether someone is signed in, and the request's small helpers (the configuration of a policy
for its own pages is ``core.web.plugin_pages.current_policy_config``)."""
from __future__ import annotations

import functools

from flask import redirect, request, url_for

from core import request_context
from core.i18n import Text
from core.services.context import Ctx
from core.violations import Forbidden


def ctx() -> Ctx:
    return request_context.ctx()


def login_required(view):
    """Anonymous visitors are sent to the tenant's login page and brought back afterwards."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if not ctx().actor.is_authenticated:
            return redirect(url_for("web.auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapper


def forbid_unless(condition: bool, message: Text) -> None:
    if not condition:
        raise Forbidden(message)


def int_arg(name: str, default: int | None = None, *, minimum: int | None = None) -> int | None:
    raw = request.args.get(name)
    try:
        value = int(raw) if raw not in (None, "") else default
    except ValueError:
        value = default
    if value is not None and minimum is not None:
        value = max(minimum, value)
    return value
