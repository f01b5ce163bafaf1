"""The year runs itself, for real (issue 13, item 6): Celery beat and a worker over Redis, with the
platform's clock pinned to 30 June 2023 and running a simulated day every two seconds
(TONGXIN_TODAY, TONGXIN_CLOCK_RATE), through July, twice.

Beat decides when its daily entry is due by the platform's clock and sends the day it fired on
(``core.tasks.celery_app.beat_day``); the worker fans out each tenant's ``obligations_daily``.
Over the month the notifications created are exactly the expected reminders and escalations of
共和新路's quarterly report, stage review and July supervision and of 晋江's monthly report, once
each; a second month of the same days, from a fresh beat, creates nothing more. PostgreSQL
profile only (marker celery), as the runtime role, so row-level security holds for the worker too.
"""
from __future__ import annotations

import os
import re
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from sqlalchemy import select

from core.models import AuditEntry, Notification, User
from core.services.obligations.daily import ACTION
from tests.factories import tenant_id, unit_id
from tests.obligation_factories import Q2, item_id, micro, pilot

pytestmark = pytest.mark.celery

ROOT = Path(__file__).resolve().parent.parent
REDIS_BASE = os.environ.get("TONGXIN_TEST_REDIS", "redis://127.0.0.1:6379")
LOCK_KEY = "tongxin:test-worker-lock"
# The simulated clock: pinned to the eve of the month, a day every two seconds of real time.
EVE, DAY_SECONDS = "2023-06-30", 2
RATE = 86400 // DAY_SECONDS
JULY = [f"2023-07-{d:02d}" for d in range(1, 32)]
# Bounds for the polling loops: how long to keep trying before calling it a failure, not a
# claim about how fast anything is.
GIVE_UP_AFTER = 240


@pytest.fixture
def broker_url():
    """A Redis db nobody else is using right now (other test runs may share this Redis)."""
    token = secrets.token_hex(8)
    for number in range(2, 8):
        r = redis.Redis.from_url(f"{REDIS_BASE}/{number}")
        if r.set(LOCK_KEY, token, nx=True, ex=3600):
            r.flushdb()
            r.set(LOCK_KEY, token, ex=3600)
            yield f"{REDIS_BASE}/{number}"
            r.flushdb()
            return
    pytest.fail("no free Redis db between 2 and 7 for the beat test")


