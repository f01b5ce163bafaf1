"""The inbox's e-mail in the production profile: a real Celery worker over Redis mails the
notifications it wrote to a real SMTP server (aiosmtpd, tests/mailbox.py), each exactly once,
however often beat's entry (``tongxin.mail``) runs. PostgreSQL + Redis; the worker
and its Redis db come from tests/celery_kit.py."""
from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from core.models import MailDelivery, User
from core.platform import Platform
from core.tasks import mail
from core.tasks.celery_app import celery_for
from tests import celery_kit
from tests.factories import acting, submitted_project, tenant_id
from tests.mailbox import smtp_server

pytestmark = pytest.mark.celery
pytest_plugins = ["tests.celery_kit"]  # broker_url: a Redis db of the test's own

GIVE_UP_AFTER = 180  # how long to keep polling before calling it a failure, not a speed claim
CHAIR, EXPERT = "chair@ghxl.example.cn", "expert@ghxl.example.cn"


@pytest.fixture
def mailbox():
    with smtp_server() as (box, port):
        yield box, port


@pytest.fixture
def worker(settings, profile, broker_url, mailbox, tmp_path):
    assert profile == "postgres", "the real worker runs in the production profile"
    env = celery_kit.environment(settings, broker_url, TONGXIN_SMTP_HOST="127.0.0.1", TONGXIN_SMTP_PORT=str(mailbox[1]),
                                 TONGXIN_PUBLIC_URL="https://tongxin.example.cn")
    with celery_kit.worker(env, tmp_path / "worker.log") as proc:
        yield proc


def _poll(fn, worker, what: str):
    return celery_kit.poll(fn, [worker], what, give_up=GIVE_UP_AFTER)


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
