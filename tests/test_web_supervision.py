"""The supervision, archive and close-out pages (core.web.supervision, core.web.archive and the
project page's sections in core.web.supervision_panels), driven as a person with a browser:
forms posted with their CSRF token, refusals re-rendered beside the fields with what was typed."""
from __future__ import annotations

import io
import re

from core.services import endorsement, review
from tests.clients import Web, text
from tests.factories import JINJIANG_SELECTION_DAY, PDF, acting, jinjiang_project, on_day
from tests.money_factories import approved_project, person

JULY = "2023-07-12"
ITEMS = ("plan_on_track", "activity_records", "budget_kept", "residents_take_part", "deviations_met",
         "residents_satisfied", "fund_spent_on_list", "fund_formed_bottom_up")


def visit_form(**kw) -> dict:
    data = {"visited_on": "2023-07-12", "kind": "mid_term", "method": "visit", "visitors": "社区自治办 王老师",
            "observed": "楼组议事会已召开两次，花园已完成一半。", "advice": ""}
    data.update({f"answer-{k}": "met" for k in ITEMS})
    data.update(kw)
    return data


def test_the_project_page_shows_the_tools_and_the_way_to_supervision(client, platform):
    pid = approved_project(platform)
    web = Web(client)
    web.login("luochuan")
    page = text(web.get(f"/projects/{pid}"))
    tools = page[page.index('id="tools"'):page.index('id="supervision"')]
    assert tools.count("<tr id=\"tool-") == 12 and tools.count("暂未开放") == 0  # each of the twelve is somewhere
    assert "项目经费决算表" in tools and f"/projects/{pid}#fund-requests" in tools and f"/projects/{pid}/plan" in tools
    assert f"/projects/{pid}/supervision" in page and f"/projects/{pid}/archive" in page
    assert "结项条件" in page  # the applicant sees what closing needs; the office has the button
    web.logout()
    web.login("ghxl_admin")
    page = text(web.get(f"/projects/{pid}"))
    assert "办理结项" in page and ">督导</a>" in page


def test_a_visit_is_recorded_its_rectification_reported_and_accepted_through_the_pages(client, platform):
    pid = approved_project(platform)
    web = Web(client)
    web.login("ghxl_admin")
    with on_day(JULY):
        page = text(web.get(f"/projects/{pid}/supervision"))
        assert "中期督导检查表" in page and "社区发展基金使用检查（区级）" in page and "7月份重点开展一次项目中期督导" in page
        # The page's title is its title, and the visit form appears once.
        assert re.search(r"<title>督导 · [^<]+</title>", page) and page.count('id="new-visit"') == 1
        # Two items left out of a mid-term visit: refused, what was typed kept.
        data = visit_form(**{"answer-residents_satisfied": "", "answer-fund_formed_bottom_up": "",
                             "answer-budget_kept": "not_met"})
        r = web.post(f"/projects/{pid}/supervision/visits", data)
        page = text(r)
        assert r.status_code == 422
        assert "督导记录未保存" in page and "中期督导须逐项填写" in page and "尚未填写：居民对项目的满意度" in page
        assert "「经费使用与预算一致，符合财务报销规定」不符合：请在说明中写明发现的情况" in page
        assert "楼组议事会已召开两次" in page and re.search(r'value="not_met" checked', page)
        data = visit_form(**{"answer-activity_records": "not_met", "note-activity_records": "签到表缺5月两次活动",
                             "rect_description": "补齐5月两次活动的签到表", "rect_due_on": "2023-07-31",
                             "rect_item": "activity_records"})
        r = web.post(f"/projects/{pid}/supervision/visits", data)
        assert r.status_code == 302, text(r)[:2000]
        page = text(web.get(f"/projects/{pid}/supervision"))
        assert "督导记录已保存，提出整改事项1项" in page and "补齐5月两次活动的签到表" in page and "待整改" in page
        rid = int(re.search(r'id="rectification-(\d+)"', page).group(1))
    web.logout()

    web.login("luochuan")
    with on_day("2023-07-20"):
        r = web.post(f"/rectifications/{rid}/report", {"project_id": pid, "report": "补"})
        assert r.status_code == 422 and "整改情况请至少写4个字" in text(r)
        r = web.post(f"/rectifications/{rid}/report", {"project_id": pid, "report": "签到表已补齐并归档。"})
        assert r.status_code == 302
    web.logout()
    web.login("ghxl_admin")
    with on_day("2023-07-21"):
        r = web.post(f"/rectifications/{rid}/accept", {"project_id": pid, "outcome": "accepted"})
        assert r.status_code == 302
        page = text(web.get(f"/projects/{pid}/supervision"))
        assert "已确认整改完成" in page and "已完成" in page


