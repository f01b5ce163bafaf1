"""Where the money went, in headless Chromium: a resident (not signed in) opens 共和新路's
disclosure, chooses 洛川居民区, reads the signature project's sources, disbursements and
spending (a voucher shown as "有凭证", no file), opens the printable congress report and
downloads its Excel file; then the district bureau signs in, opens the money page, sees the
chart (a bar per street with its legend) and exports it to Excel.

The money is set up through the services (the disclosure scenario of tests/money_factories.py: approvals,
a pledge, disbursements, spending, a refund and a correction); the walk only reads.
Screenshots go to test-artifacts/disclosure-<profile>/.
"""
from __future__ import annotations

import io

import openpyxl
import pytest

from tests.browser.kit import press, shot, sign_in
from tests.money_factories import build

from playwright import sync_api as playwright_api  # a test dependency: missing is a failure
expect = playwright_api.expect

pytestmark = pytest.mark.browser
ARTIFACTS = "disclosure"  # screenshots: test-artifacts/disclosure-<profile>/
TENANT = "jingan"


def test_a_resident_reads_where_the_money_went_and_the_bureau_sees_every_street(live_server, browser_page, platform):
    build(platform)
    page, base = browser_page, live_server

    # -- a resident, not signed in ----------------------------------------------------------------
    page.goto(f"{base}/t/{TENANT}/disclosure")
    expect(page.locator("h1")).to_contain_text("村(居)务公开")
    press(page, page.get_by_role("link", name="洛川居民区"))
    expect(page.locator("h1")).to_contain_text("洛川居民区 · 2023年度项目资金公开")
    project = page.locator(".disclosed-project").filter(has_text="楼组议事会")
    expect(project.locator("table").first).to_contain_text("居民自治经费")
    expect(project.locator("table").first).to_contain_text("资金池")
    expect(project).to_contain_text("议事会场地布置与物料")
    expect(project).to_contain_text("有凭证")
    expect(project).to_contain_text("更正（支出）")
    expect(page.locator("#pledges")).to_contain_text("个人捐赠者")
    expect(page.locator("main")).not_to_contain_text("青年议事角")  # not approved: not disclosed
    shot(page, "neighbourhood-disclosure")

    press(page, page.get_by_role("link", name="打印版报告"))
    expect(page.locator(".report h1")).to_contain_text("洛川居民区2023年度自治项目资金公开报告")
    expect(page.get_by_role("button", name="打印")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator(".masthead")).to_be_hidden()  # the print stylesheet leaves the report alone
    shot(page, "report-as-printed")
    page.emulate_media(media="screen")
    with page.expect_download() as info:
        page.get_by_role("link", name="下载 Excel").click()
    wb = openpyxl.load_workbook(io.BytesIO(open(info.value.path(), "rb").read()))
    assert wb.sheetnames[:4] == ["资金来源", "立项审批", "拨付", "支出"]

    # -- the district bureau ------------------------------------------------------------------------
    sign_in(page, base, TENANT, "jingan_admin")
    page.goto(f"{base}/t/{TENANT}/money")
    expect(page.locator("h1")).to_contain_text("资金总览 · 2023年度")
    chart = page.get_by_role("img", name="2023年度各街道资金使用情况")
    expect(chart).to_be_visible()
    expect(chart.locator("text").filter(has_text="共和新路街道")).to_be_visible()
    expect(chart.locator("text").filter(has_text="已承诺未拨付")).to_be_visible()
    expect(chart.locator("g.bar rect[fill='#1d7a46']")).to_have_count(1)  # 共和新路 has spent; 静安寺 not
    expect(page.locator("#street-totals tfoot")).to_contain_text("合计")
    shot(page, "district-money")
    with page.expect_download() as info:
        page.get_by_role("link", name="导出 Excel").click()
    wb = openpyxl.load_workbook(io.BytesIO(open(info.value.path(), "rb").read()))
    assert wb.sheetnames == ["各街道汇总", "各项资金明细"]
    assert page.problems == []
