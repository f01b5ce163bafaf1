"""A 共和新路 micro project's whole year in headless Chromium (issue 13's first walk), each step by the
person who does it, with the test's clock moved through 2023 and the daily task run on the days
that open, remind and escalate what falls due:

- March: the panel's chair scores and approves 洛川's 口袋花园 (applied for through the services);
- April: 洛川 writes the plan, records an activity with photos and a photographed sign-in sheet,
  and asks for money; the street office accepts the request, the street's leader approves the
  month's batch, the office pays it out, and 洛川 records what was spent with its voucher;
- July: the second quarter's report (prefilled from the plan and the activities) is handed in,
  returned with reasons, handed in again and accepted; the mid-year stage self-assessment is
  handed in and accepted; the office records the July supervision visit, which opens a
  rectification; 洛川 reports it done and the office closes it;
- September: a second activity with photos and its sign-in sheet; a revision of the plan, which
  the office approves;
- October: the third quarter's report, accepted;
- November: 洛川 records the rest of what it spent and hands in the year-end self-assessment, which
  the office accepts;
- December: the office closes the project with its final accounts (4,000 yuan committed, 1,500
  paid out and spent), releasing the 2,500 yuan never paid out.

At each step the inbox's count in the header and the inbox page show the to-do that step makes
and, once done, that it has gone. The walk runs at desktop width; the key pages are also shot at
a phone's width (nothing may scroll sideways). Screenshots: test-artifacts/year-gonghexinlu-<profile>/.
No step waits on a clock."""
from __future__ import annotations

import pytest

from tests.browser import kit
from tests.browser.kit import (both_widths, count, file_fund_request, hand_in, inbox, press, record_activity,
                               record_spending, score, set_task_status, shot, sign_in, sign_out)
from tests.delivery_factories import jpeg_with_gps, png
from tests.factories import on_day
from tests.money_factories import draft, money_for
from tests.obligation_factories import Q2, item_id, run_on

from playwright import sync_api as playwright_api  # a test dependency: missing is a failure
from core.formats import days_text
expect = playwright_api.expect

pytestmark = pytest.mark.browser
ARTIFACTS = "year-gonghexinlu"
TENANT = "jingan"
TITLE = "口袋花园"
TASKS = [("组建花园志愿者团队", "居委会主任", "2023-04-01", "2023-04-30"),
         ("清理空地、种植", "楼组长王阿姨", "2023-05-01", "2023-09-30"),
         ("日常养护与开放", "志愿者队", "2023-07-01", "2023-11-30")]
Q2_REPORT = {"r-progress": "完成志愿者团队组建，清理空地并完成第一批种植。",
             "r-activities": "4月10日志愿者清理空地、讨论花园布局（12人参加）。",
             "r-participants": "12", "r-next_steps": "7-9月完成种植，开始日常养护与开放。"}


# -- the walk -------------------------------------------------------------------------------------------

