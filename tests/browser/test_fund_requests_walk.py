"""A month of fund requests (资金申请) in headless Chromium, on 共和新路's approved micro-venture project:

洛川 asks for money on a budget item (an amount over the item is refused beside the field,
then the right amount is filed); the street office accepts it into March's batch; a leader
whose authority is too small is told so, the leader with 50,000 yuan approves the batch; the
office records the disbursement; 洛川 records the spending with the voucher and reads the
final accounts, then downloads them as Excel.

The project is approved through the services before the walk (tests/money_factories.py);
the live server, the page and the shared steps come from conftest.py and kit.py; screenshots
go to test-artifacts/fund-requests-<profile>/. No step waits on a clock.
"""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.browser.kit import press, shot, sign_in, sign_out
from tests.factories import IMPLEMENTATION_DAY, PNG, on_day
from tests.money_factories import approved_project, leaders

from playwright import sync_api as playwright_api  # a test dependency: missing is a failure
expect = playwright_api.expect

pytestmark = pytest.mark.browser
ARTIFACTS = "fund-requests"  # screenshots: test-artifacts/fund-requests-<profile>/
TENANT = "jingan"


@pytest.fixture(autouse=True)
def in_phase(live_server, platform):  # after both have pinned the world's day
    """Fund requests are filed in 共和新路's implementation phase (from April): the walk happens on
    a day in it (the factory applies for the project on the application day)."""
    with on_day(IMPLEMENTATION_DAY):
        yield


def test_a_request_is_filed_accepted_batched_approved_paid_and_spent(live_server, browser_page, platform, tmp_path):
    page, base = browser_page, live_server
    pid = approved_project(platform, title="口袋花园")
    leaders(platform)
    voucher = tmp_path / "绿植发票.png"
    voucher.write_bytes(PNG)

    # -- 洛川 asks for money on its budget item ----------------------------------------------------
    sign_in(page, base, TENANT, "luochuan")
    press(page, page.locator("tbody").get_by_role("link", name="口袋花园"))
    section = page.locator("#fund-requests")
    expect(section.locator("#fund-room")).to_contain_text("4,000.00")
    section.get_by_label("申请金额（元）").fill("3000.01")
    section.get_by_label("预算明细").select_option(label="活动物料（预算 3,000.00元，尚可申请 3,000.00元）")
    section.get_by_label("用途").fill("购买绿植、花盆和工具")
    section.get_by_label("使用对象").fill("3号楼居民约120户")
    press(page, section.get_by_role("button", name="提交资金申请"))
    expect(page.locator("#fr-amount ~ .error-text")).to_contain_text("超出预算明细「活动物料」的剩余额度")
    expect(page.get_by_label("用途")).to_have_value("购买绿植、花盆和工具")  # what was typed stays
    shot(page, "luochuan-over-the-line")
    page.get_by_label("申请金额（元）").fill("1500")
    press(page, page.get_by_role("button", name="提交资金申请"))
    expect(page.locator(".flash")).to_contain_text("已提交（2023年4月）")
    card = page.locator("article.fund-request").first
    expect(card).to_contain_text("已提交")
    expect(card).to_contain_text("购买绿植、花盆和工具")
    sign_out(page)

    # -- the street office accepts it into March's batch -----------------------------------------
    sign_in(page, base, TENANT, "ghxl_admin")
    page.goto(f"{base}/t/{TENANT}/fund-requests?month=2023-04")
    waiting = page.locator("#waiting")
    expect(waiting).to_contain_text("口袋花园")
    expect(waiting).to_contain_text("洛川居民区")
    shot(page, "office-waiting")
    press(page, waiting.get_by_role("button", name="审核通过，编入月度汇总"))
    expect(page.locator(".flash")).to_contain_text("编入月度汇总")
    batches = page.locator("#batches")
    expect(batches).to_contain_text("共和新路街道")
    expect(batches).to_contain_text("1,500.00")
    press(page, batches.get_by_role("link", name="查看").first)
    batch_url = page.url
    sign_out(page)

    # -- a leader with too little authority is told so; the one with enough approves -------------
    sign_in(page, base, TENANT, "fr_small_leader")
    page.goto(batch_url)
    expect(page.locator("#authority")).to_contain_text("超出权限")
    # The button is theirs but not now: shown disabled, its reason beside it and announced with it.
    approve = page.get_by_role("button", name="审批通过本月汇总")
    expect(approve).to_be_disabled()
    expect(approve).to_have_attribute("aria-describedby", "approve-why")
    expect(page.locator("#approve-why")).to_contain_text("超出您的审批权限（1,000.00元）")
    sign_out(page)

    sign_in(page, base, TENANT, "fr_leader")
    page.goto(batch_url)
    expect(page.locator("#total")).to_have_text("1,500.00元")
    expect(page.locator("#authority")).to_contain_text("50,000.00")
    expect(page.locator("#authority")).to_contain_text("在权限内")
    shot(page, "leader-batch")
    press(page, page.get_by_role("button", name="审批通过本月汇总"))
    expect(page.locator(".flash")).to_contain_text("合计 1,500.00元")
    sign_out(page)

    # -- the office records the disbursement ----------------------------------------------------
    sign_in(page, base, TENANT, "ghxl_admin")
    page.goto(batch_url)
    press(page, page.get_by_role("button", name="登记本月全部拨付"))
    expect(page.locator(".flash")).to_contain_text("已登记1笔资金申请的拨付")
    expect(page.locator("article.fund-request").first).to_contain_text("已拨付")
    sign_out(page)

    # -- 洛川 records the spending with the voucher and reads the final accounts --------------------
    sign_in(page, base, TENANT, "luochuan")
    page.goto(f"{base}/t/{TENANT}/projects/{pid}#fund-requests")
    card = page.locator("article.fund-request").first
    card.get_by_label("支出金额（元）").fill("1200")
    card.get_by_label("支出说明").fill("绿植和花盆")
    card.get_by_label("凭证/发票").set_input_files(str(voucher))
    press(page, card.get_by_role("button", name="登记支出"))
    expect(page.locator(".flash")).to_contain_text("支出及凭证已登记")
    card = page.locator("article.fund-request").first
    expect(card.get_by_role("link", name="凭证：绿植发票.png")).to_be_visible()
    accounts = page.locator("table.final-accounts")
    expect(accounts.locator("tbody tr").first).to_contain_text("活动物料")
    expect(accounts.locator("tbody tr").first).to_contain_text("1,200.00")
    expect(accounts.locator("tbody tr").first).to_contain_text("1,800.00")
    shot(page, "luochuan-final-accounts")
    # The section alone, readable at full size.
    page.locator("#fund-requests").screenshot(path=str(page.artifacts / "05-fund-requests-section.png"))
    with page.expect_download() as info:
        page.get_by_role("link", name="下载决算表（Excel）").click()
    data = info.value.path().read_bytes()
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert any(r[1] == "活动物料" and r[5] == 1200 for r in rows)
    sign_out(page)

    assert page.problems == [], page.problems
