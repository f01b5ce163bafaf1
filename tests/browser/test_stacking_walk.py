"""Policies that stack, in headless Chromium, in the test world: 共和新路's programme page lists
its own policy and 静安区's with the versions the programme froze; 洛川 puts a budget row in a
category of the district's spending list with the editor's select (the added row too), and a
6,000-yuan micro-venture project is refused on submission citing 共和新路's plan while the district's
list is satisfied. Screenshots go to test-artifacts/stacking-<profile>/.
"""
from __future__ import annotations

import pytest

from tests.browser.kit import fill_budget, press, shot, sign_in
from tests.factories import programme_id

from playwright import sync_api as playwright_api  # a test dependency: missing is a failure
expect = playwright_api.expect

pytestmark = pytest.mark.browser

ARTIFACTS = "stacking"


def test_the_programme_page_lists_both_policies_and_the_editor_offers_the_districts_list(live_server, browser_page, platform):
    page, base = browser_page, live_server
    pid = programme_id(platform, plugin="gonghexinlu")
    page.goto(f"{base}/t/jingan/programmes/{pid}")
    policies = page.locator("#policies")
    expect(policies.locator("[data-policy=gonghexinlu]")).to_contain_text("本级政策")
    expect(policies.locator("[data-policy=gonghexinlu] [data-frozen-version]")).to_have_text("2023年版")
    expect(policies.locator("[data-policy=jingan_fund]")).to_contain_text("上级政策")
    expect(policies.locator("[data-policy=jingan_fund]")).to_contain_text("静安区")
    expect(policies.locator("[data-policy=jingan_fund] [data-frozen-version]")).to_have_text("2017年版")
    policies.scroll_into_view_if_needed()
    shot(page, "programme-policies")

    sign_in(page, base, "jingan", "luochuan")
    page.goto(f"{base}/t/jingan/programmes/{pid}/projects/new?track=micro_venture")
    page.get_by_label("项目名称").fill("口袋花园")
    press(page, page.get_by_role("button", name="创建项目"))
    expect(page.locator("h1")).to_contain_text("口袋花园")
    budget = page.locator("#budget")
    expect(budget.locator("select[name=category]").first).to_contain_text("活动组织与物料")
    fill_budget(page, [("花苗与工具", "4000", "活动组织与物料"), ("宣传海报", "2000", "宣传与印刷"),
                       ("展板", "500", "宣传与印刷")])  # three rows: the editor grows one in place
    expect(page.locator(".flash")).to_contain_text("提交时将不予通过")  # 6,500 yuan: over 共和新路's cap
    expect(page.locator(".flash")).to_contain_text("实施方案 七")
    rows = budget.locator("tbody tr")
    expect(rows.nth(2).locator("select[name=category]")).to_have_value("宣传与印刷")
    budget.scroll_into_view_if_needed()
    shot(page, "budget-with-categories")
    assert page.problems == [], page.problems
