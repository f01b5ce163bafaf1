"""The outbox (core.tasks.dispatch, core.tasks.relay), in both profiles: a task is recorded in
the transaction of the change that asks for it, so a change rolled back asks for nothing and a
committed one never loses its task; a broker that cannot be reached costs a request one short
attempt at most and leaves the task pending; a task run in-process that fails is retried later,
and given up only after ``MAX_ATTEMPTS``, kept with its error. The broker faults against a real
Redis are in tests/test_faults.py."""
from __future__ import annotations

import dataclasses
import time

import pytest
from sqlalchemy import func, select

from core.models import Notification, OutboxMessage, OutboxState
from core.platform import Platform
from core.services import projects
from core.tasks import jobs, relay
from core.tasks.dispatch import enqueue, record
from tests.commands import invoke
from tests.factories import APPLICATION_DAY, acting, draft_project, on_day, tenant_id

# A port nothing listens on: the broker "is down" (connection refused at once).
DEAD_BROKER = "redis://127.0.0.1:9/0"
REQUEST_BOUND = 6.0


def _rows(platform) -> list[OutboxMessage]:
    with platform.db.session(tenant_id=tenant_id(platform, "jingan")) as s:
        return list(s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def _told(platform, pid: int) -> int:
    with platform.db.session(tenant_id=tenant_id(platform, "jingan")) as s:
        return s.scalar(select(func.count()).select_from(Notification)
                        .where(Notification.kind == "project_submitted", Notification.dedupe_key.like(f"submitted:{pid}:%")))


def test_a_submission_records_its_task_with_it_and_runs_it_in_process(platform):
    pid = draft_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园")
    with on_day(APPLICATION_DAY), acting(platform, "jingan", "luochuan") as ctx:
        projects.submit(ctx, pid)
    [row] = _rows(platform)
    assert row.task == "tongxin.notify_panel" and row.kwargs["project_id"] == pid
    assert row.state == OutboxState.sent.value and row.sent_at is not None
    assert _told(platform, pid) == 2  # the panel's two members, told in-process after the commit


def test_a_change_rolled_back_asks_for_no_task(platform):
    pid = draft_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园")
    with pytest.raises(RuntimeError), on_day(APPLICATION_DAY), acting(platform, "jingan", "luochuan") as ctx:
        projects.submit(ctx, pid)
        raise RuntimeError("the request failed after the service")  # nothing is committed
    assert _rows(platform) == [] and _told(platform, pid) == 0
    with acting(platform, "jingan", "luochuan") as ctx:
        assert projects.get_project(ctx, pid).state == "draft"


def test_a_task_is_recorded_for_its_own_tenant_only(platform):
    with pytest.raises(ValueError, match="tenant"), acting(platform, "jingan", "luochuan") as ctx:
        enqueue(ctx, "tongxin.notify_panel", tenant_id=tenant_id(platform, "putuo"), project_id=1, submission="x")


def test_a_dead_broker_costs_one_short_attempt_and_keeps_the_task(settings):
    platform = Platform.build(dataclasses.replace(settings, broker_url=DEAD_BROKER))
    try:
        drafts = [draft_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", f"口袋花园{i}") for i in range(2)]
        for pid in drafts:
            started = time.monotonic()
            with on_day(APPLICATION_DAY), acting(platform, "jingan", "luochuan") as ctx:
                projects.submit(ctx, pid)  # committed: the broker's failure is not the request's
            assert time.monotonic() - started < REQUEST_BOUND
            with acting(platform, "jingan", "luochuan") as ctx:
                assert projects.get_project(ctx, pid).state == "submitted"
        rows = _rows(platform)
        assert [r.state for r in rows] == ["pending", "pending"]
        # The first tried and failed; the second did not even try (the broker was just found down).
        assert [r.attempts for r in rows] == [1, 0] and "OperationalError" in rows[0].last_error
        assert relay.broker_paused(platform.settings)
        # The periodic relay tries regardless (and the broker is still down): nothing is lost.
        assert relay.relay_all(platform.settings).pending == 2
        assert [r.state for r in _rows(platform)] == ["pending", "pending"]
    finally:
        relay._broker_down_until.clear()
        platform.db.dispose()


def test_an_in_process_task_that_fails_is_retried_then_given_up(platform, monkeypatch):
    pid = draft_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园")
    calls = []

    def failing(db, **kwargs):
        calls.append(kwargs)
        raise RuntimeError("the panel's mailbox is on fire")

    monkeypatch.setitem(jobs.TASKS, "tongxin.notify_panel", failing)
    with on_day(APPLICATION_DAY), acting(platform, "jingan", "luochuan") as ctx:
        projects.submit(ctx, pid)  # the task fails after the commit: the submission stands
    [row] = _rows(platform)
    assert row.state == "pending" and row.attempts == 1 and "on fire" in row.last_error
    tid = tenant_id(platform, "jingan")
    assert relay.relay(platform.settings, tid).sent == 0 and len(calls) == 1  # not due yet
    for attempt in range(2, relay.MAX_ATTEMPTS + 1):
        _later(platform, relay.backoff(attempt - 1))
        relay.relay(platform.settings, tid)
        assert len(calls) == attempt
    [row] = _rows(platform)
    assert row.state == "gave_up" and row.attempts == relay.MAX_ATTEMPTS and row.next_attempt_at is None
    monkeypatch.undo()
    _later(platform, relay.LONGEST_WAIT)
    assert relay.relay(platform.settings, tid).sent == 0  # given up is kept, not run again


def test_the_relay_command_sends_what_is_pending(platform, settings):
    pid = draft_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园")
    with on_day(APPLICATION_DAY), acting(platform, "jingan", "luochuan") as ctx:
        projects.submit(ctx, pid)
        ctx._after_commit.clear()  # the process "died" after its commit: nothing was relayed
    assert [r.state for r in _rows(platform)] == ["pending"] and _told(platform, pid) == 0
    result = invoke(settings, "tasks", "relay")
    assert result.exit_code == 0, result.output
    assert "sent 1" in result.output
    assert [r.state for r in _rows(platform)] == ["sent"] and _told(platform, pid) == 2


def test_a_task_without_its_tenant_is_refused(platform):
    with pytest.raises(ValueError, match="tenant"), acting(platform, "jingan", "luochuan") as ctx:
        record(ctx.session, "tongxin.notify_panel", project_id=1)


def _later(platform, delta) -> None:
    """Move the test's clock on by ``delta`` (it keeps running from there)."""
    platform.clock.pin(platform.clock.now() + delta)
