"""晋江's city-wide call in headless Chromium: two communities in two towns apply, one town
endorses (with a scanned stamp page) and the other returns an application for changes, the
city's panel scores, and the chair selects a pilot marked 泉州-level.

青华社区 (under 青阳街道) and 安东社区 (under 安海镇) fill the 申报表 and 项目方案书 (a schedule
without dates is refused beside the field), the budget and the residents' consultation record,
and submit. 青阳 stamps 青华's; 安海 returns 安东's with a reason, which 安东 reads. The expert
and the chair score 青华's by the notice's criteria — 安东's never reaches them — and the chair
selects it as a pilot recommended to 泉州's programme; 青华 sees "推荐为泉州市级项目".

The live server, the page and the shared steps come from conftest.py and kit.py;
screenshots go to test-artifacts/jinjiang-<profile>/. No step waits on a clock.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.kit import (attach, files, fill_budget, jinjiang_application, jinjiang_plan, menu_link, press, score,
                               shot, sign_in, sign_out, stamp, submit_application)
from tests.factories import JINJIANG_SELECTION_DAY, on_day

from playwright import sync_api as playwright_api  # a test dependency: missing is a failure
expect = playwright_api.expect

pytestmark = pytest.mark.browser
ARTIFACTS = "jinjiang"  # screenshots: test-artifacts/jinjiang-<profile>/
TENANT = "jinjiang"


def apply(page, community: str, title: str, consultation: Path) -> None:
    """A community's whole application: the 申报表, the 方案书, the budget, the consultation record."""
    press(page, page.get_by_role("link", name="申报邻里互助型"))
    expect(page.get_by_label("邻里互助型")).to_be_checked()
    expect(page.get_by_label("申报单位")).to_contain_text(community)
    page.get_by_label("项目名称").fill(title)
    press(page, page.get_by_role("button", name="创建项目"))
    expect(page.locator("h1")).to_contain_text(title)

    jinjiang_application(page, title, ["建设“邻里驿站”", "开展“邻里亲、邻里帮”等主题志愿服务"], "2023-03-05")
    jinjiang_plan(page, "建成邻里驿站1个\n每月开展志愿服务不少于4次", "尽快完成驿站改造\n2023-09-30 形成值守制度并运行")
    # A milestone without a date is too vague to check: refused beside the field, nothing saved.
    expect(page.locator("#f-plan-schedule ~ .error-text")).to_contain_text("须以日期开头")
    plan = page.locator("#form-plan")
    plan.get_by_label("进度安排").fill("2023-04-30 完成驿站场地改造\n2023-09-30 形成值守制度并运行")
    press(page, plan.get_by_role("button", name="保存项目方案书"))
    expect(page.locator(".flash")).to_contain_text("「项目方案书」已保存")

    fill_budget(page, [("驿站场地改造", "60000"), ("志愿服务物资", "20000")])
    attach(page, "征求村（居）民意见的会议记录", consultation)
    submit_application(page, "等待镇（街道）审核盖章")


def open_from_town_overview(page, title: str) -> None:
    waiting = page.locator("#awaiting-endorsement")
    expect(waiting).to_contain_text(title)
    press(page, waiting.get_by_role("link", name=title))
    expect(page.locator("h1")).to_contain_text(title)


