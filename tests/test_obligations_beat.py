"""The year runs itself, for real (issue 13, item 6): Celery beat and a worker over Redis, with the
platform's clock pinned to 30 June 2023 and running a simulated day every two seconds
(TONGXIN_TODAY, TONGXIN_CLOCK_RATE), through July, twice.

Beat decides when its daily entry is due by the platform's clock and sends the day it fired on
(``core.tasks.celery_app.beat_day``); the worker fans out each tenant's ``obligations_daily``.
Over the month the notifications created are exactly the expected reminders and escalations of
共和新路's quarterly report, stage review and July supervision and of 晋江's monthly report, once
each, and beat's mail entry has the worker send each of them to a real SMTP server on the
loopback interface (aiosmtpd, tests/mailbox.py) exactly once; a second month of the same days,
from a fresh beat, creates and mails nothing more. The worker and beat start as
tests/celery_kit.py starts them. PostgreSQL profile only (marker celery), as the runtime role, so
row-level security holds for the worker too.
"""
from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from core.models import AuditEntry, MailDelivery, Notification, User
from core.services.obligations.daily import ACTION
from core.tasks import mail
from core.tasks.celery_app import celery_for
from tests import celery_kit
from tests.factories import acting, tenant_id, unit_id
from tests.mailbox import smtp_server
from tests.obligation_factories import Q2, item_id, micro, pilot

pytestmark = pytest.mark.celery
pytest_plugins = ["tests.celery_kit"]  # broker_url: a Redis db of the test's own

# The simulated clock: pinned to the eve of the month, a day every three seconds of real time
# (the mail sender leaves news older than three days unsent: at this rate a worker may lag nine
# real seconds behind beat before a reminder would count as old).
EVE, DAY_SECONDS = "2023-06-30", 3
RATE = 86400 // DAY_SECONDS
JULY = [f"2023-07-{d:02d}" for d in range(1, 32)]
TENANTS = ("jingan", "jinjiang", "putuo")
# Who is reminded this July, with an address each (the rest of the world has none).
ADDRESSES = {("jingan", "luochuan"): "luochuan@ghxl.example.cn", ("jingan", "ghxl_admin"): "zzb@ghxl.example.cn",
             ("jinjiang", "anhai_admin"): "anhai@jinjiang.example.cn", ("jinjiang", "jj_admin"): "mzj@jinjiang.example.cn"}


@pytest.fixture
def mailbox():
    with smtp_server() as (box, port):
        yield box, port


def _env(settings, broker_url: str, port: int) -> dict:
    return celery_kit.environment(settings, broker_url, TONGXIN_TODAY=EVE, TONGXIN_CLOCK_RATE=str(RATE),
                                  TONGXIN_SMTP_HOST="127.0.0.1", TONGXIN_SMTP_PORT=str(port),
                                  TONGXIN_PUBLIC_URL="https://tongxin.example.cn")


@pytest.fixture
def worker(settings, profile, broker_url, mailbox, tmp_path):
    assert profile == "postgres", "beat and the worker run in the production profile"
    with celery_kit.worker(_env(settings, broker_url, mailbox[1]), tmp_path / "worker.log") as proc:
        yield proc


def _poll(fn, procs, what: str):
    return celery_kit.poll(fn, procs, what, every=0.05)


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


def _month(settings, broker_url, port, worker, platform, tmp_path, n: int) -> None:
    """One simulated July: a fresh beat (its own schedule file) until it has sent the 31 days,
    then wait until the worker has run every tenant's last day."""
    log = tmp_path / f"beat-{n}.log"
    before = {t: len(_runs(platform, t)) for t in TENANTS}
    with celery_kit.beat(_env(settings, broker_url, port), log, tmp_path / f"schedule-{n}") as beat:
        _poll(lambda: _sent(log) >= len(JULY), [beat, worker], f"beat to send the days of July (pass {n})")
    for tenant, seen in before.items():
        _poll(lambda: any(r["day"] >= JULY[-1] for r in _runs(platform, tenant)[seen:]), [worker],
              f"{tenant}'s run of {JULY[-1]} (pass {n})")


