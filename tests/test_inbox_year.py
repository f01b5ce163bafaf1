"""The rest of the year in the inbox (core.services.inbox.year_kinds): a report owed shows for the
team that owes it and one handed in for the office that accepts it, an open rectification for
its owner and a reported one for the office, a plan revision for the office; each links to where
the work is done and leaves when it is done, and the July mid-term supervision leaves the
office's to-dos when the visit is recorded."""
from __future__ import annotations

import datetime as dt

import pytest

from core.services import inbox, supervision
from core.services.delivery import plan
from core.services.obligations import reports
from tests.clients import Web, text
from tests.delivery_factories import PLAN
from tests.factories import acting, on_day
from tests.obligation_factories import Q2, item_id, items, micro, run
from tests.test_supervision import visit

pytestmark = pytest.mark.usefixtures("settings")
QUARTERLY = {"progress": "完成花园规划", "activities": "两次议事会", "participants": 40, "next_steps": "施工"}


def todos(platform, username: str, day: str) -> dict[str, list[tuple[int, str]]]:
    """{kind: [(object id, link)]} of the person's to-dos on ``day``."""
    with on_day(day), acting(platform, "jingan", username) as ctx:
        rows, _ = inbox.todos_page(ctx, limit=200)
    out: dict = {}
    for t in rows:
        out.setdefault(t.kind.key, []).append((t.object_id, t.link))
    return out


def test_a_quarterly_report_is_a_to_do_for_the_team_then_for_the_office_until_accepted(platform, app):
    pid = micro(platform)
    run(platform, "jingan", "2023-07-03")
    q2 = item_id(platform, "jingan", "quarterly_report", Q2, project_id=pid)
    assert (q2, f"/obligations/{q2}") in todos(platform, "luochuan", "2023-07-05")["obligation.write"]
    assert "obligation.write" not in todos(platform, "luochuan", "2023-06-01")  # Q2's report is not taken yet
    assert "obligation.write" not in todos(platform, "yanchang", "2023-07-05")     # another neighbourhood owes nothing here
    web = Web(app.test_client())
    web.login("luochuan")
    with on_day("2023-07-05"):
        page = text(web.get("/inbox"))
    assert "待提交的报告" in page and f'href="/t/jingan/obligations/{q2}"' in page and "口袋花园 · 项目实施情况季报表（2023年第二季度）" in page

    with on_day("2023-07-05"), acting(platform, "jingan", "luochuan") as ctx:
        reports.submit(ctx, q2, QUARTERLY)
    assert q2 not in [i for i, _ in todos(platform, "luochuan", "2023-07-05").get("obligation.write", [])]
    assert "obligation.review" not in todos(platform, "luochuan", "2023-07-05")  # a unit does not accept its own
    assert todos(platform, "ghxl_admin", "2023-07-06")["obligation.review"] == [(q2, f"/obligations/{q2}")]
    with on_day("2023-07-06"), acting(platform, "jingan", "ghxl_admin") as ctx:
        reports.return_report(ctx, q2, "请补充参与人次的依据")
    # Returned: the team's to-do again, not the office's.
    assert q2 in [i for i, _ in todos(platform, "luochuan", "2023-07-07")["obligation.write"]]
    assert "obligation.review" not in todos(platform, "ghxl_admin", "2023-07-07")
    with on_day("2023-07-07"), acting(platform, "jingan", "luochuan") as ctx:
        reports.submit(ctx, q2, {**QUARTERLY, "participants": 42})
    with on_day("2023-07-08"), acting(platform, "jingan", "ghxl_admin") as ctx:
        reports.accept(ctx, q2)
    assert "obligation.review" not in todos(platform, "ghxl_admin", "2023-07-08")
    assert q2 not in [i for i, _ in todos(platform, "luochuan", "2023-07-08").get("obligation.write", [])]


def test_a_rectification_waits_for_its_owner_then_for_the_office_and_the_visit_meets_the_july_obligation(platform):
    pid = micro(platform)
    run(platform, "jingan", "2023-07-03")
    [subject] = {s for k, _, s, _ in items(platform, "jingan") if k == "mid_term_supervision"}
    july = item_id(platform, "jingan", "mid_term_supervision", "2023-07-31", subject=subject)
    assert (july, f"/obligations/{july}") in todos(platform, "ghxl_admin", "2023-07-12")["obligation.write"]
    with on_day("2023-07-12"), acting(platform, "jingan", "ghxl_admin") as ctx:
        v = supervision.record_visit(ctx, pid, **visit(rectifications=[
            {"description": "补齐5月两次活动的签到表", "due_on": dt.date(2023, 7, 31)}]))
        [rid] = [r.id for r in v.rectifications]
    link = f"/projects/{pid}/supervision#rectification-{rid}"
    assert todos(platform, "luochuan", "2023-07-13")["rectification.report"] == [(rid, link)]
    office = todos(platform, "ghxl_admin", "2023-07-13")
    assert "rectification.accept" not in office and "rectification.report" not in office
    assert july not in [i for i, _ in office.get("obligation.write", [])]  # the visit met the July obligation
    with on_day("2023-07-20"), acting(platform, "jingan", "luochuan") as ctx:
        supervision.report(ctx, rid, report="已补齐签到表并扫描上传。")
    assert "rectification.report" not in todos(platform, "luochuan", "2023-07-20")
    assert todos(platform, "ghxl_admin", "2023-07-20")["rectification.accept"] == [(rid, link)]
    with on_day("2023-07-21"), acting(platform, "jingan", "ghxl_admin") as ctx:
        supervision.accept(ctx, rid, accept=True, note="已核实")
    assert "rectification.accept" not in todos(platform, "ghxl_admin", "2023-07-21")
    assert "rectification.report" not in todos(platform, "luochuan", "2023-07-21")


def test_a_plan_revision_waits_for_the_office_until_decided(platform):
    pid = micro(platform)
    with acting(platform, "jingan", "luochuan") as ctx:
        tasks = plan.set_plan(ctx, pid, [dict(t) for t in PLAN])
        proposed = [{**t, "task_id": tasks[i].id} for i, t in enumerate(PLAN)]
        proposed[2]["status"] = "dropped"
        revision = plan.request_revision(ctx, pid, "第三项任务并入第二项，节省经费", proposed)
    assert todos(platform, "ghxl_admin", "2023-03-15")["plan.revision"] == [
        (revision.id, f"/projects/{pid}/plan#revision-{revision.id}")]
    assert "plan.revision" not in todos(platform, "luochuan", "2023-03-15")
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        plan.decide_revision(ctx, revision.id, True)
    assert "plan.revision" not in todos(platform, "ghxl_admin", "2023-03-15")
