"""The project page's sections come through one hook, ``tongxin_project_panels``: core's own as a
built-in plugin registered when the web UI is set up (no import-time registry), a policy's for
the projects of its programmes only, in the order the panels ask for; a policy's section that
fails or answers malformed is left out and recorded, and the page is still shown."""
from __future__ import annotations

import importlib
import pkgutil

import pytest
from sqlalchemy import select

import core.web
from core.app import create_app
from core.models import Programme
from core.platform import Platform
from core.plugin_host.contributions import Panel
from core.plugin_host.manager import PluginFailure, PluginHost
from core.plugin_host.testing import load_policy, project_facts
from core.services import projects
from core.services.faults import recent_faults
from core.services.tenant_definitions import load as load_tenant
from tests.clients import Web, text
from tests.factories import acting, unit_id
from tests.fixture_plugins.sample import SamplePolicy
from tests.fixture_plugins.sections import SectionsPolicy

PASSWORD = "fixture-pass"
TENANT = {
    "slug": "fixture_city", "name": "测试市", "name_en": "Fixture City",
    "units": [
        {"code": "fx-a", "kind": "street", "name": "甲街道", "plugins": {"fixture_sections": {"config": {"max_yuan": "800"}}},
         "programmes": [{"plugin": "fixture_sections", "year": 2023}],
         "children": [{"code": "fx-a-1", "kind": "neighbourhood", "name": "甲一居民区"}]},
        {"code": "fx-b", "kind": "street", "name": "乙街道", "plugins": {"fixture_plain": {"config": {}}},
         "programmes": [{"plugin": "fixture_plain", "year": 2023}],
         "children": [{"code": "fx-b-1", "kind": "neighbourhood", "name": "乙一居民区"}]},
    ],
    "users": [
        {"username": "fx_admin", "password": PASSWORD, "roles": [{"role": "district_admin", "unit": "fixture_city"}]},
        {"username": "fx_staff_a", "password": PASSWORD, "roles": [{"role": "neighbourhood_staff", "unit": "fx-a-1"}]},
        {"username": "fx_staff_b", "password": PASSWORD, "roles": [{"role": "neighbourhood_staff", "unit": "fx-b-1"}]},
    ],
}


@pytest.fixture
def world(settings):
    """A tenant with one street under the sections policy and one under a plain one, a draft
    project in each, and the web app on the same host."""
    sections = SectionsPolicy()
    host = PluginHost(plugins=[("fixture_sections", sections), ("fixture_plain", SamplePolicy("fixture_plain"))])
    platform = Platform.build(settings, host)
    load_tenant(platform, TENANT)
    drafts = {}
    for plugin, username, unit in (("fixture_sections", "fx_staff_a", "fx-a-1"), ("fixture_plain", "fx_staff_b", "fx-b-1")):
        with acting(platform, "fixture_city", username) as ctx:
            programme = ctx.session.scalars(select(Programme).where(Programme.plugin_name == plugin)).one()
            drafts[plugin] = projects.create_project(ctx, programme.id, unit_id(platform, "fixture_city", unit),
                                                     "general", "社区花园").id
    app = create_app(settings, host=host)
    app.config["TESTING"] = True
    yield app, platform, sections, drafts
    app.extensions["tongxin"].db.dispose()
    platform.db.dispose()


def page(app, username: str, project_id: int) -> str:
    web = Web(app.test_client(), "fixture_city")
    web.login(username, PASSWORD)
    r = web.get(f"/projects/{project_id}")
    assert r.status_code == 200, r.status_code
    return text(r)


def faults(platform) -> list[tuple[str, str, str]]:
    with acting(platform, "fixture_city", "fx_admin") as ctx:
        return [(f.plugin_name, f.hook, f.error) for f in recent_faults(ctx)]


def test_a_policy_adds_sections_to_its_own_projects_pages_in_their_order(world):
    app, platform, sections, drafts = world
    html = page(app, "fx_staff_a", drafts["fixture_sections"])
    # order=10 comes before order=90, whichever the plugin listed first
    assert html.index("测试政策栏目：社区花园") < html.index("测试政策上限：800.00元")
    assert sections.asked == [drafts["fixture_sections"]]  # asked with the facts, as rules are
    # installed is not enabled: another policy's project never asks it, nor shows its sections
    other = page(app, "fx_staff_b", drafts["fixture_plain"])
    assert "测试政策栏目" not in other and "测试政策上限" not in other
    assert sections.asked == [drafts["fixture_sections"]]
    assert faults(platform) == []


@pytest.mark.parametrize("break_it, detail", [
    (lambda s: setattr(s, "fail_in", frozenset({"tongxin_project_panels"})), "ZeroDivisionError"),
    (lambda s: setattr(s, "answer", ["not a panel"]), "list of Panel"),
    (lambda s: setattr(s, "answer", [Panel("", {})]), "needs a template name"),
], ids=["raises", "not-panels", "no-template"])
def test_a_failing_section_is_left_out_and_recorded_and_the_page_is_shown(world, break_it, detail):
    app, platform, sections, drafts = world
    break_it(sections)
    html = page(app, "fx_staff_a", drafts["fixture_sections"])
    assert "社区花园" in html and "测试政策栏目" not in html
    [(plugin, hook, error)] = faults(platform)
    assert (plugin, hook) == ("fixture_sections", "tongxin_project_panels") and detail in error


def test_the_policy_handle_checks_what_the_hook_returns():
    sections = SectionsPolicy()
    policy = load_policy("fixture_sections", sections)
    found = policy.project_panels(project=project_facts(id=7, title="花园"), config={"max_yuan": "800"}, ctx=None,
                                  record=None)
    assert [(p.template, p.order) for p in found] == [("fixture_sections/_limit.html", 90),
                                                       ("fixture_sections/_title.html", 10)]
    sections.answer = [Panel("fixture_sections/_title.html", {}, order="first")]
    with pytest.raises(PluginFailure, match="whole-number order"):
        policy.project_panels(project=project_facts(), config={}, ctx=None, record=None)
    assert load_policy("fixture_plain", SamplePolicy("fixture_plain")).project_panels(
        project=project_facts(), config={}, ctx=None, record=None) == []  # a policy without sections


def test_cores_sections_are_a_builtin_plugin_registered_by_the_web_ui_not_at_import(settings):
    for module in pkgutil.iter_modules(core.web.__path__):  # every page module, imported
        importlib.import_module(f"core.web.{module.name}")
    host = PluginHost()
    assert host.builtins.names() == []  # importing registered nothing anywhere
    first, second = create_app(settings, host=host), create_app(settings, host=host)
    # once, however many apps share the host (core's kinds of to-do come with the platform)
    assert host.builtins.names() == ["core.project_panels", "core.todo_kinds", "core.year_todo_kinds"]
    assert PluginHost().builtins.names() == []  # and only on the host the app was built with
    for app in (first, second):
        app.extensions["tongxin"].db.dispose()
