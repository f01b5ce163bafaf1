"""The reviewer's desk in headless Chromium (issue 16, item 3): 共和新路's expert reads two
applications beside the scoring form (the 申报表, the budget and the residents' congress minutes,
downloaded from the page) and scores them; the chair sorts the queue by average score, opens the
best, is warned that a panel member (the chair) has not scored, is refused without the
confirmation, and decides with it. Desktop and phone width at each page. Screenshots:
test-artifacts/review-desk-<profile>/."""
from __future__ import annotations

import pytest

from tests.browser import kit
from tests.browser.kit import DESKTOP, both_widths, open_review, press, shot, sign_in, sign_out
from tests.factories import submitted_project

from playwright import sync_api as playwright_api  # a test dependency: missing is a failure
expect = playwright_api.expect

pytestmark = pytest.mark.browser
ARTIFACTS = "review-desk"
TENANT = "jingan"
CHAIR = "评审小组组长（演示）"


def _score(page, title: str, points: dict[str, str], comment: str) -> None:
    form = page.locator("#score")
    for label, value in points.items():
        form.get_by_label(label).fill(value)
    form.get_by_label("评审意见").fill(comment)
    press(page, form.get_by_role("button", name="保存评分"))
    expect(page.locator(".flash")).to_contain_text("评分已保存")


def test_a_reviewer_reads_beside_the_form_and_the_chair_decides_by_rank(live_server, browser_page, platform):
    page, base = browser_page, live_server
    submitted_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "楼道微花园")
    submitted_project(platform, "yanchang", "ghxl-yanchang", "micro_venture", "青年议事角")

    # -- the expert reads the application beside the form, downloads the minutes, scores -----------
    sign_in(page, base, TENANT, "ghxl_expert")
    open_review(page, "楼道微花园")
    application, work = page.locator("#application"), page.locator("#work")
    expect(application).to_contain_text("自治项目申报表")
    expect(application).to_contain_text("小区停车难")          # the form's text, read-only
    expect(application).to_contain_text("活动物料")            # the budget
    minutes = application.locator("#application-files").get_by_role("link", name="会议记录.pdf")
    expect(minutes).to_be_visible()
    left, right = application.bounding_box(), work.locator("#score").bounding_box()
    assert left["x"] + left["width"] <= right["x"], "the form sits beside the application at desktop width"
    with page.expect_download() as download:
        minutes.click()
    assert download.value.suggested_filename == "会议记录.pdf"
    # the form stays in view while the application scrolls
    page.mouse.wheel(0, 1500)
    expect(work.locator("#score")).to_be_in_viewport()
    page.evaluate("window.scrollTo(0, 0)")
    both_widths(page, "expert-reads-beside-the-form", visible="#score")
    page.set_viewport_size(PHONE_STACKED := {"width": 390, "height": 844})
    stacked_app, stacked_form = application.bounding_box(), work.locator("#score").bounding_box()
    assert stacked_app["y"] < stacked_form["y"] and stacked_form["x"] < stacked_app["x"] + 5, PHONE_STACKED
    page.set_viewport_size(DESKTOP)
    _score(page, "楼道微花园", {"可行性": "9", "操作性": "9", "合规性": "8"}, "目标清楚，居民参与面广")
    expect(page.locator("#scores")).to_contain_text("评审专家（演示）")  # the panel's scores so far
    expect(page.locator("#scores")).to_contain_text(CHAIR)                # and who has not scored
    open_review(page, "青年议事角")
    _score(page, "青年议事角", {"可行性": "6", "操作性": "5", "合规性": "7"}, "与已有青年活动有重复")
    sign_out(page)

    # -- the chair sorts the queue by average and sees the rank --------------------------------------
    sign_in(page, base, TENANT, "ghxl_chair")
    press(page, page.get_by_role("navigation", name="主导航").get_by_role("link", name="评审"))
    press(page, page.get_by_role("link", name="按平均分从高到低"))
    rows = page.locator("#waiting tbody tr")
    expect(rows.nth(0)).to_contain_text("楼道微花园")
    expect(rows.nth(0).locator(".rank")).to_have_text("1")
    expect(rows.nth(0)).to_contain_text("26")                  # the expert's total
    expect(rows.nth(1)).to_contain_text("青年议事角")
    expect(rows.nth(1).locator(".rank")).to_have_text("2")
    expect(rows.nth(0).locator(".reviewer-scores")).to_contain_text(CHAIR)  # and the chair's, still missing
    both_widths(page, "chair-sorts-the-queue-by-average", visible="#waiting")

    # -- the chair is warned that a score is missing, must confirm, and decides ----------------------
    press(page, rows.nth(0).get_by_role("link", name="评审"))
    form = page.locator("#decide")
    expect(form.locator("#missing-scores")).to_contain_text(CHAIR)
    form.get_by_label("通过（立项）").check()
    press(page, form.get_by_role("button", name="确认决定"))
    expect(page.locator("#confirm_missing_scores ~ .error-text, #missing-scores .error-text")).to_contain_text("请勾选")
    both_widths(page, "chair-is-warned-about-a-missing-score", visible="#missing-scores")
    form = page.locator("#decide")
    form.get_by_label("通过（立项）").check()
    form.get_by_label("确认在缺少评分的情况下作出决定").check()
    press(page, form.get_by_role("button", name="确认决定"))
    expect(page.locator(".flash")).to_contain_text("评审决定已记录")
    shot(page, "chair-decided")
    # the other is decided by the shared step, naming the same missing score
    kit.decide_with_missing_scores(page, "青年议事角", "退回修改", CHAIR, "请与已有青年活动错开主题后再申报。")
    sign_out(page)
