"""What a resident sees of an approved project without signing in, in headless Chromium at
desktop and phone width: the parts 共和新路's policy marks public (the goals, with a phone typed
into them masked), never the contact person, the team's names or the residents' minutes.
Screenshots go to test-artifacts/public-parts-<profile>/."""
from __future__ import annotations

import pytest

from core.models import Project
from tests.browser.kit import shot
from tests.factories import acting
from tests.money_factories import approved_project

from playwright import sync_api as playwright_api  # a test dependency: missing is a failure
expect = playwright_api.expect

pytestmark = pytest.mark.browser
ARTIFACTS = "public-parts"


def test_a_resident_reads_the_published_details_of_a_project(live_server, browser_page, platform):
    pid = approved_project(platform, title="口袋花园")
    with acting(platform, "jingan", "luochuan") as ctx:
        p = ctx.session.get(Project, pid)
        p.forms = {**p.forms, "application": {**p.forms["application"], "goals": "建成口袋花园，报名请拨13912345678",
                                              "team": "组长王秘密 13987654321"},
                   "intent": {"title": "口袋花园", "directions": ["public_space"], "summary": "把空地变成花园",
                              "contact_name": "联系人甄秘密", "contact_phone": "13912345678"}}
    page, base = browser_page, live_server
    for width, name in ((1280, "desktop"), (390, "phone")):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{base}/t/jingan/projects/{pid}")
        section = page.locator("#public-parts")
        expect(section).to_contain_text("项目公开信息")
        expect(section).to_contain_text("建成口袋花园，报名请拨***")
        expect(section).to_contain_text("把空地变成花园")
        body = page.locator("body").inner_text()
        assert "13912345678" not in body and "甄秘密" not in body and "王秘密" not in body
        assert page.locator("#attachments").count() == 0  # the minutes are not public
        shot(page, f"project-{name}")
    assert not page.problems, page.problems
