"""What the tests of the production profile's tasks share (tests/test_celery_worker.py,
tests/test_inbox_celery.py, tests/test_obligations_beat.py): a Redis db of their own, a real
`celery -A core.tasks.celery_app` worker or beat in a subprocess with the test's database (as the
runtime role, so row-level security holds there too), and polling for what those processes do.

Test modules take the ``broker_url`` fixture with ``pytest_plugins = ["tests.celery_kit"]``;
``worker`` and ``beat`` are context managers, so each module starts them with the environment
it needs (an SMTP server, a running clock). The polling limits say how long to keep trying before
calling it a failure, not how fast anything is.
"""
from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Iterable, Iterator

import pytest
import redis

ROOT = Path(__file__).resolve().parent.parent
REDIS_BASE = os.environ.get("TONGXIN_TEST_REDIS", "redis://127.0.0.1:6379")
LOCK_KEY = "tongxin:test-worker-lock"
GIVE_UP_AFTER = 240
SPARE_DBS = range(2, 8)  # Redis dbs the tests take turns on (0 and 1 are left to a running demo)


@pytest.fixture
def broker_url() -> Iterator[str]:
    """A Redis db nobody else is using right now (other test runs may share this Redis),
    emptied before and after."""
    token = secrets.token_hex(8)
    for number in SPARE_DBS:
        r = redis.Redis.from_url(f"{REDIS_BASE}/{number}")
        if r.set(LOCK_KEY, token, nx=True, ex=3600):
            r.flushdb()  # leftovers of a run that died
            r.set(LOCK_KEY, token, ex=3600)
            yield f"{REDIS_BASE}/{number}"
            r.flushdb()
            return
    pytest.fail(f"no free Redis db between {SPARE_DBS[0]} and {SPARE_DBS[-1]} for the celery test")


def environment(settings, broker_url: str, **extra: str) -> dict:
    """The environment of a worker or beat: the test's database, storage, clock and broker (no
    TONGXIN_ variable of the calling shell leaks in), plus ``extra`` (TONGXIN_SMTP_HOST, ...)."""
    assert settings.database_url.startswith("postgresql"), "the real worker runs in the production profile"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TONGXIN_")}
    env.update(TONGXIN_DATABASE_URL=settings.database_url, TONGXIN_ADMIN_DATABASE_URL=settings.admin_database_url,
               TONGXIN_RUNTIME_ROLE=settings.runtime_role, TONGXIN_BROKER_URL=broker_url,
               TONGXIN_STORAGE_DIR=settings.storage_dir, TONGXIN_TODAY=settings.today,
               TONGXIN_PROFILE="test")  # the test database, not production: a pinned day, no passwords
    env.update(extra)
    return env


def _start(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    with open(log, "wb") as out:
        return subprocess.Popen([sys.executable, "-m", "celery", "-A", "core.tasks.celery_app", *args], cwd=ROOT,
                                env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@contextlib.contextmanager
def _running(args: list[str], env: dict, log: Path, tail: int) -> Iterator[subprocess.Popen]:
    proc = _start(args, env, log)
    try:
        yield proc
    finally:
        _stop(proc)
        print(log.read_text(errors="replace")[-tail:])  # shown by pytest when the test failed


def worker(env: dict, log: Path) -> contextlib.AbstractContextManager[subprocess.Popen]:
    """A solo-pool worker with a name of its own; stopped (and its log's tail printed) on leaving."""
    return _running(["worker", "--pool=solo", "--loglevel=INFO", "--without-heartbeat", "--without-gossip",
                     "--without-mingle", "-n", f"test-{secrets.token_hex(4)}@%h"], env, log, 4000)


def beat(env: dict, log: Path, schedule: Path) -> contextlib.AbstractContextManager[subprocess.Popen]:
    """Beat with a schedule file of its own, waking every second (so a fast clock is followed)."""
    return _running(["beat", "--schedule", str(schedule), "--max-interval", "1", "--loglevel=INFO"], env, log, 2000)


def poll(fn: Callable, procs: Iterable[subprocess.Popen], what: str, *, every: float = 0.3,
         give_up: float = GIVE_UP_AFTER):
    """``fn()`` until it answers something true (returned), failing when a celery process exits
    meanwhile or after ``give_up`` seconds."""
    procs = list(procs)
    deadline = time.monotonic() + give_up
    while time.monotonic() < deadline:
        value = fn()
        if value:
            return value
        for p in procs:
            assert p.poll() is None, f"a celery process exited while waiting for {what}"
        time.sleep(every)
    pytest.fail(f"gave up waiting for {what}")
