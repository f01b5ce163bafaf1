"""A person's walk through 共和新路's first quarter in headless Chromium.

洛川居委会 signs in, starts one 一居一品 and two 七彩微创投 projects, fills the application forms,
the budgets and uploads the residents' minutes, and submits (and is told, citing the plan's
clause, that a micro-venture project may not ask for 5,000.01 yuan). The expert and the chair of the
panel score; the chair approves the 一居一品 with an amount, approves one micro-venture project and
rejects the other with an explanation, which 洛川 then reads.

The live server and the Chromium page come from conftest.py, the shared steps from kit.py.
Screenshots of the key steps go to test-artifacts/ (gitignored).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.kit import fill_budget, menu_link, press, shot, sign_in, sign_out
from tests.factories import PDF

from playwright import sync_api as playwright_api  # a test dependency: missing is a failure
expect = playwright_api.expect

pytestmark = pytest.mark.browser

ARTIFACTS = "walkthrough"  # screenshots: test-artifacts/walkthrough-<profile>/
TENANT = "jingan"


def start_project(page, track_label: str, title: str) -> None:
    press(page, page.get_by_role("link", name="我的项目"))
    press(page, page.get_by_role("link", name=f"申报{track_label}"))
    expect(page.get_by_label(track_label)).to_be_checked()
    expect(page.get_by_label("申报单位")).to_contain_text("洛川居民区")  # only the unit luochuan works for
    page.get_by_label("项目名称").fill(title)
    press(page, page.get_by_role("button", name="创建项目"))
    expect(page.locator("h1")).to_contain_text(title)
    expect(page.locator(".flash")).to_contain_text("项目已创建")


def fill_application(page, title: str, direction: str, focus: str, *, start="2023-04-01", end="2023-12-31") -> None:
    form = page.locator("#form-application")
    form.get_by_label("项目名称").fill(title)
    form.get_by_label(direction).check()
    form.get_by_label(focus).check()
    form.get_by_label("项目背景与居民需求").fill("小区公共空间少、邻里交流渠道有限，居民代表大会上多次提出希望改善，需要大家一起商量解决。")
    form.get_by_label("项目目标").fill("建立楼组议事会，形成居民公约，覆盖全部楼组。")
    form.get_by_label("主要内容与实施步骤").fill("4月组建团队；5-6月召开议事会；7-9月试行；10月总结。")
    form.get_by_label("项目团队与分工").fill("居委会主任牵头，楼组长6人，志愿者10人")
    form.get_by_label("受益对象").fill("全体居民约2000人")
    form.get_by_label("开始日期").fill(start)
    form.get_by_label("结束日期").fill(end)
    form.get_by_label("居民代表大会（征询）日期").fill("2023-02-20")
    press(page, form.get_by_role("button", name="保存自治项目申报表"))
    expect(page.locator(".flash")).to_contain_text("「自治项目申报表」已保存")


def upload_minutes(page, pdf: Path) -> None:
    section = page.locator("#attachments")
    section.get_by_label("附件类别").select_option(label="居民代表大会会议记录")
    section.get_by_label("选择文件").set_input_files(str(pdf))
    press(page, section.get_by_role("button", name="上传"))
    expect(page.locator(".flash")).to_contain_text("已上传")
    expect(section.get_by_role("link", name=pdf.name)).to_be_visible()


def submit(page) -> None:
    press(page, page.get_by_role("button", name="提交申报"))
    expect(page.locator(".flash")).to_contain_text("项目已提交")
    expect(page.locator("h1 .badge")).to_have_text("已提交")


def open_review(page, title: str) -> None:
    press(page, page.get_by_role("navigation", name="主导航").get_by_role("link", name="评审"))
    row = page.locator("tbody tr", has_text=title)
    press(page, row.get_by_role("link", name="评审"))
    expect(page.locator("h1")).to_contain_text(title)


def score(page, title: str, feasibility: str, operability: str, compliance: str, comment: str = "") -> None:
    open_review(page, title)
    form = page.locator("#score")
    form.get_by_label("可行性").fill(feasibility)
    form.get_by_label("操作性").fill(operability)
    form.get_by_label("合规性").fill(compliance)
    form.get_by_label("评审意见").fill(comment)
    press(page, form.get_by_role("button", name="保存评分"))
    expect(page.locator(".flash")).to_contain_text("评分已保存")


def decide(page, title: str, outcome: str, *, amount: str | None = None, explanation: str = "") -> None:
    open_review(page, title)
    form = page.locator("#decide")
    form.get_by_label(outcome).check()
    if amount is not None:
        form.get_by_label("核定金额（元）").fill(amount)
    if explanation:
        form.get_by_label("理由说明").fill(explanation)
    if form.locator("#missing-scores").count():  # a panel member has not scored: decided knowingly
        form.get_by_label("确认在缺少评分的情况下作出决定").check()
    press(page, form.get_by_role("button", name="确认决定"))
    expect(page.locator(".flash")).to_contain_text("评审决定已记录")


def test_one_signature_and_two_micro_venture_projects_from_application_to_decision(live_server, browser_page, tmp_path):
    page, base = browser_page, live_server
    minutes = tmp_path / "会议记录.pdf"
    minutes.write_bytes(PDF)

    # -- the directory, then 洛川居委会 signs in and lands on its projects ----------------------
    page.goto(f"{base}/")
    expect(page.get_by_role("link", name="静安区").first).to_be_visible()
    shot(page, "directory")
    sign_in(page, base, TENANT, "luochuan")
    expect(page.locator("h1")).to_have_text("我的工作台")  # everyone lands on their desk
    press(page, menu_link(page, "我的项目"))
    expect(page.locator("h1")).to_have_text("我的项目")
    shot(page, "my-projects")

    # -- 一居一品: a refused form first (errors beside the fields), then complete -------------
    start_project(page, "一居一品", "楼组议事会")
    form = page.locator("#form-application")
    form.get_by_label("项目背景与居民需求").fill("太短")
    press(page, form.get_by_role("button", name="保存自治项目申报表"))
    expect(page.locator("#f-application-background ~ .error-text")).to_contain_text("长度应在 20 到 2000 字之间")
    expect(page.locator("#f-application-start_date ~ .error-text")).to_contain_text("必填项，不能为空")
    shot(page, "form-errors-beside-fields")
    fill_application(page, "楼组议事会", "搭建一个社区自治载体", "协商议事平台建设")
    fill_budget(page, [("议事会场地布置", "3000"), ("居民公约印制", "2500.50"), ("志愿者培训", "6499.50")])
    expect(page.locator("#budget-total")).to_have_text("12,000.00")
    upload_minutes(page, minutes)
    expect(page.locator("#submit .alert-success")).to_contain_text("材料已齐全")
    shot(page, "signature-ready")
    with page.expect_download() as download:
        page.locator("#attachments").get_by_role("link", name=minutes.name).click()
    assert Path(download.value.path()).read_bytes() == PDF
    submit(page)
    shot(page, "signature-submitted")

    # -- 七彩微创投 #1: 5,000.01 yuan is refused with the plan's clause, 4,800 goes through ------
    start_project(page, "七彩微创投", "口袋花园")
    fill_application(page, "口袋花园", "公共空间营造", "参与街区建设", start="2023-04-01", end="2023-10-31")
    fill_budget(page, [("花苗与土壤", "3000"), ("工具与标识", "2000.01")])
    upload_minutes(page, minutes)
    expect(page.locator("#submit")).to_contain_text("“七彩微创投”单个项目申请资金不能超过5,000.00元（本项目5,000.01元）")
    # What submission would refuse is said before it is tried: the button is disabled with the
    # reason beside it, and the problem is listed with the plan's clause.
    expect(page.get_by_role("button", name="提交申报")).to_be_disabled()
    expect(page.locator("#submit-why")).to_contain_text("不能超过5,000.00元")
    expect(page.locator("#submit")).to_contain_text("实施方案 七：单个项目一次申请资金一般不超过5000元")
    expect(page.locator("h1 .badge")).to_have_text("草稿")
    shot(page, "micro-over-limit-refused")
    fill_budget(page, [("花苗与土壤", "3000"), ("工具与标识", "1800")])
    submit(page)

    # -- 七彩微创投 #2 ------------------------------------------------------------------------
    start_project(page, "七彩微创投", "青年议事角")
    fill_application(page, "青年议事角", "青年社区参与", "居民互助与公益服务", start="2023-05-01", end="2023-12-31")
    fill_budget(page, [("活动物料", "1500"), ("场地与茶歇", "1500")])
    upload_minutes(page, minutes)
    submit(page)
    press(page, page.get_by_role("link", name="我的项目"))
    expect(page.locator("tbody tr", has_text="楼组议事会")).to_contain_text("已提交")
    shot(page, "all-submitted")
    sign_out(page)

    # -- the panel scores ---------------------------------------------------------------------
    sign_in(page, base, TENANT, "ghxl_expert")
    expect(page.locator("h1")).to_have_text("我的工作台")  # every role lands on its desk
    shot(page, "expert-queue")
    score(page, "楼组议事会", "8", "7", "9", "目标清楚，团队扎实")
    score(page, "口袋花园", "7", "8", "8")
    score(page, "青年议事角", "5", "4", "6", "与已有青年活动重复")
    sign_out(page)

    sign_in(page, base, TENANT, "ghxl_chair")
    score(page, "楼组议事会", "9", "8", "9", "同意立项")
    scores = page.locator("#scores")
    expect(scores).to_contain_text("评审专家（演示）")
    expect(scores.locator("tfoot")).to_contain_text("8.5")    # feasibility: (8 + 9) / 2
    expect(scores.locator("tfoot")).to_contain_text("25.0")   # totals: (24 + 26) / 2
    shot(page, "chair-sees-all-scores")
    decide(page, "楼组议事会", "通过（立项）", amount="10000")
    decide(page, "口袋花园", "通过（立项）")
    # a rejection without a reason is refused, beside the field
    open_review(page, "青年议事角")
    page.locator("#decide").get_by_label("不通过").check()
    press(page, page.locator("#decide").get_by_role("button", name="确认决定"))
    expect(page.locator("#explanation ~ .error-text")).to_contain_text("必须写明理由")
    decide(page, "青年议事角", "不通过", explanation="与街道已有青年项目重复，建议与邻近居民区合并申报。")
    shot(page, "chair-decided")
    sign_out(page)

    # -- 洛川 reads the decisions and the reason ----------------------------------------------
    sign_in(page, base, TENANT, "luochuan")
    mine = page.locator("tbody")
    expect(mine.locator("tr", has_text="楼组议事会")).to_contain_text("已立项")
    expect(mine.locator("tr", has_text="口袋花园")).to_contain_text("已立项")
    expect(mine.locator("tr", has_text="青年议事角")).to_contain_text("未通过")
    shot(page, "applicant-sees-decisions")
    press(page, mine.get_by_role("link", name="青年议事角"))
    decisions = page.locator("#decisions")
    expect(decisions).to_contain_text("不通过")
    expect(decisions).to_contain_text("与街道已有青年项目重复，建议与邻近居民区合并申报。")
    shot(page, "rejection-reason")
    press(page, page.get_by_role("link", name="我的项目"))
    press(page, mine.get_by_role("link", name="楼组议事会"))
    expect(page.locator("#decisions")).to_contain_text("10,000.00")
    shot(page, "signature-approved")
    sign_out(page)

    # -- the public sees the two approved projects, not the rejected one ----------------------
    page.goto(f"{base}/t/jingan/")
    public = page.locator("section.card", has_text="已立项项目")
    expect(public).to_contain_text("楼组议事会")
    expect(public).to_contain_text("口袋花园")
    expect(public).not_to_contain_text("青年议事角")
    shot(page, "public-home")

    assert page.problems == [], page.problems
