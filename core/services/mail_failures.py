"""Notification mails that could not be sent, for the tenant's administrator: who was to get
what, when it happened, the SMTP server's last answer, and sending one or all of them again.

The failure itself is recorded by the sender (``core.tasks.mail``): each notification's one
``MailDelivery`` row keeps its state (``failed``, retried by itself later; ``gave_up`` after
``MAX_ATTEMPTS``), the number of attempts, the last error and when it tries next; the audit log
keeps every attempt's change. This page only reads those rows and makes one due *now*: a retry
sets it back to ``failed`` with its next attempt at this moment and, once committed, starts the
sender (in-process at once in the embedded profile, the Celery task in production). The sender
claims due deliveries in one transaction, so a mail retried by hand, by the timetable and by a
second click is still sent once. A delivery that has given up keeps its count of attempts: if
the server still refuses, it gives up again after this one attempt, rather than starting eight
more behind the administrator's back.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from core.i18n import T
from core.models import DeliveryState, MailDelivery, Notification, User
from core.permissions import A
from core.services.context import Ctx
from core.tasks.dispatch import enqueue
from core.tasks.mail import TASK
from core.violations import NotFound, RuleError, Violation

FAILED = (DeliveryState.failed.value, DeliveryState.gave_up.value)
MAIL = T("发送失败的邮件", "failed mail")
MAIL_OFF = T("本平台未配置邮件服务器（SMTP），邮件发送已关闭，无法重发",
             "No SMTP server is configured here: mail is off, so nothing can be sent again")
NOT_ALLOWED = T("只有区级管理员可以查看和重发发送失败的邮件", "Only the district administrator sees and resends failed mail")


@dataclass(frozen=True)
class FailedMail:
    """One mail that could not be sent, with what the page shows of it."""

    delivery: MailDelivery
    user_name: str
    username: str
    kind: str
    subject: str
    link: str | None
    notified_at: dt.datetime


def failed_mail(ctx: Ctx, *, limit: int = 50, offset: int = 0) -> tuple[list[FailedMail], int]:
    """The tenant's mails that failed or were given up, most recent attempt first, and how many
    there are (two statements whatever the page)."""
    ctx.require(A.mail_manage, None, NOT_ALLOWED)
    where = MailDelivery.state.in_(FAILED)
    total = ctx.session.scalar(select(func.count(MailDelivery.id)).where(where))
    rows = ctx.session.execute(
        select(MailDelivery, User.display_name, User.username, Notification.kind, Notification.subject,
               Notification.link, Notification.created_at)
        .join(Notification, Notification.id == MailDelivery.notification_id)
        .join(User, User.id == Notification.user_id)
        .where(where).order_by(MailDelivery.claimed_at.desc(), MailDelivery.id.desc())
        .limit(max(1, min(limit, 200))).offset(max(0, offset)))
    return [FailedMail(*row) for row in rows], int(total or 0)


def _send_after_commit(ctx: Ctx) -> None:
    settings, tenant_id = ctx.settings, ctx.tenant_id
    ctx.after_commit(lambda: enqueue(settings, TASK, tenant_id=tenant_id))


def _require_mail_on(ctx: Ctx) -> None:
    if not ctx.settings.mail_enabled:
        raise RuleError(Violation("mail_off", MAIL_OFF), status=409)


def retry_mail(ctx: Ctx, delivery_id: int) -> MailDelivery:
    """Send one failed mail again now (it is sent once the retry is committed)."""
    ctx.require(A.mail_manage, None, NOT_ALLOWED)
    delivery = ctx.session.get(MailDelivery, delivery_id, with_for_update=True) if isinstance(delivery_id, int) else None
    if delivery is None:
        raise NotFound(MAIL, field="delivery_id")
    _require_mail_on(ctx)
    if delivery.state not in FAILED:
        label = DeliveryState(delivery.state).label
        raise RuleError(Violation("mail_not_failed", T(
            f"这封邮件当前状态为「{label.zh}」，不需要重发", f"This mail is {label.en}: there is nothing to resend"),
            field="delivery_id"), status=409)
    with ctx.action("mail.retry"):
        delivery.state, delivery.next_attempt_at = DeliveryState.failed.value, ctx.clock.now()
    _send_after_commit(ctx)
    return delivery


def retry_all_mail(ctx: Ctx) -> int:
    """Send every failed mail of the tenant again now; how many were made due."""
    ctx.require(A.mail_manage, None, NOT_ALLOWED)
    _require_mail_on(ctx)
    rows = list(ctx.session.scalars(select(MailDelivery).where(MailDelivery.state.in_(FAILED)).with_for_update()))
    if not rows:
        raise RuleError(Violation("no_failed_mail", T("没有发送失败的邮件", "No mail has failed")), status=409)
    now = ctx.clock.now()
    with ctx.action("mail.retry"):
        for delivery in rows:
            delivery.state, delivery.next_attempt_at = DeliveryState.failed.value, now
    _send_after_commit(ctx)
    return len(rows)
