"""The production profile's tasks on a real Celery worker over Redis.

A `celery -A core.tasks.celery_app worker` subprocess is started with the test's PostgreSQL
database (as the runtime role, so RLS is in force for the worker too) and a Redis db of its
own. A project submitted through the services, with that broker configured, sends the panel
notification over Redis; the worker writes one notification per panel member; running the
same task again creates nothing (idempotent). The daily fan-out beat sends reaches every
tenant through the same worker. PostgreSQL profile only.
"""
from __future__ import annotations

import dataclasses
import io

import pytest
from sqlalchemy import func, select

from core.models import Notification, PanelMember, Project
from core.platform import Platform
from core.services import projects
from core.tasks.celery_app import celery_for
from tests import celery_kit
from tests.factories import PDF, acting, application, programme_id, tenant_id, unit_id

pytestmark = pytest.mark.celery
pytest_plugins = ["tests.celery_kit"]  # broker_url: a Redis db of the test's own

# Bounds for the polling loops below: how long to keep trying before calling it a failure,
# not a claim about how fast anything is.
GIVE_UP_AFTER = 180


def _poll(fn, worker, what: str):
    return celery_kit.poll(fn, [worker], what, give_up=GIVE_UP_AFTER)


@pytest.fixture
def pg_settings(settings, profile):
    # The module's celery mark keeps these tests in the production profile (PostgreSQL + Redis).
    assert profile == "postgres", "the real worker runs in the production profile"
    return settings


@pytest.fixture
def worker(pg_settings, broker_url, tmp_path):
    with celery_kit.worker(celery_kit.environment(pg_settings, broker_url), tmp_path / "worker.log") as proc:
        yield proc


@pytest.fixture
def broker_platform(pg_settings, broker_url):
    """The platform as the web app would have it in production: same database, tasks to Redis."""
    settings = dataclasses.replace(pg_settings, broker_url=broker_url)  # the same clock, too
    assert not settings.tasks_in_process
    p = Platform.build(settings)
    yield p
    p.db.dispose()


def _submitted_project(platform) -> tuple[int, int]:
    pid = programme_id(platform)
    with acting(platform, "jingan", "luochuan") as ctx:
        p = projects.create_project(ctx, pid, unit_id(platform, "jingan", "ghxl-luochuan"), "yiju_yipin", "楼组议事会")
        projects.save_form(ctx, p.id, "application", application("楼组议事会"))
        projects.set_budget(ctx, p.id, [{"description": "活动物料", "amount": "3000"}])
        projects.attach(ctx, p.id, "residents_minutes", "会议记录.pdf", io.BytesIO(PDF), platform.storage)
    with acting(platform, "jingan", "luochuan") as ctx:
        projects.submit(ctx, p.id)  # commit, then enqueue over Redis
    return p.id, pid


def _notifications(platform, tid: int, kind: str) -> list[tuple[int, str]]:
    with platform.db.session(tenant_id=tid) as s:
        return list(s.execute(select(Notification.user_id, Notification.dedupe_key)
                              .where(Notification.kind == kind).order_by(Notification.user_id)))


def test_submission_notifies_the_panel_through_a_real_worker_once(broker_platform, worker):
    platform = broker_platform
    tid = tenant_id(platform, "jingan")
    project_id, programme = _submitted_project(platform)
    with platform.db.session(tenant_id=tid) as s:
        panel = sorted(s.scalars(select(PanelMember.user_id).where(PanelMember.programme_id == programme)))
    assert len(panel) == 2
    # Nothing ran in this process: the task went over Redis, so only the worker can write these.
    notes = _poll(lambda: len(_notifications(platform, tid, "project_submitted")) >= len(panel) and
                  _notifications(platform, tid, "project_submitted"), worker, "the panel's notifications")
    assert [user for user, _ in notes] == panel  # exactly one per panel member

    # The same task again (a redelivery): the worker answers 0 created, and nothing doubles.
    submission = notes[0][1].split(":")[2]  # the key is submitted:<project>:<submission>:<member>
    app = celery_for(platform.settings)
    again = app.send_task("tongxin.notify_panel", kwargs={"tenant_id": tid, "project_id": project_id,
                                                          "submission": submission})
    assert again.get(timeout=GIVE_UP_AFTER) == 0
    assert _notifications(platform, tid, "project_submitted") == notes


def test_the_daily_fan_out_reminds_every_tenant_through_the_worker(broker_platform, worker):
    """Beat's entry: tongxin.daily enqueues tongxin.remind_deadlines for each tenant."""
    platform = broker_platform
    tid = tenant_id(platform, "jingan")
    pid = programme_id(platform)
    with acting(platform, "jingan", "luochuan") as ctx:  # a draft that was never submitted
        draft = projects.create_project(ctx, pid, unit_id(platform, "jingan", "ghxl-luochuan"), "micro_venture", "口袋花园")
    app = celery_for(platform.settings)
    # 2023-03-28: the Q1 window closes on the 31st, within the reminder lead time.
    fanned = app.send_task("tongxin.daily", kwargs={"day": "2023-03-28"}).get(timeout=GIVE_UP_AFTER)
    with platform.db.session() as s:
        from core.models import Tenant
        assert fanned == s.scalar(select(func.count()).select_from(Tenant))
    reminders = _poll(lambda: _notifications(platform, tid, "deadline_reminder"), worker, "the reminder")
    with platform.db.session(tenant_id=tid) as s:
        creator = s.get(Project, draft.id).created_by_id
    assert reminders == [(creator, f"deadline:{draft.id}:application:2023-03-31:{creator}")]
    # Beat firing again the same day (or a redelivery) changes nothing.
    assert app.send_task("tongxin.remind_deadlines", kwargs={"tenant_id": tid, "day": "2023-03-29"}
                         ).get(timeout=GIVE_UP_AFTER) == 0
    assert _notifications(platform, tid, "deadline_reminder") == reminders
