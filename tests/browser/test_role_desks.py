"""Each role's desk in headless Chromium, at desktop and phone width (1 of 2: the public, the
people who apply, score and decide, and the sponsor; the offices are in test_role_desks_office.py).

Every walk starts at the tenant's home page, signs in there, lands on "我的工作台" and does the
role's main job from it in a few steps: what waits for the person is on the desk (the inbox's
to-dos), what they are responsible for is listed, and the menu shows only what they can use.
Screenshots go to test-artifacts/role-desks-<profile>/.
"""
from __future__ import annotations

import pytest

from core.services import review
from tests.browser.kit import both_widths, lands_on_desk, menu, press, sign_in, submit_application
from tests.factories import APPLICATION_DAY, COUNCIL_DAY, acting, haiyuan_project, on_day, submitted_project
from tests.money_factories import draft, person, record

from playwright import sync_api as playwright_api  # a test dependency: missing is a failure
expect = playwright_api.expect

pytestmark = pytest.mark.browser
ARTIFACTS = "role-desks"
TENANT = "jingan"


def test_the_public_reads_the_home_page_and_the_disclosure(live_server, browser_page, platform):
    page, base = browser_page, live_server
    page.goto(f"{base}/t/{TENANT}/")
    expect(page.get_by_role("link", name="工作人员登录")).to_be_visible()
    expect(menu(page).get_by_role("link")).to_have_text(["首页", "项目", "资金公开"])
    both_widths(page, "public-home")
    press(page, menu(page).get_by_role("link", name="资金公开"))
    expect(page.locator("h1")).to_contain_text("公开")
    both_widths(page, "public-disclosure")
    assert page.problems == [], page.problems


def test_neighbourhood_staff_open_their_draft_from_the_desk_and_submit_it(live_server, browser_page, platform):
    page, base = browser_page, live_server
    with on_day(APPLICATION_DAY):
        draft(platform, title="口袋花园", submit=False)
        sign_in(page, base, TENANT, "luochuan")
        lands_on_desk(page)
        mine = page.locator("#desk-projects")
        expect(mine).to_contain_text("洛川居民区")
        expect(mine.locator("tbody tr", has_text="口袋花园")).to_contain_text("草稿")
        # the applicant's main action: a button for the call that is open
        expect(page.locator("#desk-actions").get_by_role("link", name="申报「")).to_have_count(1)
        # nothing in the menu leads to an empty page: no 共治金 where 共和新路 has none
        expect(menu(page)).not_to_contain_text("共治金")
        both_widths(page, "staff-desk")
        press(page, mine.get_by_role("link", name="口袋花园"))
        submit_application(page)
        press(page, menu(page).get_by_role("link", name="工作台"))
        expect(page.locator("#desk-projects tbody tr", has_text="口袋花园")).to_contain_text("已提交")
        both_widths(page, "staff-desk-submitted")
    assert page.problems == [], page.problems


def test_a_project_member_finds_the_unit_s_project_on_the_desk(live_server, browser_page, platform):
    page, base = browser_page, live_server
    pid = submitted_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园")
    person(platform, "luochuan_team", "project_member", "ghxl-luochuan", name="洛川项目组成员")
    sign_in(page, base, TENANT, "luochuan_team")
    lands_on_desk(page)
    mine = page.locator("#desk-projects")
    expect(mine.locator("tbody tr", has_text="口袋花园")).to_contain_text("已提交")
    press(page, mine.get_by_role("link", name="口袋花园"))
    expect(page).to_have_url(f"{base}/t/{TENANT}/projects/{pid}")
    both_widths(page, "member-project")
    assert page.problems == [], page.problems


def test_a_reviewer_opens_the_application_to_score_from_the_desk(live_server, browser_page, platform):
    page, base = browser_page, live_server
    pid = submitted_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园")
    sign_in(page, base, TENANT, "ghxl_expert")
    lands_on_desk(page)
    todos = page.locator("#desk-todos")
    expect(todos.locator("[data-kind='review.score']")).to_contain_text("待我评分的申报 1")
    expect(page.locator("#desk-panels")).to_contain_text("评审专家")
    expect(menu(page).get_by_role("link", name="评审")).to_be_visible()  # the reviewer's page, one click away
    both_widths(page, "reviewer-desk")
    press(page, todos.locator(f"li[data-todo='review.score:{pid}']").get_by_role("link", name="去办理"))
    expect(page.locator("h1")).to_contain_text("口袋花园")
    expect(page.locator("#score")).to_be_visible()
    both_widths(page, "reviewer-scores")
    assert page.problems == [], page.problems


def test_the_chair_sees_the_decisions_waiting_and_opens_one(live_server, browser_page, platform):
    page, base = browser_page, live_server
    pid = submitted_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园")
    with acting(platform, TENANT, "ghxl_expert") as ctx:
        review.score(ctx, pid, {"feasibility": 8, "operability": 7, "compliance": 8})
    sign_in(page, base, TENANT, "ghxl_chair")
    lands_on_desk(page)
    todos = page.locator("#desk-todos")
    expect(todos.locator("[data-kind='review.decide']")).to_contain_text("待我审批的申报 1")
    expect(page.locator("#desk-panels")).to_contain_text("组长")
    both_widths(page, "chair-desk")
    press(page, todos.locator(f"li[data-todo='review.decide:{pid}']").get_by_role("link", name="去办理"))
    expect(page.locator("h1")).to_contain_text("口袋花园")
    expect(page.locator("#decide")).to_be_visible()
    both_widths(page, "chair-decides")
    assert page.problems == [], page.problems


def test_a_sponsor_lands_on_a_desk_that_leads_with_its_pledges(live_server, browser_page, platform):
    page, base = browser_page, live_server
    with on_day(COUNCIL_DAY):
        pid, _ = haiyuan_project(platform, "爱心小水表", amount="50000")
        record(platform, "haiyuan", "上海宾馆", "100000", project=pid)
        sign_in(page, base, TENANT, "shbg")
        lands_on_desk(page)
        pledges = page.locator("#desk-pledges")
        # the pledges come first, before the to-dos
        expect(page.locator("main section.card").first).to_have_id("desk-pledges")
        expect(pledges.locator("tbody tr", has_text="爱心小水表")).to_contain_text("100,000")
        both_widths(page, "sponsor-desk")
        press(page, page.locator("#desk-actions").get_by_role("link", name="认捐与资金去向"))
        expect(page.locator("main")).to_contain_text("爱心小水表")
        both_widths(page, "sponsor-pledges")
    assert page.problems == [], page.problems
