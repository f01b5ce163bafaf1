"""海园's co-governance fund in headless Chromium: at the council meeting the neighbourhood's staff
record 上海宾馆's pledge claiming a submitted project (a negative amount is refused beside the
field first), then the money arriving; once the street approved the project and it spent money
with a voucher, 上海宾馆 signs in and its page "我的认捐" shows the claim, the status and what the
money paid for, and the project page lists who claimed it.

The live server, the page and the shared steps come from conftest.py and kit.py; screenshots go
to test-artifacts/pledges-<profile>/. No step waits on a clock.
"""
from __future__ import annotations

import pytest

from tests.browser.kit import press, shot, sign_in, sign_out
from tests.factories import COUNCIL_DAY, approve, haiyuan_project, on_day
from tests.money_factories import spend

from playwright import sync_api as playwright_api  # a test dependency: missing is a failure
expect = playwright_api.expect

pytestmark = pytest.mark.browser
ARTIFACTS = "pledges"  # screenshots: test-artifacts/pledges-<profile>/
TENANT = "jingan"


@pytest.fixture(autouse=True)
def in_phase(live_server, platform):  # after both have pinned the world's day
    """Sponsors claim projects at 海园's council meeting: the walk happens on its day (the factory
    applies for the project on the application day)."""
    with on_day(COUNCIL_DAY):
        yield


def test_staff_record_a_claim_and_the_sponsor_sees_what_it_paid_for(live_server, browser_page, platform):
    page, base = browser_page, live_server
    pid, voucher = haiyuan_project(platform, "爱心小水表", amount="50000", voucher=True)

    sign_in(page, base, TENANT, "haiyuan")
    page.goto(f"{base}/t/{TENANT}/co-funds")
    press(page, page.get_by_role("link", name="社区共治金"))
    expect(page.locator("h1")).to_contain_text("社区共治金（2023）")

    form = page.locator("#record")
    form.get_by_label("共建单位").select_option(label="上海宾馆")
    form.get_by_label("认捐金额（元）").fill("-5")
    form.get_by_label("认领项目").select_option(label="爱心小水表（已提交）")
    form.get_by_label("认捐场合").fill("2023年同心家园共建理事会海园分会")
    press(page, form.get_by_role("button", name="登记认捐"))
    expect(page.locator("#pledge-amount-err1")).to_contain_text("认捐金额应为以元为单位的金额")
    expect(page.locator("#pledges")).to_contain_text("还没有认捐")  # nothing was recorded
    form = page.locator("#record")
    expect(form.get_by_label("认领项目")).to_have_value(str(pid))  # the other answers were kept
    form.get_by_label("认捐金额（元）").fill("100000")
    press(page, form.get_by_role("button", name="登记认捐"))
    expect(page.locator(".flash")).to_contain_text("已登记「上海宾馆」的认捐")
    row = page.locator("#pledges tbody tr").first
    expect(row).to_contain_text("爱心小水表")
    expect(row).to_contain_text("已认捐，未到账")

    receive = page.locator("#receive")
    receive.get_by_label("认捐").select_option(index=1)
    receive.get_by_label("到账金额（元）").fill("60000")
    receive.get_by_label("摘要").fill("银行转账")
    press(page, receive.get_by_role("button", name="登记到账"))
    expect(page.locator(".flash")).to_contain_text("到账已登记")
    expect(page.locator("#pledges tbody tr").first).to_contain_text("已到账")
    expect(page.locator("#totals")).to_contain_text("60,000.00")
    shot(page, "fund-after-council")
    sign_out(page)

    # The street approves the project (drawing on the fund); the neighbourhood spends, with its voucher.
    approve(platform, pid, "50000")
    spend(platform, pid, 30000, "更换水表40只", "walk", voucher=voucher)

    sign_in(page, base, TENANT, "shbg")
    page.goto(f"{base}/t/{TENANT}/my-pledges")
    expect(page.locator("h1")).to_contain_text("我的认捐")
    pledge = page.locator("section.pledge").first
    expect(pledge).to_contain_text("爱心小水表")
    expect(pledge).to_contain_text("已到账")
    expect(pledge).to_contain_text("100,000.00 / 60,000.00 / 50,000.00 / 30,000.00 / 30,000.00")  # pledged / arrived / committed / spent / unspent
    paid = pledge.locator("table tbody tr").first
    expect(paid).to_contain_text("更换水表40只")
    expect(paid).to_contain_text("30,000.00")
    expect(paid.get_by_role("link", name="发票.pdf")).to_be_visible()
    shot(page, "sponsor-my-pledges")

    press(page, pledge.get_by_role("link", name="爱心小水表"))
    expect(page.locator("#claims")).to_contain_text("上海宾馆")
    expect(page.locator("#claims")).to_contain_text("已到账")
    assert page.problems == [], page.problems
