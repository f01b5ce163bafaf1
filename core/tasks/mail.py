"""E-mail, the inbox's second channel: every notification for a person with an e-mail address
is sent once through the deployment's SMTP server (``Settings.smtp_*``; off unless a host is set).

**Once.** Each mailed notification gets one ``MailDelivery`` row (unique per notification):
a sender *claims* the notifications without one (and the failed deliveries that are due again)
in one committed transaction, then sends each claimed mail and commits its outcome right after
it. Running the sender twice sends nothing new: what the first run claimed has a row, and what
it sent is ``sent``. Two senders at once cannot both claim a notification (the unique row; on
PostgreSQL ``FOR UPDATE SKIP LOCKED`` for the retries). Only a sender that dies between the
SMTP server's "OK" and its own commit leaves a delivery ``sending``; it is retried once its
lease (``LEASE``) ends, so that rare case may mail twice, never lose a mail (the Message-ID is
the notification's own, so a mail reader can tell the two apart).

**Retried, never lost.** A refusal or an unreachable server marks the delivery ``failed`` with
its error and the time of the next attempt (``backoff``: 5 minutes, doubling, at most 12
hours); after ``MAX_ATTEMPTS`` it is ``gave_up``, kept with its last error for the office.

**When it runs.** In the embedded profile right after every in-process task (``core.tasks.relay``:
the tasks are what write notifications) and by ``tongxin mail send``; in production as the
Celery task ``tongxin.send_mail``, for each tenant every few minutes (``BEAT_SCHEDULE``).

Notifications older than ``HORIZON`` when first seen are not mailed: switching e-mail on for a
deployment must not flood everyone with a year of old news (they are still in the inbox).
"""
from __future__ import annotations

import datetime as dt
import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr
from urllib.parse import urlsplit

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.exc import IntegrityError

from core.config import Settings
from core.db import Database
from core.models import DeliveryState, MailDelivery, Notification, Tenant, User

log = logging.getLogger(__name__)

TASK = "tongxin.send_mail"
HORIZON = dt.timedelta(days=3)
LEASE = dt.timedelta(minutes=30)
MAX_ATTEMPTS = 8
FIRST_RETRY = dt.timedelta(minutes=5)
LONGEST_WAIT = dt.timedelta(hours=12)
BATCH = 200
SITE = "同心 · 社区自治项目平台"


def backoff(attempts: int) -> dt.timedelta:
    """How long after the ``attempts``-th failed attempt the next one is made."""
    return min(FIRST_RETRY * 2 ** max(0, attempts - 1), LONGEST_WAIT)


@dataclass(frozen=True)
class Outcome:
    sent: int = 0
    failed: int = 0


@dataclass(frozen=True)
class Letter:
    """What one delivery sends: the notification's words, in Chinese as written, with the link."""

    delivery_id: int
    notification_id: int
    tenant_id: int
    address: str
    name: str
    subject: str
    body: str
    link: str | None


def compose(letter: Letter, settings: Settings, tenant_slug: str) -> EmailMessage:
    """The e-mail of one notification: its subject, its body, the page it links to and the
    inbox, as absolute links on the deployment's public address."""
    base = f"{settings.public_url.rstrip('/')}/t/{tenant_slug}"
    lines = [f"{letter.name}，您好：", "", letter.body.strip() or letter.subject]
    if letter.link:
        lines += ["", "请点击以下链接查看和办理：", f"{base}{letter.link}"]
    lines += ["", f"全部待办和消息请见收件箱：{base}/inbox", "", f"——{SITE}", "（本邮件由系统自动发送，请勿直接回复。）"]
    msg = EmailMessage()
    msg["Subject"] = f"【同心】{letter.subject}"
    msg["From"] = formataddr(("同心平台", settings.smtp_sender))
    msg["To"] = formataddr((letter.name, letter.address))
    # The notification's own id: a mail sent again after a crash (see the module's doc) is the same message.
    host = urlsplit(settings.public_url).hostname or "tongxin.local"
    msg["Message-ID"] = f"<notification.{letter.tenant_id}.{letter.notification_id}@{host}>"
    msg.set_content("\n".join(lines), charset="utf-8")
    return msg


