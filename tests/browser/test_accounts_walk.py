"""Accounts in headless Chromium, at desktop and at phone width: an office creates an account on
the users page and reads its one-time password, its owner signs in and is sent to change it
first, then changes it; the second factor's page with its QR code. Screenshots go to
test-artifacts/accounts-<profile>/."""
from __future__ import annotations

import pytest

from tests.browser.kit import press, shot, sign_in, sign_out

from playwright import sync_api as playwright_api  # a test dependency: missing is a failure
expect = playwright_api.expect

pytestmark = pytest.mark.browser

ARTIFACTS = "accounts"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
NEW_PASSWORD = "晴天去公园散步-2023"


def both_widths(page, name: str) -> None:
    shot(page, f"{name}-desktop")
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), "the page scrolls sideways"
    shot(page, f"{name}-phone")
    page.set_viewport_size(DESKTOP)


def test_an_office_creates_an_account_whose_owner_changes_the_one_time_password(live_server, browser_page):
    page, base = browser_page, live_server
    sign_in(page, base, "jingan", "ghxl_admin")
    page.goto(f"{base}/t/jingan/admin/users/")
    expect(page.locator("#accounts")).to_contain_text("luochuan")
    both_widths(page, "users")
    page.locator("#cu-username").fill("luochuan_zhao")
    page.locator("#cu-display_name").fill("赵社工")
    page.locator("#cu-unit").select_option(label="洛川居民区")
    page.locator("#cu-role").select_option(value="neighbourhood_staff")
    press(page, page.get_by_role("button", name="创建并生成一次性密码"))
    one_time = page.locator(".one-time-password").first.inner_text()
    assert len(one_time) == 16
    both_widths(page, "one-time-password")
    sign_out(page)

    page.goto(f"{base}/t/jingan/login")
    page.get_by_label("用户名").fill("luochuan_zhao")
    page.get_by_label("密码").fill(one_time)
    press(page, page.get_by_role("button", name="登录"))
    expect(page.locator("#forced-change")).to_be_visible()  # sent to change it first
    page.locator("#pw-current_password").fill(one_time)
    page.locator("#pw-new_password").fill("password1234")
    page.locator("#pw-confirm_password").fill("password1234")
    press(page, page.get_by_role("button", name="修改密码"))
    expect(page.locator("#pw-new_password-err1")).to_contain_text("常见密码")
    both_widths(page, "password-refused")
    page.locator("#pw-current_password").fill(one_time)
    page.locator("#pw-new_password").fill(NEW_PASSWORD)
    page.locator("#pw-confirm_password").fill(NEW_PASSWORD)
    press(page, page.get_by_role("button", name="修改密码"))
    expect(page.locator(".flash")).to_contain_text("密码已修改")

    page.goto(f"{base}/t/jingan/account/second-factor")
    press(page, page.get_by_role("button", name="开始设置两步验证"))
    expect(page.locator("#totp-qr svg")).to_be_visible()
    both_widths(page, "second-factor")
    assert not page.problems, page.problems