def _env(settings, broker_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TONGXIN_")}
    env.update(TONGXIN_DATABASE_URL=settings.database_url, TONGXIN_ADMIN_DATABASE_URL=settings.admin_database_url,
               TONGXIN_RUNTIME_ROLE=settings.runtime_role, TONGXIN_BROKER_URL=broker_url,
               TONGXIN_STORAGE_DIR=settings.storage_dir, TONGXIN_TODAY=EVE, TONGXIN_CLOCK_RATE=str(RATE),
               TONGXIN_PROFILE="test")  # the test database, not production: a pinned day
    return env


def _start(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    with open(log, "wb") as out:
        return subprocess.Popen([sys.executable, "-m", "celery", "-A", "core.tasks.celery_app", *args], cwd=ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture
def worker(settings, profile, broker_url, tmp_path):
    assert profile == "postgres", "beat and the worker run in the production profile"
    log = tmp_path / "worker.log"
    proc = _start(["worker", "--pool=solo", "--loglevel=INFO", "--without-heartbeat", "--without-gossip",
                   "--without-mingle", "-n", f"beat-test-{secrets.token_hex(4)}@%h"], _env(settings, broker_url), log)
    try:
        yield proc
    finally:
        _stop(proc)
        print(log.read_text(errors="replace")[-3000:])  # shown by pytest when the test failed


def _poll(fn, procs, what: str):
    deadline = time.monotonic() + GIVE_UP_AFTER
    while time.monotonic() < deadline:
        value = fn()
        if value:
            return value
        for p in procs:
            assert p.poll() is None, f"a celery process exited while waiting for {what}"
        time.sleep(0.05)
    pytest.fail(f"gave up waiting for {what}")


def _sent(log: Path) -> int:
    return len(re.findall(r"Sending due task daily-deadline-reminders", log.read_text(errors="replace")))


def _runs(platform, tenant: str) -> list[dict]:
    """The daily task's runs (its audit entries), in order."""
    with platform.db.session(tenant_id=tenant_id(platform, tenant)) as s:
        return [e for e in s.scalars(select(AuditEntry.after).where(AuditEntry.action == ACTION,
                                                                   AuditEntry.entity == "due_items").order_by(AuditEntry.id))]


def _notices(platform, tenant: str) -> list[tuple[str, str, str]]:
    with platform.db.session(tenant_id=tenant_id(platform, tenant)) as s:
        return sorted(s.execute(select(User.username, Notification.kind, Notification.dedupe_key)
                                .join(User, User.id == Notification.user_id)
                                .where(Notification.kind.startswith("obligation_"))).all())


def _month(settings, broker_url, worker, platform, tmp_path, n: int) -> None:
    """One simulated July: a fresh beat (its own schedule file) until it has sent the 31 days,
    then wait until the worker has run every tenant's last day."""
    log = tmp_path / f"beat-{n}.log"
    before = {t: len(_runs(platform, t)) for t in ("jingan", "jinjiang", "putuo")}
    beat = _start(["beat", "--schedule", str(tmp_path / f"schedule-{n}"), "--max-interval", "1", "--loglevel=INFO"],
                  _env(settings, broker_url), log)
    try:
        _poll(lambda: _sent(log) >= len(JULY), [beat, worker], f"beat to send the days of July (pass {n})")
    finally:
        _stop(beat)
        print(log.read_text(errors="replace")[-2000:])
    for tenant, seen in before.items():
        _poll(lambda: any(r["day"] >= JULY[-1] for r in _runs(platform, tenant)[seen:]), [worker],
              f"{tenant}'s run of {JULY[-1]} (pass {n})")


def test_a_month_of_beat_sends_each_reminder_and_escalation_once_twice(settings, platform, worker, broker_url, tmp_path):
    pid = micro(platform)                                           # 共和新路: 洛川's approved micro project
    pilot(platform, "andong", "jj-anhai-a", "anhai_admin")          # 晋江: a pilot of 安海镇

    _month(settings, broker_url, worker, platform, tmp_path, 1)
    runs = _runs(platform, "jingan")
    days = [r["day"] for r in runs]
    assert len(days) == len(set(days)) and JULY[-1] in days and set(days) <= set(JULY) | {"2023-08-01", "2023-08-02"}
    jingan_notices = _notices(platform, "jingan")

    ids = {name: _user(platform, "jingan", name) for name in ("luochuan", "ghxl_admin")}
    q2 = item_id(platform, "jingan", "quarterly_report", Q2, project_id=pid)
    stage = item_id(platform, "jingan", "stage_review", "2023-07-15", project_id=pid)
    visit = item_id(platform, "jingan", "mid_term_supervision", "2023-07-31", subject=f"project:{pid}")
    assert jingan_notices == sorted([
        ("luochuan", "obligation_reminder", f"obligation:{q2}:0:{ids['luochuan']}"),        # from 3 July
        ("luochuan", "obligation_escalation", f"obligation:{q2}:1:{ids['luochuan']}"),      # 11 July: the committee
        ("ghxl_admin", "obligation_escalation", f"obligation:{q2}:2:{ids['ghxl_admin']}"),  # 17 July: the office
        ("luochuan", "obligation_reminder", f"obligation:{stage}:0:{ids['luochuan']}"),     # from 8 July
        ("luochuan", "obligation_escalation", f"obligation:{stage}:1:{ids['luochuan']}"),   # 16 July
        ("ghxl_admin", "obligation_escalation", f"obligation:{stage}:2:{ids['ghxl_admin']}"),  # 22 July
        ("ghxl_admin", "obligation_reminder", f"obligation:{visit}:0:{ids['ghxl_admin']}"),  # from 17 July
    ])
    town = unit_id(platform, "jinjiang", "jj-anhai")
    july = item_id(platform, "jinjiang", "monthly_progress", "2023-07", subject=f"unit:{town}")
    jinjiang_notices = _notices(platform, "jinjiang")
    assert jinjiang_notices == sorted([
        ("anhai_admin", "obligation_reminder", f"obligation:{july}:0:{_user(platform, 'jinjiang', 'anhai_admin')}"),
        ("jj_admin", "obligation_escalation", f"obligation:{july}:1:{_user(platform, 'jinjiang', 'jj_admin')}"),
    ])
    assert _notices(platform, "putuo") == []

    # The same month again, from a fresh beat: every day runs, and nothing is sent twice.
    first = {t: len(_runs(platform, t)) for t in ("jingan", "jinjiang")}
    _month(settings, broker_url, worker, platform, tmp_path, 2)
    again = _runs(platform, "jingan")[first["jingan"]:]
    assert again and all(r["notified"] == r["opened"] == 0 for r in again)
    assert _notices(platform, "jingan") == jingan_notices and _notices(platform, "jinjiang") == jinjiang_notices


def _user(platform, tenant: str, username: str) -> int:
    with platform.db.session(tenant_id=tenant_id(platform, tenant)) as s:
        return s.scalars(select(User.id).where(User.username == username)).one()
