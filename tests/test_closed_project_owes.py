"""A closed project (结项) takes no more records (issue 13, item 8), so it owes no more reports: after
共和新路's 口袋花园 closes on 10 December, the fourth quarter's report (due 10 January) is neither a
to-do of its team nor reminded, and a report on it is refused like every other record.

Found by the year's walk (tests/browser/test_year_walk_gonghexinlu.py): the due items of a closed
project stayed owed, so its team was reminded, escalated and shown a to-do it should not have.
Closing now waives what the project still owed (``ItemState.waived``); what was handed in stays."""
from __future__ import annotations

import pytest

from core.services import closeout, inbox
from core.services.obligations import reports
from core.violations import RuleError
from tests.factories import acting, on_day
from tests.obligation_factories import item_id, micro, notices, run, run_on

pytestmark = pytest.mark.usefixtures("settings")
Q4 = "2023-Q4"


def test_a_project_closed_in_december_owes_no_fourth_quarter_report(platform):
    pid = micro(platform)
    run(platform, "jingan", "2023-06-01")  # the year's due items exist from the first run
    q4 = item_id(platform, "jingan", "quarterly_report", Q4, project_id=pid)
    with on_day("2023-12-10"), acting(platform, "jingan", "ghxl_admin") as ctx:
        closeout.close(ctx, pid, summary="项目按计划完成。")
    for day in ("2024-01-03", "2024-01-11", "2024-01-17"):  # reminded, then late to the committee and the office
        run_on(platform, "jingan", day)
    assert [key for _, _, key in notices(platform, "jingan") if key.startswith(f"obligation:{q4}:")] == []
    with on_day("2024-01-05"), acting(platform, "jingan", "luochuan") as ctx:
        rows, _ = inbox.todos_page(ctx, limit=200)
        assert [t.link for t in rows] == []
    with on_day("2024-01-05"), acting(platform, "jingan", "luochuan") as ctx, pytest.raises(RuleError) as refused:
        reports.save(ctx, q4, {"progress": "花园日常养护", "activities": "冬季养护", "next_steps": "无"})
    assert refused.value.violations[0].code == "project_closed"
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        from core.models import DueItem
        assert ctx.session.get(DueItem, q4).state == "waived"  # 免报, shown as such on its page
