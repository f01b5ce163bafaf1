"""The disclosure pages and the district money page through Flask's test client: what an
anonymous resident reads (and does not), the printable report and its Excel file, the project
page's link, who may open the money page and what each administrator sees there, no inline
style (the pages' security policy forbids it), and flat statement counts."""
from __future__ import annotations

import io
import re

import openpyxl
import pytest

from core.services import ledger, review
from tests.clients import Web, counting, text
from tests.factories import acting, gonghexinlu_project, unit_id
from tests.money_factories import PRIVATE, YUAN, build


@pytest.fixture
def scenario(platform):
    return build(platform)


@pytest.fixture
def web(app, platform):
    w = Web(app.test_client())
    w.platform = platform
    return w


def luochuan(platform) -> int:
    return unit_id(platform, "jingan", "ghxl-luochuan")


def rows_of(html: str, table_start: str) -> list[str]:
    """The text of each body row of the first table after ``table_start``."""
    part = html[html.index(table_start):]
    body = part[part.index("<tbody>"):part.index("</tbody>")]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r)).strip() for r in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def test_an_anonymous_resident_reads_the_neighbourhoods_disclosure(web, platform, scenario):
    page = web.get("/disclosure")
    html = text(page)
    assert page.status_code == 200 and "村(居)务公开" in html
    assert re.search(r"洛川居民区</a>\s*<span class=\"badge state-approved\">2 个项目", html)
    assert re.search(r"共和新路街道</a>\s*<span class=\"badge state-approved\">3 个项目", html)

    page = web.get(f"/disclosure/units/{luochuan(platform)}?year=2023")
    html = text(page)
    assert page.status_code == 200
    assert "洛川居民区 · 2023年度项目资金公开" in html
    assert "楼组议事会" in html and "口袋花园" in html
    # the sources of the signature project: its line, the pool's excess and the hotel's money
    sig = html[html.index(f'id="project-{scenario.sig}"'):html.index(f'id="project-{scenario.micro}"')]
    sources = rows_of(sig, "资金来源")
    assert [r.split(" ")[0] for r in sources] == ["居民自治经费", "资金池", "共治金/自治金"]
    assert sources[1].endswith("2,000.00 1,500.00 0.00")
    # disbursements with the fund request's purpose and month; the refund shown negative
    paid = rows_of(sig, "<caption class=\"sr-only\">拨付")
    assert "议事会场地布置与物料 （2023年5月）" in paid[0] and paid[2].endswith("-500.00") and "退回" in paid[2]
    # spending: a voucher is a yes/no; the correction lowers the total
    spent = rows_of(sig, "<caption class=\"sr-only\">支出")
    assert "有凭证" in spent[0] and "无凭证" in spent[1] and "更正（支出）" in spent[2] and spent[2].endswith("-200.00")
    assert "共2笔支出，其中1笔有凭证" in sig
    assert "3,300.50" in sig
    # sponsors: the hotel by name with what it gave in kind, the individual unnamed
    assert "上海某宾馆" in html and "提供会议场地" in html and "个人捐赠者" in html
    assert "认领项目尚未立项" in html  # the room offered to a project still under review
    for secret in PRIVATE + ("延长睦邻角",):
        assert secret not in html, secret
    assert "/attachments/" not in html  # no voucher (or any) file is linked
    assert 'style="' not in html  # the security policy allows no inline style


def test_unknown_units_and_english(web, app, platform, scenario):
    assert web.get("/disclosure/units/999999").status_code == 404
    english = Web(app.test_client())
    html = text(english.get(f"/disclosure/units/{luochuan(platform)}?year=2023&lang=en"))
    assert "Luochuan Neighbourhood · 2023 project money" in html and "Sources" in html and "fund pool" in html
    assert "Vouchers are kept for inspection" in html


def test_the_printable_report_and_its_excel_file(web, platform, scenario):
    html = text(web.get(f"/disclosure/units/{luochuan(platform)}/report?year=2023"))
    assert "洛川居民区2023年度自治项目资金公开报告" in html and "提交居民代表大会审阅" in html
    for heading in ("一、概况", "二、资金来源", "三、立项审批", "四、拨付", "五、支出", "六、各项资金"):
        assert heading in html
    assert "data-print" in html and "js/print.js" in html and "css/disclosure.css" in html
    assert 'style="' not in html and "<script>" not in html
    r = web.get(f"/disclosure/units/{luochuan(platform)}/report.xlsx?year=2023")
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    assert openpyxl.load_workbook(io.BytesIO(r.data)).sheetnames[:4] == ["资金来源", "立项审批", "拨付", "支出"]
    # the print stylesheet exists and hides the site's furniture
    css = web.client.get("/static/css/disclosure.css")
    assert css.status_code == 200 and "@media print" in css.get_data(as_text=True)
    css.close()


