"""Core's own sections of the project page, given as a built-in plugin of the very hook a policy
uses to add its own (``tongxin_project_panels``; see ``core.plugin_host.builtins``): where an
approved project's money comes from, its fund requests and final accounts, the sponsors'
claims of it, what it owes (its due items), the way to its public disclosure, its delivery
(progress, plan, activities, people), its tools, and its supervision, archive and close-out.
Each section is drawn by its own concern's
module; this one only gives them, in their order (``Panel.order``), to the page.
"""
from __future__ import annotations

from core.plugin_host.hookspecs import hookimpl
from core.web import (approval_funding, delivery, disclosure, fund_requests, reporting_panel, sponsors,
                      supervision_panels)

NAME = "core.project_panels"


@hookimpl
def tongxin_project_panels(ctx, record):
    sections = (approval_funding.sources_panel, fund_requests.project_section, sponsors.claims_panel,
                reporting_panel.obligations_panel,  # reporting: what the project owes
                disclosure.disclosure_panel,
                delivery.delivery_panel,  # delivery: plan tasks, activity records, people
                supervision_panels.tools_panel, supervision_panels.supervision_panel)
    return [panel for section in sections if (panel := section(ctx, record)) is not None]
