"""List and overview pages issue a bounded number of SQL statements: the count for a page is
the same with 5 projects as with 18 (grouped counts and batched loads, no query per row)."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from core.models import Project
from core.services import projects, review
from tests.clients import Web, counting
from tests.factories import PDF, acting, application, programme_id, unit_id

UNITS = {"luochuan": "ghxl-luochuan", "yanchang": "ghxl-yanchang"}


def _submitted_micro(platform, username: str, title: str) -> int:
    with acting(platform, "jingan", username) as ctx:
        p = projects.create_project(ctx, programme_id(platform), unit_id(platform, "jingan", UNITS[username]),
                                    "micro_venture", title)
        projects.save_form(ctx, p.id, "application", application(title, directions=("care",)))
        projects.set_budget(ctx, p.id, [{"description": "物料", "amount": "300"}, {"description": "场地", "amount": "200"}])
        projects.attach(ctx, p.id, "residents_minutes", "m.pdf", io.BytesIO(PDF), platform.storage)
        projects.submit(ctx, p.id)
        return p.id


def _add_projects(platform, start: int, count: int) -> None:
    for i in range(start, start + count):
        pid = _submitted_micro(platform, "luochuan" if i % 2 else "yanchang", f"微项目{i:02d}")
        if i % 3 == 0:
            with acting(platform, "jingan", "ghxl_expert") as ctx:
                review.score(ctx, pid, {"feasibility": 5, "operability": 6, "compliance": 7})
        if i % 4 == 0:
            with acting(platform, "jingan", "ghxl_chair") as ctx:
                review.decide(ctx, pid, "approved")
    # a draft as well, which some pages show and others must not count
    with acting(platform, "jingan", "luochuan") as ctx:
        projects.create_project(ctx, programme_id(platform), unit_id(platform, "jingan", "ghxl-luochuan"),
                                "micro_venture", f"草稿{start}")


PAGES = [
    (None, "/"),
    (None, "/projects"),
    (None, "/programmes/{programme}"),
    ("luochuan", "/my"),
    ("luochuan", "/projects"),
    ("ghxl_admin", "/overview/street/{street}"),
    ("ghxl_admin", "/projects?state=submitted"),
    ("ghxl_admin", "/admin/audit"),
    ("jingan_admin", "/overview/district"),
    ("ghxl_expert", "/review"),
    ("ghxl_chair", "/review"),
    ("ghxl_chair", "/review?sort=average"),
    # every role's desk (core.web.desk): the to-dos, the buttons, what the person is responsible for
    ("luochuan", "/desk"),
    ("ghxl_admin", "/desk"),
    ("ghxl_leader", "/desk"),
    ("jingan_admin", "/desk"),
    ("ghxl_expert", "/desk"),
    ("ghxl_chair", "/desk"),
    ("shbg", "/desk"),
    ("haiyuan", "/desk"),
    ("haiyuan_jd", "/desk"),
]
# The reviewer's desk: the application, its attachments and every score beside the forms; for
# the chair also the decision form with where the money would come from (the funds' balances).
DESK = [
    ("ghxl_expert", "/projects/{first}/review"),
    ("ghxl_chair", "/projects/{first}/review"),
]


def _first_project(platform) -> int:
    """The first application added (微项目01: submitted, not yet scored or decided)."""
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        return ctx.session.scalars(select(Project.id).where(Project.title == "微项目01")).one()


def _measure(app, platform, pages=PAGES) -> dict[tuple, int]:
    engine = app.extensions["tongxin"].db.engine
    values = {"programme": programme_id(platform), "street": unit_id(platform, "jingan", "gonghexinlu"),
              "first": _first_project(platform)}
    out = {}
    for username, path in pages:
        web = Web(app.test_client())
        if username:
            web.login(username)
        url = path.format(**values)
        with counting(engine) as statements:
            response = web.get(url)
        assert response.status_code == 200, (url, response.status_code)
        out[(username, path)] = len(statements)
    return out


def test_list_and_overview_pages_issue_a_bounded_number_of_statements(app, platform):
    _add_projects(platform, 1, 4)  # every kind of row present already: scored, approved, draft
    few = _measure(app, platform)
    _add_projects(platform, 5, 12)
    many = _measure(app, platform)
    assert many == few, {k: (few[k], many[k]) for k in few if few[k] != many[k]}
    # and the bound is small, not merely constant. It holds with the inbox's count in every
    # signed-in page's header (one statement: the programmes it needs are the ones the page
    # read, core.web.queries.all_programmes; the panel seats are the permission check's).
    assert max(many.values()) <= 16, many


def test_the_reviewers_desk_issues_a_bounded_number_of_statements(app, platform):
    _add_projects(platform, 1, 4)
    few = _measure(app, platform, DESK)
    _add_projects(platform, 5, 12)
    many = _measure(app, platform, DESK)
    assert many == few, {k: (few[k], many[k]) for k in few if few[k] != many[k]}
    assert many[DESK[0]] <= 16 and many[DESK[1]] <= 23, many


@pytest.mark.parametrize("page", ["/my", "/projects"])
def test_the_listed_rows_grow_while_the_statements_do_not(app, platform, page):
    web = Web(app.test_client())
    web.login("luochuan")
    engine = app.extensions["tongxin"].db.engine
    _add_projects(platform, 1, 2)
    with counting(engine) as before:
        first = web.get(page).get_data(as_text=True)
    _add_projects(platform, 3, 8)
    with counting(engine) as after:
        second = web.get(page).get_data(as_text=True)
    assert second.count("微项目") > first.count("微项目")
    assert len(after) == len(before)


# The exports of what the office pages show (core.web.lists): read through the pages' own views,
# so as bounded as the pages, whatever the number of rows.
EXPORTS = [
    ("ghxl_admin", "/projects/export.csv"),
    ("ghxl_chair", "/review/export.csv"),
    ("ghxl_expert", "/review/export.xlsx"),
    ("jingan_admin", "/overview/district/export.csv"),
]


def test_the_exports_issue_a_bounded_number_of_statements(app, platform):
    _add_projects(platform, 1, 4)
    few = _measure(app, platform, EXPORTS)
    _add_projects(platform, 5, 12)
    many = _measure(app, platform, EXPORTS)
    assert many == few, {k: (few[k], many[k]) for k in few if few[k] != many[k]}
    assert max(many.values()) <= 16, many
