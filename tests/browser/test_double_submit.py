"""A double click on a money form records once, in headless Chromium (issue 15, item 4;
docs/reliability.md "Idempotent money actions"): 洛川 double-clicks "提交资金申请" and the
project has one request, the page saying it was filed; then the same form sent twice by the page
itself at the same moment (what an impatient double click or a browser's resubmission sends,
made certain: both requests reach the server) still files one, and both answers are the request
page. Screenshots go to test-artifacts/double-submit-<profile>/."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.models import FundRequest
from tests import figures
from tests.browser.kit import shot, sign_in
from tests.factories import IMPLEMENTATION_DAY, acting, on_day
from tests.money_factories import approved_project

from playwright import sync_api as playwright_api  # a test dependency: missing is a failure
expect = playwright_api.expect

pytestmark = pytest.mark.browser
ARTIFACTS = "double-submit"
TENANT = "jingan"

# The filing form sent twice at once by the page, as a double click's two submissions would be.
TWICE = """async () => {
  const form = document.querySelector('#fund-requests form[action$="/fund-requests"]');
  const send = () => fetch(form.action, {method: 'POST', body: new FormData(form), credentials: 'same-origin'});
  const answers = await Promise.all([send(), send()]);
  return answers.map(r => [r.status, r.url]);
}"""


@pytest.fixture(autouse=True)
def in_phase(live_server, platform):
    with on_day(IMPLEMENTATION_DAY):
        yield


def filed(platform, pid: int) -> int:
    with acting(platform, TENANT, None) as ctx:
        return ctx.session.scalar(select(func.count()).select_from(FundRequest).where(FundRequest.project_id == pid))


def fill(section, amount: str, purpose: str) -> None:
    section.get_by_label("申请金额（元）").fill(amount)
    section.get_by_label("用途").fill(purpose)


def test_a_double_click_and_a_double_submission_file_one_request(live_server, browser_page, platform):
    page, base = browser_page, live_server
    pid = approved_project(platform, title="口袋花园")
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" and r.url.endswith("/fund-requests") else None)
    sign_in(page, base, TENANT, "luochuan")
    page.goto(f"{base}/t/{TENANT}/projects/{pid}#fund-requests")
    section = page.locator("#fund-requests")
    fill(section, "1500", "购买绿植")
    with page.expect_navigation(wait_until="load"):
        section.get_by_role("button", name="提交资金申请").dblclick()
    page.wait_for_load_state("load")
    expect(page.locator(".flash")).to_contain_text("已提交（2023年4月），等待审核")
    shot(page, "double-click-filed-once")
    assert filed(platform, pid) == 1, posts

    # A fresh form (a new key), sent twice at the same moment: both reach the server, one is filed.
    page.goto(f"{base}/t/{TENANT}/projects/{pid}#fund-requests")
    section = page.locator("#fund-requests")
    fill(section, "800", "印制海报")
    answers = page.evaluate(TWICE)
    assert [status for status, _ in answers] == [200, 200], answers  # each followed to the request's page
    assert answers[0][1] == answers[1][1]  # the same request's page
    rows = filed(platform, pid)
    figures.record("duplicates", max(rows - 2, 0))
    assert rows == 2
    page.reload(wait_until="load")
    expect(page.locator("#fund-requests")).to_contain_text("印制海报")
    expect(page.locator("#fund-requests article")).to_have_count(2)
    shot(page, "double-submission-filed-once")
    assert page.problems == []
