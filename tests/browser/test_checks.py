"""The walks' page checks can fail (tests/browser/checks.py), and the print stylesheet is what an
office's printer sees (issue 16, item 7).

- ``accessible`` fails on a page with known WCAG violations (an image without alt text, grey
  text too pale to read, an unlabelled input), naming each rule and element; it passes the same
  page once they are fixed, so a pass elsewhere means something.
- In print (emulated), the disclosure page, a project's page and its review page lose the
  masthead's tools, the navigation, the footer, the forms and buttons, while the page's own
  content and whose page it is stay; each is also kept as an A4 PDF to look at.
Screenshots go to test-artifacts/checks-<profile>/."""
from __future__ import annotations

import pytest

from tests.browser import checks
from tests.browser.kit import sign_in
from tests.factories import submitted_project

from playwright import sync_api as playwright_api  # a test dependency: missing is a failure
expect = playwright_api.expect

pytestmark = pytest.mark.browser
ARTIFACTS = "checks"
TENANT = "jingan"

BROKEN = """<!doctype html><html lang="zh-CN"><head><title>坏页面</title></head><body><main>
<h1>坏页面</h1>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" id="no-alt">
<p id="pale" style="color:#c8c8c8;background:#ffffff">看不清的说明文字</p>
<input type="text" id="no-label">
</main></body></html>"""

FIXED = """<!doctype html><html lang="zh-CN"><head><title>好页面</title></head><body><main>
<h1>好页面</h1>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" id="no-alt" alt="社区活动照片">
<p id="pale" style="color:#4a4a4a;background:#ffffff">看得清的说明文字</p>
<label for="no-label">项目名称</label><input type="text" id="no-label">
</main></body></html>"""


def test_the_accessibility_check_fails_on_known_violations_and_passes_once_fixed(browser_page):
    page = browser_page
    page.set_content(BROKEN)
    with pytest.raises(AssertionError) as failed:
        checks.accessible(page, "broken")
    text = str(failed.value)
    for rule, element in (("image-alt", "#no-alt"), ("color-contrast", "#pale"), ("label", "#no-label")):
        assert f"- {rule} (" in text, f"{rule} not reported:\n{text}"
        assert f"at {element}" in text, f"{element} not named:\n{text}"
    page.set_content(FIXED)
    checks.accessible(page, "fixed")


def test_a_missing_checker_is_a_failure_not_a_skip(browser_page, monkeypatch, tmp_path):
    browser_page.set_content(FIXED)
    monkeypatch.setattr(checks, "AXE", tmp_path / "axe.min.js")
    with pytest.raises(AssertionError, match="axe-core is missing"):
        checks.accessible(browser_page)


def printed(page, name: str, *, letterhead: bool = True) -> None:
    """The page as the printer gets it: the tools hidden, the content there; an A4 PDF kept."""
    expect(page.locator(".mainnav")).to_be_visible()
    page.emulate_media(media="print")
    for hidden in (".mainnav", ".masthead .util", ".site-footer", "main form", "main .btn"):
        for i in range(page.locator(hidden).count()):
            expect(page.locator(hidden).nth(i)).to_be_hidden()
    expect(page.locator("main h1")).to_be_visible()
    if letterhead:  # a sheet says whose it is (the disclosure pages print their own heading)
        expect(page.locator(".masthead .tenant-name")).to_be_visible()
    page.screenshot(path=str(page.artifacts / f"{name}-print.png"), full_page=True)
    page.pdf(path=str(page.artifacts / f"{name}.pdf"), format="A4", print_background=True)
    page.emulate_media(media="screen")
    expect(page.locator(".mainnav")).to_be_visible()


def test_printed_pages_show_the_content_without_navigation_or_forms(browser_page, live_server, platform):
    page = browser_page
    pid = submitted_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园")
    page.goto(f"{live_server}/t/{TENANT}/disclosure")
    printed(page, "disclosure", letterhead=False)
    sign_in(page, live_server, TENANT, "ghxl_expert")
    page.goto(f"{live_server}/t/{TENANT}/projects/{pid}")
    expect(page.locator("main h1")).to_contain_text("口袋花园")
    printed(page, "project")
    page.goto(f"{live_server}/t/{TENANT}/projects/{pid}/review")
    printed(page, "review")