def test_two_towns_one_endorses_one_returns_and_the_city_selects_a_quanzhou_pilot(live_server, browser_page, tmp_path):
    page, base = browser_page, live_server
    consultation, stamp_page = files(tmp_path, "居民意见征集会议记录.pdf", "青阳街道盖章页.png")

    # -- two communities in two towns apply to the city's call --------------------------------
    sign_in(page, base, TENANT, "qinghua")
    expect(page.locator("h1")).to_have_text("我的工作台")  # everyone lands on their desk
    press(page, menu_link(page, "我的项目"))
    expect(page.locator("h1")).to_have_text("我的项目")
    expect(page.locator("main")).to_contain_text("2023年晋江市“共建共享”社区治理项目")
    shot(page, "qinghua-my-projects")
    apply(page, "青华社区", "青华邻里驿站", consultation)
    shot(page, "qinghua-submitted")
    sign_out(page)

    sign_in(page, base, TENANT, "andong")
    press(page, menu_link(page, "我的项目"))
    apply(page, "安东社区", "安东邻里互助", consultation)
    sign_out(page)

    # -- 青阳街道 stamps 青华's, with the scanned stamp page ---------------------------------------
    sign_in(page, base, TENANT, "qingyang_admin")
    press(page, menu_link(page, "街道概览"))  # the town's stamp is given from its overview
    expect(page.locator("h1")).to_contain_text("青阳街道")
    expect(page.locator("#awaiting-endorsement")).not_to_contain_text("安东邻里互助")
    shot(page, "qingyang-awaiting")
    stamp(page, "青华邻里驿站", stamp_page)
    expect(page.locator("h1 .badge")).to_have_text("已审核盖章")
    history = page.locator("#endorsement")
    expect(history).to_contain_text("青阳街道 · 审核通过并盖章")
    expect(history.get_by_role("link", name="青阳街道盖章页.png")).to_be_visible()
    shot(page, "qingyang-endorsed")
    sign_out(page)

    # -- 安海镇 returns 安东's: a reason is required --------------------------------------------
    sign_in(page, base, TENANT, "anhai_admin")
    press(page, menu_link(page, "街道概览"))  # the town's stamp is given from its overview
    open_from_town_overview(page, "安东邻里互助")
    panel = page.locator("#endorsement")
    panel.get_by_label("退回修改").check()
    press(page, panel.get_by_role("button", name="提交审核意见"))
    expect(page.locator("#endorse-reason ~ .error-text")).to_contain_text("退回时必须写明理由")
    panel = page.locator("#endorsement")
    panel.get_by_label("退回修改").check()
    panel.get_by_label("审核意见").fill("志愿服务目标请写明服务对象和人次，并补充镇级配套资金安排。")
    press(page, panel.get_by_role("button", name="提交审核意见"))
    expect(page.locator(".flash")).to_contain_text("已退回修改")
    sign_out(page)

    sign_in(page, base, TENANT, "andong")
    mine = page.locator("tbody")
    expect(mine.locator("tr", has_text="安东邻里互助")).to_contain_text("退回修改")
    press(page, mine.get_by_role("link", name="安东邻里互助"))
    notice = page.locator("#town-return")
    expect(notice).to_contain_text("安海镇退回修改")
    expect(notice).to_contain_text("志愿服务目标请写明服务对象和人次")
    expect(page.get_by_role("button", name="保存项目方案书")).to_be_visible()  # it may be revised
    shot(page, "andong-reads-the-return")
    sign_out(page)

    # -- the city's panel scores; only the endorsed application reaches it ----------------------
    points = {"基础设施建设": "8", "党建工作": "9", "服务能力": "7", "群众参与": "9", "方案可行性": "8"}
    sign_in(page, base, TENANT, "jj_expert")
    expect(page.locator("h1")).to_have_text("我的工作台")  # every role lands on its desk
    expect(page.locator("main")).not_to_contain_text("安东邻里互助")
    score(page, "青华邻里驿站", points, "基础扎实，目标具体")
    sign_out(page)

    with on_day(JINJIANG_SELECTION_DAY):  # the call closed on 17 March: now the city selects
        sign_in(page, base, TENANT, "jj_chair")
        score(page, "青华邻里驿站", {**points, "服务能力": "8"}, "建议推荐泉州")
        shot(page, "chair-scores")
        decide = page.locator("#decide")
        decide.get_by_label("通过（立项）").check()
        press(page, decide.get_by_role("button", name="确认决定"))
        expect(page.locator("#decide-selection-tier ~ .error-text")).to_contain_text("试点层级")  # the tier is required
        decide = page.locator("#decide")
        decide.get_by_label("通过（立项）").check()
        decide.get_by_label("试点层级").select_option(label="推荐为泉州市级项目")
        shot(page, "chair-selects-quanzhou")
        press(page, decide.get_by_role("button", name="确认决定"))
        expect(page.locator(".flash")).to_contain_text("评审决定已记录")
        expect(page.locator("main")).to_contain_text("推荐为泉州市级项目")
        sign_out(page)

    # -- 青华 sees its project selected and recommended to 泉州 ----------------------------------
    sign_in(page, base, TENANT, "qinghua")
    mine = page.locator("tbody")
    expect(mine.locator("tr", has_text="青华邻里驿站")).to_contain_text("已立项")
    press(page, mine.get_by_role("link", name="青华邻里驿站"))
    expect(page.locator("#approved-notice")).to_contain_text("推荐为泉州市级项目")
    expect(page.locator("#endorsement")).to_contain_text("青阳街道 · 审核通过并盖章")
    expect(page.locator("#changes")).to_contain_text("申请变更")
    shot(page, "qinghua-sees-quanzhou-tier")
    sign_out(page)

    assert page.problems == [], page.problems
