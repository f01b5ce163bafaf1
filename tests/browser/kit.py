"""What both browser walks share: Debian's chromium settings, screenshots, pressing links and
buttons that load a page, signing in and out, and the budget editor. The live server and the
Chromium page are fixtures in conftest.py beside this file.

No step waits on a clock: every wait is for a page or an element, with a generous limit that
only guards against hanging.
"""
from __future__ import annotations

from pathlib import Path

from playwright import sync_api as playwright_api  # a test dependency: missing is a failure

from tests.factories import PASSWORD

expect = playwright_api.expect

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
HANG_GUARD_MS = 90_000  # a stuck page fails the test instead of hanging it; not a speed requirement


def shot(page, name: str) -> None:
    page.shots[0] += 1
    page.screenshot(path=str(page.artifacts / f"{page.shots[0]:02d}-{name}.png"), full_page=True)


def press(page, locator) -> None:
    """Click a button that submits a form (or a link) and wait for the next page."""
    with page.expect_navigation(wait_until="load"):
        locator.click()


def sign_in(page, base: str, tenant: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/t/{tenant}/")
    press(page, page.get_by_role("link", name="工作人员登录"))
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    press(page, page.get_by_role("button", name="登录"))
    expect(page.locator(".flash")).to_contain_text("欢迎")


def sign_out(page) -> None:
    press(page, page.get_by_role("button", name="退出"))
    expect(page.locator(".flash")).to_contain_text("您已安全退出")


def fill_budget(page, lines: list[tuple[str, ...]]) -> None:
    """Rows of (description, amount) or (description, amount, category): the category is chosen
    from the select the editor shows where the programme's policies list categories."""
    budget = page.locator("#budget")
    rows = budget.locator("tbody tr")
    while rows.count() < len(lines):
        budget.get_by_role("button", name="增加一行").click()  # the editor grows rows in place (site.js)
    for i in range(rows.count()):
        description, amount, *category = lines[i] if i < len(lines) else ("", "")
        rows.nth(i).locator("input[name=description]").fill(description)
        rows.nth(i).locator("input[name=amount]").fill(amount)
        if category:
            rows.nth(i).locator("select[name=category]").select_option(category[0])
    press(page, budget.get_by_role("button", name="保存预算"))
    expect(page.locator(".flash")).to_contain_text("预算已保存")
