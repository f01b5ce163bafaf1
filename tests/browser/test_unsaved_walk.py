"""Nothing typed is ever lost, in headless Chromium (issue 16, item 2): 洛川 types into the
申报表 of a draft, then presses 保存预算 — the page stops and says the 申报表 has unsaved changes;
keeping them leaves both typed forms as they were, with the 申报表 in view. Saving the 申报表 then
asks about the budget typed meanwhile; leaving the page warns; a refused section is itself
unsaved. The length rule stands beside its label before typing and counts what is typed. Without
JavaScript the sections still save. At desktop width and at 390×844. Screenshots go to
test-artifacts/unsaved-<profile>/."""
from __future__ import annotations

import pytest

from core.services import projects
from tests.browser.kit import DESKTOP, PHONE, both_widths, press, shot, sign_in
from tests.factories import APPLICATION_DAY, acting, on_day, programme_id, unit_id

from playwright import sync_api as playwright_api  # a test dependency: missing is a failure
expect = playwright_api.expect

pytestmark = pytest.mark.browser
ARTIFACTS = "unsaved"
TENANT = "jingan"
BACKGROUND = "小区公共空间少、邻里交流渠道有限，居民代表大会上多次提出希望改善，需要大家一起商量。"


@pytest.fixture(autouse=True)
def in_phase(live_server, platform):
    with on_day(APPLICATION_DAY):
        yield


def draft(platform, title: str) -> int:
    with acting(platform, TENANT, "luochuan") as ctx:
        return projects.create_project(ctx, programme_id(platform, TENANT, plugin="gonghexinlu"),
                                       unit_id(platform, TENANT, "ghxl-luochuan"), "micro_venture", title).id


def answer(page, accept: bool) -> list:
    """Answer the page's next dialog (a confirm or a leave-page warning); the list gets its
    (type, message)."""
    seen: list = []
    page.once("dialog", lambda d: (seen.append((d.type, d.message)), d.accept() if accept else d.dismiss()))
    return seen


def type_application(page) -> None:
    form = page.locator("#form-application")
    form.get_by_label("项目名称").fill("口袋花园改造")
    form.get_by_label("公共空间营造").check()
    form.get_by_label("项目背景与居民需求").fill(BACKGROUND)
    form.get_by_label("项目目标").fill("建成口袋花园1处，参与居民100人次。")
    form.get_by_label("主要内容与实施步骤").fill("4月设计；5-6月共建；7-9月养护；10月总结。")
    form.get_by_label("项目团队与分工").fill("居委会主任牵头，楼组长6人")
    form.get_by_label("开始日期").fill("2023-04-01")
    form.get_by_label("结束日期").fill("2023-12-31")
    form.get_by_label("居民代表大会（征询）日期").fill("2023-02-20")


def type_budget(page, amount: str = "5,000元") -> None:
    row = page.locator("#budget tbody tr").first
    row.locator("input[name=description]").fill("绿植和花盆")
    row.locator("input[name=amount]").fill(amount)


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_another_sections_save_and_leaving_ask_before_typing_is_lost(live_server, browser_page, platform, size):
    page, base = browser_page, live_server
    pid = draft(platform, "口袋花园")
    sign_in(page, base, TENANT, "luochuan")
    page.set_viewport_size(size)
    url = f"{base}/t/{TENANT}/projects/{pid}"
    page.goto(url)

    # The rule is beside the label before anything is typed, and counts what is typed.
    limit = page.locator("#f-application-background-limit")
    expect(limit).to_have_text("20–2000 字")
    expect(page.locator("#form-intent .card-head")).to_contain_text("选填；填写时以下各项必填")
    type_application(page)
    expect(limit).to_contain_text(f"已写 {len(BACKGROUND)} 字")

    # Saving the budget would reload the page: it stops and names the 申报表; keeping the typing stays.
    type_budget(page)
    seen = answer(page, accept=False)
    page.locator("#budget").get_by_role("button", name="保存预算").click()
    expect(page.locator("#form-application").get_by_label("项目背景与居民需求")).to_have_value(BACKGROUND)
    assert seen and seen[0][0] == "confirm" and "自治项目申报表" in seen[0][1] and "未保存" in seen[0][1]
    assert page.url.split("#")[0] == url
    expect(page.locator("#budget tbody tr").first.locator("input[name=amount]")).to_have_value("5,000元")
    expect(page.locator("#f-application-title")).to_be_focused()
    shot(page, f"kept-{size['width']}")

    # Saving the 申报表 asks about the budget typed meanwhile; letting it go saves the 申报表.
    seen = answer(page, accept=True)
    press(page, page.locator("#form-application").get_by_role("button", name="保存自治项目申报表"))
    assert seen and "项目预算" in seen[0][1]
    expect(page.locator(".flash")).to_contain_text("「自治项目申报表」已保存")
    expect(page.locator("#form-application").get_by_label("项目背景与居民需求")).to_have_value(BACKGROUND)

    # Nothing unsaved: the budget saves without a question, in yuan as typed.
    type_budget(page)
    press(page, page.locator("#budget").get_by_role("button", name="保存预算"))
    expect(page.locator(".flash")).to_contain_text("预算已保存")
    expect(page.locator("#budget-total")).to_have_text("5,000.00")

    # Leaving with unsaved typing warns; staying keeps it.
    page.locator("#form-application").get_by_label("项目目标").fill("建成口袋花园2处。")
    seen = answer(page, accept=False)
    page.get_by_role("link", name="首页").first.click()
    expect(page.locator("#form-application").get_by_label("项目目标")).to_have_value("建成口袋花园2处。")
    assert seen and seen[0][0] == "beforeunload"
    assert page.url.split("#")[0] == url

    # A refused section is unsaved too: the page re-shows it, and leaving it warns.
    seen = answer(page, accept=True)  # let the goal above go, to try a refused budget
    type_budget(page, "五千块")
    press(page, page.locator("#budget").get_by_role("button", name="保存预算"))
    expect(page.locator("#budget tbody tr").first.locator("input[name=amount]")).to_have_value("五千块")
    expect(page.locator("#b-amount-1 ~ .error-text")).to_be_visible()
    both_widths(page, f"refused-budget-{size['width']}", visible="#budget")
    page.set_viewport_size(size)
    seen = answer(page, accept=False)
    page.locator("#form-application").get_by_role("button", name="保存自治项目申报表").click()
    assert seen and "项目预算" in seen[0][1]
    expect(page.locator("#budget tbody tr").first.locator("input[name=amount]")).to_have_value("五千块")
    assert page.problems == []


def test_without_javascript_each_section_still_saves(live_server, browser_page, platform):
    page, base = browser_page, live_server
    pid = draft(platform, "无脚本花园")
    context = page.context.browser.new_context(locale="zh-CN", java_script_enabled=False, viewport=PHONE)
    try:
        plain = context.new_page()
        sign_in(plain, base, TENANT, "luochuan")
        plain.goto(f"{base}/t/{TENANT}/projects/{pid}")
        expect(plain.locator("#f-application-background-limit")).to_have_text("20–2000 字")
        type_budget(plain, "5,000")
        press(plain, plain.locator("#budget").get_by_role("button", name="保存预算"))
        expect(plain.locator(".flash")).to_contain_text("预算已保存")
        expect(plain.locator("#budget-total")).to_have_text("5,000.00")
        plain.screenshot(path=str(page.artifacts / "no-script-budget-phone.png"), full_page=True)
    finally:
        context.close()
