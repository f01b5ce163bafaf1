"""A closed project (结项) takes no more records: the one refusal every service that records
something on a project gives, so the reason reads the same everywhere (fund requests, spending
and refunds, change requests, supervision visits, archive documents).

Its own module, light on imports, because the services that guard with it sit below the
close-out (``core.services.closeout``), which reads their records."""
from __future__ import annotations

from sqlalchemy import select

from core.clock import local_date
from core.i18n import T, Text
from core.models import Project, ProjectCloseout, ProjectState
from core.violations import RuleError, Violation
from core.formats import day_words


def is_closed(project: Project) -> bool:
    return project.state == ProjectState.closed.value


def closed_on(ctx, project: Project):
    """The (Shanghai) day the project was closed, or None."""
    at = ctx.session.scalar(select(ProjectCloseout.closed_at).where(ProjectCloseout.project_id == project.id))
    return local_date(at) if at is not None else None


def refuse_if_closed(ctx, project: Project, doing: Text, *, field: str = "project_id") -> None:
    """Refuse (409, code ``project_closed``) to record ``doing`` on a closed project, saying when
    it was closed (``ctx`` None: without the day)."""
    if not is_closed(project):
        return
    day = closed_on(ctx, project) if ctx is not None else None
    when_zh, when_en = (f"已于{day_words(day).zh}结项", f"was closed on {day_words(day).en}") if day else ("已结项", "is closed")
    raise RuleError(Violation("project_closed", T(
        f"项目「{project.title}」{when_zh}，不再接受新的记录：不能{doing.zh}",
        f"The project '{project.title}' {when_en} and takes no more records: it cannot {doing.en}"),
        field=field), status=409)
