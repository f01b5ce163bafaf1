"""Money that explains itself, in headless Chromium at desktop and phone width: the sponsor
上海宾馆 signs in and reads its reconciliation (pledged, arrived, committed, spent, unspent, and
the 31,600 expense of which 1,600 was its money), each word explained by its hover text and by
the legend below (the only explanation a phone has); then the street's office opens the fund's
ledger page, whose figures carry the same words.

Screenshots go to test-artifacts/money-words-<profile>/. No step waits on a clock.
"""
from __future__ import annotations

import pytest

from tests.browser.kit import both_widths, press, sign_in, sign_out
from tests.factories import COUNCIL_DAY, approve, haiyuan_project, on_day
from tests.money_factories import fund_id, receive, record, spend

from playwright import sync_api as playwright_api  # a test dependency: missing is a failure
expect = playwright_api.expect

pytestmark = pytest.mark.browser
ARTIFACTS = "money-words"
TENANT = "jingan"


@pytest.fixture(autouse=True)
def in_phase(live_server, platform):  # after both have pinned the world's day
    with on_day(COUNCIL_DAY):
        yield


def test_a_sponsor_reads_its_reconciliation_and_the_office_its_fund(live_server, browser_page, platform):
    page, base = browser_page, live_server
    pid, voucher = haiyuan_project(platform, "爱心小水表", amount="40000", voucher=True)
    hotel = record(platform, "haiyuan", "上海宾馆", "100000")
    insurer = record(platform, "haiyuan", "平安养老保险", "50000", project=pid)
    receive(platform, hotel, "100000", "r-hotel")
    receive(platform, insurer, "30000", "r-insurer")
    approve(platform, pid, "40000")
    spend(platform, pid, 31600, "智能水表40只", "meters", voucher=voucher)

    sign_in(page, base, TENANT, "shbg")
    page.goto(f"{base}/t/{TENANT}/my-pledges")
    row = page.locator(f'tr[data-pledge="{hotel}"]')
    expect(row).to_contain_text("1,600.00")
    expect(row).to_contain_text("98,400.00")
    spent = page.locator("table.reconcile thead abbr.money-term", has_text="已支出").first
    assert "花掉" in spent.get_attribute("title")
    described = spent.get_attribute("aria-describedby")
    expect(page.locator(f"#{described}")).to_be_visible()  # the legend line, on screen
    paid = page.locator("table.paid-for tbody tr", has_text="智能水表40只")
    expect(paid).to_contain_text("31,600.00")
    expect(paid).to_contain_text("其余30,000.00元由共治金的其他款项支付")
    both_widths(page, "sponsor-reconciliation", visible=f'tr[data-pledge="{hotel}"]')
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.locator(f"#{described}")).to_be_visible()  # a phone reads the words below
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_out(page)

    sign_in(page, base, TENANT, "jas_admin")
    page.goto(f"{base}/t/{TENANT}/funds/{fund_id(platform)}")
    expect(page.locator("#balance")).to_contain_text("可用")
    available = page.locator("#balance abbr.money-term", has_text="可用")
    assert "新项目" in available.get_attribute("title")
    expect(page.locator(f"#{available.get_attribute('aria-describedby')}")).to_be_visible()
    both_widths(page, "fund", visible="#balance")
    press(page, page.get_by_role("link", name="全部资金"))
    expect(page.locator("#funds")).to_be_visible()
    both_widths(page, "funds", visible="#funds")
    assert page.problems == [], page.problems
