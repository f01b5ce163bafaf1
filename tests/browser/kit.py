"""What the browser walks share: Debian's chromium settings, screenshots (at desktop and phone
width), pressing links and buttons that load a page, signing in and out, and the steps of an
application every walk repeats: the budget editor, attachments, submitting, scoring, 晋江's
申报表 and 方案书 and a town's stamp. The live server and the Chromium page are fixtures in
conftest.py beside this file.

No step waits on a clock: every wait is for a page or an element, with a generous limit that
only guards against hanging.
"""
from __future__ import annotations

from pathlib import Path

from playwright import sync_api as playwright_api  # a test dependency: missing is a failure

from core.formats import day_text, month_text
from tests.browser.checks import accessible
from tests.browser.words import chinese_only
from tests.factories import PASSWORD, PDF, PNG

expect = playwright_api.expect

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
HANG_GUARD_MS = 90_000  # a stuck page fails the test instead of hanging it; not a speed requirement
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def shot(page, name: str, *, ours: bool = True) -> None:
    """A screenshot; a page of the product (``ours``) must also read in words a zh-CN reader
    reads (words.py) and pass axe's WCAG A/AA checks (checks.py). Not ours: an API's JSON
    answer or the vendored Swagger UI of /api/docs."""
    if ours:
        chinese_only(page)
    page.shots[0] += 1
    page.screenshot(path=str(page.artifacts / f"{page.shots[0]:02d}-{name}.png"), full_page=True)
    if ours:
        accessible(page, name)  # every page a walk looks at (both_widths: at both widths)


def fits(page, width: int = PHONE["width"]) -> None:
    """Nothing is wider than the screen: the page scrolls down, not sideways."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1, "the page scrolls sideways"


def both_widths(page, name: str, *, visible: str | None = None) -> None:
    """A screenshot at desktop width, then at phone width (where nothing may scroll sideways and
    ``visible``, a selector, must still be on screen), then back to desktop width."""
    shot(page, f"{name}-desktop")
    page.set_viewport_size(PHONE)
    if visible:
        expect(page.locator(visible)).to_be_visible()
    fits(page)
    shot(page, f"{name}-phone")
    page.set_viewport_size(DESKTOP)


def files(folder: Path, pdf: str = "居民代表大会会议记录.pdf", png: str = "盖章页.png") -> tuple[Path, Path]:
    """A minutes PDF and a stamp-page PNG to upload, written in ``folder``."""
    pdf_path, png_path = folder / pdf, folder / png
    pdf_path.write_bytes(PDF)
    png_path.write_bytes(PNG)
    return pdf_path, png_path


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


def attach(page, kind: str, path: Path, *, last: bool = True) -> None:
    """Upload an attachment of ``kind``; ``last``: the application is complete after it."""
    section = page.locator("#attachments")
    section.get_by_label("附件类别").select_option(label=kind)
    section.get_by_label("选择文件").set_input_files(str(path))
    press(page, section.get_by_role("button", name="上传"))
    expect(page.locator(".flash")).to_contain_text("已上传")
    if last:
        expect(page.locator("#submit .alert-success")).to_contain_text("材料已齐全")


def submit_application(page, flash: str = "项目已提交") -> None:
    press(page, page.get_by_role("button", name="提交申报"))
    expect(page.locator(".flash")).to_contain_text(flash)
    expect(page.locator("h1 .badge")).to_have_text("已提交")


def open_review(page, title: str) -> None:
    """From the main navigation's 评审, the review page of ``title``."""
    press(page, page.get_by_role("navigation", name="主导航").get_by_role("link", name="评审"))
    row = page.locator("tbody tr", has_text=title)
    press(page, row.get_by_role("link", name="评审"))
    expect(page.locator("h1")).to_contain_text(title)


def score(page, title: str, points: dict[str, str], comment: str) -> None:
    """Score ``title`` by the criteria's labels, with a comment."""
    open_review(page, title)
    form = page.locator("#score")
    for label, value in points.items():
        form.get_by_label(label).fill(value)
    form.get_by_label("评审意见").fill(comment)
    press(page, form.get_by_role("button", name="保存评分"))
    expect(page.locator(".flash")).to_contain_text("评分已保存")


def decide(page, title: str, outcome: str, explanation: str = "") -> None:
    """The panel's decision on ``title`` (an outcome's label; a reason where one is needed)."""
    open_review(page, title)
    form = page.locator("#decide")
    form.get_by_label(outcome).check()
    if explanation:
        form.get_by_label("理由说明").fill(explanation)
    press(page, form.get_by_role("button", name="确认决定"))
    expect(page.locator(".flash")).to_contain_text("评审决定已记录")


