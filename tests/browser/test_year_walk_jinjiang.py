"""A 晋江 town's year of pilots in headless Chromium (issue 13's second walk), each step by the person
who does it, with the test's clock moved through 2023 and the daily task run on the days that
open, remind and escalate what falls due:

- 安海镇 has two pilots selected by the city in March (安东社区 and 星塔村, through the services);
- April: the town's monthly progress report, one row per pilot, handed in by the 20th and
  accepted by the city bureau;
- May: the report is not in by the 20th: the town was reminded on the 15th, the city bureau hears
  of it on the 21st, names the town in a 通报, the town hands it in late and the bureau accepts it;
- July: 安东 records an activity with its photo and a volunteer, files for money and records its
  spending with the voucher (the town accepts, its leader approves, the town pays out); the city
  bureau visits; 安东 uploads its media coverage and mid-term self-assessment to the archive;
- November and December: 安东's completion report with its final self-assessment, and its written
  summary with the distilled work method by 20 December; the archive's eight items turn complete.

The inbox's count in the header and the inbox page show each to-do appear and go. Desktop width,
with the key pages also shot at a phone's width. Screenshots: test-artifacts/year-jinjiang-<profile>/.
No step waits on a clock."""
from __future__ import annotations

import re

import pytest

from tests.browser import kit
from tests.browser.kit import (both_widths, count, file_fund_request, hand_in, inbox, press, record_activity, record_spending,
                               shot, sign_in, sign_out)
from tests.delivery_factories import jpeg_with_gps, png
from tests.factories import PDF, on_day, unit_id
from tests.obligation_factories import item_id, pilot, run_on

from playwright import sync_api as playwright_api  # a test dependency: missing is a failure
expect = playwright_api.expect

pytestmark = pytest.mark.browser
ARTIFACTS = "year-jinjiang"
TENANT = "jinjiang"
ARCHIVE = ("minutes", "plan_and_photos", "guidance", "participation", "spending", "disclosure_and_media",
           "self_assessments", "work_method")


def monthly_report(page, summary: str, progress: dict[str, str]) -> None:
    """The town's report: the month in all, then each pilot's row (found by its community)."""
    page.get_by_label("本月试点工作总体进展").fill(summary)
    for community, text in progress.items():
        row = page.locator("#rows-pilots tbody tr", has_text=community)
        row.locator("textarea[name$='-progress']").fill(text)
    hand_in(page)


def accept(page, link: str, note: str = "") -> None:
    work_from_inbox(page, link)
    if note:
        page.get_by_label("审核意见（通过时可填）").fill(note)
    press(page, page.get_by_role("button", name="审核通过"))
    expect(page.locator(".flash")).to_contain_text("报告已通过")


