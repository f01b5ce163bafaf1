"""The project page's section on what the project owes (its due items: reports, reviews, the
street office's visit of it), one of core's sections that the built-in plugin
``core.web.project_panels`` gives through the ``tongxin_project_panels`` hook; each row links to
the due item's page (``core.web.reporting``)."""
from __future__ import annotations

from core.models import Project
from core.permissions import A
from core.plugin_host.contributions import Panel
from core.services.context import Ctx
from core.services.obligations import items as item_service

ORDER = 45  # after the fund requests (40), before the disclosure link (80)


def obligations_panel(c: Ctx, project: Project) -> Panel | None:
    if not c.actor.is_authenticated or not c.can(A.obligation_view, project):
        return None
    rows, total = item_service.list_items(c, project_id=project.id, limit=50)
    if not rows:
        return None
    return Panel("pages/obligations/_panel.html", {"rows": rows, "total": total, "project_id": project.id}, order=ORDER)