# -- 晋江's application ------------------------------------------------------------------------------

def jinjiang_application(page, title: str, contents: list[str], consulted_on: str) -> None:
    """晋江's 申报表 on the project's page: the contents ticked, the four conditions, the date the
    residents were consulted."""
    form = page.locator("#form-application")
    form.get_by_label("项目名称").fill(title)
    for item in contents:
        form.get_by_label(item).check()
    form.get_by_label("基础设施建设情况").fill("党群服务中心面积800平方米，设有议事厅和活动室")
    form.get_by_label("党建工作情况").fill("社区党委下设5个网格党支部、18个楼栋党小组")
    form.get_by_label("服务能力情况").fill("专职社工12名，志愿服务队3支共160人")
    form.get_by_label("群众参与情况").fill("去年居民参与各类活动超过3000人次")
    form.get_by_label("征求村（居）民意见日期").fill(consulted_on)
    form.get_by_label("联系人及电话").fill("王主任 0595-1234567")
    press(page, form.get_by_role("button", name="保存申报表"))
    expect(page.locator(".flash")).to_contain_text("「申报表」已保存")


def jinjiang_plan(page, targets: str, schedule: str) -> None:
    """晋江's 项目方案书 (``schedule``: one dated milestone a line), saved."""
    plan = page.locator("#form-plan")
    plan.get_by_label("项目背景与居民需求").fill("老旧小区多、老年人比例高，居民对就近议事和互助服务的需求强烈。")
    plan.get_by_label("具体目标").fill(targets)
    plan.get_by_label("进度安排").fill(schedule)
    plan.get_by_label("主要措施").fill("依托网格党支部组织值守，联合驻区单位提供物资支持。")
    press(page, plan.get_by_role("button", name="保存项目方案书"))


def stamp(page, title: str, stamp_page: Path | None = None) -> None:
    """A town endorses ``title``, found on its overview (with the scanned stamp page, if given)."""
    waiting = page.locator("#awaiting-endorsement")
    expect(waiting).to_contain_text(title)
    press(page, waiting.get_by_role("link", name=title))
    expect(page.locator("h1")).to_contain_text(title)
    panel = page.locator("#endorsement")
    panel.get_by_label("审核通过，加盖公章").check()
    if stamp_page is not None:
        panel.get_by_label("盖章页扫描件").set_input_files(str(stamp_page))
    press(page, panel.get_by_role("button", name="提交审核意见"))
    expect(page.locator(".flash")).to_contain_text("已审核盖章")


# -- the inbox and reports -----------------------------------------------------------------------------

def count(page, n: int) -> None:
    """The header's count of things to do (on every signed-in page)."""
    expect(page.locator("#inbox-count")).to_have_text(str(n))


def inbox(page) -> None:
    """The inbox page, from the header's link."""
    press(page, page.locator("#inbox-link"))
    expect(page.locator("h1")).to_have_text("收件箱")


def todo(page, tenant: str, link: str, *, starts: bool = False):
    """The inbox's to-do that leads to ``link`` (a path inside the tenant, exactly; ``starts``:
    a link that begins so, for a to-do whose anchor names an object the test does not know)."""
    match = "^=" if starts else "="
    return page.locator("#todos .todo-list li").filter(has=page.locator(f'a.btn[href{match}"/t/{tenant}{link}"]'))


def work_from_inbox(page, tenant: str, link: str, *, starts: bool = False) -> None:
    """Open the inbox and go to the work of the to-do leading to ``link``."""
    inbox(page)
    press(page, todo(page, tenant, link, starts=starts).get_by_role("link", name="去办理"))


def hand_in(page) -> None:
    """Save the report as it stands, then hand it in (handing in takes the saved version)."""
    press(page, page.get_by_role("button", name="保存草稿"))
    expect(page.locator(".flash")).to_contain_text("草稿已保存")
    press(page, page.get_by_role("button", name="提交"))
    expect(page.locator(".flash")).to_contain_text("报告已提交")


# -- carrying a project out: the plan, activities, money ------------------------------------------------

def set_task_status(page, task: str, status: str) -> None:
    """On the plan page, move ``task`` (its title) to ``status`` (planned, in_progress, done ...)."""
    row = page.locator("#tasks tbody tr", has_text=task)
    row.locator("select[name=status]").select_option(status)
    press(page, row.get_by_role("button", name="更新"))
    expect(page.locator(".flash")).to_contain_text("任务进度已更新")


