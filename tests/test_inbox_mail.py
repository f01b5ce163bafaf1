"""E-mail, the inbox's second channel (core.tasks.mail), against a real SMTP server listening on
the loopback interface (tests/mailbox.py, aiosmtpd): every notification for a person with an
address arrives once, in Chinese, with its link, however often the sender runs; a failure is
recorded and retried later, never lost; off unless configured. Both profiles."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from click.testing import CliRunner

from core.cli import main
from core.models import DeliveryState, Notification
from core.tasks import mail
from core.tasks.jobs import database
from tests.commands import env_of
from tests.factories import acting, submitted_project, tenant_id
from tests.mailbox import CHAIR, EXPERT, body_of, deliveries, free_port, give_addresses, mail_on, smtp_server


def _send(settings, platform) -> mail.Outcome:
    """One run of the sender for 静安区, as beat or the CLI would start it."""
    return mail.send_pending(database(settings), settings, tenant_id(platform, "jingan"))


def test_each_notification_is_mailed_once_in_chinese_with_its_link(settings, platform):
    give_addresses(platform, ghxl_chair=CHAIR, ghxl_expert=EXPERT)  # luochuan and the admin have none
    with smtp_server() as (box, port):
        mail_on(settings, port)
        # Submitting notifies the panel (an in-process task); the mail follows at once.
        pid = submitted_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园")
        assert [len(box.to(a)) for a in (CHAIR, EXPERT)] == [1, 1]
        # The sender runs again (beat, a retry, the CLI): nothing new is sent.
        assert _send(settings, platform) == mail.Outcome(0, 0)
        assert _send(settings, platform) == mail.Outcome(0, 0)
        assert len(box) == 2
        message = box.to(CHAIR)[0]
        assert message["Subject"] == "【同心】新的项目申报待评审：口袋花园"
        assert message["To"].addresses[0].addr_spec == CHAIR
        text = body_of(message)
        assert "评审小组组长（演示），您好" in text and "提交了「口袋花园」" in text
        assert f"https://tongxin.example.cn/t/jingan/projects/{pid}" in text
        assert "https://tongxin.example.cn/t/jingan/inbox" in text
        assert message["Message-ID"].startswith("<notification.")
    rows = deliveries(platform)
    assert sorted(d.address for d in rows) == [CHAIR, EXPERT]
    assert {(d.state, d.attempts) for d in rows} == {(DeliveryState.sent.value, 1)}


def test_a_person_without_an_address_gets_no_mail_and_nothing_waits(settings, platform):
    give_addresses(platform, ghxl_chair=CHAIR)
    with smtp_server() as (box, port):
        mail_on(settings, port)
        submitted_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园")
        assert len(box) == 1 and box.to(CHAIR)
    assert [d.address for d in deliveries(platform)] == [CHAIR]


def test_off_by_default_nothing_is_mailed_or_recorded(settings, platform):
    assert settings.smtp_host is None and not settings.mail_enabled
    give_addresses(platform, ghxl_chair=CHAIR)
    with smtp_server() as (box, port):
        settings.smtp_port = port  # a port alone does not switch it on
        submitted_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园")
        assert _send(settings, platform) == mail.Outcome()
        assert len(box) == 0
    assert deliveries(platform) == []


def test_a_server_that_is_down_is_recorded_and_the_mail_is_sent_later_once(settings, platform):
    give_addresses(platform, ghxl_chair=CHAIR)
    port = free_port()  # nothing listens there yet
    mail_on(settings, port)
    submitted_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园")
    [failed] = deliveries(platform)
    assert failed.state == DeliveryState.failed.value and failed.attempts == 1
    assert "Connection" in failed.last_error or "refused" in failed.last_error.lower()
    assert mail.backoff(1) <= failed.next_attempt_at - failed.claimed_at < mail.backoff(1) + dt.timedelta(seconds=5)
    with smtp_server(port) as (box, _):
        assert _send(settings, platform) == mail.Outcome(0, 0)  # not due yet: nothing is tried
        later = failed.next_attempt_at + dt.timedelta(seconds=1)
        with platform.clock.on(later):
            assert _send(settings, platform) == mail.Outcome(1, 0)
            assert _send(settings, platform) == mail.Outcome(0, 0)
        assert len(box.to(CHAIR)) == 1
    [sent] = deliveries(platform)
    assert (sent.state, sent.attempts, sent.last_error) == (DeliveryState.sent.value, 2, "")


def test_a_refused_address_fails_alone_and_is_given_up_after_the_last_attempt(settings, platform):
    give_addresses(platform, ghxl_chair=CHAIR, ghxl_expert=EXPERT)
    with smtp_server() as (box, port):
        box.refuse.add(EXPERT)
        mail_on(settings, port)
        submitted_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园")
        assert len(box.to(CHAIR)) == 1 and box.to(EXPERT) == []
        moment = platform.clock.now()
        for attempt in range(2, mail.MAX_ATTEMPTS + 1):
            moment += mail.backoff(attempt - 1) + dt.timedelta(seconds=1)
            with platform.clock.on(moment):
                assert _send(settings, platform) == mail.Outcome(0, 1), attempt
        with platform.clock.on(moment + dt.timedelta(days=2)):
            assert _send(settings, platform) == mail.Outcome(0, 0)  # given up: never tried again, still on record
    states = {d.address: (d.state, d.attempts) for d in deliveries(platform)}
    assert states == {CHAIR: (DeliveryState.sent.value, 1), EXPERT: (DeliveryState.gave_up.value, mail.MAX_ATTEMPTS)}
    assert "550" in next(d.last_error for d in deliveries(platform) if d.address == EXPERT)


def test_switching_mail_on_does_not_send_old_news(settings, platform):
    give_addresses(platform, ghxl_chair=CHAIR)
    submitted_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园")  # mail still off
    with smtp_server() as (box, port):
        mail_on(settings, port)
        with platform.clock.on(platform.clock.now() + mail.HORIZON + dt.timedelta(hours=1)):
            assert _send(settings, platform) == mail.Outcome(0, 0)
        assert len(box) == 0
    with acting(platform, "jingan", None) as ctx:  # still in the inbox
        assert ctx.session.scalar(select(func.count()).select_from(Notification)) == 2


def test_a_second_sender_claims_nothing_the_first_claimed(settings, platform):
    give_addresses(platform, ghxl_chair=CHAIR, ghxl_expert=EXPERT)
    submitted_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园")
    mail_on(settings, free_port())
    db, tid = database(settings), tenant_id(platform, "jingan")
    first = mail._claim(db, tid, 200)
    assert sorted(letter.address for letter in first) == [CHAIR, EXPERT]
    assert mail._claim(db, tid, 200) == []  # claimed (sending): not new, not due
    later = platform.clock.now() + mail.LEASE + dt.timedelta(minutes=1)
    with platform.clock.on(later):  # a sender that died mid-way: its claims are retried after the lease
        assert sorted(letter.address for letter in mail._claim(db, tid, 200)) == [CHAIR, EXPERT]


@pytest.mark.parametrize("attempts,wait", [(1, 5), (2, 10), (3, 20), (8, 640), (9, 12 * 60), (20, 12 * 60)])
def test_the_wait_doubles_up_to_twelve_hours(attempts, wait):
    assert mail.backoff(attempts) == dt.timedelta(minutes=wait)


def test_the_command_line_sends_what_is_waiting_once(settings, platform):
    give_addresses(platform, ghxl_chair=CHAIR, ghxl_expert=EXPERT)
    submitted_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园")  # mail off: none sent
    with smtp_server() as (box, port):
        env = env_of(settings, TONGXIN_SMTP_HOST="127.0.0.1", TONGXIN_SMTP_PORT=str(port))
        first = CliRunner().invoke(main, ["mail", "send", "--tenant", "jingan"], env=env, catch_exceptions=False)
        assert first.exit_code == 0 and "jingan: 发送 2 封，失败 0 封" in first.output
        second = CliRunner().invoke(main, ["mail", "send"], env=env, catch_exceptions=False)
        assert "jingan: 发送 0 封" in second.output and len(box) == 2
    off = CliRunner().invoke(main, ["mail", "send"], env=env_of(settings), catch_exceptions=False)
    assert "e-mail is off" in off.output
