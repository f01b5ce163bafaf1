"""Faults injected against real services: the broker down, the database down, a worker killed.

Each test runs on a private PostgreSQL cluster and a private Redis (tests/faults.py), which it
stops and starts at will; the shared ones (5432, 6379) are never touched. Each counts what it
did for the test command's closing figures (tests/figures.py): the faults injected, the work
lost (a committed submission whose panel was never told) and the duplicates (a notification
made twice). PostgreSQL profile only (marked celery: real workers).
"""
from __future__ import annotations

import subprocess
import sys
import time

import psycopg
import pytest
from sqlalchemy import func, select

from core.app import create_app
from core.clock import Clock
from core.models import Notification, OutboxMessage, PanelMember, Project
from core.platform import Platform
from core.tasks.celery_app import celery_for
from tests import figures
from tests.clients import draft, login, url
from tests.conftest import WORLD_TODAY
from tests.factories import on_day, running_clock, tenant_id
from tests.faults import PrivatePostgres, PrivateRedis, Worker, fresh_database, load_world, wait_for, worker_env

pytestmark = [pytest.mark.celery, pytest.mark.postgres]

# What "nothing waits on a dead broker" means for one request, with room for a slow machine
# (the broker's connect timeout is 2 s; before the outbox, this request took 20 s and failed).
REQUEST_BOUND = 6.0
# "Runs again within minutes": the visibility timeout the worker test sets, and the bound on how
# long after the kill the task must have run again.
VISIBILITY = 20
RERUN_BOUND = 180


@pytest.fixture(scope="module")
def cluster():
    pg = PrivatePostgres.create()
    try:
        load_world(pg)
        yield pg
    finally:
        pg.destroy()  # only our own cluster


@pytest.fixture
def broker():
    r = PrivateRedis()
    r.start()
    yield r
    r.stop()


@pytest.fixture
def world(profile, cluster, broker, tmp_path):
    """The test world on the private cluster, its tasks going to the private Redis."""
    assert profile == "postgres", "the fault tests run in the production profile"
    with running_clock(Clock(WORLD_TODAY)) as clock:
        settings = fresh_database(cluster, tmp_path, clock, broker_url=broker.url)
        platform = Platform.build(settings)
        yield platform
        platform.db.dispose()


def _panel_told(platform, project_ids: list[int]) -> tuple[int, int, int]:
    """(expected, found, duplicates) of the panel notifications of these submitted projects."""
    tid = tenant_id(platform, "jingan")
    with platform.db.session(tenant_id=tid) as s:
        expected = 0
        for pid in project_ids:
            programme = s.get(Project, pid).programme_id
            expected += s.scalar(select(func.count()).select_from(PanelMember).where(PanelMember.programme_id == programme))
        keys = list(s.scalars(select(Notification.dedupe_key).where(Notification.kind == "project_submitted")))
    mine = [k for k in keys if int(k.split(":")[1]) in project_ids]
    return expected, len(set(mine)), len(mine) - len(set(mine))


def _count(platform, figure_expected_found_dup) -> None:
    expected, found, dup = figure_expected_found_dup
    figures.record("work_lost", max(0, expected - found))
    figures.record("duplicates", dup)


def _outbox(platform) -> list[str]:
    with platform.db.session(tenant_id=tenant_id(platform, "jingan")) as s:
        return list(s.scalars(select(OutboxMessage.state).order_by(OutboxMessage.id)))


def test_a_broker_outage_loses_no_task_and_no_request_waits_on_it(world, broker, tmp_path):
    platform = world
    app = create_app(platform.settings)
    client = app.test_client()
    headers = login(client, "luochuan")
    drafts = [draft(client, headers, title=f"楼组议事会{i}") for i in range(3)]
    broker.stop()  # Redis is down: what submitting a project did then was wait 20 s and answer 500
    figures.record("faults_injected")
    with on_day("2023-03-15"):
        for pid in drafts:
            started = time.monotonic()
            r = client.post(url(f"/projects/{pid}/submit"), headers=headers)
            took = time.monotonic() - started
            assert r.status_code == 200, r.get_json()
            assert r.get_json()["state"] == "submitted"
            assert took < REQUEST_BOUND, f"a request waited {took:.1f} s on the dead broker"
    # Committed, each with its task in the outbox, waiting for the broker.
    assert _outbox(platform) == ["pending"] * len(drafts)

    broker.start()  # back, and empty (no persistence): the outbox is what remembers
    worker = Worker(worker_env(platform.settings, broker.url), tmp_path / "worker.log", "--concurrency=1")
    try:
        # What beat sends every minute: the periodic relay.
        celery_for(platform.settings).send_task("tongxin.relay", ignore_result=True)
        told = wait_for(lambda: (found := _panel_told(platform, drafts))[1] == found[0] and found,
                        "the panel to hear of every submission")
        time.sleep(2)  # a relay sending twice would show now
        told = _panel_told(platform, drafts)
    finally:
        worker.stop()
        print(worker.output()[-3000:])
    _count(platform, told)
    assert told[1] == told[0] and told[2] == 0
    assert _outbox(platform) == ["sent"] * len(drafts)


