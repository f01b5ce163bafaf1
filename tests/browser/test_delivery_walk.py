"""Carrying a project out, in headless Chromium, on 共和新路's approved micro project 口袋花园:

洛川 follows the project page's "实施计划" link, writes the plan (a row dated after the project's
end is refused beside its field, then corrected), moves a task on, records an activity with a
photo (taken with a GPS position) and the volunteers' names, and sees its thumbnail; the pages
are shot at desktop width and at a phone's. The project is approved through the services before
the walk (tests/money_factories.py); screenshots go to test-artifacts/delivery-<profile>/.
"""
from __future__ import annotations

import pytest

from tests.browser.kit import press, shot, sign_in
from tests.delivery_factories import jpeg_with_gps
from tests.factories import IMPLEMENTATION_DAY, on_day
from tests.money_factories import approved_project

from playwright import sync_api as playwright_api  # a test dependency: missing is a failure
expect = playwright_api.expect

pytestmark = pytest.mark.browser
ARTIFACTS = "delivery"
TENANT = "jingan"
PHONE = {"width": 390, "height": 844}
TASKS = [("组建花园志愿者团队", "居委会主任", "2023-04-01", "2023-04-30"),
         ("清理空地、种植", "楼组长王阿姨", "2023-05-01", "2024-01-31"),   # after the project's end: refused
         ("日常养护与开放", "志愿者队", "2023-07-01", "2023-11-30")]


@pytest.fixture(autouse=True)
def in_phase(live_server, platform):
    with on_day(IMPLEMENTATION_DAY):
        yield


# An image's width once it has loaded (0 if it fails to): a lazy image may still be on its way.
LOADED_WIDTH = """img => img.complete ? img.naturalWidth : new Promise(done => {
    img.addEventListener("load", () => done(img.naturalWidth), {once: true});
    img.addEventListener("error", () => done(0), {once: true});
})"""


def test_the_plan_and_an_activity_with_a_photo_at_desktop_and_phone_width(live_server, browser_page, platform, tmp_path):
    page, base = browser_page, live_server
    pid = approved_project(platform, title="口袋花园")
    photo = tmp_path / "IMG_0412.jpg"
    photo.write_bytes(jpeg_with_gps((1600, 1200)))

    sign_in(page, base, TENANT, "luochuan")
    page.goto(f"{base}/t/{TENANT}/projects/{pid}")
    expect(page.locator("#delivery")).to_contain_text("0/0")
    press(page, page.locator("#delivery").get_by_role("link", name="实施计划"))

    editor = page.locator(".plan-editor tbody tr")
    for i, (title, owner, start, end) in enumerate(TASKS):
        row = editor.nth(i)
        row.locator("input[name=title]").fill(title)
        row.locator("input[name=owner]").fill(owner)
        row.locator("input[name=starts_on]").fill(start)
        row.locator("input[name=ends_on]").fill(end)
    press(page, page.get_by_role("button", name="保存实施计划"))
    expect(page.locator("#new-1-ends_on ~ .error-text")).to_contain_text("2024年1月31日不在项目周期内")
    expect(page.locator("#new-0-title")).to_have_value("组建花园志愿者团队")  # what was typed stays
    shot(page, "plan-refused-row")
    page.locator("#new-1-ends_on").fill("2023-06-30")
    press(page, page.get_by_role("button", name="保存实施计划"))
    expect(page.locator(".flash")).to_contain_text("实施计划已保存")
    first = page.locator("#tasks tbody tr").first
    first.locator("select[name=status]").select_option("in_progress")
    press(page, first.get_by_role("button", name="更新"))
    expect(page.locator(".flash")).to_contain_text("任务进度已更新")
    shot(page, "plan-desktop")

    press(page, page.locator(".subnav").get_by_role("link", name="活动记录"))
    page.locator("#record summary").click()
    page.get_by_label("活动日期").fill("2023-04-10")
    page.get_by_label("参加人数").fill("12")
    page.get_by_label("活动地点").fill("12号楼前空地")
    page.locator("#a-content").fill("志愿者清理空地，讨论花园布局")
    page.get_by_label("所属计划任务").select_option(label="组建花园志愿者团队（2023年4月1日至4月30日）")  # the days in words, as the page writes them
    page.get_by_label("参加人员名单（签到）").fill("王阿姨 2\n李叔叔 1.5")
    page.get_by_label("活动照片").set_input_files(str(photo))
    page.get_by_text("可以公开展示").click()
    press(page, page.get_by_role("button", name="登记活动"))
    expect(page.locator(".flash")).to_contain_text("2023年4月10日的活动已登记")
    card = page.locator(".activity").first
    expect(card).to_contain_text("王阿姨（2h）")
    expect(card.locator(".thumbs img")).to_have_count(1)
    # the thumbnail loaded: it is lazy (loading="lazy"), so the page's load event does not wait
    # for it; brought into view and waited for
    thumb = card.locator(".thumbs img")
    thumb.scroll_into_view_if_needed()
    assert thumb.evaluate(LOADED_WIDTH) == 320
    shot(page, "activities-desktop")

    page.set_viewport_size(PHONE)
    shot(page, "activities-phone")
    page.goto(f"{base}/t/{TENANT}/projects/{pid}/plan")
    shot(page, "plan-phone")
    page.goto(f"{base}/t/{TENANT}/projects/{pid}")
    expect(page.locator("#delivery")).to_contain_text("1")
    shot(page, "project-panel-phone")
    assert page.problems == []
