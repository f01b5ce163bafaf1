"""The archive and the tools read the year's records (core.services.archive.delivery_sources and
report_sources, registered when the platform is built): 晋江's eight-item archive turns complete
once a pilot's plan photos, visits, volunteers, spending, disclosure, self-assessments and work
method are recorded, and says what is missing until then; 共和新路's twelve tools on the project
page each link to where the work is done and say what is there."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from core.plugin_host.sources import Link
from core.services import archive, ledger, supervision
from core.services.delivery import activities, people, plan
from core.services.obligations import reports
from tests.clients import Web, text
from tests.delivery_factories import PLAN, activity, person, png
from tests.factories import PDF, PNG, acting, on_day
from tests.obligation_factories import item_id, micro, run
from tests.test_archive import VISIT_DAY, _funds, pilot, rows, upload

pytestmark = pytest.mark.usefixtures("settings")


def _photo(name: str = "活动.png") -> tuple:
    return name, io.BytesIO(png())


def test_jinjiangs_archive_turns_complete_when_everything_is_recorded(platform, app):
    pid = pilot(platform)
    missing = {k for k, r in rows(platform, pid).items() if not r.complete}
    assert missing == {"plan_and_photos", "guidance", "participation", "spending", "disclosure_and_media",
                       "self_assessments", "work_method"}
    # ② an activity with its photo (the plan form came with the application)
    with on_day(VISIT_DAY), acting(platform, "jinjiang", "qinghua") as ctx:
        activities.record_activity(ctx, pid, dt.date(2023, 7, 10), "社区广场", "邻里驿站开放日", 30,
                                   participants=["王阿姨 2"], no_task_reason="开放日不在方案的任务之列",
                                   photos=[_photo()], storage=platform.storage)
    # ④ a volunteer in the people registry
    with on_day(VISIT_DAY), acting(platform, "jinjiang", "qinghua") as ctx:
        people.add_person(ctx, pid, "volunteer", "王阿姨", consent=True, consent_on=dt.date(2023, 7, 1), consent_note="签字")
    found = rows(platform, pid)
    photos = found["plan_and_photos"].found[1].finding
    assert found["plan_and_photos"].complete and "1次活动共1张照片" in photos.detail.zh
    assert photos.link == Link("web.delivery.activities_page")
    assert found["participation"].complete and "已登记1人（志愿者）" in found["participation"].found[0].finding.detail.zh
    # ③ a visit, ⑤ spending with its voucher, ⑥ disclosure and media, ⑦ the mid-term self-assessment
    with on_day(VISIT_DAY), acting(platform, "jinjiang", "jj_admin") as ctx:
        supervision.record_visit(ctx, pid, visited_on=dt.date(2023, 7, 18), kind="tracking", method="visit",
                                 visitors="市民政局 李科长", observed="邻里驿站已建成并开始值守。")
    voucher = upload(platform, pid, "publicity", "晋江经济报报道.png", PNG)
    upload(platform, pid, "mid_term_self_assessment", "中期自评.pdf", PDF)
    with acting(platform, "jinjiang", "jj_admin") as ctx:
        [(fund, _)] = list(_funds(ctx, pid))
        ledger.disburse(ctx, fund.id, 10_000_00, pid, "t:sources:pay", memo="首笔补助拨付")
        ledger.expense(ctx, fund.id, 8_000_00, pid, "t:sources:spend", memo="驿站桌椅", voucher_attachment_id=voucher.id)
    found = rows(platform, pid)
    assert {k for k, r in found.items() if not r.complete} == {"self_assessments", "work_method"}
    mid, final = found["self_assessments"].found
    assert mid.finding.found and not final.finding.found and final.finding.detail.zh == "尚未到填报期"

    # ⑦ the completion report with its final self-assessment, ⑧ the summary with the work method
    run(platform, "jinjiang", "2023-11-20")
    done = item_id(platform, "jinjiang", "completion", "2023-11-30", project_id=pid)
    with on_day("2023-11-20"), acting(platform, "jinjiang", "qinghua") as ctx:
        final = {r.item.key: r for r in archive.project_archive(ctx, pid).rows}["self_assessments"].found[1].finding
    assert not final.found and final.detail.zh == "应交1份，尚未提交"
    assert final.link == Link("web.reporting.show", params={"item_id": done})
    with on_day("2023-11-20"), acting(platform, "jinjiang", "qinghua") as ctx:
        reports.submit(ctx, done, {"completed_on": "2023-11-18", "outcomes": "驿站建成，每日值守",
                                   "self_assessment": "按方案完成，居民满意"})
    run(platform, "jinjiang", "2023-12-05")
    summary = item_id(platform, "jinjiang", "summary", "2023-12-20", project_id=pid)
    with on_day("2023-12-05"), acting(platform, "jinjiang", "qinghua") as ctx:
        item = reports.items.get_item(ctx, summary)
        body = reports.starting_body(ctx, item, reports.obligation_of(ctx, item).form)
        form = reports.obligation_of(ctx, item).form
        body.update({name: "邻里驿站工作法：居民值守、议事共商" for name in form().fields if name not in body})
        reports.submit(ctx, summary, body)
    with on_day("2023-12-05"), acting(platform, "jinjiang", "qinghua") as ctx:
        whole = archive.project_archive(ctx, pid)
        assert whole.complete == 8 and whole.missing == []
        assert "已提交1/1份" in whole.rows[6].found[1].finding.detail.zh

    # What the community sees on the archive page: eight of eight, no item missing.
    web = Web(app.test_client(), tenant="jinjiang")
    web.login("qinghua")
    with on_day("2023-12-05"):
        page = text(web.get(f"/projects/{pid}/archive"))
    assert "8 / 8" in page and "state-returned" not in page.split('id="archive-count"')[1]
    assert "1次活动共1张照片" in page and "已登记1人（志愿者）" in page


def test_the_archive_page_shows_what_is_missing_and_where_to_record_it(platform, app):
    pid = pilot(platform)
    web = Web(app.test_client(), tenant="jinjiang")
    web.login("qinghua")
    with on_day(VISIT_DAY):
        page = text(web.get(f"/projects/{pid}/archive"))
    assert "1 / 8" in page and "尚无活动照片" in page and "尚未登记志愿者" in page and "尚未记录" not in page
    assert f"/projects/{pid}/activities" in page and f"/projects/{pid}/people" in page


def test_gonghexinlus_tools_on_the_project_page_link_to_the_work_and_say_what_is_there(platform, app):
    pid = micro(platform)
    with acting(platform, "jingan", "luochuan") as ctx:
        tasks = plan.set_plan(ctx, pid, [dict(t) for t in PLAN])
    with on_day("2023-05-01"):
        activity(platform, pid, tasks[0].id, photos=[_photo()])
    person(platform, pid, "张师傅", role="team", duty="组长")
    run(platform, "jingan", "2023-07-05")
    q2 = item_id(platform, "jingan", "quarterly_report", "2023-Q2", project_id=pid)
    with on_day("2023-07-05"), acting(platform, "jingan", "luochuan") as ctx:
        item = reports.items.get_item(ctx, q2)
        body = reports.starting_body(ctx, item, reports.obligation_of(ctx, item).form)
        reports.submit(ctx, q2, {**body, "next_steps": "继续维护花园"})
    with on_day("2023-07-05"), acting(platform, "jingan", "luochuan") as ctx:
        tools = {t.tool.number: t for t in archive.project_tools(ctx, supervision.project_for_supervision(ctx, pid))}
    assert all(t.available for t in tools.values())
    assert tools[4].finding.found and "实施计划3项任务" in tools[4].finding.detail.zh
    assert tools[5].finding.found and "已记录1次活动" in tools[5].finding.detail.zh
    assert tools[6].finding.found and tools[7].finding.found and "项目团队成员" in tools[7].finding.detail.zh
    assert tools[9].finding.found and "已提交1/1份（2023年第二季度）" in tools[9].finding.detail.zh
    assert not tools[10].finding.found and "尚未提交" in tools[10].finding.detail.zh  # the July stage review is owed

    web = Web(app.test_client())
    web.login("luochuan")
    with on_day("2023-07-05"):
        page = text(web.get(f"/projects/{pid}"))
    tools_html = page.split('id="tools"')[1].split("</section>")[0]
    for path in (f"/projects/{pid}/plan", f"/projects/{pid}/activities", f"/projects/{pid}/people",
                 f"/obligations?project_id={pid}"):
        assert path in tools_html, path
    assert "暂未开放" not in tools_html and "已记录1次活动" in tools_html
    with on_day("2023-07-05"):
        listed = text(web.get(f"/obligations?project_id={pid}"))
    assert "项目实施情况季报表" in listed
