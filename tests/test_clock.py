"""One clock (core.clock): the platform's, not the process's; today is the Shanghai day, for
deadlines too; a pinned clock moves the whole clock, time of day included; every stamp a
person reads comes from it; nothing else in the code reads the wall clock."""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from core.clock import SHANGHAI, UTC, Clock, local_date
from core.models import AuditEntry, Decision, Notification, PluginEnablement, Project
from core.platform import Platform
from core.services import programmes, projects, review
from core.violations import RuleError
from tests.factories import APPLICATION_DAY, acting, draft_project, on_day, submitted_project, unit_id

ROOT = Path(__file__).resolve().parent.parent


def test_a_pinned_clock_starts_at_nine_in_shanghai_and_runs_on():
    clock = Clock("2024-03-15")
    first, second = clock.now(), clock.now()
    assert first.utcoffset() == dt.timedelta(0)
    assert first.astimezone(SHANGHAI).replace(microsecond=0).timetz().replace(tzinfo=None) == dt.time(9, 0)
    assert first <= second < first + dt.timedelta(minutes=1)  # it runs, from the pinned moment
    assert clock.today() == dt.date(2024, 3, 15) and clock.pinned
    with clock.on("2023-05-20"):
        assert clock.today() == dt.date(2023, 5, 20)
        elsewhere = clock.now()
    assert clock.today() == dt.date(2024, 3, 15) and clock.now() >= second  # put back, still running
    # Back on a day it was on before, it is later there than it was: a day's stamps only increase.
    with clock.on("2023-05-20"):
        assert clock.now() >= elsewhere
    assert Clock.from_setting(None).pinned is False and Clock.from_setting("2023-03-15").today() == dt.date(2023, 3, 15)
    with pytest.raises(ValueError):
        clock.pin(dt.datetime(2024, 3, 15, 9, 0))  # a moment without its offset is ambiguous


def test_today_is_the_shanghai_day():
    assert SHANGHAI.utcoffset(dt.datetime(2023, 7, 1)) == dt.timedelta(hours=8)  # no daylight saving
    late = dt.datetime(2023, 3, 31, 16, 30, tzinfo=UTC)  # 00:30 on 1 April in Shanghai
    assert local_date(late) == dt.date(2023, 4, 1) and local_date(late.replace(tzinfo=None)) == dt.date(2023, 4, 1)
    assert Clock(late).today() == dt.date(2023, 4, 1)


def test_a_deadline_is_judged_on_the_shanghai_day(platform):
    """共和新路's window closes on 31 March: at 00:30 on 1 April in Shanghai (still 31 March in
    UTC) a submission is refused; at 23:30 on 31 March it goes through."""
    late = draft_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园")
    in_time = draft_project(platform, "yanchang", "ghxl-yanchang", "micro_venture", "青年议事角")
    with platform.clock.on(dt.datetime(2023, 3, 31, 16, 30, tzinfo=UTC)):
        with pytest.raises(RuleError) as info, acting(platform, "jingan", "luochuan") as ctx:
            projects.submit(ctx, late)
    refusal = next(v for v in info.value.violations if v.code == "window_closed")
    assert "2023年4月1日" in refusal.message.zh
    with platform.clock.on(dt.datetime(2023, 3, 31, 15, 30, tzinfo=UTC)), acting(platform, "jingan", "yanchang") as ctx:
        assert projects.submit(ctx, in_time).state == "submitted"


def test_every_stamp_of_an_action_is_the_platforms_time(platform):
    """Created, submitted, decided, audited and notified: all on the day the clock says, at
    its time of day, not the machine's."""
    pid = submitted_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园")  # on APPLICATION_DAY
    with on_day("2023-03-20"), acting(platform, "jingan", "ghxl_chair") as ctx:
        review.decide(ctx, pid, "approved")
        decided_at = platform.clock.now()
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        project = ctx.session.get(Project, pid)
        assert local_date(project.created_at) == local_date(project.submitted_at) == dt.date.fromisoformat(APPLICATION_DAY)
        decision = ctx.session.scalars(select(Decision).where(Decision.project_id == pid)).one()
        assert local_date(decision.decided_at) == dt.date(2023, 3, 20) and decision.decided_at <= decided_at
        audit = ctx.session.scalars(select(AuditEntry).where(AuditEntry.entity == "projects", AuditEntry.entity_id == pid)
                                    .order_by(AuditEntry.id)).all()
        assert {local_date(e.at) for e in audit} == {dt.date.fromisoformat(APPLICATION_DAY), dt.date(2023, 3, 20)}
        assert [e.at for e in audit] == sorted(e.at for e in audit)  # the order of the actions
    with acting(platform, "jingan", "ghxl_chair") as ctx:
        told = ctx.session.scalars(select(Notification).where(Notification.kind == "project_submitted")).all()
        assert told and all(local_date(n.created_at) == dt.date.fromisoformat(APPLICATION_DAY) for n in told)


def test_two_platforms_keep_their_own_time(settings, platform):
    other = Platform.build(dataclasses.replace(settings, clock=None, today="2024-03-15"))
    try:
        assert platform.clock.today() == dt.date(2023, 3, 15) and other.clock.today() == dt.date(2024, 3, 15)
        with on_day("2023-04-14"):  # moves the test's platforms only
            assert platform.clock.today() == dt.date(2023, 4, 14) and other.clock.today() == dt.date(2024, 3, 15)
        street = unit_id(platform, "jingan", "gonghexinlu")
        with acting(other, "jingan", "ghxl_admin") as ctx:  # written through the other platform
            row = programmes.enable_plugin(ctx, street, "gonghexinlu", {"micro_max_yuan": "6000"})
        with acting(platform, "jingan", "ghxl_admin") as ctx:
            updated = ctx.session.get(PluginEnablement, row.id).updated_at
            at = ctx.session.scalars(select(AuditEntry.at).where(AuditEntry.entity == "plugin_enablements")
                                     .order_by(AuditEntry.id.desc())).first()
        assert local_date(updated) == local_date(at) == dt.date(2024, 3, 15)  # on the other platform's day
    finally:
        other.db.dispose()


# Reading the machine's clock anywhere but core/clock.py would put a stamp beside the
# platform's time (a 2026 date in a 2023 demo).
WALL_CLOCK = re.compile(r"\b(datetime\.now|datetime\.utcnow|date\.today|time\.time)\(|\bdatetime\.today\(")


def test_nothing_but_the_clock_reads_the_wall_clock():
    sources = [p for folder in ("core", "plugins", "tenants") for p in (ROOT / folder).rglob("*.py")
               if "tests" not in p.relative_to(ROOT).parts and p != ROOT / "core" / "clock.py"]
    assert len(sources) > 50
    readers = [f"{p.relative_to(ROOT)}:{n}" for p in sources
               for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if WALL_CLOCK.search(line)]
    assert readers == []