def test_a_micro_projects_year_from_approval_to_the_close(live_server, browser_page, platform, tmp_path):
    page, base = browser_page, live_server
    money_for(platform)
    pid = draft(platform, title=TITLE)  # 洛川's application, 4,000 yuan (活动物料 3,000, 宣传海报 1,000), submitted
    project = f"/projects/{pid}"
    photos = [tmp_path / f"IMG_04{i}.jpg" for i in (10, 11)]
    for i, path in enumerate(photos):
        path.write_bytes(jpeg_with_gps((1600, 1200), colour=(200, 80 + 60 * i, 40)))
    sheet = tmp_path / "签到表.png"
    sheet.write_bytes(png((800, 1100)))
    voucher = tmp_path / "绿植发票.png"
    voucher.write_bytes(png())

    # -- March: the chair scores and approves; the to-dos go ----------------------------------------
    sign_in(page, base, TENANT, "ghxl_chair")
    count(page, 2)  # to score and to decide
    inbox(page)
    expect(todo(page, f"{project}/review")).to_have_count(2)
    score(page, TITLE, {"可行性": "8", "操作性": "8", "合规性": "9"}, "方案具体，居民参与面广")
    kit.decide_with_missing_scores(page, TITLE, "通过（立项）", "评审专家（演示）")  # the expert has not scored
    count(page, 0)
    sign_out(page)

    # -- April: 洛川 plans, records an activity and asks for money ----------------------------------
    with on_day("2023-04-14"):
        sign_in(page, base, TENANT, "luochuan")
        page.goto(f"{base}/t/{TENANT}{project}")
        press(page, page.locator("#delivery").get_by_role("link", name="实施计划"))
        rows = page.locator(".plan-editor tbody tr")
        for i, (title, owner, start, end) in enumerate(TASKS):
            row = rows.nth(i)
            row.locator("input[name=title]").fill(title)
            row.locator("input[name=owner]").fill(owner)
            row.locator("input[name=starts_on]").fill(start)
            row.locator("input[name=ends_on]").fill(end)
        press(page, page.get_by_role("button", name="保存实施计划"))
        expect(page.locator(".flash")).to_contain_text("实施计划已保存")
        set_task_status(page, TASKS[0][0], "done")
        shot(page, "plan")

        record_activity(page, "2023-04-10", "12号楼前空地", "志愿者清理空地，讨论花园布局", 12,
                        "王阿姨 2\n李叔叔 1.5\n张阿姨 2", photos[:1], task=label(TASKS[0]), sheet=sheet)
        card = page.locator(".activity").first
        expect(card).to_contain_text("王阿姨（2h）")
        expect(card.locator(".thumbs img")).to_have_count(1)
        both_widths(page, "activities")

        page.goto(f"{base}/t/{TENANT}{project}")
        file_fund_request(page, "1500", "购买绿植、花盆和工具", "3号楼居民约120户", "2023-04",
                          item="活动物料（预算 3,000.00元，尚可申请 3,000.00元）")
        sign_out(page)

        # The office accepts it into April's batch: its to-do goes.
        sign_in(page, base, TENANT, "ghxl_admin")
        count(page, 1)
        inbox(page)
        expect(page.locator("#todos [data-kind='fund_request.accept']")).to_contain_text("1")
        work_from_inbox(page, "/fund-requests#waiting")
        expect(page.locator("#waiting")).to_contain_text(TITLE)
        press(page, page.locator("#waiting").get_by_role("button", name="审核通过，编入月度汇总"))
        expect(page.locator(".flash")).to_contain_text("编入月度汇总")
        count(page, 0)
        sign_out(page)

        # The street's leader approves the month's batch, from the inbox.
        sign_in(page, base, TENANT, "ghxl_leader")
        count(page, 1)
        inbox(page)
        expect(page.locator("#todos [data-kind='batch.approve']")).to_contain_text("1")
        press(page, page.locator("#todos .todo-list li").first.get_by_role("link", name="去办理"))  # the batch's page
        expect(page.locator("#total")).to_have_text("1,500.00元")
        press(page, page.get_by_role("button", name="审批通过本月汇总"))
        expect(page.locator(".flash")).to_contain_text("合计 1,500.00元")
        count(page, 0)
        sign_out(page)

        # The office pays it out; 洛川 records what was spent, with the voucher.
        sign_in(page, base, TENANT, "ghxl_admin")
        count(page, 1)  # approved, to pay out
        work_from_inbox(page, "/fund-requests#to-pay")
        expect(page.locator("#to-pay")).to_contain_text(TITLE)
        press(page, page.locator("#batches").get_by_role("link", name="查看").first)
        press(page, page.get_by_role("button", name="登记本月全部拨付"))
        expect(page.locator(".flash")).to_contain_text("已登记1笔资金申请的拨付")
        count(page, 0)
        sign_out(page)

        sign_in(page, base, TENANT, "luochuan")
        page.goto(f"{base}/t/{TENANT}{project}#fund-requests")
        record_spending(page, "1200", "绿植和花盆", voucher)
        sign_out(page)

    # -- July: what falls due opens; 洛川's second-quarter report ------------------------------------
    for day in ("2023-06-25", "2023-07-01", "2023-07-03"):
        run_on(platform, TENANT, day)  # the daily task: opens the items, then reminds a week ahead
    q2 = f"/obligations/{item_id(platform, TENANT, 'quarterly_report', Q2, project_id=pid)}"
    stage = f"/obligations/{item_id(platform, TENANT, 'stage_review', '2023-07-15', project_id=pid)}"
    visit = f"/obligations/{item_id(platform, TENANT, 'mid_term_supervision', '2023-07-31', subject=f'project:{pid}')}"

    with on_day("2023-07-05"):
        sign_in(page, base, TENANT, "luochuan")
        count(page, 2)  # the quarterly report and the stage self-assessment
        inbox(page)
        expect(todo(page, q2)).to_contain_text(TITLE)
        expect(todo(page, stage)).to_contain_text(TITLE)
        expect(page.locator("#notifications .note-list li.unread").first).to_contain_text("项目实施情况季报表")
        both_widths(page, "team-inbox-reports-due")
        work_from_inbox(page, q2)
        expect(page.locator("h1")).to_contain_text("第二季度")
        # Prefilled from the plan and the activity: nothing to retype.
        expect(page.locator("#r-progress")).to_contain_text("已完成1项")
        expect(page.locator("#r-activities")).to_contain_text("4月10日 12号楼前空地")
        expect(page.locator("#r-participants")).to_have_value("12")
        for field, value in Q2_REPORT.items():
            page.locator(f"#{field}").fill(value)
        hand_in(page)
        count(page, 1)  # the report's to-do has gone; the stage self-assessment is left
        sign_out(page)

    with on_day("2023-07-06"):
        # The office returns it with reasons.
        sign_in(page, base, TENANT, "ghxl_admin")
        inbox(page)
        expect(todo(page, q2)).to_contain_text(TITLE)
        expect(todo(page, visit)).to_contain_text(TITLE)  # the July supervision is the office's own to do
        work_from_inbox(page, q2)
        page.get_by_label("退回理由（退回时必填）").fill("请补充居民参与人次的统计口径，并附活动签到表编号。")
        press(page, page.get_by_role("button", name="退回修改"))
        expect(page.locator(".flash")).to_contain_text("报告已退回")
        inbox(page)
        expect(todo(page, q2)).to_have_count(0)
        sign_out(page)

    with on_day("2023-07-07"):
        # 洛川 reads the reasons in its inbox, corrects the report and hands it in again.
        sign_in(page, base, TENANT, "luochuan")
        count(page, 2)
        work_from_inbox(page, q2)
        expect(page.locator("#versions")).to_contain_text("请补充居民参与人次的统计口径")
        page.locator("#r-participants").fill("15")
        page.locator("#r-problems").fill("5月两次活动签到表缺失，已补齐（签到表编号QD-0501、QD-0502）。")
        hand_in(page)
        count(page, 1)
        sign_out(page)

    with on_day("2023-07-08"):
        sign_in(page, base, TENANT, "ghxl_admin")
        work_from_inbox(page, q2)
        press(page, page.get_by_role("button", name="审核通过"))
        expect(page.locator(".flash")).to_contain_text("报告已通过")
        expect(page.locator("#versions")).to_contain_text("第2版")
        both_widths(page, "quarterly-report-accepted")
        inbox(page)
        expect(todo(page, q2)).to_have_count(0)
        sign_out(page)

    # -- the mid-year stage self-assessment -------------------------------------------------------------
    with on_day("2023-07-10"):
        sign_in(page, base, TENANT, "luochuan")
        work_from_inbox(page, stage)
        for field, value in {"r-comparison": "任务1已完成，任务2进行中，任务3将于7月启动。",
                             "r-plan_completion": "完成计划的40%，进度正常。", "r-compliance": "资金按预算明细使用，凭证齐全。",
                             "r-outcomes": "居民参与积极，空地已清理。", "r-satisfaction": "走访居民30户，满意28户。",
                             "r-shortcomings": "志愿者排班不稳定。"}.items():
            page.locator(f"#{field}").fill(value)
        hand_in(page)
        count(page, 0)
        sign_out(page)
        sign_in(page, base, TENANT, "ghxl_admin")
        work_from_inbox(page, stage)
        press(page, page.get_by_role("button", name="审核通过"))
        expect(page.locator(".flash")).to_contain_text("报告已通过")
        inbox(page)
        expect(todo(page, stage)).to_have_count(0)
        expect(todo(page, visit)).to_have_count(1)
        sign_out(page)

    # -- the July supervision and its rectification -----------------------------------------------------
    with on_day("2023-07-12"):
        sign_in(page, base, TENANT, "ghxl_admin")
        page.goto(f"{base}/t/{TENANT}{project}")
        press(page, page.locator("#supervision").get_by_role("link", name="督导记录与整改"))
        form = page.locator("#new-visit")
        form.get_by_label("督导日期").fill("2023-07-12")
        form.get_by_label("督导类型").select_option("mid_term")
        form.get_by_label("督导人员").fill("社区自治办 王老师")
        form.get_by_label("督导情况").fill("志愿者团队已组建，空地已清理，第一批种植完成。")
        for key in form.locator("input[name^='answer-'][value='met']").all():
            key.check()
        form.locator("input[name='answer-activity_records'][value='not_met']").check()
        form.locator("#note-activity_records").fill("4月活动签到表未编号")
        form.locator("#r-desc-1").fill("为全部签到表编号并归档")
        form.locator("#r-due-1").fill("2023-07-31")
        form.locator("#r-item-1").select_option("activity_records")
        press(page, form.get_by_role("button", name="保存督导记录"))
        expect(page.locator(".flash")).to_contain_text("提出整改事项1项")
        both_widths(page, "supervision-visit")
        inbox(page)
        expect(todo(page, visit)).to_have_count(0)  # the visit fulfils the office's July obligation
        sign_out(page)

    supervision = f"{project}/supervision#rectification-"
    with on_day("2023-07-20"):
        sign_in(page, base, TENANT, "luochuan")
        count(page, 1)  # the rectification
        inbox(page)
        expect(todo(page, supervision)).to_contain_text(TITLE)
        work_from_inbox(page, supervision)
        card = page.locator("article.rectification").first
        card.get_by_label("整改情况").fill("全部签到表已编号归档，今后每次活动当场编号。")
        press(page, card.get_by_role("button", name="报告整改完成"))
        expect(page.locator(".flash")).to_contain_text("待街道社区自治办确认")
        count(page, 0)
        sign_out(page)

        sign_in(page, base, TENANT, "ghxl_admin")
        count(page, 1)  # the rectification to confirm
        work_from_inbox(page, supervision)
        press(page, page.locator("article.rectification").first.get_by_role("button", name="确认整改完成"))
        expect(page.locator(".flash")).to_contain_text("已确认整改完成")
        count(page, 0)
        sign_out(page)

    # -- September: the second activity ---------------------------------------------------------------
    with on_day("2023-09-10"):
        sign_in(page, base, TENANT, "luochuan")
        page.goto(f"{base}/t/{TENANT}{project}/plan")
        set_task_status(page, TASKS[1][0], "done")
        set_task_status(page, TASKS[2][0], "in_progress")
        record_activity(page, "2023-09-09", "口袋花园", "花园开放日：居民认领花箱、志愿者讲解养护", 36,
                        "王阿姨 3\n李叔叔 3\n赵老师 2", photos, task=label(TASKS[2]), sheet=sheet)
        expect(page.locator(".activity")).to_have_count(2)
        expect(page.locator(".activity").first.locator(".thumbs img")).to_have_count(2)

        # The upkeep runs on into December: a revision of the plan, for the office to approve.
        page.goto(f"{base}/t/{TENANT}{project}/plan")
        revisions = page.locator("#revisions")
        revisions.get_by_text("申请调整实施计划").click()
        revisions.locator("#rev-2-ends_on").fill("2023-12-15")
        revisions.get_by_label("调整理由").fill("花园冬季养护需延续至12月中旬，养护任务相应延长。")
        press(page, revisions.get_by_role("button", name="提交调整申请"))
        expect(page.locator(".flash")).to_contain_text("计划调整申请已提交")
        sign_out(page)

        sign_in(page, base, TENANT, "ghxl_admin")
        count(page, 1)
        inbox(page)
        expect(todo(page, f"{project}/plan#revision-")).to_contain_text(TITLE)
        work_from_inbox(page, f"{project}/plan#revision-")
        press(page, page.locator("#revisions").get_by_role("button", name="同意调整"))
        expect(page.locator(".flash")).to_contain_text("调整后的计划即时生效")
        expect(page.locator("#tasks")).to_contain_text("12月15日")
        count(page, 0)
        shot(page, "plan-revised")
        sign_out(page)

    # -- October: the third quarter's report, accepted at once -------------------------------------------
    run_on(platform, TENANT, "2023-10-01")
    q3 = f"/obligations/{item_id(platform, TENANT, 'quarterly_report', '2023-Q3', project_id=pid)}"
    with on_day("2023-10-05"):
        sign_in(page, base, TENANT, "luochuan")
        count(page, 1)
        work_from_inbox(page, q3)
        expect(page.locator("#r-activities")).to_contain_text("9月9日 口袋花园")
        page.locator("#r-progress").fill("完成种植，花园9月开放，居民认领花箱。")
        page.locator("#r-activities").fill("9月9日花园开放日（36人参加）。")
        page.locator("#r-participants").fill("36")
        page.locator("#r-next_steps").fill("10-11月日常养护，12月总结。")
        hand_in(page)
        count(page, 0)
        sign_out(page)
    with on_day("2023-10-08"):
        sign_in(page, base, TENANT, "ghxl_admin")
        work_from_inbox(page, q3)
        press(page, page.get_by_role("button", name="审核通过"))
        expect(page.locator(".flash")).to_contain_text("报告已通过")
        count(page, 0)
        sign_out(page)

    # -- November and December: the rest spent, the year-end self-assessment -----------------------------
    run_on(platform, TENANT, "2023-11-28")  # the year-end stage self-assessment is taken from 25 November
    year_end = f"/obligations/{item_id(platform, TENANT, 'stage_review', '2023-12-15', project_id=pid)}"
    with on_day("2023-11-28"):
        sign_in(page, base, TENANT, "luochuan")
        page.goto(f"{base}/t/{TENANT}{project}#fund-requests")
        record_spending(page, "300", "补种花苗", voucher)
        count(page, 1)
        work_from_inbox(page, year_end)
        expect(page.locator("h1")).to_contain_text("年末")
        for field, value in {"r-comparison": "三项任务均已完成。", "r-compliance": "资金按预算明细使用，凭证齐全。",
                             "r-outcomes": "口袋花园建成开放，居民认领花箱20个。", "r-satisfaction": "走访居民40户，满意38户。",
                             "r-shortcomings": "冬季养护人手不足。"}.items():
            page.locator(f"#{field}").fill(value)
        hand_in(page)
        count(page, 0)
        sign_out(page)
    with on_day("2023-12-04"):
        sign_in(page, base, TENANT, "ghxl_admin")
        work_from_inbox(page, year_end)
        press(page, page.get_by_role("button", name="审核通过"))
        expect(page.locator(".flash")).to_contain_text("报告已通过")
        count(page, 0)
        sign_out(page)

    # -- December: the close, with the final accounts and the release of what was not paid out -----------
    with on_day("2023-12-10"):
        sign_in(page, base, TENANT, "ghxl_admin")
        page.goto(f"{base}/t/{TENANT}{project}")
        press(page, page.locator("#supervision").get_by_role("link", name="办理结项"))
        accounts = page.locator("#accounts")
        expect(accounts).to_contain_text("4,000.00")   # committed
        expect(accounts.locator("li").nth(1)).to_contain_text("1,500.00")   # paid out
        expect(accounts.locator("li").nth(2)).to_contain_text("1,500.00")   # spent (1,200 + 300)
        expect(page.locator("#release")).to_contain_text("2,500.00元")
        both_widths(page, "close-preview")
        page.get_by_label("结项意见").fill("项目按计划完成，口袋花园已交付居民日常养护。")
        page.once("dialog", lambda dialog: dialog.accept())  # the page asks before an irreversible step
        press(page, page.get_by_role("button", name="确认结项"))
        expect(page.locator(".flash")).to_contain_text("未使用的承诺资金2,500.00元已释放回资金")
        expect(page.locator("#released")).to_have_text("2,500.00元")
        page.goto(f"{base}/t/{TENANT}{project}")
        expect(page.locator("h1 .badge")).to_have_text("已结项")
        both_widths(page, "project-closed")
        count(page, 0)
        sign_out(page)

        # A closed project takes no more records, and nothing is left in 洛川's inbox.
        sign_in(page, base, TENANT, "luochuan")
        count(page, 0)
        inbox(page)
        expect(page.locator("#todos .todo-list li.empty")).to_be_visible()
        both_widths(page, "team-inbox-empty")
        sign_out(page)

    assert page.problems == [], page.problems



def label(task) -> str:
    """How the activity form's select names a task of the plan."""
    title, _, start, end = task
    return f"{title}（{days_text(start, end)}）"


def todo(page, link: str):
    """The to-do leading to ``link``; a rectification's or a revision's names it by an anchor
    (``#rectification-``, ``#revision-``), which follows."""
    return kit.todo(page, TENANT, link, starts=link.endswith("-"))


def work_from_inbox(page, link: str) -> None:
    kit.work_from_inbox(page, TENANT, link, starts=link.endswith("-"))
