"""The audit log page in headless Chromium, at desktop and at phone width: a street office
filters its log by unit and kind, reads each change in words (项目「口袋花园」, 状态：… → 已立项,
amounts in yuan, Shanghai times) and exports what it sees to Excel. Screenshots go to
test-artifacts/audit-<profile>/ (desktop and phone of each step)."""
from __future__ import annotations

import re

import pytest
from openpyxl import load_workbook

from core.services import projects, review
from tests.browser.kit import press, shot, sign_in, sign_out
from tests.factories import acting, gonghexinlu_project

from playwright import sync_api as playwright_api  # a test dependency: missing is a failure
expect = playwright_api.expect

pytestmark = pytest.mark.browser

ARTIFACTS = "audit"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def both_widths(page, name: str) -> None:
    """A screenshot at desktop width, then at phone width, where nothing may scroll sideways."""
    shot(page, f"{name}-desktop")
    page.set_viewport_size(PHONE)
    expect(page.locator("h1")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), "the page scrolls sideways"
    shot(page, f"{name}-phone")
    page.set_viewport_size(DESKTOP)


def test_a_street_office_filters_reads_and_exports_its_log(live_server, browser_page, platform, tmp_path):
    page, base = browser_page, live_server
    pid, _ = gonghexinlu_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园", "1000")
    with acting(platform, "jingan", "ghxl_chair") as ctx:
        review.decide(ctx, pid, "approved")
    with acting(platform, "jingan", "yanchang") as ctx:
        projects.create_project(ctx, projects_programme(platform), unit(platform, "ghxl-yanchang"), "micro_venture", "延长的草稿")

    sign_in(page, base, "jingan", "ghxl_admin")
    page.goto(f"{base}/t/jingan/admin/audit")
    expect(page.locator("h1")).to_have_text("审计日志")
    entries = page.locator(".audit-entry")
    expect(entries.first).to_be_visible()
    body = page.locator("main").inner_text() if page.locator("main").count() else page.inner_text("body")
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", body), "a raw field name on the page"
    both_widths(page, "log")

    page.get_by_label("单位").select_option(label="洛川居民区")
    page.get_by_label("对象类型").select_option(label="项目")
    press(page, page.get_by_role("button", name="筛选"))
    expect(entries.filter(has_text="延长的草稿")).to_have_count(0)
    decided = entries.filter(has_text="作出评审决定").first
    expect(decided).to_contain_text("项目「口袋花园」")
    expect(decided).to_contain_text("已立项")
    made = entries.filter(has_text="新建项目").first
    expect(made).to_contain_text("七彩微创投")
    expect(page.locator(".audit-meta time").first).to_have_text(re.compile(r"^2023年3月15日 \d\d:\d\d$"))
    expect(page.locator(".audit-list")).to_contain_text("1,000.00元")
    both_widths(page, "filtered")

    with page.expect_download() as download:
        page.get_by_role("link", name="导出 Excel").click()
    saved = tmp_path / "audit.xlsx"
    download.value.save_as(saved)
    rows = [[c.value for c in row] for row in load_workbook(saved).active.iter_rows()]
    assert rows[0][:4] == ["时间", "操作人", "操作", "对象"]
    assert rows[1:] and all(r[3].startswith("项目") for r in rows[1:])
    assert not any("延长的草稿" in (r[3] or "") for r in rows)

    # the export is in the log, said in words: the district reads who read and exported (today's rule)
    sign_out(page)
    sign_in(page, base, "jingan", "jingan_admin")
    page.goto(f"{base}/t/jingan/admin/audit")
    page.get_by_label("操作", exact=True).select_option(label="导出审计日志")
    press(page, page.get_by_role("button", name="筛选"))
    exported = entries.filter(has_text="导出审计日志").first
    expect(exported).to_contain_text("共和新路街道社区自治办（演示）")
    expect(exported).to_contain_text("对象类型：项目")
    expect(exported).to_contain_text("单位：洛川居民区")
    both_widths(page, "who-exported")
    assert page.problems == [], page.problems


def projects_programme(platform) -> int:
    from tests.factories import programme_id
    return programme_id(platform)


def unit(platform, code: str) -> int:
    from tests.factories import unit_id
    return unit_id(platform, "jingan", code)
