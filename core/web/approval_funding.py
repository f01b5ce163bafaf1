"""The project page's section on where an approved project's money comes from: the sources its
decision recorded (``core.services.funding``, ``core.services.approval_sources``), each with its share of the approved amount and
what its fund has committed so far, the figures the funds view and the disclosure show."""
from __future__ import annotations

from core.models import Project, ProjectState
from core.plugin_host.contributions import Panel
from core.services import approval_sources
from core.services.context import Ctx


def sources_panel(c: Ctx, project: Project) -> Panel | None:
    """A section of the project page (``core.web.project_panels``)."""
    if project.state not in (ProjectState.approved.value, ProjectState.closed.value):  # closed: still its sources
        return None
    decision, sources = approval_sources.standing_sources(c, project)
    if decision is None or not sources:
        return None
    return Panel("pages/_project_funding.html", {"decision": decision, "sources": sources}, order=30)