def test_a_commissioned_organisation_has_its_list_and_nothing_else(client, platform):
    mine = approved_project(platform, title="口袋花园")
    other = approved_project(platform, title="楼道微更新", unit_code="ghxl-yanchang", username="yanchang")
    person(platform, "ghxl_org", "commissioned_org", "gonghexinlu", name="上海某社工师事务所")
    office = Web(client)
    office.login("ghxl_admin")
    page = text(office.get(f"/projects/{mine}/supervision"))
    user_id = re.search(r'<option value="(\d+)">上海某社工师事务所</option>', page).group(1)
    assert office.post(f"/projects/{mine}/supervision/assign", {"user_id": user_id}).status_code == 302
    office.logout()

    org = Web(client)
    org.login("ghxl_org")
    page = text(org.get("/supervision"))
    assert "口袋花园" in page and "楼道微更新" not in page
    assert org.get(f"/projects/{other}/supervision").status_code == 403
    with on_day(JULY):
        r = org.post(f"/projects/{mine}/supervision/visits", visit_form(
            rect_description="公示栏补充资金使用情况", rect_due_on="2023-08-15"))
        assert r.status_code == 302
        page = text(org.get(f"/projects/{mine}/supervision"))
        assert "受委托专业机构" in page
        rid = int(re.search(r'id="rectification-(\d+)"', page).group(1))
        # Not the organisation's to close: the page says who may.
        r = org.post(f"/rectifications/{rid}/accept", {"project_id": mine, "outcome": "accepted"})
        assert r.status_code == 403 and "只有整改责任单位或街道社区自治办可以关闭整改" in text(r)


def test_the_close_page_releases_and_the_project_takes_no_more_requests(client, platform):
    pid = approved_project(platform)
    web = Web(client)
    web.login("ghxl_admin")
    page = text(web.get(f"/projects/{pid}/close"))
    assert "自治项目资金池：4,000.00元" in page and "确认结项" in page
    with on_day("2023-12-10"):
        r = web.post(f"/projects/{pid}/close", {"summary": ""})
        assert r.status_code == 422 and "结项意见：必填项，不能为空" in text(r)
        r = web.post(f"/projects/{pid}/close", {"summary": "项目按计划完成。"})
        assert r.status_code == 302
        page = text(web.get(f"/projects/{pid}/close"))
        assert "未使用的承诺资金4,000.00元已释放回资金" in page and 'id="released">4,000.00元' in page
    web.logout()
    web.login("luochuan")
    page = text(web.get(f"/projects/{pid}"))
    assert "已结项" in page and "申请本月资金" not in page and "已于2023年12月10日结项" in page


def test_a_pilots_archive_page_fills_as_documents_are_added(client, platform):
    pid = jinjiang_project(platform, "qinghua", "jj-qingyang-a")
    with acting(platform, "jinjiang", "qingyang_admin") as ctx:
        endorsement.endorse(ctx, pid, "endorsed")
    with on_day(JINJIANG_SELECTION_DAY), acting(platform, "jinjiang", "jj_chair") as ctx:
        review.decide(ctx, pid, "approved", details={"selection": {"tier": "city"}})
    web = Web(client, "jinjiang")
    web.login("qinghua")
    page = text(web.get(f"/projects/{pid}/archive"))
    # each missing item says what is missing (from the records the platform keeps) and where to record it
    assert "已齐全 1 / 8" in page and "⑧ 总结提炼形成的社区工作法" in page
    assert "活动照片及文字记录：尚无活动照片" in page and "督导记录：尚无督导记录" in page and "尚未到填报期" in page
    r = web.post(f"/projects/{pid}/archive/documents", {"kind": "work_method", "file": (io.BytesIO(b"not a pdf"), "x.pdf")},
                 content_type="multipart/form-data")
    assert r.status_code == 415 and "文件类型不符" in text(r)
    r = web.post(f"/projects/{pid}/archive/documents", {"kind": "work_method", "file": (io.BytesIO(PDF), "工作法.pdf")},
                 content_type="multipart/form-data")
    assert r.status_code == 302
    page = text(web.get(f"/projects/{pid}/archive"))
    assert "已齐全 2 / 8" in page and "工作法.pdf" in page
