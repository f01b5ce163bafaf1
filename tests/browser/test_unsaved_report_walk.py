"""Nothing typed is ever lost on the periodic report page, in headless Chromium (issue 16, item 2):
洛川 opens its quarterly report, sees each field's length rule before typing, types, and tries to
leave for the list of obligations — the page warns, and staying keeps the typing. A report the
page refused (a field longer than its rule) is itself unsaved: leaving it warns before anything is typed
again. At desktop width and at 390×844. Screenshots go to test-artifacts/unsaved-report-<profile>/."""
from __future__ import annotations

import pytest

from core.tasks import jobs
from tests.browser.kit import DESKTOP, PHONE, both_widths, press, sign_in
from tests.factories import on_day, tenant_id
from tests.obligation_factories import Q2, item_id, micro

from playwright import sync_api as playwright_api  # a test dependency: missing is a failure
expect = playwright_api.expect

pytestmark = pytest.mark.browser
ARTIFACTS = "unsaved-report"
TENANT = "jingan"
PROGRESS = "组建团队，召开楼组议事会2次，清理了空地。"


def answer(page, accept: bool) -> list:
    seen: list = []
    page.once("dialog", lambda d: (seen.append((d.type, d.message)), d.accept() if accept else d.dismiss()))
    return seen


def try_to_leave(page) -> None:
    """Press the page's link to the list of obligations, decline to leave: the page stays."""
    url = page.url
    seen = answer(page, accept=False)
    page.get_by_role("link", name="全部应交事项").click()
    expect(page.get_by_label("本季度项目实施情况")).to_be_visible()
    assert seen and seen[0][0] == "beforeunload", seen
    assert page.url == url


def test_typing_a_report_and_leaving_warns_at_both_widths(live_server, browser_page, platform):
    page, base = browser_page, live_server
    pid = micro(platform)
    jobs.obligations_daily(platform.db, tenant_id(platform, TENANT), day="2023-06-01", host=platform.host)
    q2 = item_id(platform, TENANT, "quarterly_report", Q2, project_id=pid)
    with on_day("2023-07-05"):
        sign_in(page, base, TENANT, "luochuan")
        url = f"{base}/t/{TENANT}/obligations/{q2}"
        page.goto(url)
        report = page.locator("#report form")
        expect(report.locator(".limit").first).to_contain_text("2000 字")  # the policy's rule, before typing
        progress = page.get_by_label("本季度项目实施情况")
        progress.fill(PROGRESS)
        both_widths(page, "typed", visible="#report")
        for size in (DESKTOP, PHONE):
            page.set_viewport_size(size)
            try_to_leave(page)
            expect(progress).to_have_value(PROGRESS)
        page.set_viewport_size(DESKTOP)

        # Saved with the problems longer than their rule: refused, re-shown as typed, still unsaved.
        page.get_by_label("存在的问题").fill("问" * 2001)
        expect(page.locator("#report .limit.limit-off")).to_have_count(1)  # the count turns before saving
        press(page, report.get_by_role("button", name="保存草稿"))
        expect(page.locator("#report .error-text").first).to_be_visible()
        expect(page.get_by_label("本季度项目实施情况")).to_have_value(PROGRESS)
        both_widths(page, "refused", visible="#report")
        for size in (DESKTOP, PHONE):
            page.set_viewport_size(size)
            try_to_leave(page)
    assert page.problems == []
