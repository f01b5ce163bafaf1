"""The office's everyday tools (issue 16, item 8): searching the projects (title, unit, state,
year) on the page and the API alike, exporting what a list shows as Excel and CSV, and following
drafts in progress where the policy allows it."""
from __future__ import annotations

import csv
import dataclasses
import io
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import select

from core.models import AuditEntry
from core.services import projects
from tests.clients import API, Web, login
from tests.factories import acting, draft_project, on_day, submitted_project

INTENT = {"title": "楼道微更新", "directions": ["public_space"], "summary": "居民自己动手美化楼道，改善邻里环境。",
          "contact_name": "王阿姨", "contact_phone": "13812345678"}


@pytest.fixture
def world(platform):
    """Four projects: two submitted (洛川's 口袋花园 at 3,000.50 yuan, 延长's 100%_楼组), a draft of
    洛川 (楼道_草稿) and a submitted one with its contact (洛川's 楼道微更新)."""
    ids = {
        "garden": submitted_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园", amount="3000.50"),
        "percent": submitted_project(platform, "yanchang", "ghxl-yanchang", "micro_venture", "100%_楼组议事"),
        "draft": draft_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "楼道_草稿小修"),
    }
    pid = draft_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "楼道微更新")
    with on_day("2023-03-10"), acting(platform, "jingan", "luochuan") as ctx:
        projects.save_form(ctx, pid, "intent", INTENT)
        projects.submit(ctx, pid)
    ids["contact"] = pid
    return ids


def _titles(platform, username, **search) -> list[str]:
    with acting(platform, "jingan", username) as ctx:
        rows, total = projects.search_projects(ctx, projects.ProjectSearch(**search))
        assert total == len(rows)
        return sorted(p.title for p in rows)


def test_search_by_title_unit_state_and_year_within_what_one_may_see(platform, world):
    assert _titles(platform, "ghxl_admin", q="花园") == ["口袋花园"]
    assert _titles(platform, "ghxl_admin", q="楼道") == ["楼道微更新"]  # the draft stays its authors'
    assert _titles(platform, "luochuan", q="楼道") == ["楼道_草稿小修", "楼道微更新"]
    assert _titles(platform, "luochuan", q="楼组") == []  # 延长's is not 洛川's to see
    with acting(platform, "jingan", "luochuan") as ctx:
        from tests.factories import unit_id
        yanchang, street = unit_id(platform, "jingan", "ghxl-yanchang"), unit_id(platform, "jingan", "gonghexinlu")
    assert _titles(platform, "ghxl_admin", unit_id=yanchang) == ["100%_楼组议事"]
    assert len(_titles(platform, "ghxl_admin", unit_id=street)) == 3  # the street: all its neighbourhoods'
    assert _titles(platform, "luochuan", state="draft") == ["楼道_草稿小修"]
    assert _titles(platform, "ghxl_admin", state="draft") == []
    assert len(_titles(platform, "ghxl_admin", year=2023)) == 3
    assert _titles(platform, "ghxl_admin", year=2022) == []
    assert _titles(platform, None, q="花园") == []  # the public: approved projects only


def test_percent_and_underscore_are_letters_not_wildcards(platform, world):
    assert _titles(platform, "ghxl_admin", q="%") == ["100%_楼组议事"]
    assert _titles(platform, "ghxl_admin", q="_") == ["100%_楼组议事"]
    assert _titles(platform, "luochuan", q="道_草") == ["楼道_草稿小修"]
    assert _titles(platform, "ghxl_admin", q="0%_") == ["100%_楼组议事"]
    assert _titles(platform, "ghxl_admin", q="口%园") == []


def test_the_api_narrows_by_the_same_schema(app, world):
    client = app.test_client()
    headers = login(client, "ghxl_admin")
    r = client.get(f"{API}/t/jingan/projects?q=%25&year=2023", headers=headers)
    assert r.status_code == 200 and [p["title"] for p in r.get_json()["items"]] == ["100%_楼组议事"]
    r = client.get(f"{API}/t/jingan/projects?year=1999", headers=headers)
    assert r.status_code == 422 and "year" in r.get_data(as_text=True)
    r = client.get(f"{API}/t/jingan/projects?q=" + "长" * 61, headers=headers)
    assert r.status_code == 422


def test_the_page_searches_and_says_bad_input_beside_its_field(app, world):
    web = Web(app.test_client())
    web.login("ghxl_admin")
    page = web.get("/projects?q=花园").get_data(as_text=True)
    assert "口袋花园" in page and "100%_楼组议事" not in page
    r = web.get("/projects?year=abc")
    assert r.status_code == 200 and "口袋花园" in r.get_data(as_text=True)  # narrows nothing, says why
    assert 'class="error-text"' in r.get_data(as_text=True)


def test_the_state_filter_offers_drafts_only_to_who_can_see_them_in_chinese(app, world):
    for username, drafts in (("luochuan", True), ("ghxl_admin", True), ("ghxl_leader", False), ("ghxl_expert", False)):
        web = Web(app.test_client())
        web.login(username)
        page = web.get("/projects").get_data(as_text=True)
        select_html = page[page.index('id="f-state"'):page.index("</select>", page.index('id="f-state"'))]
        assert ('value="draft"' in select_html) is drafts, username
        assert "已提交" in select_html and "submitted<" not in select_html