def test_the_database_down_answers_503_on_every_face_and_recovers_by_itself(world, cluster, broker, tmp_path):
    platform = world
    app = create_app(platform.settings)
    client = app.test_client()
    headers = login(client, "luochuan")
    pid = draft(client, headers, title="楼组议事会")
    with on_day("2023-03-15"):
        assert client.post(url(f"/projects/{pid}/submit"), headers=headers).status_code == 200
    # The panel's task is in Redis (no worker yet); then the database goes away.
    cluster.stop()
    figures.record("faults_injected")
    try:
        page = client.get("/t/jingan/")
        assert page.status_code == 503 and int(page.headers["Retry-After"]) > 0
        assert "数据库暂时无法连接" in page.get_data(as_text=True)
        sent = client.post("/t/jingan/login", data={"username": "luochuan", "password": "x"})  # a form, too
        assert sent.status_code == 503 and "数据库暂时无法连接" in sent.get_data(as_text=True)
        api = client.get(url("/projects"), headers=headers)
        assert api.status_code == 503 and int(api.headers["Retry-After"]) > 0
        body = api.get_json()
        assert body["code"] == "database_unavailable" and "数据库暂时无法连接" in body["message"]
        cli = _cli(platform.settings, "tenants", "list")
        assert cli.returncode == 75 and "数据库暂时无法连接" in cli.stderr, (cli.returncode, cli.stderr[-2000:])
        # A worker meeting the dead database retries its task instead of dropping it.
        worker = Worker(worker_env(platform.settings, broker.url), tmp_path / "worker.log", "--concurrency=1")
        wait_for(lambda: "Retry in" in worker.output(), "the worker to retry the task")
    finally:
        cluster.start()
    try:
        # Back: the very next request of each face works, nobody restarted anything.
        assert client.get("/t/jingan/").status_code == 200
        assert client.get(url("/projects"), headers=headers).status_code == 200
        assert _cli(platform.settings, "tenants", "list").returncode == 0
        told = wait_for(lambda: (found := _panel_told(platform, [pid]))[1] == found[0] and found,
                        "the retried task to tell the panel")
    finally:
        worker.stop()
        print(worker.output()[-3000:])
    _count(platform, told)
    assert told[2] == 0


def _cli(settings, *args: str) -> subprocess.CompletedProcess:
    env = worker_env(settings, settings.broker_url)
    return subprocess.run([sys.executable, "-m", "core.cli", *args], env=env, capture_output=True, text=True,
                          timeout=120)


def test_a_worker_killed_as_a_whole_has_its_task_run_again_once(world, cluster, broker, tmp_path):
    platform = world
    app = create_app(platform.settings)
    client = app.test_client()
    headers = login(client, "luochuan")
    pid = draft(client, headers, title="楼组议事会")
    with on_day("2023-03-15"):
        assert client.post(url(f"/projects/{pid}/submit"), headers=headers).status_code == 200
    env = worker_env(platform.settings, broker.url, TONGXIN_TASK_VISIBILITY_TIMEOUT=str(VISIBILITY))
    # Hold the task in the middle of its work: it may read, but its notifications wait on our lock.
    admin = cluster.urls(platform.settings.database_url.rsplit("/", 1)[1])[1].replace("+psycopg", "")
    lock = psycopg.connect(admin)
    lock.execute("LOCK TABLE notifications IN EXCLUSIVE MODE")
    first = Worker(env, tmp_path / "first.log", "--concurrency=1")
    try:
        wait_for(lambda: _waiting_on_the_lock(admin), "the task to be under way")
        first.kill_group()  # SIGKILL, main process and pool child: nobody is left to requeue it
        killed = time.monotonic()
        figures.record("faults_injected")
    finally:
        lock.rollback()
        lock.close()
        if first.proc.poll() is None:
            first.stop()
    assert _panel_told(platform, [pid])[1] == 0  # the killed run wrote nothing
    second = Worker(env, tmp_path / "second.log", "--concurrency=1")
    try:
        told = wait_for(lambda: (found := _panel_told(platform, [pid]))[1] == found[0] and found,
                        "the task to run again", timeout=RERUN_BOUND)
        again = time.monotonic() - killed
        time.sleep(VISIBILITY + 15)  # a second redelivery would have happened by now
        told = _panel_told(platform, [pid])
    finally:
        second.stop()
        print(first.output()[-2000:], second.output()[-3000:])
    _count(platform, told)
    assert told[1] == told[0] and told[2] == 0
    assert again < RERUN_BOUND


def _waiting_on_the_lock(admin: str) -> bool:
    with psycopg.connect(admin, autocommit=True) as conn:
        return bool(conn.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                 "AND query ILIKE 'INSERT INTO notifications%'").fetchone()[0])
