"""Exports of what three office pages show (issue 16, item 8), as the projects and funds lists
already export: the review queue (each waiting project with its reviewers' totals, the average and
the rank, where the reader may read the scores), the street office's fund requests (the month's
list and one monthly batch) and the district overview (streets × states). Each is the page's rows,
refused as the page is refused, with Chinese headers, exact yuan, real dates, a CSV Excel opens,
and a fund request's beneficiaries masked for whoever may not read them and recorded."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import select

from core.models import AuditEntry
from core.models.fund_request import FundRequestState
from core.services import fund_requests, review
from tests.clients import Web
from tests.factories import acting, on_day, submitted_project
from tests.money_factories import IMPLEMENTATION_DAY, approved_project, leaders

BENEFICIARIES = "独居老人张阿姨 13812345678"


@pytest.fixture
def world(platform):
    """共和新路: an approved project of 洛川 (口袋花园) with a request of 1,234.56 yuan accepted into
    its month's batch, its beneficiaries naming a resident and her phone; two submitted ones waiting
    for review (楼组议事 scored by the expert with 5+6+7, 楼道花箱 not yet)."""
    pid = approved_project(platform)
    leaders(platform)
    with on_day(IMPLEMENTATION_DAY):
        with acting(platform, "jingan", "luochuan") as ctx:
            req = fund_requests.file_request(ctx, pid, amount="1234.56", purpose="=购买活动物料",
                                             beneficiaries=BENEFICIARIES)
            rid, month = req.id, req.month
        with acting(platform, "jingan", "ghxl_admin") as ctx:
            batch = fund_requests.accept(ctx, rid).batch_id
    scored = submitted_project(platform, "yanchang", "ghxl-yanchang", "micro_venture", "楼组议事")
    waiting = submitted_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "楼道花箱")
    with acting(platform, "jingan", "ghxl_expert") as ctx:
        review.score(ctx, scored, {"feasibility": 5, "operability": 6, "compliance": 7})
    return {"project": pid, "request": rid, "month": month, "batch": batch, "scored": scored, "waiting": waiting}


def _web(app, username):
    web = Web(app.test_client())
    web.login(username)
    return web


def _csv(web, path) -> list[list[str]]:
    r = web.get(path)
    assert r.status_code == 200, r.get_data(as_text=True)[:400]
    assert "attachment" in r.headers["Content-Disposition"] and r.data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))


def _xlsx(web, path) -> list[tuple]:
    r = web.get(path)
    assert r.status_code == 200, r.get_data(as_text=True)[:400]
    return list(openpyxl.load_workbook(io.BytesIO(r.data)).active.iter_rows(values_only=True))


def _person_exports(platform) -> list[dict]:
    with acting(platform, "jingan", None) as ctx:
        return [e.after for e in ctx.session.scalars(select(AuditEntry).where(AuditEntry.action == "person.export")
                                                     .order_by(AuditEntry.id))]


def _page_row(page: str, first: str) -> list[str]:
    """The cells' texts of the page's table row whose first cell says ``first``."""
    for row in re.findall(r"<tr>(.*?)</tr>", page, re.S):
        cells = [re.sub(r"<[^>]+>|\s", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        if cells and cells[0] == first:
            return cells
    raise AssertionError(f"no row {first} on the page")


def _row(table, title):
    return next(r for r in table[1:] if title in r)


# -- the review queue ----------------------------------------------------------------------------------

def test_the_review_queue_export_is_the_page_with_totals_average_and_rank(app, world):
    web = _web(app, "ghxl_expert")
    page = web.get("/review?sort=average").get_data(as_text=True)
    shown = re.findall(r'<tr data-project="(\d+)"', page)
    table = _csv(web, "/review/export.csv?sort=average")
    header = table[0]
    assert header[:2] == ["编号", "项目名称"] and {"各评审人总分", "平均分", "排名", "申请金额（元）"} <= set(header)
    assert [r[0] for r in table[1:] if r[0] != "合计"] == shown  # the page's rows, in its order
    scored = _row(table, "楼组议事")
    assert scored[header.index("平均分")] == "18.0" and scored[header.index("排名")] == "1"
    assert "18" in scored[header.index("各评审人总分")] and scored[header.index("我的评分")] == "已评分"
    waiting = _row(table, "楼道花箱")
    assert waiting[header.index("平均分")] == "" and "未评" in waiting[header.index("各评审人总分")]
    assert waiting[header.index("申请金额（元）")].endswith(".00")

    rows = _xlsx(web, "/review/export.xlsx")
    head = rows[0]
    body = {r[1]: r for r in rows[1:] if r[0] != "合计"}
    assert body["楼组议事"][head.index("平均分")] == Decimal("18.0") or body["楼组议事"][head.index("平均分")] == 18


def test_the_review_queue_export_is_refused_as_the_page_is(app, world):
    applicant = _web(app, "luochuan")
    assert applicant.get("/review").status_code == 403
    assert applicant.get("/review/export.csv").status_code == 403
    assert Web(app.test_client()).get("/review/export.xlsx").status_code in (302, 401)
    other = _web(app, "jas_admin")  # another street's office (海园's programme): not 共和新路's projects
    assert other.get("/review").status_code == 200
    text = other.get("/review/export.csv").get_data(as_text=True)
    assert "楼组议事" not in text and "楼道花箱" not in text and "18.0" not in text


# -- the street office's fund requests ---------------------------------------------------------------

def test_the_months_requests_export_has_exact_yuan_dates_and_formula_safe_text(app, platform, world):
    office = _web(app, "ghxl_admin")
    page = office.get(f"/fund-requests?month={world['month']}").get_data(as_text=True)
    assert "/fund-requests/export.xlsx" in page and "/fund-requests/export.csv" in page
    table = _csv(office, f"/fund-requests/export.csv?month={world['month']}")
    header = table[0]
    assert header[:3] == ["编号", "月份", "项目名称"] and {"金额（元）", "使用对象", "状态", "提交日期"} <= set(header)
    row = _row(table, "口袋花园")
    assert row[0] == str(world["request"]) and row[header.index("金额（元）")] == "1234.56"
    assert row[header.index("用途")] == "'=购买活动物料"  # a formula-looking purpose stays text
    assert row[header.index("状态")] == FundRequestState.accepted.label.zh
    dt.date.fromisoformat(row[header.index("提交日期")])
    assert row[header.index("使用对象")] == BENEFICIARIES  # the street office reads residents' numbers

    rows = _xlsx(office, f"/fund-requests/export.xlsx?month={world['month']}")
    head = rows[0]
    body = [r for r in rows[1:] if r[0] != "合计"]
    assert body[0][head.index("金额（元）")] in (Decimal("1234.56"), 1234.56)
    assert isinstance(body[0][head.index("提交日期")], dt.datetime)
    total = next(r for r in rows if r[0] == "合计")
    assert total[head.index("金额（元）")] in (Decimal("1234.56"), 1234.56)


def test_beneficiaries_are_masked_for_whoever_may_not_read_them_and_every_export_recorded(app, platform, world):
    before = len(_person_exports(platform))
    office = _web(app, "ghxl_admin")
    _csv(office, f"/fund-requests/export.csv?month={world['month']}")
    records = _person_exports(platform)
    assert len(records) == before + 1
    assert records[-1]["format"] == "fund_requests_month" and records[-1]["full_numbers"] is True
    assert records[-1]["people"] == 1 and records[-1]["month"] == world["month"]

    leader = _web(app, "fr_leader")  # approves the batch; does not read residents' numbers
    assert leader.get(f"/fund-requests?month={world['month']}").status_code == 200
    text = leader.get(f"/fund-requests/export.csv?month={world['month']}").get_data(as_text=True)
    assert "13812345678" not in text and "独居老人张阿姨 ***" in text
    assert _person_exports(platform)[-1]["full_numbers"] is False

    batch = leader.get(f"/fund-requests/batches/{world['batch']}/export.xlsx")
    assert batch.status_code == 200 and b"13812345678" not in batch.data
    assert _person_exports(platform)[-1]["format"] == "fund_request_batch"


def test_the_batch_export_is_its_requests_and_states_its_total(app, world):
    office = _web(app, "ghxl_admin")
    page = office.get(f"/fund-requests/batches/{world['batch']}").get_data(as_text=True)
    assert f"/fund-requests/batches/{world['batch']}/export.csv" in page
    table = _csv(office, f"/fund-requests/batches/{world['batch']}/export.csv")
    assert [r[0] for r in table[1:-1]] == [str(world["request"])]
    assert table[-1][0].startswith("本月合计") and "1,234.56" in table[-1][0]
    assert "合计" not in [r[0] for r in table[1:-1]]


def test_the_fund_request_exports_are_refused_as_their_pages_are(app, world):
    applicant = _web(app, "luochuan")
    assert applicant.get("/fund-requests").status_code == 403
    assert applicant.get("/fund-requests/export.csv").status_code == 403
    assert applicant.get(f"/fund-requests/batches/{world['batch']}").status_code == 404
    assert applicant.get(f"/fund-requests/batches/{world['batch']}/export.xlsx").status_code == 404
    other = _web(app, "jas_admin")  # another street's office: neither 共和新路's batch nor its requests
    assert other.get(f"/fund-requests/batches/{world['batch']}/export.csv").status_code == 404
    text = other.get(f"/fund-requests/export.csv?month={world['month']}").get_data(as_text=True)
    assert "口袋花园" not in text and "13812345678" not in text
    assert Web(app.test_client()).get("/fund-requests/export.csv").status_code in (302, 401)
    assert _web(app, "ghxl_admin").get("/fund-requests/export.pdf").status_code == 404


# -- the district overview -----------------------------------------------------------------------------

def test_the_district_export_is_streets_by_states_with_the_districts_totals(app, world):
    web = _web(app, "jingan_admin")
    page = web.get("/overview/district").get_data(as_text=True)
    assert "/overview/district/export.xlsx" in page
    rows = _xlsx(web, "/overview/district/export.xlsx")
    head = rows[0]
    assert head[0] in ("街道", "街道/镇", "街道（镇）") or "街" in head[0]
    assert "已提交" in head and head[-1] == "合计"
    body = {r[0]: r for r in rows[1:] if r[0] != "合计"}
    street = body["共和新路街道"]
    assert street[head.index("已立项")] == 1 and street[-1] == 3  # 口袋花园 approved, two waiting for review
    cells = _page_row(page, "共和新路街道")  # the page's row, cell for cell (an empty cell is a zero)
    assert [int(x or 0) for x in cells[3:]] == list(street[3:])
    assert int(cells[1]) == street[1] and cells[2] == street[2]
    total = next(r for r in rows if r[0] == "合计")
    assert total[-1] == sum(r[-1] for r in body.values())
    for name in body:  # every street the page lists, and no other
        assert name in page

    table = _csv(web, "/overview/district/export.csv")
    assert table[0][-1] == "合计" and any(r[0] == "共和新路街道" and r[-1] == "3" for r in table)


def test_the_district_export_is_the_district_administrators(app, world):
    for username in ("ghxl_admin", "luochuan", "ghxl_leader"):
        web = _web(app, username)
        assert web.get("/overview/district").status_code == 403
        assert web.get("/overview/district/export.csv").status_code == 403, username
