"""The office's everyday tools in headless Chromium, at desktop and phone width: the street office
searches its projects by words of the title, unit, state and year, and exports what it sees as
Excel and CSV; a neighbourhood's state filter offers 草稿, the leader's does not. Screenshots go
to test-artifacts/office-tools-<profile>/."""
from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from tests.browser.kit import both_widths, press, sign_in, sign_out
from tests.factories import draft_project, submitted_project

from playwright import sync_api as playwright_api  # a test dependency: missing is a failure
expect = playwright_api.expect

pytestmark = pytest.mark.browser

ARTIFACTS = "office-tools"


def test_the_office_searches_and_exports_its_projects(live_server, browser_page, platform, tmp_path):
    page, base = browser_page, live_server
    submitted_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园", amount="3000.50")
    submitted_project(platform, "yanchang", "ghxl-yanchang", "micro_venture", "100%_楼组议事")
    draft_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "洛川的草稿")

    sign_in(page, base, "jingan", "ghxl_admin")
    page.goto(f"{base}/t/jingan/projects")
    rows = page.locator("main")
    expect(rows).to_contain_text("口袋花园")
    expect(rows).not_to_contain_text("洛川的草稿")
    both_widths(page, "list", visible="#f-q")

    page.get_by_label("项目名称").fill("%_")
    press(page, page.get_by_role("button", name="查找"))
    expect(rows).to_contain_text("100%_楼组议事")
    expect(rows).not_to_contain_text("口袋花园")

    page.get_by_label("项目名称").fill("")
    page.get_by_label("申报单位").select_option(label="洛川居民区")
    page.get_by_label("年度", exact=True).select_option(label="2023年")
    page.get_by_label("状态").select_option(label="已提交")
    press(page, page.get_by_role("button", name="查找"))
    expect(rows).to_contain_text("口袋花园")
    expect(rows).not_to_contain_text("100%_楼组议事")
    both_widths(page, "searched", visible="#f-q")

    with page.expect_download() as download:
        page.get_by_role("link", name="Excel").click()
    saved = tmp_path / "projects.xlsx"
    download.value.save_as(saved)
    table = [[c.value for c in row] for row in load_workbook(saved).active.iter_rows()]
    assert table[0][:2] == ["编号", "项目名称"]
    assert [r[1] for r in table[1:] if r[0] != "合计"] == ["口袋花园"]
    assert str(table[1][table[0].index("申请金额（元）")]) in ("3000.50", "3000.5")

    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    saved = tmp_path / "projects.csv"
    download.value.save_as(saved)
    data = saved.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert lines[1][1] == "口袋花园" and lines[1][lines[0].index("申请金额（元）")] == "3000.50"

    page.goto(f"{base}/t/jingan/funds?year=2023")
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel").click()
    saved = tmp_path / "funds.xlsx"
    download.value.save_as(saved)
    assert next(load_workbook(saved).active.iter_rows(values_only=True))[:3] == ("单位", "资金", "类型")

    sign_out(page)
    sign_in(page, base, "jingan", "ghxl_leader")
    page.goto(f"{base}/t/jingan/projects")
    assert "草稿" not in page.locator("#f-state").inner_text()
    sign_out(page)
    sign_in(page, base, "jingan", "luochuan")
    page.goto(f"{base}/t/jingan/projects")
    assert "草稿" in page.locator("#f-state").inner_text()
    page.get_by_label("状态").select_option(label="草稿")
    press(page, page.get_by_role("button", name="查找"))
    expect(rows).to_contain_text("洛川的草稿")
    both_widths(page, "neighbourhood-drafts", visible="#f-q")
    assert page.problems == [], page.problems


def _download(page, tmp_path, link: str, name: str):
    with page.expect_download() as download:
        page.get_by_role("link", name=link, exact=True).click()
    saved = tmp_path / name
    download.value.save_as(saved)
    return saved


def test_the_review_queue_fund_requests_and_district_overview_export_what_they_show(
        live_server, browser_page, platform, tmp_path):
    from core.services import fund_requests, review
    from tests.factories import acting, on_day
    from tests.money_factories import IMPLEMENTATION_DAY, approved_project, leaders

    page, base = browser_page, live_server
    pid = approved_project(platform)
    leaders(platform)
    with on_day(IMPLEMENTATION_DAY):
        with acting(platform, "jingan", "luochuan") as ctx:
            req = fund_requests.file_request(ctx, pid, amount="1234.56", purpose="购买活动物料",
                                             beneficiaries="独居老人张阿姨 13812345678")
            rid, month = req.id, req.month
        with acting(platform, "jingan", "ghxl_admin") as ctx:
            batch = fund_requests.accept(ctx, rid).batch_id
    scored = submitted_project(platform, "yanchang", "ghxl-yanchang", "micro_venture", "楼组议事")
    with acting(platform, "jingan", "ghxl_expert") as ctx:
        review.score(ctx, scored, {"feasibility": 5, "operability": 6, "compliance": 7})

    sign_in(page, base, "jingan", "ghxl_expert")
    page.goto(f"{base}/t/jingan/review")
    both_widths(page, "review-queue", visible="main h1")
    table = [[c.value for c in row] for row in load_workbook(_download(page, tmp_path, "Excel", "review.xlsx")).active.iter_rows()]
    head = table[0]
    row = next(r for r in table[1:] if r[1] == "楼组议事")
    assert str(row[head.index("平均分")]) == "18" or str(row[head.index("平均分")]) == "18.0"
    assert row[head.index("排名")] == 1
    sign_out(page)

    sign_in(page, base, "jingan", "ghxl_admin")
    page.goto(f"{base}/t/jingan/fund-requests?month={month}")
    both_widths(page, "fund-requests", visible="main h1")
    data = _download(page, tmp_path, "CSV", "requests.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    row = next(r for r in lines[1:] if r[0] == str(rid))
    assert row[lines[0].index("金额（元）")] == "1234.56" and "13812345678" in row[lines[0].index("使用对象")]
    page.goto(f"{base}/t/jingan/fund-requests/batches/{batch}")
    both_widths(page, "fund-request-batch", visible="main h1")
    book = load_workbook(_download(page, tmp_path, "Excel", "batch.xlsx")).active
    assert [r[0] for r in book.iter_rows(min_row=2, values_only=True)][0] == rid
    sign_out(page)

    sign_in(page, base, "jingan", "jingan_admin")
    page.goto(f"{base}/t/jingan/overview/district")
    both_widths(page, "district-overview", visible="main h1")
    lines = list(csv.reader(io.StringIO(_download(page, tmp_path, "CSV", "district.csv").read_bytes().decode("utf-8-sig"))))
    assert lines[0][-1] == "合计" and any(r[0] == "共和新路街道" for r in lines[1:])
    assert page.problems == [], page.problems
