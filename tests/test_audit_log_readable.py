"""The audit log as a street office reads it: Chinese names of things and fields, yuan, labels
of states, names instead of ids, Shanghai time, before → after in words; filterable by unit,
person, kind, action and days; exported as .xlsx (the export itself logged); the page's
statements bounded whatever the number of entries; and no table or raw field name shown to a
zh-CN reader for any kind of entry the platform can write."""
from __future__ import annotations

import datetime as dt
import html
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import JSON, BigInteger, Boolean, Date, Integer, select

from core.db import Base
from core.models import AuditEntry, OrgUnit, User
from core.models._types import UtcDateTime
from core.services import audit_log, audit_view, audit_words, projects, review
from core.services.audit_log import AuditFilter
from core.tenancy import TenantOwned
from tests.clients import Web, counting, login, text, url
from tests.factories import acting, gonghexinlu_project, programme_id, unit_id

UTC = dt.timezone.utc


def visible(html_text: str) -> str:
    """What a person sees of a page: its text, without scripts, styles, tags or attributes."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", html_text, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def _approved(platform, title="口袋花园", amount="1000") -> int:
    pid, _ = gonghexinlu_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", title, amount)
    with acting(platform, "jingan", "ghxl_chair") as ctx:
        review.decide(ctx, pid, "approved")
    return pid


def _views(platform, username="ghxl_admin", locale="zh", **filters):
    with acting(platform, "jingan", username) as ctx:
        rows, total = audit_log.entries(ctx, AuditFilter(**filters), limit=200)
        return audit_view.present(ctx, rows, locale), total


def _change(views, thing_part: str, label: str):
    return next(c for v in views if thing_part in v.thing for c in v.changes if c.label == label)


# -- the words --------------------------------------------------------------------------------------

def test_a_decision_reads_as_states_money_and_names(platform):
    pid = _approved(platform)
    views, _ = _views(platform, entity="projects", entity_id=pid)
    state = _change(views, "口袋花园", "状态")
    assert state.after == "已立项" and state.before in {"已提交", "评审中", "已审核盖章"}
    created = next(v for v in views if v.kind == "create")
    assert created.thing == "项目「口袋花园」" and created.action == "新建项目"
    assert any(c.label == "申报单位" and c.after == "洛川居民区" for c in created.changes)  # an id shown as its name
    assert any(c.label == "项目类型" and c.after == "七彩微创投" for c in created.changes)  # the policy's track label
    assert all(c.label not in ("id", "tenant_id", "创建时间") for v in views for c in v.changes)
    decision = next(v for v in _views(platform, entity="decisions")[0] if v.kind == "create")
    assert decision.thing == "评审决定（项目「口袋花园」）"
    assert decision.action == "作出评审决定" and any(c.label == "结果" and c.after == "通过" for c in decision.changes)


def test_money_is_in_yuan_with_separators_before_and_after(platform):
    with acting(platform, "jingan", "luochuan") as ctx:
        pid = projects.create_project(ctx, programme_id(platform), unit_id(platform, "jingan", "ghxl-luochuan"),
                                      "micro_venture", "口袋花园").id
        projects.set_budget(ctx, pid, [{"description": "物料", "amount": "1000"}])
    with acting(platform, "jingan", "luochuan") as ctx:
        projects.set_budget(ctx, pid, [{"description": "物料", "amount": "1200"}])
    views, _ = _views(platform, entity="projects", entity_id=pid, action="project.budget")
    change = _change(views, "口袋花园", "申请金额")
    assert (change.before, change.after) == ("1,000.00元", "1,200.00元")
    english, _ = _views(platform, locale="en", entity="projects", entity_id=pid, action="project.budget")
    change = next(c for v in english for c in v.changes if c.label == "amount requested")
    assert (change.before, change.after) == ("1,000.00 yuan", "1,200.00 yuan")
    assert english[0].action == "changed the budget" and english[0].thing.startswith("project ")


def test_times_are_shanghai_wall_times():
    assert audit_view.moment_text(dt.datetime(2023, 3, 15, 6, 5, tzinfo=UTC)) == "2023年3月15日 14:05"
    # 16:30 UTC on the 15th is already the 16th in Shanghai
    assert audit_view.moment_text("2023-03-15T16:30:00+00:00") == "2023年3月16日 00:30"
    assert audit_view.moment_text(dt.datetime(2023, 3, 15, 6, 5)) == "2023年3月15日 14:05"  # naive: stored UTC
    assert audit_view.moment_text(dt.datetime(2023, 3, 15, 6, 5, tzinfo=UTC), "en") == "15 Mar 2023 14:05"
    assert audit_view.day_text("2023-04-01") == "2023年4月1日"


def _planted(platform, at: dt.datetime, action="project.submit") -> int:
    """An entry at a given moment, about 洛川 (written directly: the log has no service to backdate)."""
    luochuan = unit_id(platform, "jingan", "ghxl-luochuan")
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        entry = AuditEntry(at=at, actor_id=ctx.actor.id, action=action, entity="projects", entity_id=None,
                           org_unit_id=luochuan, before=None, after={"title": "边界"})
        ctx.session.add(entry)
        ctx.session.flush()
        return entry.id


def test_days_filter_by_shanghai_days(platform):
    late = _planted(platform, dt.datetime(2023, 3, 9, 16, 30, tzinfo=UTC))   # 10 March, 00:30 in Shanghai
    early = _planted(platform, dt.datetime(2023, 3, 9, 15, 30, tzinfo=UTC))  # 9 March, 23:30 in Shanghai

    def ids(**f):
        with acting(platform, "jingan", "ghxl_admin") as ctx:
            return {e.id for e, _ in audit_log.entries(ctx, AuditFilter(**f), limit=200)[0]}
    tenth = ids(since=dt.date(2023, 3, 10), until=dt.date(2023, 3, 10))
    assert late in tenth and early not in tenth
    assert early in ids(until=dt.date(2023, 3, 9)) and late not in ids(until=dt.date(2023, 3, 9))
    assert not ({late, early} & ids(since=dt.date(2023, 3, 11)))


def test_filters_by_unit_person_kind_and_action(platform):
    _approved(platform, "洛川的项目")
    gonghexinlu_project(platform, "yanchang", "ghxl-yanchang", "micro_venture", "延长的项目", "800")
    luochuan, yanchang = (unit_id(platform, "jingan", c) for c in ("ghxl-luochuan", "ghxl-yanchang"))
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        users = {u.username: u.id for u in ctx.session.scalars(select(User))}
        paths = dict(ctx.session.execute(select(OrgUnit.id, OrgUnit.path)).all())
        rows, total = audit_log.entries(ctx, AuditFilter(unit_id=luochuan), limit=200)
        assert total and all(paths[e.org_unit_id].startswith(paths[luochuan]) for e, _ in rows)
        rows, _ = audit_log.entries(ctx, AuditFilter(actor_id=users["yanchang"]), limit=200)
        assert rows and {u.username for _, u in rows} == {"yanchang"}
        assert all(e.org_unit_id == yanchang for e, _ in rows)
        rows, _ = audit_log.entries(ctx, AuditFilter(entity="decisions"), limit=200)
        assert rows and {e.entity for e, _ in rows} == {"decisions"}
        rows, _ = audit_log.entries(ctx, AuditFilter(action="project.submit", unit_id=yanchang), limit=200)
        assert rows and {e.action for e, _ in rows} == {"project.submit"}
        choices = audit_log.choices(ctx)
        assert {"decisions", "projects"} <= set(choices.entities) and "review.decide" in choices.actions
        assert (users["yanchang"], "延长居委会（演示）") in choices.people
        # a street's filter cannot reach another street: the unit filter narrows, never widens
        haiyuan = unit_id(platform, "jingan", "jas-haiyuan")
        assert audit_log.entries(ctx, AuditFilter(unit_id=haiyuan), limit=200) == ([], 0)
        assert all(u.path.startswith(paths[unit_id(platform, "jingan", "gonghexinlu")]) for u in choices.units)


# -- every kind of entry, to a zh reader ------------------------------------------------------------

def _sample(table, column, version: int):
    """A plausible stored value of ``column`` (as the flush listener writes it)."""
    if column.foreign_keys or isinstance(column.type, (Integer, BigInteger)):
        return version
    if isinstance(column.type, Boolean):
        return version == 1
    if isinstance(column.type, UtcDateTime):
        return f"2023-03-1{version}T01:00:00+00:00"
    if isinstance(column.type, Date):
        return f"2023-03-1{version}"
    if isinstance(column.type, JSON) or "JSON" in type(column.type).__name__:
        return {"k": version}
    enum_class = audit_words.ENUMS.get((table.name, column.name))
    if enum_class is not None:
        return list(enum_class)[version % len(enum_class)].value
    own = audit_words.OWN_LABELS.get((table.name, column.name))
    if own is not None:
        return list(own)[version % len(own)]
    return f"示例{version}"


def _every_kind(platform) -> int:
    """A creation, a change and a deletion of every audited table, each naming every column."""
    tables = [m.class_.__table__ for m in Base.registry.mappers
              if issubclass(m.class_, TenantOwned) and m.class_ is not AuditEntry]
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        unit = unit_id(platform, "jingan", "ghxl-luochuan")
        for t in tables:
            one = {c.name: _sample(t, c, 1) for c in t.columns}
            two = {c.name: _sample(t, c, 2) for c in t.columns}
            for before, after in ((None, one), (one, two), (two, None)):
                ctx.session.add(AuditEntry(actor_id=ctx.actor.id, action="update", entity=t.name, entity_id=1,
                                           org_unit_id=unit, before=before, after=after))
        ctx.session.flush()
    return len(tables)


RAW = [re.compile(r"\b[a-z]+(_[a-z]+)+\b"),   # a snake_case column or key (amount_fen, org_unit_id)
       re.compile(r"\b[a-z]+\.[a-z_]+\b")]     # a dotted action key (project.submit)


def test_no_table_or_raw_field_name_reaches_a_zh_reader(app, platform):
    _approved(platform)
    kinds = _every_kind(platform)
    web = Web(app.test_client())
    web.login("ghxl_admin")
    first = text(web.get("/admin/audit"))
    pages = int(re.search(r"(\d+) / (\d+)", visible(first)).group(2))
    assert pages * 30 >= 3 * kinds
    tables = sorted(Base.metadata.tables, key=len, reverse=True)
    for page in range(1, pages + 1):
        seen = visible(text(web.get(f"/admin/audit?page={page}")))
        for t in tables:
            assert not re.search(rf"\b{t}\b", seen), (page, t)
        for pattern in RAW:
            assert not pattern.search(seen), (page, pattern.search(seen).group(0))
        assert "_fen" not in seen and "_id" not in seen
    workbook = load_workbook(io.BytesIO(web.get("/admin/audit.xlsx").data))
    cells = " ".join(str(c.value) for row in workbook.active.iter_rows() for c in row if c.value is not None)
    assert all(not re.search(rf"\b{t}\b", cells) for t in tables) and not any(p.search(cells) for p in RAW)


def test_every_table_column_and_action_has_words(platform):
    for m in Base.registry.mappers:
        t = m.class_.__table__
        assert t.name in audit_words.TABLES, t.name
        if m.class_ is AuditEntry:
            continue
        for c in t.columns:
            hidden = c.name in audit_words.HIDDEN or (t.name, c.name) in audit_words.HIDDEN_IN
            assert hidden or audit_words.field_label(t.name, c.name), (t.name, c.name)
    # every action the code names (ctx.action / db.scope(audit_action=…) / the log's own) has a label
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent
    found = set()
    for path in list((root / "core").rglob("*.py")) + list((root / "plugins").rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        found |= set(re.findall(r'(?:\.action\(|audit_action=|action=)"([a-z_]+\.[a-z_.]+)"', source))
    assert found, "the scan finds the actions"
    unnamed = {k for k in found if audit_words.action_label(k, platform.host.permissions.registry).zh == k}
    assert not unnamed


# -- the page, the API, the export ------------------------------------------------------------------

def test_the_page_costs_the_same_with_many_entries(app, platform):
    _approved(platform, "第一个")
    web = Web(app.test_client())
    web.login("jingan_admin")
    engine = app.extensions["tongxin"].db.engine

    def measure():
        with counting(engine) as statements:
            page = web.get("/admin/audit")
        assert page.status_code == 200
        return len(statements), text(page)
    few, _ = measure()
    _every_kind(platform)
    for i in range(3):
        _approved(platform, f"又一个{i}")
    many, page = measure()
    assert few == many, (few, many)
    assert many <= 16  # as the other list pages (tests/test_web_queries.py)
    assert "项目「又一个2」" in visible(page)


def test_the_page_filters_and_says_which_date_is_wrong(app, platform):
    _approved(platform)
    web = Web(app.test_client())
    web.login("ghxl_admin")
    page = visible(text(web.get("/admin/audit?kind=decisions")).split('class="audit-list"')[1])
    assert "作出评审决定" in page and "新建项目" not in page
    r = web.get("/admin/audit?since=2023-03-20&until=2023-03-01")
    assert r.status_code == 422 and "截止日期不能早于起始日期" in visible(text(r))
    r = web.get("/admin/audit?since=tomorrow")
    assert r.status_code == 422 and "请选择日期" in visible(text(r))
    web.logout()
    web.login("luochuan")
    assert web.get("/admin/audit").status_code == 403
    assert web.get("/admin/audit.xlsx").status_code == 403


def test_the_export_is_what_the_filter_shows_and_is_itself_logged(app, platform):
    pid = _approved(platform)
    web = Web(app.test_client())
    web.login("ghxl_admin")
    r = web.get("/admin/audit.xlsx?kind=projects&since=2023-03-15&until=2023-03-15")
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(r.data)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["时间", "操作人", "操作", "对象", "单位", "修改内容"]
    assert all(row[3].startswith("项目") for row in rows[1:]) and len(rows) > 3
    assert any("状态：" in (row[5] or "") and "→ 已立项" in row[5] for row in rows[1:])
    assert all(re.match(r"2023年3月15日 \d\d:\d\d", row[0]) for row in rows[1:])
    with acting(platform, "jingan", "jingan_admin") as ctx:
        logged = ctx.session.scalars(select(AuditEntry).where(AuditEntry.action == "audit.export")).all()
        assert [e.after for e in logged] == [{"entity": "projects", "since": "2023-03-15", "until": "2023-03-15",
                                             "rows": len(rows) - 1}]
        assert logged[0].actor_id == ctx.session.scalar(select(User.id).where(User.username == "ghxl_admin"))
    # the district reads who exported, in words
    web.logout()
    web.login("jingan_admin")
    page = visible(text(web.get("/admin/audit?action=audit.export")))
    assert "导出审计日志" in page and "对象类型：项目" in page.replace(" ", "") and f"#{pid}" not in page


def test_the_api_filters_and_keeps_iso_times(client, platform):
    _approved(platform)
    headers = login(client, "ghxl_admin")
    yanchang, luochuan = (unit_id(platform, "jingan", c) for c in ("ghxl-yanchang", "ghxl-luochuan"))
    body = client.get(url(f"/audit?unit_id={luochuan}&entity=projects&action=review.decide"), headers=headers).get_json()
    assert body["total"] >= 1
    item = body["items"][0]
    assert item["action_label"] == "作出评审决定" and item["entity_label"] == "项目「口袋花园」"
    assert re.match(r"2023-03-15T\d\d:\d\d:\d\d(\.\d+)?\+00:00", item["at"])  # ISO with its offset
    assert {"label": "状态", "before": item["changes"][0]["before"], "after": "已立项"} in item["changes"]
    assert client.get(url(f"/audit?unit_id={yanchang}&entity=decisions"), headers=headers).get_json()["total"] == 0
    assert client.get(url("/audit?since=2023-03-16"), headers=headers).get_json()["total"] == 0  # today is the 15th
    r = client.get(url("/audit?since=2023-03-16&until=2023-03-01"), headers=headers)
    assert r.status_code == 422 and "until" in r.get_data(as_text=True)
    r = client.get(url("/audit/export.xlsx?entity=decisions"), headers=headers)
    assert r.status_code == 200 and load_workbook(io.BytesIO(r.data)).active.max_row == 3  # made, then funded
    english = client.get(url("/audit?entity=decisions&lang=en"), headers=headers).get_json()["items"][0]
    assert english["action_label"] == "decided"


@pytest.mark.parametrize("locale", ["en"])
def test_an_english_reader_reads_english(app, platform, locale):
    _approved(platform)
    web = Web(app.test_client())
    web.login("ghxl_admin")
    page = visible(text(web.get(f"/admin/audit?lang={locale}")))
    assert "created a project" in page and "state" in page and "新建项目" not in page
