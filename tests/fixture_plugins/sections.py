"""A test policy that adds sections to the project page (``tongxin_project_panels``), drawn with
templates of its own (the template folder of its blueprint). ``answer`` replaces its sections
(a malformed answer, say); ``fail_in={"tongxin_project_panels"}`` makes the hook raise."""
from __future__ import annotations

from flask import Blueprint

from core.plugin_host.toolkit import Panel, hookimpl
from tests.fixture_plugins.sample import SamplePolicy

pages = Blueprint("fixture_sections", __name__, template_folder="templates")


class SectionsPolicy(SamplePolicy):
    def __init__(self, name: str = "fixture_sections", **kwargs):
        super().__init__(name, **kwargs)
        self.answer = None
        self.asked: list[int | None] = []  # the projects it was asked about

    @hookimpl
    def tongxin_project_panels(self, project, config):
        self._maybe_fail("tongxin_project_panels")
        self.asked.append(project.id)
        if self.answer is not None:
            return self.answer
        return [Panel("fixture_sections/_limit.html", {"limit": config["max_yuan"]}, order=90),
                Panel("fixture_sections/_title.html", {"title": project.title}, order=10)]

    @hookimpl
    def tongxin_blueprints(self):
        return [pages]
