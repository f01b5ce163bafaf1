"""Correcting an activity record and sending failed mail again, in headless Chromium, at desktop
width and at a phone's (screenshots in test-artifacts/acts-<profile>/):

- 洛川's team opens a recorded activity from its button on the activity page, is refused a day
  before the project's start beside the date field, corrects the place, adds a photo and removes
  the old one;
- the district administrator opens "发送失败的邮件" from the administration menu, reads the SMTP
  server's refusal, and once the address is fixed sends the mail again: it arrives once.
"""
from __future__ import annotations

import io

import pytest

from tests.browser.kit import press, shot, sign_in
from tests.delivery_factories import activity, jpeg_with_gps, png, project_with_plan
from tests.factories import IMPLEMENTATION_DAY, on_day, submitted_project
from tests.mailbox import smtp_server
from tests.test_inbox_mail import CHAIR, _addresses, _mail_on

from playwright import sync_api as playwright_api  # a test dependency: missing is a failure
expect = playwright_api.expect

pytestmark = pytest.mark.browser
ARTIFACTS = "acts"
TENANT = "jingan"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def test_an_activity_is_corrected_with_a_new_photo_at_desktop_and_phone_width(live_server, browser_page, platform, tmp_path):
    page, base = browser_page, live_server
    with on_day(IMPLEMENTATION_DAY):
        pid, (first, *_) = project_with_plan(platform)
        aid = activity(platform, pid, first, photos=[("old.png", io.BytesIO(png((300, 200))))])
        photo = tmp_path / "IMG_0413.jpg"
        photo.write_bytes(jpeg_with_gps((1200, 900), colour=(60, 140, 70)))

        sign_in(page, base, TENANT, "luochuan")
        page.goto(f"{base}/t/{TENANT}/projects/{pid}/activities")
        press(page, page.locator(f"#activity-{aid}").get_by_role("link", name="修改、补充照片或删除"))
        expect(page.get_by_label("活动地点")).to_have_value("12号楼前空地")

        page.get_by_label("活动日期").fill("2023-03-20")
        press(page, page.get_by_role("button", name="保存修改"))
        expect(page.locator("#a-held_on-err1")).to_contain_text("不在项目周期内")
        shot(page, "edit-refused-desktop")

        page.get_by_label("活动日期").fill("2023-04-10")
        page.get_by_label("活动地点").fill("12号楼前空地（东侧花坛）")
        press(page, page.get_by_role("button", name="保存修改"))
        expect(page.locator(".flash")).to_contain_text("活动记录已修改")
        expect(page.locator(f"#activity-{aid}")).to_contain_text("东侧花坛")

        page.goto(f"{base}/t/{TENANT}/activities/{aid}/edit")
        page.get_by_label("补充活动照片").set_input_files(str(photo))
        press(page, page.get_by_role("button", name="上传"))
        expect(page.locator(".flash")).to_contain_text("照片或签到表已上传")
        expect(page.locator(".file-item img")).to_have_count(2)
        press(page, page.locator(".file-item").first.get_by_role("button", name="删除"))
        expect(page.locator(".file-item img")).to_have_count(1)
        shot(page, "edit-desktop")
        page.set_viewport_size(PHONE)
        shot(page, "edit-phone")
        page.goto(f"{base}/t/{TENANT}/projects/{pid}/activities")
        shot(page, "activities-phone")
        page.set_viewport_size(DESKTOP)
    assert page.problems == []


def test_a_refused_mail_is_sent_again_from_its_page_at_desktop_and_phone_width(live_server, browser_page, settings,
                                                                               platform):
    page, base = browser_page, live_server
    _addresses(platform, ghxl_chair=CHAIR)
    with smtp_server() as (box, port):
        box.refuse.add(CHAIR)
        _mail_on(settings, port)
        submitted_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园")
        assert box.to(CHAIR) == []

        sign_in(page, base, TENANT, "jingan_admin")
        page.goto(f"{base}/t/{TENANT}/admin/")
        press(page, page.get_by_role("link", name="发送失败的邮件"))
        row = page.locator("table.mail-table tbody tr").first
        expect(row).to_contain_text("评审小组组长（演示）")
        expect(row).to_contain_text("550")
        shot(page, "mail-failed-desktop")
        page.set_viewport_size(PHONE)
        shot(page, "mail-failed-phone")
        page.set_viewport_size(DESKTOP)

        box.refuse.clear()
        press(page, row.get_by_role("button", name="重新发送"))
        expect(page.locator(".flash")).to_contain_text("已重新发送")
        expect(page.locator("table.mail-table")).to_contain_text("没有发送失败的邮件")
        assert len(box.to(CHAIR)) == 1
        shot(page, "mail-resent-desktop")
    assert page.problems == []
