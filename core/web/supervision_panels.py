"""The project page's sections for the rest of the year, among core's own sections of the
``tongxin_project_panels`` hook (``core.web.project_panels`` gives them to the page):

- the project's **tools** as its policies list them, each with a link to where it is done or
  "not yet available" (order 35, after the funding sources);
- **supervision, archive and close-out** at a glance (order 75): the visits and open
  rectifications, how complete the archive is, and the close-out (done, or the way to it),
  each linking to its own page (``core.web.supervision``, ``core.web.archive``).

Both are for whoever sees the project's supervision records (``supervision.view``), once it is
approved.
"""
from __future__ import annotations

from core.models import ProjectState
from core.permissions import A
from core.plugin_host.contributions import Panel
from core.services import archive, closeout, supervision

LIVE = (ProjectState.approved.value, ProjectState.closed.value)


def _shown(c, project) -> bool:
    return project.state in LIVE and c.can(A.supervision_view, project).allowed


def tools_panel(c, project) -> Panel | None:
    if not _shown(c, project):
        return None
    rows = archive.project_tools(c, project)
    if not rows:
        return None
    return Panel("pages/supervision/_tools_panel.html", {"rows": rows}, order=35)


def supervision_panel(c, project) -> Panel | None:
    if not _shown(c, project):
        return None
    progress = supervision.progress(c, [project.id])[project.id]
    rows = archive.rows_of(c, project)
    closed = closeout.closeout_of(c, project) if project.state == ProjectState.closed.value else None
    return Panel("pages/supervision/_panel.html", {
        "progress": progress, "archive_total": len(rows), "archive_complete": sum(1 for r in rows if r.complete),
        "closeout": closed, "may_close": c.can(A.project_close, project).allowed,
        "sees_accounts": c.can(A.fund_request_view, project).allowed,
    }, order=75)

