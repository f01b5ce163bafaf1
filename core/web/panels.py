"""Sections that other concerns add to the project page (money, pledges, disclosure links).

A module registers a function with ``@project_panel(order)``; the project page calls each in
order with the request's Ctx and the project, and includes the template of every ``Panel``
returned (None: nothing to show to this viewer). The template reads its data from ``panel``.
This keeps the project page's own module ignorant of what each concern shows.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from core.models import Project
from core.services.context import Ctx


@dataclass
class Panel:
    template: str
    data: dict = field(default_factory=dict)


_PANELS: list[tuple[int, Callable[[Ctx, Project], Panel | None]]] = []


def project_panel(order: int):
    """Register ``fn(ctx, project) -> Panel | None`` as a section of the project page."""
    def register(fn):
        _PANELS.append((order, fn))
        _PANELS.sort(key=lambda p: p[0])
        return fn
    return register


def project_panels(ctx: Ctx, project: Project) -> list[Panel]:
    return [p for _, fn in _PANELS if (p := fn(ctx, project)) is not None]