def _export(web, path):
    r = web.get(path)
    assert r.status_code == 200, r.get_data(as_text=True)[:500]
    assert "attachment" in r.headers["Content-Disposition"]
    return r.data


def _person_exports(platform) -> list[dict]:
    with acting(platform, "jingan", None) as ctx:
        return [e.after for e in ctx.session.scalars(select(AuditEntry).where(AuditEntry.action == "person.export"))]


def test_the_projects_export_is_what_the_page_shows(app, platform, world):
    web = Web(app.test_client())
    web.login("ghxl_admin")
    book = openpyxl.load_workbook(io.BytesIO(_export(web, "/projects/export.xlsx?q=花园")))
    ws = book.active
    rows = list(ws.iter_rows(values_only=True))
    header = rows[0]
    assert header[:2] == ("编号", "项目名称") and "申请金额（元）" in header and "状态" in header
    body = [r for r in rows[1:] if r[0] != "合计"]
    assert [r[1] for r in body] == ["口袋花园"]
    amount = body[0][header.index("申请金额（元）")]
    assert isinstance(amount, Decimal) or amount == 3000.5
    assert ws.cell(row=2, column=header.index("申请金额（元）") + 1).number_format == "#,##0.00"
    assert body[0][header.index("状态")] == "已提交"
    import datetime as dt
    assert isinstance(body[0][header.index("提交日期")], dt.datetime)

    data = _export(web, "/projects/export.csv?q=花园")
    assert data.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert table[0][1] == "项目名称" and table[1][1] == "口袋花园"
    assert table[1][table[0].index("申请金额（元）")] == "3000.50"
    assert table[1][table[0].index("提交日期")].count("-") == 2


def test_contacts_are_masked_for_whoever_may_not_read_them_and_recorded(app, platform, world):
    before = len(_person_exports(platform))
    office = Web(app.test_client())
    office.login("ghxl_admin")
    table = list(csv.reader(io.StringIO(_export(office, "/projects/export.csv?q=楼道").decode("utf-8-sig"))))
    assert "王阿姨 13812345678" in table[1]
    records = _person_exports(platform)
    assert len(records) == before + 1 and records[-1]["full_numbers"] is True and records[-1]["people"] == 1

    reviewer = Web(app.test_client())
    reviewer.login("ghxl_expert")  # sees submitted projects, not residents' numbers
    text = _export(reviewer, "/projects/export.csv?q=楼道").decode("utf-8-sig")
    assert "13812345678" not in text and "王阿姨 ***" in text
    assert _person_exports(platform)[-1]["full_numbers"] is False

    quiet = len(_person_exports(platform))
    _export(office, "/projects/export.csv?q=花园")  # no contact in it: nothing to record
    assert len(_person_exports(platform)) == quiet


def test_the_funds_export_and_an_anonymous_export(app, platform, world):
    web = Web(app.test_client())
    web.login("ghxl_admin")
    book = openpyxl.load_workbook(io.BytesIO(_export(web, "/funds/export.xlsx?year=2023")))
    header = next(book.active.iter_rows(values_only=True))
    assert header[:3] == ("单位", "资金", "类型") and "可用（元）" in header
    data = _export(web, "/funds/export.csv?year=2023")
    assert data.startswith(b"\xef\xbb\xbf")
    public = Web(app.test_client())
    assert public.get("/projects/export.csv").status_code in (302, 401)
    assert web.get("/projects/export.pdf").status_code == 404


def _allow_drafts(app, platform, allowed: bool):
    """The policy's flag (``PolicyInfo.office_sees_drafts``), as a plugin would declare it."""
    for host in {id(h): h for h in (platform.host, app.extensions["tongxin"].host)}.values():
        policy = host.policy("gonghexinlu")
        policy.info = dataclasses.replace(policy.info, office_sees_drafts=allowed)


def test_drafts_stay_private_unless_the_policy_lets_the_office_follow_them(app, platform, world):
    web = Web(app.test_client())
    web.login("ghxl_admin")
    assert web.get("/projects/drafts").status_code == 404
    assert "草稿进度" not in web.get("/projects").get_data(as_text=True)
    _allow_drafts(app, platform, True)
    try:
        assert "草稿进度" in web.get("/projects").get_data(as_text=True)
        page = web.get("/projects/drafts").get_data(as_text=True)
        assert "楼道_草稿小修" in page and "洛川居民区" in page and "口袋花园" not in page
        assert "活动物料" not in page  # never the content
        other = Web(app.test_client())
        other.login("jas_admin")  # another street's office follows none of these
        assert other.get("/projects/drafts").status_code == 404 or "楼道_草稿小修" not in other.get("/projects/drafts").get_data(as_text=True)
        leader = Web(app.test_client())
        leader.login("ghxl_leader")
        assert leader.get("/projects/drafts").status_code == 404
        with acting(platform, "jingan", "ghxl_admin") as ctx:
            rows = projects.drafts.followed_drafts(ctx, list(ctx.session.scalars(select(projects.drafts.Programme))))
            assert [(r.project.title, r.done, r.steps) for r in rows] == [("楼道_草稿小修", 3, 3)]
            with pytest.raises(Exception):
                projects.get_project(ctx, world["draft"])  # following is not reading
    finally:
        _allow_drafts(app, platform, False)