def _addresses(platform) -> None:
    for (tenant, username), address in ADDRESSES.items():
        with acting(platform, tenant, None) as ctx:
            ctx.session.scalars(select(User).where(User.username == username)).one().email = address


def _mail_expected(platform) -> list[tuple[str, list[str]]]:
    """(Message-ID, [address]) of the mail each obligation notice should have become: one each."""
    out = []
    for tenant in TENANTS:
        tid = tenant_id(platform, tenant)
        with platform.db.session(tenant_id=tid) as s:
            out += [(f"<notification.{tid}.{nid}@tongxin.example.cn>", [address]) for nid, address in s.execute(
                select(Notification.id, User.email).join(User, User.id == Notification.user_id)
                .where(Notification.kind.startswith("obligation_")))]
    return sorted(out)


def _mail_received(box) -> list[tuple[str, list[str]]]:
    return sorted((m["Message-ID"], rcpts) for rcpts, m in box.messages)


def _mail_settled(platform, settings, broker_url) -> None:
    """Each tenant's sender once more, waited for: the worker takes tasks in order, so every mail
    beat asked for has been sent (or not) by then; this run finds nothing new to send."""
    app = celery_for(dataclasses.replace(settings, broker_url=broker_url))
    for tenant in TENANTS:
        sent = app.send_task(mail.TASK, kwargs={"tenant_id": tenant_id(platform, tenant)}).get(timeout=celery_kit.GIVE_UP_AFTER)
        assert sent == 0, f"{tenant}: {sent} mails were still waiting when the month was over"


def _deliveries(platform) -> list[tuple[str, str, int]]:
    out = []
    for tenant in TENANTS:
        with platform.db.session(tenant_id=tenant_id(platform, tenant)) as s:
            out += s.execute(select(MailDelivery.address, MailDelivery.state, MailDelivery.attempts)).all()
    return sorted(out)


def test_a_month_of_beat_sends_each_reminder_and_escalation_once_twice(settings, platform, worker, broker_url,
                                                                       mailbox, tmp_path):
    box, port = mailbox
    pid = micro(platform)                                           # 共和新路: 洛川's approved micro project
    pilot(platform, "andong", "jj-anhai-a", "anhai_admin")          # 晋江: a pilot of 安海镇
    _addresses(platform)
    assert len(box) == 0  # what happened in March (the approval ...) is older than the mail's horizon

    _month(settings, broker_url, port, worker, platform, tmp_path, 1)
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

    # Each of those nine notices reached its person's mailbox through the SMTP server, once,
    # sent by the worker as beat's mail entry came round (no one ran the sender by hand).
    _mail_settled(platform, settings, broker_url)
    mails = _mail_received(box)
    assert mails == _mail_expected(platform) and len(mails) == 9
    assert [len(box.to(a)) for a in ADDRESSES.values()] == [4, 3, 1, 1]
    assert _deliveries(platform) == sorted((rcpts[0], "sent", 1) for _, rcpts in mails)
    reminder = next(m for m in box.to(ADDRESSES["jinjiang", "jj_admin"]))
    assert "安海镇" in reminder["Subject"] and "https://tongxin.example.cn/t/jinjiang/obligations/" in reminder.get_body().get_content()

    # The same month again, from a fresh beat: every day runs, and nothing is sent twice, by
    # the inbox or by mail.
    first = {t: len(_runs(platform, t)) for t in ("jingan", "jinjiang")}
    _month(settings, broker_url, port, worker, platform, tmp_path, 2)
    again = _runs(platform, "jingan")[first["jingan"]:]
    assert again and all(r["notified"] == r["opened"] == 0 for r in again)
    assert _notices(platform, "jingan") == jingan_notices and _notices(platform, "jinjiang") == jinjiang_notices
    _mail_settled(platform, settings, broker_url)
    assert _mail_received(box) == mails


def _user(platform, tenant: str, username: str) -> int:
    with platform.db.session(tenant_id=tenant_id(platform, tenant)) as s:
        return s.scalars(select(User.id).where(User.username == username)).one()
