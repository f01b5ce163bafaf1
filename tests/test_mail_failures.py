"""Mail that could not be sent (core.services.mail_failures, core.api.mail, core.web.mail),
against a real SMTP server on the loopback interface (tests/mailbox.py, aiosmtpd): a server that
refuses an address, or is not there at all, leaves the delivery failed with its error; the
district administrator sees who was to get what, when, and why it failed, on a page and through
the API; once the server works, sending one again (or all) delivers each mail exactly once,
however often the button, the timetable or the sender runs. Nobody else sees the list."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from core.models import AuditEntry, DeliveryState, MailDelivery
from core.services import mail_failures
from core.tasks import mail
from core.tasks.jobs import database
from core.violations import Forbidden, RuleError
from tests.clients import Web, counting, is_error, login, text, url
from tests.factories import acting, submitted_project, tenant_id
from tests.mailbox import free_port, smtp_server
from tests.test_inbox_mail import CHAIR, EXPERT, _addresses, _deliveries, _mail_on

SUBJECT = "新的项目申报待评审：口袋花园"


def _send(settings, platform) -> mail.Outcome:
    return mail.send_pending(database(settings), settings, tenant_id(platform, "jingan"))


def _states(platform) -> dict[str, tuple[str, int]]:
    return {d.address: (d.state, d.attempts) for d in _deliveries(platform)}


def test_a_refused_mail_is_listed_and_sent_again_once_through_the_page(app, settings, platform):
    _addresses(platform, ghxl_chair=CHAIR, ghxl_expert=EXPERT)
    with smtp_server() as (box, port):
        box.refuse.add(CHAIR)
        _mail_on(settings, port)
        submitted_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园")
        assert box.to(CHAIR) == [] and len(box.to(EXPERT)) == 1
        assert _states(platform) == {CHAIR: ("failed", 1), EXPERT: ("sent", 1)}

        admin = Web(app.test_client())
        admin.login("jingan_admin")
        page = text(admin.get("/admin/mail"))
        assert "评审小组组长（演示）" in page and CHAIR in page and SUBJECT in page
        assert "550" in page and "no such user" in page and "发送失败，稍后重试" in page
        assert EXPERT not in page and "全部重新发送" in page and "发送失败的邮件" in page
        [failed] = [d for d in _deliveries(platform) if d.address == CHAIR]

        box.refuse.clear()  # the address is fixed on the server's side
        r = admin.post(f"/admin/mail/{failed.id}/retry")
        assert r.status_code == 302
        assert len(box.to(CHAIR)) == 1 and len(box) == 2  # sent at once, in-process
        page = text(admin.get(r.headers["Location"].split("/t/jingan", 1)[1]))
        assert "已重新发送" in page and "没有发送失败的邮件" in page and CHAIR not in page

        again = admin.post(f"/admin/mail/{failed.id}/retry")  # a second click, an old tab
        assert again.status_code == 409 and "不需要重发" in text(again)
        assert _send(settings, platform) == mail.Outcome(0, 0)
        with platform.clock.on(platform.clock.now() + mail.LONGEST_WAIT * 2):
            assert _send(settings, platform) == mail.Outcome(0, 0)  # the timetable: nothing left to send
        assert len(box.to(CHAIR)) == 1
    assert _states(platform)[CHAIR] == ("sent", 2)
    with acting(platform, "jingan", None) as ctx:
        assert ctx.session.scalars(select(AuditEntry.action).where(AuditEntry.entity == "mail_deliveries",
                                                                   AuditEntry.action == "mail.retry")).all()


def test_a_server_that_is_down_then_up_retry_all_through_the_api_sends_each_once(client, settings, platform):
    _addresses(platform, ghxl_chair=CHAIR, ghxl_expert=EXPERT)
    port = free_port()  # nothing listens there yet
    _mail_on(settings, port)
    submitted_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园")
    assert _states(platform) == {CHAIR: ("failed", 1), EXPERT: ("failed", 1)}
    admin = login(client, "jingan_admin")
    r = client.get(url("/mail/failures"), headers=admin)
    assert r.status_code == 200 and r.get_json()["total"] == 2 and r.headers["X-Total-Count"] == "2"
    item = r.get_json()["items"][0]
    assert item["subject"] == SUBJECT and item["state"] == "failed" and item["attempts"] == 1
    assert "refused" in item["error"].lower() or "connect" in item["error"].lower()
    assert item["user_name"] in ("评审小组组长（演示）", "评审专家（演示）") and item["notified_at"]
    assert {a["action"]: a["allowed"] for a in item["actions"]} == {"retry": True}

    down = client.post(url("/mail/failures/retry"), headers=admin)  # still down: recorded again, not lost
    assert down.status_code == 200 and down.get_json() == {"retried": 2}
    assert _states(platform) == {CHAIR: ("failed", 2), EXPERT: ("failed", 2)}

    with smtp_server(port) as (box, _):
        r = client.post(url("/mail/failures/retry"), headers=admin)
        assert r.status_code == 200 and r.get_json() == {"retried": 2}
        assert [len(box.to(a)) for a in (CHAIR, EXPERT)] == [1, 1]
        is_error(client.post(url("/mail/failures/retry"), headers=admin), 409, "no_failed_mail")
        one = _deliveries(platform)[0].id
        is_error(client.post(url(f"/mail/failures/{one}/retry"), headers=admin), 409, "mail_not_failed")
        assert _send(settings, platform) == mail.Outcome(0, 0)
        assert len(box) == 2
    assert client.get(url("/mail/failures"), headers=admin).get_json()["total"] == 0


def test_a_mail_given_up_is_tried_once_more_by_hand_and_gives_up_again_if_still_refused(settings, platform):
    _addresses(platform, ghxl_chair=CHAIR)
    with smtp_server() as (box, port):
        box.refuse.add(CHAIR)
        _mail_on(settings, port)
        submitted_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园")
        with acting(platform, "jingan", None) as ctx:
            d = ctx.session.scalars(select(MailDelivery)).one()
            d.state, d.attempts, d.next_attempt_at = DeliveryState.gave_up.value, mail.MAX_ATTEMPTS, None
            delivery_id = d.id
        with acting(platform, "jingan", "jingan_admin") as ctx:
            [row], total = mail_failures.failed_mail(ctx)
            assert total == 1 and row.delivery.state == "gave_up"
            mail_failures.retry_mail(ctx, delivery_id)
        assert _states(platform)[CHAIR] == ("gave_up", mail.MAX_ATTEMPTS + 1)  # tried once, not eight more times
        box.refuse.clear()
        with acting(platform, "jingan", "jingan_admin") as ctx:
            mail_failures.retry_mail(ctx, delivery_id)
        assert len(box.to(CHAIR)) == 1 and _states(platform)[CHAIR][0] == "sent"


def test_only_the_district_administrator_sees_and_resends(app, client, settings, platform):
    _addresses(platform, ghxl_chair=CHAIR)
    _mail_on(settings, free_port())
    submitted_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园")
    [d] = _deliveries(platform)
    for username in ("ghxl_admin", "luochuan", "ghxl_chair"):
        with pytest.raises(Forbidden), acting(platform, "jingan", username) as ctx:
            mail_failures.failed_mail(ctx)
        headers = login(client, username)
        is_error(client.get(url("/mail/failures"), headers=headers), 403, "forbidden")
        is_error(client.post(url(f"/mail/failures/{d.id}/retry"), headers=headers), 403, "forbidden")
        web = Web(app.test_client())
        web.login(username)
        assert web.get("/admin/mail").status_code == 403
        assert web.post(f"/admin/mail/{d.id}/retry").status_code == 403
    assert client.get(url("/mail/failures")).status_code == 401
    is_error(client.post(url("/mail/failures/999999/retry"), headers=login(client, "jingan_admin")), 404, "not_found")
    assert _states(platform)[CHAIR] == ("failed", 1)


def test_with_mail_off_nothing_can_be_resent_and_the_page_says_why(app, settings, platform):
    _addresses(platform, ghxl_chair=CHAIR)
    _mail_on(settings, free_port())
    submitted_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园")
    settings.smtp_host = None  # switched off since
    [d] = _deliveries(platform)
    with pytest.raises(RuleError) as no, acting(platform, "jingan", "jingan_admin") as ctx:
        mail_failures.retry_mail(ctx, d.id)
    assert (no.value.status, no.value.violations[0].code) == (409, "mail_off")
    web = Web(app.test_client())
    web.login("jingan_admin")
    page = text(web.get("/admin/mail"))
    assert "邮件发送已关闭" in page and 'disabled title="本平台未配置邮件服务器' in page
    r = web.post(f"/admin/mail/{d.id}/retry")
    assert r.status_code == 409 and "未配置邮件服务器" in text(r)


def test_the_page_costs_the_same_statements_for_one_failed_mail_or_three(app, settings, platform):
    _addresses(platform, ghxl_chair=CHAIR)
    _mail_on(settings, free_port())
    engine = app.extensions["tongxin"].db.engine
    web = Web(app.test_client())
    web.login("jingan_admin")
    submitted_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园")
    with counting(engine) as few:
        one = text(web.get("/admin/mail"))
    submitted_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "第二个项目")
    submitted_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "第三个项目")
    with counting(engine) as many:
        three = text(web.get("/admin/mail"))
    assert one.count('id="mail-') == 1 and three.count('id="mail-') == 3
    assert len(many) == len(few) <= 20, (len(few), len(many))


def test_a_refused_first_address_does_not_fail_the_mails_after_it(settings, platform):
    # smtplib's SMTPException is an OSError: caught as "the connection is gone", one refused
    # address used to fail every letter after it with its own error.
    _addresses(platform, ghxl_chair=CHAIR, ghxl_expert=EXPERT)
    with smtp_server() as (box, port):
        box.refuse.add(CHAIR)  # the first of the two
        _mail_on(settings, port)
        submitted_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园")
        assert len(box.to(EXPERT)) == 1
    states = {d.address: (d.state, d.last_error) for d in _deliveries(platform)}
    assert states[EXPERT] == ("sent", "") and CHAIR in states[CHAIR][1]
