"""A street office's administration pages in headless Chromium, at desktop and phone width: the
programme-opening form offers only the street's own policy, named by its title and edition year,
and refuses another place's beside the field; the panel page offers only the street's reviewers.
Screenshots go to test-artifacts/admin-<profile>/."""
from __future__ import annotations

import pytest

from tests.browser.kit import both_widths, expect, press, sign_in
from tests.factories import programme_id

pytestmark = pytest.mark.browser

ARTIFACTS = "admin"


def test_a_street_office_opens_its_own_programme_and_names_its_own_panel(live_server, browser_page, platform):
    page, base = browser_page, live_server
    sign_in(page, base, "jingan", "ghxl_admin")
    page.goto(f"{base}/t/jingan/admin/")
    policy = page.locator("#open-plugin")
    expect(policy.locator("option")).to_have_text(["共和新路街道居民区自治项目（一居一品 · 七彩微创投）（2023年版）"])
    expect(page.locator("main")).not_to_contain_text("政策插件")
    button = page.get_by_role("button", name="开设本年度项目（开设后本年度的政策设置不再更改）")
    expect(button).to_be_visible()
    page.locator("#open").scroll_into_view_if_needed()
    both_widths(page, "open-form", visible="#open-plugin")

    # Another place's policy, posted by hand (the form does not offer it), is refused beside the field.
    policy.evaluate("s => { const o = document.createElement('option'); o.value = 'jinjiang'; o.text = 'x'; s.add(o); s.value = 'jinjiang'; }")
    page.fill("#open-year", "2025")
    press(page, button)
    expect(page.locator(".field.has-error")).to_contain_text("没有启用「晋江市")
    expect(page.locator("#open-year")).to_have_value("2025")
    both_widths(page, "open-refused", visible=".field.has-error")

    page.goto(f"{base}/t/jingan/admin/programmes/{programme_id(platform, plugin='gonghexinlu')}/panel")
    members = page.locator("tbody tr")
    expect(members).to_have_count(2)
    expect(page.locator("main")).not_to_contain_text("静安寺街道自治项目评审组长")
    both_widths(page, "panel", visible="h1")
