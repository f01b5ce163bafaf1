"""What every part of delivery asks first: may the actor see this project's records, does the
project take records now (only while it is approved), and what do its policies say about its
period and its people (``core.plugin_host.delivery_rules``)."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from core.i18n import T, Text
from core.models import Project, ProjectState
from core.permissions import A, Action
from core.plugin_host.delivery_rules import StackedDelivery, stacked
from core.services import calendar
from core.services.context import Ctx
from core.services.programmes import policy_of
from core.services.projects import get_project
from core.services.rule_facts import facts
from core.violations import Forbidden, RuleError, Violation
from core.formats import day_text, day_words

# Text limits, the schemas' (core.door.delivery) and the columns' (core.models.delivery).
TITLE_MAX, OWNER_MAX, PLACE_MAX, CONTENT_MAX, REASON_MAX, NAME_MAX = 200, 100, 200, 4000, 500, 50
MIN_REASON = 5
MAX_HOURS_TENTHS = 240  # one person's volunteer hours in one activity: at most 24


def delivery_project(ctx: Ctx, project_id: int, *, for_update: bool = False) -> Project:
    """The project, if the actor may see its delivery records (``A.delivery_view``)."""
    project = get_project(ctx, project_id, for_update=for_update)
    ctx.require(A.delivery_view, project, T("您无权查看该项目的实施记录", "You may not see this project's delivery records"))
    return project


def acting_on(ctx: Ctx, project_id: int, action: Action, doing: Text) -> Project:
    """The project, locked, if the actor may take ``action`` on it, it takes records now and
    the calendar allows ``action`` today (where a policy's phases name it)."""
    project = get_project(ctx, project_id, for_update=True)
    if not ctx.can(action, project):
        raise Forbidden(T(f"您不能为该项目{doing.zh}", f"You may not {doing.en} for this project"), field="project_id")
    require_open(project, doing)
    calendar.require(ctx, project.programme, action, project)
    return project


def not_open(project: Project, doing: Text) -> Violation | None:
    """Why ``project`` takes no records now: only an approved project is carried out (one not yet
    approved has nothing to carry out; a closed, rejected or withdrawn one is over)."""
    if project.state == ProjectState.approved.value:
        return None
    try:
        label = ProjectState(project.state).label
    except ValueError:  # a state another part of the platform added (e.g. closed)
        label = T(project.state, project.state)
    return Violation("project_not_open", T(f"项目当前状态为「{label.zh}」，只有已立项、正在实施的项目可以{doing.zh}",
                                           f"The project is {label.en}; only an approved project being carried out can {doing.en}"),
                     field="project_id")


def require_open(project: Project, doing: Text) -> None:
    problem = not_open(project, doing)
    if problem is not None:
        raise RuleError(problem, status=409)


def rules_of(ctx: Ctx, project: Project) -> StackedDelivery:
    """What the project's policies say about its period and its people, stacked."""
    stack, _ = policy_of(ctx, project.programme)
    return stacked(stack, facts(project))


def outside_period(rules: StackedDelivery, day: dt.date, field: str, what: Text) -> list[Violation]:
    """One violation per declared period ``day`` (``what``: "活动日期") falls outside, each citing
    the clause of the policy that declared it."""
    out = []
    for p in rules.outside(day):
        span_zh = f"{day_text(p.starts) or '……'}至{day_text(p.ends) or '……'}"
        span_en = f"{day_text(p.starts, 'en') or '...'} to {day_text(p.ends, 'en') or '...'}"
        said = day_words(day)
        out.append(Violation("outside_period", T(f"{what.zh}{said.zh}不在项目周期内（{p.source.zh}：{span_zh}）",
                                                 f"The {what.en} {said.en} is outside the project's period ({p.source.en}: {span_en})"),
                             field=field, clause=p.clause))
    return out


_HOURS = re.compile(r"^\d{1,3}(\.\d)?$")


def read_hours(text: str | None) -> int | None:
    """Hours as people write them ("2", "1.5") in tenths of an hour; None when not a number of
    hours with at most one decimal."""
    value = (text or "").strip()
    if not _HOURS.match(value):
        return None
    try:
        return int(Decimal(value) * 10)
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        return None


def hours_text(tenths: int) -> str:
    """Tenths of an hour as people read them: 25 → "2.5", 20 → "2"."""
    whole, tenth = divmod(int(tenths or 0), 10)
    return f"{whole}.{tenth}" if tenth else str(whole)
