"""The README's tour of the demo's money, in Chromium, on a fresh demo as `scripts/demo` prepares
it (tenants/*.yaml and tenants/demo_year.py): the accounts and pages the README names show
what the README says they show, at desktop and at phone width.

A smoke test of the demo (its name says so): it reads the shipped tenants/, which logic tests
never do. The first quarter's application walk is tests/browser/test_walkthrough.py, on the
test world.
"""
from __future__ import annotations

import pytest
from playwright import sync_api as playwright_api  # a test dependency: missing is a failure

from tests.browser.kit import press, shot, sign_in, sign_out
from tests.demo_kit import DEMO_PASSWORD

expect = playwright_api.expect
pytestmark = [pytest.mark.browser, pytest.mark.parametrize("prepared_demo", ["shipped"], indirect=True)]
pytest_plugins = ["tests.demo_kit"]  # the demo fixtures: prepared_demo, demo
ARTIFACTS = "demo-tour"  # screenshots: test-artifacts/demo-tour-demo/
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def settings(demo):
    """The live server serves the fresh demo, not the test world."""
    return demo


@pytest.fixture
def profile():
    return "demo"  # names the screenshot folder; the demo runs on the embedded profile


def _both_widths(page, name: str) -> None:
    shot(page, f"{name}-desktop")
    page.set_viewport_size(PHONE)
    # Nothing may be wider than a phone's screen: the page scrolls down, not sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1, name
    shot(page, f"{name}-phone")
    page.set_viewport_size(DESKTOP)


def test_demo_readme_money_tour(live_server, browser_page):
    page, base = browser_page, live_server

    # Anyone reads 资金公开: 洛川's approved 楼组议事厅 and where its money came from.
    page.goto(f"{base}/t/jingan/disclosure")
    expect(page.locator("h1")).to_contain_text("村(居)务公开")
    press(page, page.get_by_role("link", name="洛川居民区").first)
    expect(page.locator("main")).to_contain_text("楼组议事厅")
    expect(page.locator("main")).to_contain_text("45,000.00")
    _both_widths(page, "disclosure-luochuan")

    # ghxl_chair: 青年议事角 waits for the panel, and its review page shows where the money would come from.
    sign_in(page, base, "jingan", "ghxl_chair", DEMO_PASSWORD)
    page.goto(f"{base}/t/jingan/review")
    row = page.locator("tr", has_text="青年议事角")
    press(page, row.get_by_role("link", name="评审"))
    expect(page.locator("#funding-plan")).to_contain_text("资金来源")
    shot(page, "review-funding-plan")
    sign_out(page)

    # luochuan: the project page lists its fund requests and the final accounts (决算表).
    sign_in(page, base, "jingan", "luochuan", DEMO_PASSWORD)
    page.goto(f"{base}/t/jingan/projects")
    press(page, page.get_by_role("link", name="楼组议事厅").first)
    expect(page.locator("#fund-requests-h")).to_be_visible()
    expect(page.locator("#final-accounts")).to_contain_text("决算表")
    _both_widths(page, "project-fund-requests")
    sign_out(page)

    # shbg (上海宾馆): 我的认捐 shows what its pledge paid for.
    sign_in(page, base, "jingan", "shbg", DEMO_PASSWORD)
    press(page, page.get_by_role("link", name="我的认捐"))
    expect(page.locator("h1")).to_contain_text("我的认捐")
    expect(page.locator("main")).to_contain_text("爱心小水表")
    _both_widths(page, "sponsor-my-pledges")
    sign_out(page)

    # jingan_admin: 资金总览 with its chart and the Excel export.
    sign_in(page, base, "jingan", "jingan_admin", DEMO_PASSWORD)
    press(page, page.get_by_role("link", name="资金总览"))
    expect(page.locator("h1")).to_contain_text("资金总览")
    expect(page.locator("svg").first).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="导出 Excel").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    _both_widths(page, "money-overview")
    assert page.problems == [], page.problems
