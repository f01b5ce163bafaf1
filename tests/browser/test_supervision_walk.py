"""The July supervision and the December close-out in headless Chromium, at desktop and at phone
width, on 共和新路's approved micro project (approved through the services first):

the street office opens the project's supervision from the project page, records the mid-term
visit item by item (one item not met, with what was found) and opens a rectification; 洛川
reports what it did; the office accepts it; in December the office reads what closing releases
and closes the project, whose page then says it is closed.

Screenshots go to test-artifacts/supervision-<profile>/ (each step at the walk's width); at
phone width nothing may be wider than the screen. No step waits on a clock."""
from __future__ import annotations

import pytest

from tests.browser.kit import press, shot, sign_in, sign_out
from tests.factories import on_day
from tests.money_factories import approved_project

from playwright import sync_api as playwright_api  # a test dependency: missing is a failure
expect = playwright_api.expect

pytestmark = pytest.mark.browser
ARTIFACTS = "supervision"
TENANT = "jingan"
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
ITEMS = ("plan_on_track", "activity_records", "budget_kept", "residents_take_part", "deviations_met",
         "residents_satisfied", "fund_spent_on_list", "fund_formed_bottom_up")


def fits(page, width: str) -> None:
    if width == "phone":  # the page scrolls down, not sideways
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS["phone"]["width"] + 1


@pytest.mark.parametrize("width", list(WIDTHS))
def test_a_mid_term_visit_a_rectification_and_the_close(live_server, browser_page, platform, width):
    page, base = browser_page, live_server
    page.set_viewport_size(WIDTHS[width])
    pid = approved_project(platform, title="口袋花园")
    project_url = f"{base}/t/{TENANT}/projects/{pid}"

    with on_day("2023-07-12"):
        # -- the office records the mid-term visit from the project page --------------------------
        sign_in(page, base, TENANT, "ghxl_admin")
        page.goto(project_url)
        tools = page.locator("#tools")
        expect(tools).to_contain_text("项目经费决算表")
        expect(tools).to_contain_text("项目活动记录手册")  # all twelve tools, each where it is done
        expect(tools).not_to_contain_text("暂未开放")
        press(page, page.locator("#supervision").get_by_role("link", name="督导记录与整改"))
        expect(page.locator("#checklist-gonghexinlu")).to_contain_text("中期督导检查表")
        expect(page.locator("#checklist-jingan_fund")).to_contain_text("社区发展基金使用检查（区级）")
        form = page.locator("#new-visit")
        form.get_by_label("督导日期").fill("2023-07-12")
        form.get_by_label("督导类型").select_option("mid_term")
        form.get_by_label("督导人员").fill("社区自治办 王老师")
        form.get_by_label("督导情况").fill("楼组议事会已召开两次，口袋花园已完成一半。")
        for key in ITEMS:
            form.locator(f'input[name="answer-{key}"][value="{"not_met" if key == "activity_records" else "met"}"]').check()
        press(page, form.get_by_role("button", name="保存督导记录"))  # "not met" without a note: refused
        expect(page.locator("#visit-failed")).to_contain_text("督导记录未保存")
        expect(page.locator("#item-activity_records .error-text")).to_contain_text("请在说明中写明发现的情况")
        expect(page.locator("#v-observed")).to_have_value("楼组议事会已召开两次，口袋花园已完成一半。")
        shot(page, f"{width}-visit-refused")
        fits(page, width)
        form = page.locator("#new-visit")
        form.locator("#note-activity_records").fill("5月两次活动缺签到表")
        form.locator("#r-desc-1").fill("补齐5月两次活动的签到表")
        form.locator("#r-due-1").fill("2023-07-31")
        form.locator("#r-item-1").select_option("activity_records")
        press(page, form.get_by_role("button", name="保存督导记录"))
        expect(page.locator(".flash")).to_contain_text("提出整改事项1项")
        card = page.locator("article.rectification").first
        expect(card).to_contain_text("待整改")
        expect(page.locator("#visits")).to_contain_text("中期督导")
        shot(page, f"{width}-visit-recorded")
        fits(page, width)
        sign_out(page)

    with on_day("2023-07-20"):
        # -- 洛川 reports what it did -----------------------------------------------------------
        sign_in(page, base, TENANT, "luochuan")
        page.goto(project_url)
        press(page, page.locator("#supervision").get_by_role("link", name="督导记录与整改"))
        card = page.locator("article.rectification").first
        card.get_by_label("整改情况").fill("已补齐签到表并归档，今后每次活动当场签到。")
        press(page, card.get_by_role("button", name="报告整改完成"))
        expect(page.locator(".flash")).to_contain_text("待街道社区自治办确认")
        expect(page.locator("article.rectification").first).to_contain_text("已报告，待确认")
        shot(page, f"{width}-reported")
        sign_out(page)

        # -- the office accepts it -----------------------------------------------------------------
        sign_in(page, base, TENANT, "ghxl_admin")
        page.goto(f"{project_url}/supervision")
        card = page.locator("article.rectification").first
        press(page, card.get_by_role("button", name="确认整改完成"))
        expect(page.locator(".flash")).to_contain_text("已确认整改完成")
        expect(page.locator("article.rectification").first).to_contain_text("已完成")
        shot(page, f"{width}-accepted")
        fits(page, width)

    with on_day("2023-12-10"):
        # -- the close-out in December -------------------------------------------------------------
        page.goto(project_url)
        press(page, page.locator("#supervision").get_by_role("link", name="办理结项"))
        expect(page.locator("#release")).to_contain_text("自治项目资金池：4,000.00元")
        shot(page, f"{width}-close-preview")
        fits(page, width)
        page.get_by_label("结项意见").fill("项目按计划完成，口袋花园已交付居民使用。")
        page.once("dialog", lambda dialog: dialog.accept())  # the page asks before an irreversible step
        press(page, page.get_by_role("button", name="确认结项"))
        expect(page.locator(".flash")).to_contain_text("未使用的承诺资金4,000.00元已释放回资金")
        expect(page.locator("#released")).to_have_text("4,000.00元")
        shot(page, f"{width}-closed")
        page.goto(project_url)
        expect(page.locator("h1 .badge")).to_have_text("已结项")
        expect(page.locator("#closed-note")).to_contain_text("已于2023年12月10日结项")
        shot(page, f"{width}-project-closed")
        fits(page, width)
    assert page.problems == []
