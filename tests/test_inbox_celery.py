"""The inbox's e-mail in the production profile: a real Celery worker over Redis mails the
notifications it wrote to a real SMTP server (aiosmtpd, tests/mailbox.py), each exactly once,
however often beat's entry (``tongxin.mail``) runs. PostgreSQL + Redis, like
tests/test_celery_worker.py, whose set-up this repeats (test modules share no fixtures)."""
from __future__ import annotations

import dataclasses
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from sqlalchemy import select

from core.models import MailDelivery, User
from core.platform import Platform
from core.tasks import mail
from core.tasks.celery_app import celery_for
from tests.factories import acting, submitted_project, tenant_id
from tests.mailbox import smtp_server

pytestmark = pytest.mark.celery

ROOT = Path(__file__).resolve().parent.parent
REDIS_BASE = os.environ.get("TONGXIN_TEST_REDIS", "redis://127.0.0.1:6379")
LOCK_KEY = "tongxin:test-worker-lock"
GIVE_UP_AFTER = 180  # how long to keep polling before calling it a failure, not a speed claim
CHAIR, EXPERT = "chair@ghxl.example.cn", "expert@ghxl.example.cn"


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
    pytest.fail("no free Redis db between 2 and 7 for the worker test")


@pytest.fixture
def mailbox():
    with smtp_server() as (box, port):
        yield box, port


@pytest.fixture
def worker(settings, profile, broker_url, mailbox, tmp_path):
    assert profile == "postgres", "the real worker runs in the production profile"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TONGXIN_")}
    env.update(TONGXIN_DATABASE_URL=settings.database_url, TONGXIN_ADMIN_DATABASE_URL=settings.admin_database_url,
               TONGXIN_RUNTIME_ROLE=settings.runtime_role, TONGXIN_BROKER_URL=broker_url,
               TONGXIN_STORAGE_DIR=settings.storage_dir, TONGXIN_TODAY=settings.today,
               TONGXIN_PROFILE="test",  # the test database, not production: a pinned day, no passwords
               TONGXIN_SMTP_HOST="127.0.0.1", TONGXIN_SMTP_PORT=str(mailbox[1]),
               TONGXIN_PUBLIC_URL="https://tongxin.example.cn")
    log = tmp_path / "worker.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "core.tasks.celery_app", "worker", "--pool=solo",
             "--loglevel=INFO", "--without-heartbeat", "--without-gossip", "--without-mingle",
             "-n", f"test-{secrets.token_hex(4)}@%h"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        print(log.read_text(errors="replace")[-4000:])  # shown by pytest when the test failed


def _poll(fn, worker: subprocess.Popen, what: str):
    deadline = time.monotonic() + GIVE_UP_AFTER
    while time.monotonic() < deadline:
        value = fn()
        if value:
            return value
        assert worker.poll() is None, f"the worker exited while waiting for {what}"
        time.sleep(0.3)
    pytest.fail(f"gave up waiting for {what}")


def test_the_worker_mails_each_notification_once_however_often_beat_asks(settings, broker_url, mailbox, worker):
    box, port = mailbox
    producer = Platform.build(dataclasses.replace(settings, broker_url=broker_url))  # the web app's side
    try:
        with acting(producer, "jingan", None) as ctx:
            for username, address in (("ghxl_chair", CHAIR), ("ghxl_expert", EXPERT)):
                ctx.session.scalars(select(User).where(User.username == username)).one().email = address
        submitted_project(producer, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园")  # over Redis
        tid = tenant_id(producer, "jingan")
        app = celery_for(producer.settings)
        # Beat's entry, three times over: the first runs that find the notifications mail them.
        for _ in range(3):
            assert app.send_task("tongxin.mail").get(timeout=GIVE_UP_AFTER) >= 1  # one send_mail per tenant
        _poll(lambda: len(box) >= 2, worker, "the two mails")

        def sent_all() -> bool:
            with producer.db.session(tenant_id=tid) as s:
                return s.scalars(select(MailDelivery.state)).all() == ["sent", "sent"]
        _poll(sent_all, worker, "both deliveries recorded as sent")
        # And once more, waiting for the task itself: nothing new is sent.
        assert app.send_task(mail.TASK, kwargs={"tenant_id": tid}).get(timeout=GIVE_UP_AFTER) == 0
        assert [len(box.to(a)) for a in (CHAIR, EXPERT)] == [1, 1]
        assert "https://tongxin.example.cn/t/jingan/projects/" in box.to(CHAIR)[0].get_body().get_content()
    finally:
        producer.db.dispose()
