"""The README's walk-through of the demo, in Chromium, on a fresh demo as `scripts/demo`
prepares it (tenants/*.yaml and tenants/demo_year.py, today 2024-03-15), as written: the first
quarter of 2024 at 共和新路, 晋江's 2024 call, and the tour of the 2023 year's money. The
accounts and pages the README names do and show what the README says, at desktop and at phone
width where it says what a page shows.

A smoke test of the demo (its name says so): it reads the shipped tenants/, which logic tests
never do. Each test starts from its own copy of the prepared demo.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest
from playwright import sync_api as playwright_api  # a test dependency: missing is a failure

from tests.browser.kit import (attach, both_widths, decide, files, fill_budget, jinjiang_application, jinjiang_plan,
                               menu_link, open_review, press, score, shot, sign_in, sign_out, stamp, submit_application)
from tests.commands import tongxin
from tests.demo_kit import DEMO_PASSWORD, DEMO_TODAY

expect = playwright_api.expect
pytestmark = [pytest.mark.browser, pytest.mark.parametrize("prepared_demo", ["shipped"], indirect=True)]
pytest_plugins = ["tests.demo_kit"]  # the demo fixtures: prepared_demo, demo
ARTIFACTS = "demo-tour"  # screenshots: test-artifacts/demo-tour-demo/
GHXL_2024 = "共和新路街道2024年度居民区自治项目"
JINJIANG_2024 = "2024年晋江市“共建共享”社区治理项目"


@pytest.fixture
def settings(demo):
    """The live server serves the fresh demo, not the test world."""
    return demo


@pytest.fixture
def profile():
    return "demo"  # names the screenshot folder; the demo runs on the embedded profile


def _start(page, programme: str, track: str, unit: str, title: str) -> None:
    """From 我的项目, start a project of ``track`` in ``programme`` (2023's is listed too)."""
    press(page, page.get_by_role("navigation", name="主导航").get_by_role("link", name="我的项目"))
    section = page.locator("section.card", has=page.get_by_role("heading", name=programme))
    expect(section).to_contain_text("申报中")
    press(page, section.get_by_role("link", name=f"申报{track}"))
    expect(page.get_by_label(track)).to_be_checked()
    expect(page.get_by_label("申报单位")).to_contain_text(unit)
    page.get_by_label("项目名称").fill(title)
    press(page, page.get_by_role("button", name="创建项目"))
    expect(page.locator("h1")).to_contain_text(title)


# -- 共和新路: the first quarter of 2024 ------------------------------------------------------------

def _ghxl_apply(page, track: str, title: str, direction: str, focus: str, lines, minutes: Path) -> None:
    _start(page, GHXL_2024, track, "洛川居民区", title)
    form = page.locator("#form-application")
    form.get_by_label("项目名称").fill(title)
    form.get_by_label(direction).check()
    form.get_by_label(focus).check()
    form.get_by_label("项目背景与居民需求").fill("老小区公共空间少、邻里交流渠道有限，居民代表大会上多次提出希望改善，需要大家一起商量解决。")
    form.get_by_label("项目目标").fill("建立楼组议事会，形成居民公约，覆盖全部楼组。")
    form.get_by_label("主要内容与实施步骤").fill("4月组建团队；5-6月召开议事会；7-9月试行；10月总结。")
    form.get_by_label("项目团队与分工").fill("居委会主任牵头，楼组长6人，志愿者10人")
    form.get_by_label("受益对象").fill("全体居民约2000人")
    form.get_by_label("开始日期").fill("2024-04-01")
    form.get_by_label("结束日期").fill("2024-12-31")
    form.get_by_label("居民代表大会（征询）日期").fill("2024-02-26")
    press(page, form.get_by_role("button", name="保存自治项目申报表"))
    expect(page.locator(".flash")).to_contain_text("「自治项目申报表」已保存")
    # 静安区's fund holds here too (policies stack): the meeting that formed the project, its minutes.
    record = page.locator("#form-jingan_fund_formation")
    record.get_by_label("申请资金类别").select_option(label="社区自治金（居民区自治项目）")
    record.get_by_label("形成项目的议事平台").select_option(label="“三会一代理”（听证会、协调会、评议会）")
    record.get_by_label("会议日期").fill("2024-02-26")
    record.get_by_label("参会人数").fill("32")
    record.get_by_label("议定事项").fill(f"听证会议定申报“{title}”")
    press(page, record.get_by_role("button", name="保存议事形成记录"))
    expect(page.locator(".flash")).to_contain_text("已保存")
    fill_budget(page, lines)
    attach(page, "议事会议记录（三会一代理、四议、社区代表会议或“1+5+X”共治联席会）", minutes, last=False)
    attach(page, "居民代表大会会议记录", minutes)
    submit_application(page)


def test_demo_readme_first_quarter_walk(live_server, browser_page, tmp_path):
    page, base = browser_page, live_server
    minutes, _ = files(tmp_path)
    signature, micro, other = "睦邻议事会", "楼道花箱", "亲子阅读角"

    # luochuan, in the 2024 programme: a 一居一品 and two 七彩微创投, each with its 申报表,
    # budget and minutes, submitted.
    sign_in(page, base, "jingan", "luochuan", DEMO_PASSWORD)
    expect(page.locator("h1")).to_have_text("我的工作台")  # everyone lands on their desk
    press(page, menu_link(page, "我的项目"))
    expect(page.locator("h1")).to_have_text("我的项目")
    expect(page.locator("main")).to_contain_text("楼组议事厅")  # 2023's 一居一品, done
    shot(page, "luochuan-my-projects")
    _ghxl_apply(page, "一居一品", signature, "搭建一个社区自治载体", "协商议事平台建设",
                [("议事会场地布置", "6000", "活动组织与物料"), ("居民公约印制", "4000", "宣传与印刷")], minutes)
    _ghxl_apply(page, "七彩微创投", micro, "公共空间营造", "参与街区建设", [("花箱与花苗", "3200", "活动组织与物料")], minutes)
    _ghxl_apply(page, "七彩微创投", other, "公共空间营造", "居民互助与公益服务", [("绘本与坐垫", "2600", "活动组织与物料")],
                minutes)
    shot(page, "luochuan-submitted")
    sign_out(page)

    # ghxl_expert and ghxl_chair score.
    points = {"可行性": "8", "操作性": "8", "合规性": "9"}
    sign_in(page, base, "jingan", "ghxl_expert", DEMO_PASSWORD)
    for title in (signature, micro, other):
        score(page, title, points, "方案清楚")
    sign_out(page)
    sign_in(page, base, "jingan", "ghxl_chair", DEMO_PASSWORD)
    for title in (signature, micro, other):
        score(page, title, {**points, "操作性": "7"}, "同意专家意见")
    expect(page.locator("#scores")).to_contain_text("评审专家（演示）")
    shot(page, "chair-scores")

    # ghxl_chair decides; a rejection needs its reason.
    decide(page, signature, "通过（立项）")
    decide(page, micro, "通过（立项）")
    open_review(page, other)
    page.locator("#decide").get_by_label("不通过").check()
    press(page, page.locator("#decide").get_by_role("button", name="确认决定"))
    expect(page.locator("#explanation ~ .error-text")).to_contain_text("必须写明理由")
    decide(page, other, "不通过", "与本居民区已有读书活动重复，建议与社区图书室合办。")
    sign_out(page)

    # ... which luochuan then reads.
    sign_in(page, base, "jingan", "luochuan", DEMO_PASSWORD)
    mine = page.locator("tbody")
    expect(mine.locator("tr", has_text=signature)).to_contain_text("已立项")
    expect(mine.locator("tr", has_text=other)).to_contain_text("未通过")
    press(page, mine.get_by_role("link", name=other))
    expect(page.locator("#decisions")).to_contain_text("与本居民区已有读书活动重复")
    both_widths(page, "luochuan-reads-the-reason")
    sign_out(page)

    # ghxl_admin sees it all on 街道概览, and the audit log, where the walk's changes are dated
    # on the demo's day (and nothing after it).
    sign_in(page, base, "jingan", "ghxl_admin", DEMO_PASSWORD)
    press(page, page.get_by_role("navigation", name="主导航").get_by_role("link", name="街道概览"))
    overview = page.locator("main")
    expect(overview).to_contain_text(GHXL_2024)
    for title in (signature, micro, other):
        expect(overview).to_contain_text(title)
    both_widths(page, "ghxl-admin-street-overview")
    press(page, page.get_by_role("navigation", name="主导航").get_by_role("link", name="管理"))
    press(page, page.get_by_role("navigation", name="管理功能").get_by_role("link", name="审计日志"))
    y, mo, d = (int(x) for x in DEMO_TODAY.split("-"))
    today = f"{y}年{mo}月{d}日"  # the log speaks the office's dates, in Shanghai's time
    submitted = page.locator("main li.audit-entry", has_text="提交申报")
    expect(submitted.first).to_contain_text(today)
    days = [dt.date(*(int(n) for n in re.findall(r"\d+", text)[:3]))
            for text in page.locator("main li.audit-entry time").all_inner_texts()]
    assert days and days[0] == dt.date(y, mo, d) and max(days) == days[0], days  # newest first, nothing after today
    both_widths(page, "ghxl-admin-audit-log")
    assert page.problems == [], page.problems


# -- 晋江's 2024 call --------------------------------------------------------------------------------

def _jinjiang_apply(page, unit: str, track: str, title: str, contents: list[str], consultation: Path) -> None:
    _start(page, JINJIANG_2024, track, unit, title)
    jinjiang_application(page, title, contents, "2024-03-05")
    jinjiang_plan(page, "覆盖8个网格\n每月开展活动不少于4次", "2024-04-30 完成场地改造\n2024-09-30 形成制度并运行")
    expect(page.locator(".flash")).to_contain_text("「项目方案书」已保存")
    fill_budget(page, [("场地改造", "50000"), ("活动物资", "20000")])
    attach(page, "征求村（居）民意见的会议记录", consultation)
    submit_application(page, "等待镇（街道）审核盖章")


def _select(page, title: str, tier: str) -> None:
    open_review(page, title)
    decide = page.locator("#decide")
    decide.get_by_label("通过（立项）").check()
    decide.get_by_label("试点层级").select_option(label=tier)
    press(page, decide.get_by_role("button", name="确认决定"))
    expect(page.locator(".flash")).to_contain_text("评审决定已记录")
    expect(page.locator("main")).to_contain_text(tier)


def test_demo_readme_jinjiang_call(live_server, browser_page, settings, tmp_path):
    page, base = browser_page, live_server
    consultation, stamp_page = files(tmp_path)
    station, hall = "青华便民驿站", "安东微议事"

    # qinghua and andong each apply in the 2024 call for one of the five project types.
    sign_in(page, base, "jinjiang", "qinghua", DEMO_PASSWORD)
    _jinjiang_apply(page, "青华社区", "邻里互助型", station, ["建设“邻里驿站”"], consultation)
    sign_out(page)
    sign_in(page, base, "jinjiang", "andong", DEMO_PASSWORD)
    _jinjiang_apply(page, "安东社区", "协商自治型", hall, ["开展“微协商微议事”"], consultation)
    sign_out(page)

    # Their towns find the applications on their street overview and stamp them.
    sign_in(page, base, "jinjiang", "qingyang_admin", DEMO_PASSWORD)
    press(page, menu_link(page, "街道概览"))  # the town's stamp is given from its overview
    expect(page.locator("#awaiting-endorsement")).to_contain_text(station)
    both_widths(page, "qingyang-awaiting")
    stamp(page, station, stamp_page)
    sign_out(page)
    sign_in(page, base, "jinjiang", "anhai_admin", DEMO_PASSWORD)
    press(page, menu_link(page, "街道概览"))  # the town's stamp is given from its overview
    stamp(page, hall)
    sign_out(page)

    # The city's panel scores by the notice's criteria.
    points = {"基础设施建设": "8", "党建工作": "9", "服务能力": "8", "群众参与": "9", "方案可行性": "8"}
    for reviewer in ("jj_expert", "jj_chair"):
        sign_in(page, base, "jinjiang", reviewer, DEMO_PASSWORD)
        for title in (station, hall):
            score(page, title, points, "基础扎实，目标具体")
        sign_out(page)

    # "Run the demo again a few days later": TONGXIN_TODAY=2024-03-18 scripts/demo, the same
    # database. The command finds the story played; the server it starts reads that day.
    later = dataclasses.replace(settings, today="2024-03-18", clock=None)
    assert "already played" in tongxin(later, "demo", "--no-serve").output
    settings.clock.pin(later.today)  # the live server, restarted on that day

    # jj_chair selects: one 晋江-level pilot, one recommended to 泉州.
    sign_in(page, base, "jinjiang", "jj_chair", DEMO_PASSWORD)
    _select(page, station, "晋江市级试点")
    _select(page, hall, "推荐为泉州市级项目")
    shot(page, "chair-selected")
    sign_out(page)

    # The applicant sees its tier; after selection it changes only through a change request.
    sign_in(page, base, "jinjiang", "andong", DEMO_PASSWORD)
    mine = page.locator("tbody")
    expect(mine.locator("tr", has_text=hall)).to_contain_text("已立项")
    press(page, mine.get_by_role("link", name=hall))
    expect(page.locator("#approved-notice")).to_contain_text("推荐为泉州市级项目")
    expect(page.locator("#changes")).to_contain_text("申请变更")
    both_widths(page, "andong-sees-its-tier")
    sign_out(page)
    assert page.problems == [], page.problems


# -- the money ---------------------------------------------------------------------------------------

def _choose_year(page, year: str) -> None:
    page.get_by_label("年度", exact=True).select_option(year)
    press(page, page.get_by_role("button", name="查看"))


def test_demo_readme_money_tour(live_server, browser_page):
    page, base = browser_page, live_server

    # Anyone reads 资金公开 (choosing 2023): 洛川's approved 楼组议事厅 and where its money came from.
    page.goto(f"{base}/t/jingan/disclosure")
    expect(page.locator("h1")).to_contain_text("村(居)务公开")
    _choose_year(page, "2023")
    press(page, page.get_by_role("link", name="洛川居民区").first)
    expect(page.locator("main")).to_contain_text("楼组议事厅")
    expect(page.locator("main")).to_contain_text("45,000.00")
    both_widths(page, "disclosure-luochuan")

    # ghxl_chair: 青年议事角 is back in the 2024 call and waits for the panel; its review page
    # shows where the money would come from.
    sign_in(page, base, "jingan", "ghxl_chair", DEMO_PASSWORD)
    page.goto(f"{base}/t/jingan/review")
    row = page.locator("tr", has_text="青年议事角")
    press(page, row.get_by_role("link", name="评审"))
    expect(page.locator("#funding-plan")).to_contain_text("资金来源")
    shot(page, "review-funding-plan")
    sign_out(page)

    # luochuan: the project page lists its fund requests (April, May, September) and the 决算表.
    sign_in(page, base, "jingan", "luochuan", DEMO_PASSWORD)
    page.goto(f"{base}/t/jingan/projects")
    press(page, page.get_by_role("link", name="楼组议事厅").first)
    expect(page.locator("#fund-requests-h")).to_be_visible()
    for month in ("2023年4月", "2023年5月", "2023年9月"):
        expect(page.locator("main")).to_contain_text(month)
    expect(page.locator("#final-accounts")).to_contain_text("决算表")
    both_widths(page, "project-fund-requests")
    sign_out(page)

    # pingan (平安养老保险): 我的认捐 shows what its claimed pledge paid for, expense by expense;
    # shbg (上海宾馆): its money arrived and is not yet spent.
    sign_in(page, base, "jingan", "pingan", DEMO_PASSWORD)
    press(page, page.get_by_role("link", name="我的认捐"))
    expect(page.locator("h1")).to_contain_text("我的认捐")
    expect(page.locator("main")).to_contain_text("爱心小水表")
    expect(page.locator("main")).to_contain_text("智能水表40只")
    both_widths(page, "sponsor-my-pledges")
    sign_out(page)
    sign_in(page, base, "jingan", "shbg", DEMO_PASSWORD)
    press(page, page.get_by_role("link", name="我的认捐"))
    expect(page.locator("main")).to_contain_text("这笔认捐的钱还没有被花出去")
    sign_out(page)

    # jingan_admin: 资金总览 (choosing 2023) with its chart and the Excel export.
    sign_in(page, base, "jingan", "jingan_admin", DEMO_PASSWORD)
    press(page, menu_link(page, "资金总览"))  # in the menu's 资金 group
    expect(page.locator("h1")).to_contain_text("资金总览")
    _choose_year(page, "2023")
    expect(page.locator("main")).to_contain_text("共和新路街道")
    expect(page.locator("svg").first).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="导出 Excel").click()
    assert download.value.suggested_filename.endswith(".xlsx") and "2023" in download.value.suggested_filename
    both_widths(page, "money-overview")
    assert page.problems == [], page.problems