def test_a_project_page_links_to_its_disclosure(web, platform, scenario):
    html = text(web.get(f"/projects/{scenario.sig}"))
    link = f'/t/jingan/disclosure/projects/{scenario.sig}'
    assert link in html and "资金公开" in html
    page = web.get(f"/disclosure/projects/{scenario.sig}")
    assert page.status_code == 200 and "楼组议事会 · 资金公开" in text(page)
    # a project that is not approved has neither the section nor a disclosure page
    web.login("luochuan")
    assert "/disclosure/projects/" not in text(web.get(f"/projects/{scenario.pending}"))
    assert web.get(f"/disclosure/projects/{scenario.pending}").status_code == 404


def test_the_money_page_is_for_administrators(web, platform, scenario):
    r = web.get("/money")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    assert web.get("/money.xlsx").status_code == 302
    web.login("luochuan")
    assert web.get("/money").status_code == 403
    assert web.get("/money.xlsx").status_code == 403


def test_a_street_admin_sees_their_street_and_the_district_admin_all(web, app, platform, scenario):
    web.login("ghxl_admin")
    html = text(web.get("/money?year=2023"))
    chart = html[html.index("<svg"):html.index("</svg>")]
    assert 'role="img"' in chart and "<title" in chart and "<desc" in chart
    assert "共和新路街道" in chart and "静安寺街道" not in html
    for label in ("已支出", "已拨付未支出", "已承诺未拨付", "可用"):
        assert label in chart
    assert "已支出 7,300.50元" in chart  # the numbers are in the chart's text too
    assert 'style="' not in html
    r = web.get("/money.xlsx?year=2023")
    wb = openpyxl.load_workbook(io.BytesIO(r.data))
    assert [row[0] for row in wb["各街道汇总"].iter_rows(min_row=2, values_only=True)] == ["共和新路街道", "合计"]

    district = Web(app.test_client())
    district.login("jingan_admin")
    html = text(district.get("/money?year=2023"))
    assert rows_of(html, 'id="street-totals"')[0].startswith("共和新路街道")
    assert rows_of(html, 'id="street-totals"')[1].startswith("静安寺街道")


def test_pages_issue_a_flat_number_of_statements(web, app, platform, scenario):
    street = unit_id(platform, "jingan", "gonghexinlu")
    admin = Web(app.test_client())
    admin.login("jingan_admin")
    pages = [(web, "/disclosure"), (web, f"/disclosure/units/{street}?year=2023"),
             (web, f"/disclosure/units/{street}/report?year=2023"), (web, f"/disclosure/projects/{scenario.sig}"),
             (admin, "/money?year=2023")]
    engine = app.extensions["tongxin"].db.engine

    def measure():
        out = []
        for who, path in pages:
            who.get(path)
            with counting(engine) as seen:
                assert who.get(path).status_code == 200
            out.append(len(seen))
        return out

    few = measure()
    for i in range(3):
        pid, _ = gonghexinlu_project(platform, "yanchang", "ghxl-yanchang", "micro_venture", f"延长微项目{i}", "1000")
        with acting(platform, "jingan", "ghxl_chair") as ctx:
            review.decide(ctx, pid, "approved")
        with acting(platform, "jingan", "ghxl_admin") as ctx:
            ledger.disburse(ctx, scenario.pool, 800 * YUAN, pid, f"t:web-d{i}")
            ledger.expense(ctx, scenario.pool, 300 * YUAN, pid, f"t:web-e{i}")
            ledger.create_fund(ctx, unit_id(platform, "jingan", "ghxl-guangyan"), 2023, "sponsor_fund", f"共治金{i}")
    many = measure()
    assert many == few, (few, many)
    assert max(many) <= 16, many
    assert text(web.get(f"/disclosure/units/{street}?year=2023")).count("延长微项目") >= 3