def test_a_towns_monthly_reports_a_late_one_named_and_a_pilots_archive_turning_complete(live_server, browser_page,
                                                                                         platform, tmp_path):
    page, base = browser_page, live_server
    andong = pilot(platform, "andong", "jj-anhai-a", "anhai_admin")  # both are called 邻里驿站
    pilot(platform, "xingta", "jj-anhai-b", "anhai_admin")
    town = f"unit:{unit_id(platform, TENANT, 'jj-anhai')}"
    project = f"/projects/{andong}"
    photo, voucher, pdf = tmp_path / "开放日.jpg", tmp_path / "桌椅发票.png", tmp_path / "中期自评报告.pdf"
    photo.write_bytes(jpeg_with_gps((1200, 900)))
    voucher.write_bytes(png())
    pdf.write_bytes(PDF)
    press_clip = tmp_path / "晋江经济报报道.png"
    press_clip.write_bytes(png((600, 800)))

    # -- April: the town's report by the 20th, accepted ----------------------------------------------
    for day in ("2023-04-01", "2023-04-15"):
        run_on(platform, TENANT, day)
    april = f"/obligations/{item_id(platform, TENANT, 'monthly_progress', '2023-04', subject=town)}"
    with on_day("2023-04-18"):
        sign_in(page, base, TENANT, "anhai_admin")
        count(page, 1)
        inbox(page)
        expect(todo(page, april)).to_contain_text("安海镇")
        expect(page.locator("#notifications .note-list li.unread").first).to_contain_text("试点工作月度进展")
        both_widths(page, "town-inbox")
        work_from_inbox(page, april)
        expect(page.locator("#rows-pilots")).to_contain_text("安东社区")
        expect(page.locator("#rows-pilots")).to_contain_text("星塔村")
        monthly_report(page, "两个试点均已启动，场地改造按计划推进。",
                       {"安东社区": "驿站场地完成设计，4月底开工。", "星塔村": "议事厅选址确定。"})
        count(page, 0)
        both_widths(page, "town-report-handed-in")
        sign_out(page)
    with on_day("2023-04-19"):
        sign_in(page, base, TENANT, "jj_admin")
        count(page, 1)
        accept(page, april, "已阅，请按计划推进。")
        count(page, 0)
        sign_out(page)

    # -- May: late; reminded, escalated to the city bureau, named in a 通报, then handed in -----------
    for day in ("2023-05-01", "2023-05-15", "2023-05-20", "2023-05-21"):
        run_on(platform, TENANT, day)
    may = f"/obligations/{item_id(platform, TENANT, 'monthly_progress', '2023-05', subject=town)}"
    with on_day("2023-05-22"):
        sign_in(page, base, TENANT, "jj_admin")
        inbox(page)
        escalation = page.locator("#notifications .note-list li.unread").filter(has_text="仍未提交")
        expect(escalation).to_have_count(1)  # the day after the 20th, once
        expect(escalation).to_contain_text("安海镇")
        expect(escalation).to_contain_text("2023年5月")
        both_widths(page, "city-hears-of-the-late-town")
        press(page, escalation.get_by_role("button", name="查看"))
        expect(page.locator("h1")).to_contain_text("2023年5月")
        expect(page.locator("#requirement")).to_contain_text("逾期")
        page.get_by_label("通报内容").fill("安海镇5月试点工作进展逾期未报送，予以通报，请于5月25日前补报。")
        press(page, page.get_by_role("button", name="通报"))
        expect(page.locator(".flash")).to_contain_text("已通报")
        expect(page.locator("#requirement")).to_contain_text("安海镇5月试点工作进展逾期未报送")
        shot(page, "city-notice")
        sign_out(page)
    with on_day("2023-05-23"):
        sign_in(page, base, TENANT, "anhai_admin")
        count(page, 1)
        inbox(page)
        notes = page.locator("#notifications .note-list li")
        expect(notes.filter(has_text="试点工作月度进展（2023年5月）将于2023年5月20日截止")).to_have_count(1)  # the 15th's reminder
        expect(notes.filter(has_text="通报：")).to_contain_text("安海镇5月试点工作进展逾期未报送")  # and the city's notice
        both_widths(page, "town-reads-the-notice")
        work_from_inbox(page, may)
        expect(page.locator("main")).to_contain_text("已通报")
        monthly_report(page, "安东驿站主体改造完成；星塔议事厅装修中。",
                       {"安东社区": "驿站主体改造完成。", "星塔村": "议事厅装修过半。"})
        count(page, 0)
        sign_out(page)
    with on_day("2023-05-24"):
        sign_in(page, base, TENANT, "jj_admin")
        accept(page, may)
        count(page, 0)
        sign_out(page)

    # -- July: 安东's records; the money; the city bureau's visit; the archive's documents ------------
    with on_day("2023-07-10"):
        sign_in(page, base, TENANT, "andong")
        page.goto(f"{base}/t/{TENANT}{project}/archive")
        expect(page.locator("#archive-count")).to_contain_text("1 / 8")
        both_widths(page, "archive-at-the-start")
        page.goto(f"{base}/t/{TENANT}{project}/activities")
        record_activity(page, "2023-07-08", "安东社区邻里驿站", "邻里驿站开放日：志愿者值守，居民议事", 30, "王阿姨 2\n陈伯 2",
                        [photo], no_task_reason="开放日属于方案书“形成值守制度”的一部分")
        press(page, page.locator(".subnav").get_by_role("link", name="人员名册"))
        page.get_by_label("名册类别").select_option("volunteer")
        page.get_by_label("姓名").fill("王阿姨")
        page.locator("input[name=consent]").check()
        press(page, page.get_by_role("button", name="登记"))
        expect(page.locator(".flash")).to_contain_text("王阿姨")

        page.goto(f"{base}/t/{TENANT}{project}")
        file_fund_request(page, "10000", "驿站桌椅", "安东社区居民", "2023-07")
        sign_out(page)

        sign_in(page, base, TENANT, "anhai_admin")
        work_from_inbox(page, "/fund-requests#waiting")
        press(page, page.locator("#waiting").get_by_role("button", name="审核通过，编入月度汇总"))
        expect(page.locator(".flash")).to_contain_text("编入月度汇总")
        sign_out(page)
        sign_in(page, base, TENANT, "anhai_leader")
        count(page, 1)
        inbox(page)
        press(page, page.locator("#todos .todo-list li").first.get_by_role("link", name="去办理"))
        press(page, page.get_by_role("button", name="审批通过本月汇总"))
        expect(page.locator(".flash")).to_contain_text("合计 10,000.00元")
        count(page, 0)
        sign_out(page)
        sign_in(page, base, TENANT, "anhai_admin")
        work_from_inbox(page, "/fund-requests#to-pay")
        press(page, page.locator("#batches").get_by_role("link", name="查看").first)
        press(page, page.get_by_role("button", name="登记本月全部拨付"))
        expect(page.locator(".flash")).to_contain_text("已登记1笔资金申请的拨付")
        count(page, 1)  # what is left is July's progress report, taken since the 1st
        sign_out(page)

        sign_in(page, base, TENANT, "andong")
        page.goto(f"{base}/t/{TENANT}{project}#fund-requests")
        record_spending(page, "8000", "驿站桌椅", voucher)
        sign_out(page)

    with on_day("2023-07-18"):
        sign_in(page, base, TENANT, "jj_admin")
        page.goto(f"{base}/t/{TENANT}{project}")
        press(page, page.locator("#supervision").get_by_role("link", name="督导记录与整改"))
        form = page.locator("#new-visit")
        form.get_by_label("督导日期").fill("2023-07-18")
        form.get_by_label("督导类型").select_option("tracking")
        form.get_by_label("督导人员").fill("市民政局 李科长")
        form.get_by_label("督导情况").fill("邻里驿站已建成并开始值守，居民参与踊跃。")
        for answer in form.locator("input[name^='answer-'][value='met']").all():
            answer.check()
        press(page, form.get_by_role("button", name="保存督导记录"))
        expect(page.locator(".flash")).to_contain_text("督导记录")
        sign_out(page)

        sign_in(page, base, TENANT, "andong")
        page.goto(f"{base}/t/{TENANT}{project}/archive")
        for kind, path in (("publicity", press_clip), ("mid_term_self_assessment", pdf)):
            page.locator("#doc-kind").select_option(kind)
            page.locator("#doc-file").set_input_files(str(path))
            press(page, page.locator("#documents").get_by_role("button", name="上传"))
            expect(page.locator(".flash")).to_contain_text("已上传")
        expect(page.locator("#archive-count")).to_contain_text("6 / 8")
        for key in ARCHIVE[:6]:
            expect(page.locator(f"#item-{key}")).to_have_class(re.compile(r"\bapproved\b"))
        sign_out(page)

    # -- November: the completion report with the final self-assessment ------------------------------
    run_on(platform, TENANT, "2023-11-20")
    completion = f"/obligations/{item_id(platform, TENANT, 'completion', '2023-11-30', project_id=andong)}"
    with on_day("2023-11-22"):
        sign_in(page, base, TENANT, "andong")
        count(page, 1)
        work_from_inbox(page, completion)
        page.get_by_label("完成日期").fill("2023-11-20")
        page.get_by_label("项目建设成效").fill("邻里驿站建成并每日值守，开展志愿服务40余次。")
        page.get_by_label("结项自评").fill("按方案完成全部目标，居民满意度95%。")
        hand_in(page)
        count(page, 0)
        sign_out(page)
        sign_in(page, base, TENANT, "jj_admin")
        accept(page, completion)
        sign_out(page)

    # -- December: the written summary with the work method, by the 20th; the archive complete --------
    run_on(platform, TENANT, "2023-12-05")
    summary = f"/obligations/{item_id(platform, TENANT, 'summary', '2023-12-20', project_id=andong)}"
    with on_day("2023-12-15"):
        sign_in(page, base, TENANT, "andong")
        count(page, 1)
        work_from_inbox(page, summary)
        expect(page.locator("#requirement")).to_contain_text("2023年12月20日")
        page.get_by_label("经验做法").fill("网格党支部牵头、志愿者轮值，驿站成为居民议事和互助的固定场所。")
        page.get_by_label("查找不足").fill("年轻居民参与偏少。")
        page.get_by_label("提炼的社区工作法").fill("“驿站议事三步法”：居民提事、驿站议事、志愿办事。")
        hand_in(page)
        count(page, 0)
        page.goto(f"{base}/t/{TENANT}{project}/archive")
        expect(page.locator("#archive-count")).to_contain_text("8 / 8")
        both_widths(page, "archive-complete")
        sign_out(page)
        sign_in(page, base, TENANT, "jj_admin")
        count(page, 1)
        accept(page, summary, "经验可推广。")
        count(page, 0)
        sign_out(page)
    assert page.problems == [], page.problems


def todo(page, link: str):
    return kit.todo(page, TENANT, link)


def work_from_inbox(page, link: str) -> None:
    kit.work_from_inbox(page, TENANT, link)
