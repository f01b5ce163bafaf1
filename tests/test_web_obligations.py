"""The obligations on the web: reached from the project page (its section, through the project-panels
hook) and from the street overview; a team writes its quarterly report, the office returns it
with reasons and accepts the next version; a refusal re-renders the page with the reason and the
clause; a town's page has one row per pilot; the city names a late town."""
from __future__ import annotations

import re

from core.tasks import jobs
from tests.clients import Web, text
from tests.factories import on_day, tenant_id, unit_id
from tests.obligation_factories import Q2, item_id, micro, pilot

QUARTERLY = {"progress": "组建团队，召开议事会2次", "activities": "楼组议事会、公约征询", "participants": "120",
             "next_steps": "7-9月试行公约"}


def _run(app, tenant: str, day: str) -> None:
    platform = app.extensions["tongxin"]
    jobs.obligations_daily(platform.db, tenant_id(platform, tenant), day=day, host=platform.host)


def test_a_team_reports_and_the_office_returns_then_accepts(app, client, platform):
    pid = micro(platform)
    _run(app, "jingan", "2023-06-01")
    q2 = item_id(platform, "jingan", "quarterly_report", Q2, project_id=pid)
    team = Web(client)
    team.login("luochuan")
    page = text(team.get(f"/projects/{pid}"))
    assert 'id="obligations"' in page and "项目实施情况季报表" in page and f"/obligations/{q2}" in page
    item = text(team.get(f"/obligations/{q2}"))
    assert "2023年第二季度" in item and "2023年7月10日" in item and "工具清单 第9项" in item
    assert "已承诺 4,000.00元" in item          # what the platform knows, not retyped
    assert 'value="save"' in item and 'value="submit"' not in item  # nothing saved yet: hand-in disabled
    with on_day("2023-07-05"):
        refused = team.post(f"/obligations/{q2}/report", {"do": "submit", "progress": "只写了一项"})
        assert refused.status_code == 422
        body = text(refused)
        assert "开展的主要活动：必填项" in body and "只写了一项" in body  # beside the field, nothing lost
        saved = team.post(f"/obligations/{q2}/report", {"do": "save", **QUARTERLY})
        assert saved.status_code == 302
        sent = team.post(f"/obligations/{q2}/report", {"do": "submit", **QUARTERLY}, follow_redirects=True)
        assert "报告已提交" in text(sent) and "已提交，待审核" in text(sent)
        again = team.post(f"/obligations/{q2}/report", {"do": "submit", **QUARTERLY})
        assert again.status_code == 409 and "已提交（第1版）" in text(again) and "不能重复提交" in text(again)
    team.logout()

    office = Web(client)
    office.login("ghxl_admin")
    overview = text(office.get(f"/overview/street/{unit_id(platform, 'jingan', 'gonghexinlu')}"))
    assert "/obligations" in overview          # the street office reaches them from its overview
    listing = text(office.get("/obligations?state=submitted"))
    assert f"/obligations/{q2}" in listing and "洛川居民区" in listing
    with on_day("2023-07-06"):
        short = office.post(f"/obligations/{q2}/review", {"do": "return", "reason": "不行"})
        assert short.status_code == 422 and "至少5个字" in text(short)
        office.post(f"/obligations/{q2}/review", {"do": "return", "reason": "请补充居民参与人次的统计口径"})
    office.logout()

    team.login("luochuan")
    returned = text(team.get(f"/obligations/{q2}"))
    assert "请补充居民参与人次的统计口径" in returned and "组建团队，召开议事会2次" in returned  # the returned version, to correct
    with on_day("2023-07-07"):
        team.post(f"/obligations/{q2}/report", {"do": "submit", **QUARTERLY, "participants": "96"})
    team.logout()
    office.login("ghxl_admin")
    with on_day("2023-07-08"):
        done = office.post(f"/obligations/{q2}/review", {"do": "accept", "note": "已阅"}, follow_redirects=True)
    page = text(done)
    assert "报告已通过" in page
    assert re.search(r"第\s*2\s*版", page) and re.search(r"第\s*1\s*版", page)