def send_pending(db: Database, settings: Settings, tenant_id: int, *, limit: int = BATCH) -> Outcome:
    """Mail the tenant's notifications that have not been mailed, and retry the failed ones that
    are due: each once. Nothing when e-mail is off. The number sent and failed."""
    if not settings.mail_enabled:
        return Outcome()
    letters = _claim(db, tenant_id, limit)
    if not letters:
        return Outcome()
    with db.session() as s:
        slug = s.scalars(select(Tenant.slug).where(Tenant.id == tenant_id)).one()
    try:
        smtp = _connect(settings)
    except (OSError, smtplib.SMTPException) as exc:
        for letter in letters:
            _record(db, tenant_id, letter.delivery_id, exc)
        return Outcome(failed=len(letters))
    sent = failed = 0
    with smtp:
        for i, letter in enumerate(letters):
            try:
                smtp.send_message(compose(letter, settings, slug))
            except smtplib.SMTPServerDisconnected as exc:  # the connection is gone: the rest wait too
                for rest in letters[i:]:
                    _record(db, tenant_id, rest.delivery_id, exc)
                return Outcome(sent, failed + len(letters) - i)
            except smtplib.SMTPException as exc:  # this one refused (a bad address ...); go on with the others
                # Before OSError, which SMTPException is a kind of: a refused address must not
                # fail the letters after it with its own error.
                _record(db, tenant_id, letter.delivery_id, exc)
                failed += 1
            except OSError as exc:  # the socket failed: the rest wait too
                for rest in letters[i:]:
                    _record(db, tenant_id, rest.delivery_id, exc)
                return Outcome(sent, failed + len(letters) - i)
            else:
                _record(db, tenant_id, letter.delivery_id, None)
                sent += 1
    return Outcome(sent, failed)


def _connect(settings: Settings) -> smtplib.SMTP:
    smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30)
    try:
        if settings.smtp_tls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def _claim(db: Database, tenant_id: int, limit: int) -> list[Letter]:
    """Claim, in one committed transaction, the notifications to mail now: those of people with
    an address that have no delivery yet, and the deliveries due again. [] when another sender
    claimed one of them first (it sends them; the next run takes what is left)."""
    now = db.clock.now()
    try:
        with db.scope(tenant_id=tenant_id, audit_action="mail.claim") as s:
            fresh = s.execute(
                select(Notification.id, User.email).join(User, User.id == Notification.user_id)
                .where(User.email.is_not(None), User.email != "", User.is_active.is_(True),
                       Notification.created_at >= now - HORIZON,
                       ~exists().where(MailDelivery.notification_id == Notification.id))
                .order_by(Notification.id).limit(limit)).all()
            claimed = [MailDelivery(notification_id=nid, address=email.strip(), state=DeliveryState.sending.value,
                                    attempts=1, last_error="", claimed_at=now) for nid, email in fresh]
            s.add_all(claimed)
            due = s.scalars(
                select(MailDelivery).where(or_(
                    and_(MailDelivery.state == DeliveryState.failed.value, MailDelivery.next_attempt_at <= now),
                    and_(MailDelivery.state == DeliveryState.sending.value, MailDelivery.claimed_at <= now - LEASE)))
                .order_by(MailDelivery.id).limit(limit).with_for_update(skip_locked=True)).all()
            for d in due:
                d.state, d.attempts, d.claimed_at = DeliveryState.sending.value, d.attempts + 1, now
            s.flush()
            return _letters(s, [*claimed, *due])
    except IntegrityError:
        log.info("another sender claimed these notifications first")
        return []


def _letters(s, deliveries: list[MailDelivery]) -> list[Letter]:
    if not deliveries:
        return []
    ids = [d.notification_id for d in deliveries]
    rows = {n.id: (n, name) for n, name in s.execute(
        select(Notification, User.display_name).join(User, User.id == Notification.user_id)
        .where(Notification.id.in_(ids)))}
    letters = []
    for d in deliveries:
        n, name = rows[d.notification_id]
        letters.append(Letter(d.id, n.id, n.tenant_id, d.address, name, n.subject, n.body or "", n.link))
    return letters


def _record(db: Database, tenant_id: int, delivery_id: int, error: BaseException | None) -> None:
    """The outcome of one attempt, committed at once: sent, or failed with its error and when
    to try again (given up after ``MAX_ATTEMPTS``)."""
    now = db.clock.now()
    with db.scope(tenant_id=tenant_id, audit_action="mail.sent" if error is None else "mail.failed") as s:
        d = s.get(MailDelivery, delivery_id)
        if error is None:
            d.state, d.sent_at, d.last_error, d.next_attempt_at = DeliveryState.sent.value, now, "", None
            return
        d.last_error = f"{type(error).__name__}: {error}"[:2000]
        if d.attempts >= MAX_ATTEMPTS:
            d.state, d.next_attempt_at = DeliveryState.gave_up.value, None
            log.error("gave up mailing notification %s to %s: %s", d.notification_id, d.address, d.last_error)
        else:
            d.state, d.next_attempt_at = DeliveryState.failed.value, now + backoff(d.attempts)
            log.warning("mailing notification %s failed (attempt %s): %s", d.notification_id, d.attempts, d.last_error)


def run(settings: Settings, tenant_id: int) -> Outcome:
    """The task body as the relay and the CLI call it: this platform's database."""
    from core.tasks.jobs import database  # the tasks' one database per settings
    return send_pending(database(settings), settings, tenant_id)
