"""What every template can use: ``_t(zh, en)``, ``locale``, the signed-in person, the CSRF
token, and filters that render bilingual ``Text``, money (fen → yuan), unit names and times.

Plugin templates rely on ``_t``, ``locale`` and the ``money`` filter (and on ``base.html``), so
they are part of the surface plugins see and keep their names.
"""
from __future__ import annotations

import datetime as dt
import functools
import json
import logging
from urllib.parse import urlencode

from flask import Flask, g, request

from core import formats, request_context
from core.i18n import Text
from core.models import ProjectState, Role
from core.permissions import A, Scope, can, holder_grants
from core.permissions.table import UNIT_SCOPES
from core.money import format_money, format_yuan
from core.services.context import Actor
from core.web import csrf, place

log = logging.getLogger(__name__)

# China keeps one time zone and no daylight saving; stored times are UTC.
CHINA = dt.timezone(dt.timedelta(hours=8))

OUTCOME_LABELS = {
    "approved": Text("通过（立项）", "approved"),
    "rejected": Text("不通过", "rejected"),
    "returned": Text("退回修改", "returned for changes"),
}


def _t(zh: str, en: str) -> str:
    return en if request_context.locale() == "en" else zh


def tr(text) -> str:
    """A bilingual ``Text`` in the request's language (plain strings pass through)."""
    if text is None:
        return ""
    if isinstance(text, Text):
        return text.render(request_context.locale())
    return str(text)


def unit_name(unit) -> str:
    return unit.name_in(request_context.locale()) if unit is not None else ""


def yuan(fen) -> str:
    """The number alone ("1,000.00"), for a column or a field whose label names the unit."""
    return format_yuan(fen) if fen is not None else ""


def money(fen) -> str:
    """An amount in the request's language: "1,000.00元" or "1,000.00 yuan"."""
    return format_money(fen, request_context.locale())


def local_time(value, fmt: str | None = None, *, seconds: bool = False) -> str:
    """A stored moment as Shanghai's wall time in the reader's words (2023年3月15日 14:05); ``fmt``
    (strftime) only where a page needs another shape."""
    if fmt is None or value is None:
        return formats.moment_text(value, request_context.locale(), seconds=seconds)
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:  # SQLite hands back naive UTC
            value = value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(CHINA).strftime(fmt)
    return str(value)


def day(value) -> str:
    """A day (or the Shanghai day of a moment) in the reader's words: 2023年3月15日, 15 Mar 2023."""
    return formats.day_text(value, request_context.locale())


def month(value) -> str:
    """A month ("2023-03", a date) in the reader's words: 2023年3月, Mar 2023."""
    return formats.month_text(value, request_context.locale())


def month_day(value) -> str:
    """A day of every year from a policy's settings ("03-01"): 3月1日, 1 Mar."""
    return formats.month_day_text(value, request_context.locale())


def days(start, end) -> str:
    """A span of days: 2023年3月1日至4月30日, 1 Mar – 30 Apr 2023."""
    return formats.days_text(start, end, request_context.locale())


def state_label(state: str) -> str:
    try:
        return tr(ProjectState(state).label)
    except ValueError:
        return state


def outcome_label(outcome: str) -> str:
    return tr(OUTCOME_LABELS.get(outcome, Text(outcome, outcome)))


def role_label(role: str) -> str:
    try:
        return tr(Role(role).label)
    except ValueError:
        return role


def filesize(size: int | None) -> str:
    if size is None:
        return ""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def compact_json(value, limit: int = 300) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def lang_url(code: str) -> str:
    """This page in another language (the choice is remembered in the session)."""
    args = request.args.to_dict(flat=False)
    args["lang"] = [code]
    return f"{request.path}?{urlencode(args, doseq=True)}"


def page_url(page: int) -> str:
    args = request.args.to_dict(flat=False)
    args["page"] = [str(page)]
    return f"{request.path}?{urlencode(args, doseq=True)}"


def _actor() -> Actor:
    """The signed-in person for the header. Never lets a broken lookup break an error page."""
    if g.get("tenant") is None:
        return Actor.anonymous()
    try:
        return request_context.ctx().actor
    except Exception:  # noqa: BLE001 - the page being rendered may be the error page itself
        log.exception("could not resolve the actor for the page header")
        return Actor.anonymous()


def _table():
    """The permission table of the current request's plugin host (core's when none)."""
    if g.get("tenant") is None:
        return None
    try:
        return request_context.ctx().permissions
    except Exception:  # noqa: BLE001 - as _actor: an error page must still render
        return None


@functools.lru_cache(maxsize=None)
def field_rule(op_key: str, path: str):
    """A hand-written form's field as the operation ``op_key`` declares it (``FieldSpec``: its
    length rule for the hint beside the input), read from the door's own schema, so a template
    never retypes a number the schema enforces."""
    from core.door.catalogue import operations  # every area: imported when a page first asks
    from core.forms import field_rule as rule_of
    op = {o.key: o for o in operations()}[op_key]  # a mistyped key fails the page's test
    return rule_of(op.schema, path)


def init_app(app: Flask) -> None:
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.filters.update(tr=tr, unit_name=unit_name, yuan=yuan, money=money, local_time=local_time,
                                 state_label=state_label, outcome_label=outcome_label,
                                 role_label=role_label, compact_json=compact_json,
                                 filesize=filesize)
    app.jinja_env.filters.update(day=day, month=month, month_day=month_day)  # dates in words (core.formats)
    app.jinja_env.globals.update(day_span=days)
    app.jinja_env.globals.update(field_rule=field_rule)  # a length rule beside a hand-written input
    app.jinja_env.globals.update(_t=_t, lang_url=lang_url, page_url=page_url, csrf_token=csrf.token,
                                 CSRF_FIELD=csrf.FIELD)
    app.jinja_env.globals.update(place_words=place.tenant_words)  # kinds of unit in the policies' words

    @app.context_processor
    def _page_context():
        actor = _actor()
        table = _table()
        # The menu asks the permission table, as the pages behind it do.
        return {
            "locale": request_context.locale(),
            "tenant": g.get("tenant"),
            "actor": actor,
            "is_admin": can(actor, A.programme_manage, table=table).allowed,
            "is_reviewer": can(actor, A.review_score, table=table).allowed,
            "is_applicant": can(actor, A.project_apply, table=table).allowed,
            "may_district": can(actor, A.district_overview, table=table).allowed,
            "street_grants": [gr for gr in holder_grants(actor, A.programme_manage, table=table) if gr.unit_kind == "street"],
            "may_co_funds": bool(holder_grants(actor, A.sponsor_view, table=table, scopes=UNIT_SCOPES)),
            "may_fund_requests": can(actor, A.fund_request_summary, table=table).allowed,
            "may_my_pledges": bool(holder_grants(actor, A.sponsor_view, table=table, scopes=frozenset({Scope.sponsor_of}))),
            # supervision: those who visit (an office, a commissioned organisation) have the list
            "may_supervise": can(actor, A.supervision_visit, table=table).allowed,
        }