def test_someone_who_does_not_owe_it_gets_no_form_and_a_reason(app, client, platform):
    pid = micro(platform)
    _run(app, "jingan", "2023-06-01")
    q2 = item_id(platform, "jingan", "quarterly_report", Q2, project_id=pid)
    office = Web(client)
    office.login("ghxl_admin")
    page = text(office.get(f"/obligations/{q2}"))
    assert 'id="report"' not in page                      # not the office's to write
    with on_day("2023-07-05"):
        r = office.post(f"/obligations/{q2}/report", {"do": "submit", **QUARTERLY})
    assert r.status_code == 403 and "洛川居民区填报提交" in text(r) and "工具清单 第9项" in text(r)
    other = Web(client)
    other.login("yanchang")
    assert other.get(f"/obligations/{q2}").status_code == 404


def test_a_town_writes_a_row_per_pilot_and_the_city_names_a_late_one(app, client, platform):
    andong = pilot(platform, "andong", "jj-anhai-a", "anhai_admin")
    pilot(platform, "xingta", "jj-anhai-b", "anhai_admin")
    _run(app, "jinjiang", "2023-05-21")  # the May report is a day late: the city bureau hears of it
    may = item_id(platform, "jinjiang", "monthly_progress", "2023-05", subject=f"unit:{unit_id(platform, 'jinjiang', 'jj-anhai')}")
    town = Web(client, "jinjiang")
    town.login("anhai_admin")
    page = text(town.get(f"/obligations/{may}"))
    assert "安东社区" in page and "星塔村" in page and f'name="pilots-0-project_id" value="{andong}"' in page
    assert "逾期" in page
    town.logout()
    city = Web(client, "jinjiang")
    city.login("jj_admin")
    assert "通报逾期单位" in text(city.get(f"/obligations/{may}"))
    with on_day("2023-05-22"):
        named = city.post(f"/obligations/{may}/notice", {"text": "安海镇5月进展逾期未报，予以通报"}, follow_redirects=True)
    assert "已通报" in text(named)
    city.logout()
    town.login("anhai_admin")
    with on_day("2023-05-23"):
        sent = town.post(f"/obligations/{may}/report", {
            "do": "submit", "summary": "两个试点按计划推进",
            "pilots-0-project_id": str(andong), "pilots-0-progress": "议事厅启用",
            "pilots-1-project_id": page.split('name="pilots-1-project_id" value="')[1].split('"')[0],
            "pilots-1-progress": "完成场地改造"}, follow_redirects=True)
    page = text(sent)
    assert "报告已提交" in page and "已提交，待审核" in page
    assert 'id="report"' not in page  # handed in: no form until it is returned
    versions = page.split('id="versions"')[1]
    assert "两个试点按计划推进" in versions


def test_a_towns_report_is_one_document_with_a_row_per_pilot(app, client, platform):
    import io

    from openpyxl import load_workbook
    pilot(platform, "andong", "jj-anhai-a", "anhai_admin")
    pilot(platform, "xingta", "jj-anhai-b", "anhai_admin")
    _run(app, "jinjiang", "2023-05-01")
    may = item_id(platform, "jinjiang", "monthly_progress", "2023-05", subject=f"unit:{unit_id(platform, 'jinjiang', 'jj-anhai')}")
    town = Web(client, "jinjiang")
    town.login("anhai_admin")
    page = text(town.get(f"/obligations/{may}"))
    second = page.split('name="pilots-1-project_id" value="')[1].split('"')[0]
    first = page.split('name="pilots-0-project_id" value="')[1].split('"')[0]
    with on_day("2023-05-18"):
        town.post(f"/obligations/{may}/report", {"do": "submit", "summary": "两个试点按计划推进",
                                                 "pilots-0-project_id": first, "pilots-0-progress": "议事厅启用",
                                                 "pilots-1-project_id": second, "pilots-1-progress": "完成场地改造"})
    r = town.get(f"/obligations/{may}/report.xlsx")
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    wb = load_workbook(io.BytesIO(r.data))
    assert wb.sheetnames == ["报告", "明细"]
    report = {row[0]: row[1] for row in wb["报告"].iter_rows(min_row=2, values_only=True)}
    assert report["应交单位"] == "安海镇" and report["本月试点工作总体进展"] == "两个试点按计划推进"
    rows = list(wb["明细"].iter_rows(values_only=True))
    assert rows[0][:4] == ("项目编号", "试点项目", "试点村（社区）", "本月进展")
    assert [(r[2], r[3]) for r in rows[1:3]] == [("安东社区", "议事厅启用"), ("星塔村", "完成场地改造")]
    assert rows[3][0] == "合计" and float(rows[3][-2]) == 160_000.0  # each pilot's 80,000 yuan committed
