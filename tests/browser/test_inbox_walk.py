"""The inbox in headless Chromium, at desktop and at phone width: the count in the header of
every page, the inbox page with the panel chair's to-dos, a message opened (marked read, on to
its page), a to-do done and gone from the count. Screenshots go to
test-artifacts/inbox-<profile>/ (desktop and phone of each step)."""
from __future__ import annotations

import pytest

from tests.browser import kit
from tests.browser.kit import press, sign_in
from tests.factories import acting, submitted_project
from core.services import review

from playwright import sync_api as playwright_api  # a test dependency: missing is a failure
expect = playwright_api.expect

pytestmark = pytest.mark.browser

ARTIFACTS = "inbox"


def both_widths(page, name: str) -> None:
    """Desktop, then phone width, where the header's count must still be on screen."""
    kit.both_widths(page, name, visible="#inbox-count")


def test_the_header_counts_and_the_inbox_lists_then_empties(live_server, browser_page, platform):
    page, base = browser_page, live_server
    pid = submitted_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园")
    submitted_project(platform, "yanchang", "ghxl-yanchang", "micro_venture", "楼道里的小小图书角与邻里共享书架")
    sign_in(page, base, "jingan", "ghxl_chair")
    expect(page.locator("#inbox-count")).to_have_text("4")  # two to score, two to decide
    expect(page.locator("#inbox-unread")).to_contain_text("2")
    both_widths(page, "home-with-count")

    press(page, page.locator("#inbox-link"))
    expect(page.locator("h1")).to_have_text("收件箱")
    todos = page.locator("#todos")
    expect(todos.locator("[data-kind='review.decide']")).to_contain_text("待我审批的申报 2")
    expect(todos.locator("[data-kind='review.score']")).to_contain_text("待我评分的申报 2")
    expect(todos.locator(".todo-list li")).to_have_count(4)
    expect(page.locator("#notifications .note-list li.unread")).to_have_count(2)
    both_widths(page, "inbox")

    # A message opened: marked read, and on to the project it is about.
    first = page.locator("#notifications .note-list li").filter(has_text="口袋花园")
    press(page, first.get_by_role("button", name="查看"))
    expect(page.locator("h1")).to_contain_text("口袋花园")
    expect(page.locator("#inbox-unread")).to_contain_text("1")

    # The chair scores and decides 口袋花园 (here through the services): both its to-dos go.
    with acting(platform, "jingan", "ghxl_chair") as ctx:
        review.score(ctx, pid, {"feasibility": 8, "operability": 7, "compliance": 8})
        review.decide(ctx, pid, "approved")
    page.goto(f"{base}/t/jingan/inbox")
    expect(page.locator("#inbox-count")).to_have_text("2")
    expect(page.locator("#todos .todo-list li")).to_have_count(2)
    expect(page.locator("#todos .todo-list")).not_to_contain_text("口袋花园")

    # Going to the work: the to-do's link opens the review page of the other application.
    press(page, page.locator("#todos .todo-list li").first.get_by_role("link", name="去办理"))
    expect(page).to_have_url(f"{base}/t/jingan/projects/{pid + 1}/review")
    page.goto(f"{base}/t/jingan/inbox?lang=en")
    expect(page.locator("h1")).to_have_text("Inbox")
    expect(page.locator("#inbox-link")).to_contain_text("Inbox")
    both_widths(page, "inbox-english")
    assert page.problems == [], page.problems
