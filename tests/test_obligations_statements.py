"""The daily task works on sets (issue 13, item 6): a handful of statements whatever the number of
projects, not one query per project per obligation. Measured, not timed: the same run over a few
projects and over ten times as many issues the same statements (bench/daily_obligations.py
times it over 10,000)."""
from __future__ import annotations

from tests.clients import counting
from tests.obligation_factories import bulk_approved, notices, run

# Freezing a programme's obligations costs a few statements once (its first run); every later
# run is: the programmes, which of them are frozen, open items, mark overdue, send the notices,
# record the escalation level, the run's audit entry (and, on PostgreSQL, the tenant setting).
MOST = 10


def test_the_daily_task_issues_the_same_statements_for_3_and_for_33_projects(platform):
    bulk_approved(platform, 3)
    run(platform, "jingan", "2023-06-01")           # freezes the programmes' obligations, opens items
    with counting(platform.db.engine) as few:
        small = run(platform, "jingan", "2023-07-11")
    assert small["overdue"] == 3 and small["notified"] >= 3

    bulk_approved(platform, 30, start=3)            # ten times as many projects
    with counting(platform.db.engine) as many:
        large = run(platform, "jingan", "2023-07-12")
    # The second run did far more (30 projects' items opened, marked overdue and escalated) ...
    # (each: three quarterly reports, two stage reviews, and the street office's July supervision of it)
    assert large["opened"] == 30 * 6 and large["overdue"] == 30 and large["notified"] >= 30
    # ... with the very same statements.
    assert len(many) == len(few) <= MOST, "\n".join(many)
    assert len(notices(platform, "jingan")) == small["notified"] + large["notified"]