def record_activity(page, held_on: str, place: str, content: str, people: int, names: str, photos, *,
                    task: str | None = None, no_task_reason: str = "", sheet: Path | None = None) -> None:
    """From a project's delivery pages, record an activity: under the plan's ``task`` (the label
    the select shows) or with the reason it has none, with the sign-in list (a name and hours a
    line), the photographed sign-in sheet and photos; shown publicly."""
    press(page, page.locator(".subnav").get_by_role("link", name="活动记录"))
    page.locator("#record summary").click()
    page.get_by_label("活动日期").fill(held_on)
    page.get_by_label("参加人数").fill(str(people))
    page.get_by_label("活动地点").fill(place)
    page.locator("#a-content").fill(content)
    if task:
        page.get_by_label("所属计划任务").select_option(label=task)
    else:
        page.get_by_label("不属于计划任务的原因").fill(no_task_reason)
    page.get_by_label("参加人员名单（签到）").fill(names)
    if sheet is not None:
        page.get_by_label("签到表（照片或PDF）").set_input_files(str(sheet))
    page.get_by_label("活动照片").set_input_files([str(p) for p in photos])
    page.get_by_text("可以公开展示").click()
    press(page, page.get_by_role("button", name="登记活动"))
    expect(page.locator(".flash")).to_contain_text(f"{day_text(held_on)}的活动已登记")


def file_fund_request(page, amount: str, purpose: str, users: str, month: str, *, item: str | None = None) -> None:
    """On the project page, ask for ``amount`` yuan on a budget item (its label in the select;
    the first item when not named)."""
    section = page.locator("#fund-requests")
    section.get_by_label("申请金额（元）").fill(amount)
    if item:
        section.get_by_label("预算明细").select_option(label=item)
    else:
        section.get_by_label("预算明细").select_option(index=1)
    section.get_by_label("用途").fill(purpose)
    section.get_by_label("使用对象").fill(users)
    press(page, section.get_by_role("button", name="提交资金申请"))
    expect(page.locator(".flash")).to_contain_text(f"已提交（{month_text(month)}）")  # the month in words, as the flash says it


def record_spending(page, amount: str, memo: str, voucher: Path) -> None:
    """On the project page's latest fund request, record what was spent with its voucher."""
    card = page.locator("article.fund-request").first
    card.get_by_label("支出金额（元）").fill(amount)
    card.get_by_label("支出说明").fill(memo)
    card.get_by_label("凭证/发票").set_input_files(str(voucher))
    press(page, card.get_by_role("button", name="登记支出"))
    expect(page.locator(".flash")).to_contain_text("支出及凭证已登记")


# -- the reviewer's desk ------------------------------------------------------------------------------

def decide_with_missing_scores(page, title: str, outcome: str, missing: str, explanation: str = "") -> None:
    """Like ``decide``, while ``missing`` (a panel member's name) has not scored: the form says
    so, and the decision needs its confirmation box ticked."""
    open_review(page, title)
    form = page.locator("#decide")
    expect(form.locator("#missing-scores")).to_contain_text(missing)
    form.get_by_label(outcome).check()
    if explanation:
        form.get_by_label("理由说明").fill(explanation)
    form.get_by_label("确认在缺少评分的情况下作出决定").check()
    press(page, form.get_by_role("button", name="确认决定"))
    expect(page.locator(".flash")).to_contain_text("评审决定已记录")


# -- the main menu ---------------------------------------------------------------------------------

def menu_link(page, name: str):
    """The main menu's link ``name``, its group (a <details> dropdown, core/web/nav.py) opened
    first where it sits in one."""
    nav = page.get_by_role("navigation", name="主导航")
    group = nav.locator("li.nav-group > details").filter(has=page.locator(f'a:text-is("{name}")'))
    if group.count() and group.first.get_attribute("open") is None:
        group.first.locator("summary").click()
    return nav.get_by_role("link", name=name, exact=True)


def header_height_at_phone_width(page) -> float:
    """How tall the page's header (masthead and folded menu) stands on a 390×844 screen."""
    page.set_viewport_size(PHONE)
    page.locator(".nav-fold[open]").wait_for(state="detached")  # nav.js folds the menu on the resize
    height = page.evaluate("document.querySelector('header.masthead').getBoundingClientRect().height")
    page.set_viewport_size(DESKTOP)
    return height

