"""The outbox: the tasks a unit of work asked for, recorded in its own transaction.

A change and the task that must follow it (tell the panel a project was submitted) are
committed together or not at all: the task is a row here, written by the same session as the
change. Sending it to the broker (or running it in-process, in the embedded profile) happens
after the commit (``core.tasks.relay``); a broker that is down leaves the row ``pending`` and
the periodic relay sends it when the broker is back. So a committed change never loses its
task, and an outage never turns a committed change into an error."""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, Index, Integer, String, Text as SAText
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, JSONDoc
from core.i18n import T, Text
from core.models._types import created_at, moment
from core.tenancy import TenantOwned


class OutboxState(str, enum.Enum):
    """``pending``: recorded, not yet handed over (the broker was unreachable, or the relay has
    not run yet); ``sent``: handed to the broker (or run in-process); ``gave_up``: an in-process
    run failed ``MAX_ATTEMPTS`` times, kept with its last error for the office. A broker outage
    never gives up: the row waits for the broker."""

    pending = "pending"
    sent = "sent"
    gave_up = "gave_up"

    @property
    def label(self) -> Text:
        return OUTBOX_LABELS[self]


OUTBOX_LABELS = {
    OutboxState.pending: T("待发送", "pending"),
    OutboxState.sent: T("已发送", "sent"),
    OutboxState.gave_up: T("多次执行失败，已停止重试", "failed too often, no more retries"),
}


class OutboxMessage(TenantOwned, Base):
    """One task to send: its Celery name and keyword arguments (the tenant among them). The
    row's id is the message's identity: it is sent as the Celery task id, so a message sent
    twice (a relay that died between the broker's acknowledgement and its own commit) is
    recognisably the same, and the task bodies are idempotent."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint("state IN ('pending', 'sent', 'gave_up')", name="state_known"),
        # The relay's question, per tenant: what is pending, oldest first.
        Index("ix_outbox_messages_pending", "tenant_id", "state", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task: Mapped[str] = mapped_column(String(100))
    kwargs: Mapped[dict] = mapped_column(JSONDoc, default=dict)
    state: Mapped[str] = mapped_column(String(20), default=OutboxState.pending.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(SAText, default="")
    created_at: Mapped[dt.datetime] = created_at()
    sent_at: Mapped[dt.datetime | None] = moment()
    # In-process runs that failed wait until then; a broker outage sets nothing here.
    next_attempt_at: Mapped[dt.datetime | None] = moment()
