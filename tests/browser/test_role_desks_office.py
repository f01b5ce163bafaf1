"""Each role's desk in headless Chromium, at desktop and phone width (2 of 2: the offices — the
street office, its leader, the district, the organisation commissioned to supervise and the
neighbourhood's supervision committee; the public, applicants, panel and sponsors are in
test_role_desks.py).

Every walk signs in on the tenant's home page, lands on "我的工作台" and does the role's main job
from it: the leader finds the month's batch waiting at the top and approves it; the street office
goes from a to-do to the fund requests waiting; the district opens its overview; the commissioned
organisation opens the project assigned to it; the supervision committee (海园's, whose policy
has every spending signed off) finds the month's request waiting for it and signs it off. Screenshots go to
test-artifacts/role-desks-office-<profile>/.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from core.models import User
from core.services import fund_requests, supervision
from tests.browser.kit import both_widths, lands_on_desk, menu, press, sign_in
from tests.factories import IMPLEMENTATION_DAY, acting, approve, haiyuan_project, on_day
from tests.money_factories import approved_project, leaders, person, receive, record

from playwright import sync_api as playwright_api  # a test dependency: missing is a failure
expect = playwright_api.expect

pytestmark = pytest.mark.browser
ARTIFACTS = "role-desks-office"
TENANT = "jingan"


@pytest.fixture(autouse=True)
def in_phase(live_server, platform):  # after both have pinned the world's day
    """Money is asked for in 共和新路's implementation phase (from April)."""
    with on_day(IMPLEMENTATION_DAY):
        yield


def filed(platform, title: str, amount: str = "1500") -> int:
    pid = approved_project(platform, title=title)
    with acting(platform, TENANT, "luochuan") as ctx:
        return fund_requests.file_request(ctx, pid, amount=amount, purpose="购买绿植和工具").id


def test_the_street_office_goes_from_its_desk_to_the_requests_waiting(live_server, browser_page, platform):
    page, base = browser_page, live_server
    filed(platform, "口袋花园")
    sign_in(page, base, TENANT, "ghxl_admin")
    lands_on_desk(page)
    todos = page.locator("#desk-todos")
    expect(todos.locator("[data-kind='fund_request.accept']")).to_contain_text("1")
    expect(page.locator(".desk-street")).to_contain_text("共和新路街道2023年度居民区自治项目")
    # the office's ten pages are a few groups: 资金 opens to show its own
    money = menu(page).locator("details[data-group='money']")
    expect(money.get_by_role("link", name="资金申请")).to_be_hidden()
    money.locator("summary").click()
    expect(money.get_by_role("link", name="资金申请")).to_be_visible()
    both_widths(page, "office-desk")
    press(page, todos.locator(".todo-list li", has_text="口袋花园").get_by_role("link", name="去办理"))
    expect(page.locator("#waiting")).to_contain_text("口袋花园")
    both_widths(page, "office-requests")
    assert page.problems == [], page.problems


def test_the_leader_finds_the_batch_first_on_the_desk_and_approves_it(live_server, browser_page, platform):
    page, base = browser_page, live_server
    leaders(platform)
    rid = filed(platform, "口袋花园")
    with acting(platform, TENANT, "ghxl_admin") as ctx:
        fund_requests.accept(ctx, rid)
    sign_in(page, base, TENANT, "fr_leader")
    lands_on_desk(page)
    first = page.locator("#desk-todos .todo-list li").first
    expect(first).to_contain_text("待我审批的月度汇总")
    expect(page.locator("#desk-batches li").first).to_contain_text("待审批")
    both_widths(page, "leader-desk")
    press(page, first.get_by_role("link", name="去办理"))
    expect(page.locator("#total")).to_have_text("1,500.00元")
    press(page, page.get_by_role("button", name="审批通过本月汇总"))
    expect(page.locator(".flash")).to_contain_text("合计 1,500.00元")
    press(page, menu(page).get_by_role("link", name="工作台"))
    expect(page.locator("#desk-todos")).to_contain_text("眼下没有等您办理的事项")
    expect(page.locator("#desk-batches li").first).to_contain_text("已审批")
    both_widths(page, "leader-approved")
    assert page.problems == [], page.problems


def test_the_district_opens_its_overview_from_the_desk(live_server, browser_page, platform):
    page, base = browser_page, live_server
    sign_in(page, base, TENANT, "jingan_admin")
    lands_on_desk(page)
    both_widths(page, "district-desk")
    press(page, page.locator("#desk-actions").get_by_role("link", name="全区概览"))
    expect(page.locator("main")).to_contain_text("共和新路街道")
    both_widths(page, "district-overview")
    assert page.problems == [], page.problems


def test_a_commissioned_organisation_opens_the_project_assigned_to_it(live_server, browser_page, platform):
    page, base = browser_page, live_server
    pid = approved_project(platform, title="口袋花园")
    person(platform, "ghxl_org", "commissioned_org", "gonghexinlu", name="上海某社工师事务所")
    with acting(platform, TENANT, "ghxl_admin") as ctx:
        org = ctx.session.scalars(select(User).where(User.username == "ghxl_org")).one()
        supervision.assign(ctx, pid, user_id=org.id)
    sign_in(page, base, TENANT, "ghxl_org")
    lands_on_desk(page)
    assigned = page.locator("#desk-supervised")
    expect(assigned).to_contain_text("共1个")
    both_widths(page, "commissioned-desk")
    press(page, assigned.get_by_role("link", name="口袋花园"))
    expect(page.locator("h1")).to_contain_text("口袋花园")
    both_widths(page, "commissioned-project")
    assert page.problems == [], page.problems


def test_the_supervision_committee_signs_off_the_month_s_request_from_its_desk(live_server, browser_page, platform):
    page, base = browser_page, live_server
    pid, _ = haiyuan_project(platform, "爱心小水表", amount="5000")
    receive(platform, record(platform, "haiyuan", "上海宾馆", "20000"), "20000", "desk-supervisor")
    approve(platform, pid, "5000")
    with on_day("2023-06-10"):  # 海园 applies for spending after its council meeting
        with acting(platform, TENANT, "haiyuan") as ctx:
            fund_requests.file_request(ctx, pid, amount="1500", purpose="购买水表", beneficiaries="独居老人40户")
        sign_in(page, base, TENANT, "haiyuan_jd")
        lands_on_desk(page)
        todo = page.locator("#desk-todos .todo-list li").first
        expect(todo).to_contain_text("待监督委员会审核的资金申请")
        expect(todo).to_contain_text("爱心小水表")
        expect(page.locator(".desk-signoff")).to_contain_text("海园居民区 · 已立项项目")
        expect(page.locator(".desk-signoff li").first).to_contain_text("爱心小水表")
        both_widths(page, "supervisor-desk")
        press(page, page.locator("#desk-actions").get_by_role("link", name="审核本月资金申请"))
        waiting = page.locator("#waiting")
        expect(waiting).to_contain_text("独居老人40户")
        waiting.get_by_label("监督委员会意见（不同意时必填）").fill("用途明确，同意")
        press(page, waiting.get_by_role("button", name="同意", exact=True))
        expect(page.locator(".flash")).to_be_visible()
        both_widths(page, "supervisor-signed-off")
        press(page, menu(page).get_by_role("link", name="工作台"))
        expect(page.locator("#desk-todos")).to_contain_text("眼下没有等您办理的事项")
        both_widths(page, "supervisor-desk-done")
    assert page.problems == [], page.problems
