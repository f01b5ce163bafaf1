"""The tools (forms and registers) a project works with, as its policies list them
(``tongxin_project_tools``, stacked): each with where it is done (the link of its record
source) and what is there so far, or "not yet available" where the platform keeps no such
records yet (no source of that key is registered)."""
from __future__ import annotations

from dataclasses import dataclass

from core.models import Project
from core.plugin_host.sources import Finding, Link
from core.plugin_host.supervision import Tool
from core.services.context import Ctx
from core.services.programmes import policy_of


@dataclass(frozen=True)
class ToolRow:
    tool: Tool
    link: Link | None        # None: not available yet
    finding: Finding | None

    @property
    def available(self) -> bool:
        return self.link is not None


def project_tools(ctx: Ctx, project: Project) -> list[ToolRow]:
    """The tools of ``project`` (found by the caller, who may see its supervision records)."""
    policy, config = policy_of(ctx, project.programme)
    registry = ctx.host.sources
    rows = []
    for tool in policy.project_tools(config):
        source = registry.get(tool.source)
        if source is None:
            rows.append(ToolRow(tool, None, None))
        else:
            rows.append(ToolRow(tool, source.link(project, tool.params), source.find(ctx, project, tool.params)))
    return rows
