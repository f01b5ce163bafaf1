"""A report opens prefilled from the plan and the activities of its period (core.services.delivery.
report_facts), beside the ledger's money; the providers are the platform's, registered when it is
built (core.plugin_host.report_facts), never at import."""
from __future__ import annotations

import datetime as dt

import pytest

from core.plugin_host.manager import PluginHost
from core.services.delivery import plan
from core.services.obligations import prefill, reports
from tests.clients import Web, text
from tests.delivery_factories import PLAN, activity
from tests.factories import acting, on_day
from tests.obligation_factories import Q2, item_id, micro, run

pytestmark = pytest.mark.usefixtures("settings")


def test_the_providers_belong_to_the_platform_not_to_an_import(platform):
    assert platform.host.report_facts.names() == ["ledger", "plan", "activities"]
    assert PluginHost(entry_points=False).report_facts.names() == []


def test_a_quarterly_report_opens_with_the_plan_and_the_quarters_activities(platform, app):
    pid = micro(platform)
    with acting(platform, "jingan", "luochuan") as ctx:
        tasks = plan.set_plan(ctx, pid, [dict(t) for t in PLAN])
    with on_day("2023-07-05"):
        with acting(platform, "jingan", "luochuan") as ctx:
            plan.set_task_status(ctx, tasks[0].id, "done")
            plan.set_task_status(ctx, tasks[1].id, "in_progress")
        activity(platform, pid, tasks[0].id, held_on=dt.date(2023, 4, 10), participant_count=8,
                 participants=["王阿姨 2", "李叔叔 1.5"])
        activity(platform, pid, tasks[1].id, held_on=dt.date(2023, 5, 20), participant_count=12,
                 place="社区活动室", content="花园布局议事会", participants=["王阿姨 1"])
        activity(platform, pid, tasks[1].id, held_on=dt.date(2023, 7, 2), participant_count=30)  # the next quarter's
    run(platform, "jingan", "2023-07-03")
    q2 = item_id(platform, "jingan", "quarterly_report", Q2, project_id=pid)
    with on_day("2023-07-05"), acting(platform, "jingan", "luochuan") as ctx:
        item = reports.items.get_item(ctx, q2)
        found = prefill.facts(ctx, item)
        body = reports.starting_body(ctx, item, reports.obligation_of(ctx, item).form)
    assert found["plan"]["tasks"] == 3 and found["plan"]["done"] == 1 and found["plan"]["done_percent"] == 33
    assert found["activities"]["held"] == 2 and found["activities"]["participants"] == 20
    assert found["activities"]["volunteer_hours"] == "4.5"
    assert body["progress"] == "实施计划共3项任务：已完成1项，进行中1项，未开始1项"
    assert body["participants"] == 20
    assert body["activities"].startswith("本期开展活动2次，参与20人次，志愿服务4.5小时。")
    assert "5月20日 社区活动室：花园布局议事会（12人次）" in body["activities"] and "7月2日" not in body["activities"]

    web = Web(app.test_client())
    web.login("luochuan")
    with on_day("2023-07-05"):
        page = text(web.get(f"/obligations/{q2}"))
    assert "实施计划共3项任务：已完成1项" in page and "本期开展活动2次" in page and 'value="20"' in page
