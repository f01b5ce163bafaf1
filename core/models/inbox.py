"""What the inbox stores beside the notifications themselves: the e-mail sent for each one
(``MailDelivery``) and the roles handed over to a successor (``RoleHandover``).

To-dos are not stored at all: they are computed from the state of the objects and the
permission table (``core.plugin_host.todo``), so nothing here has to follow them."""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text as SAText, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, Fen
from core.i18n import T, Text
from core.models._types import created_at, moment
from core.models.org import OrgUnit
from core.tenancy import TenantOwned


class DeliveryState(str, enum.Enum):
    """``sending``: claimed by a sender (a crash leaves it to be retried once its lease ends);
    ``sent``: the SMTP server accepted it; ``failed``: refused or unreachable, retried from
    ``next_attempt_at``; ``gave_up``: failed ``MAX_ATTEMPTS`` times, kept with its last error."""

    sending = "sending"
    sent = "sent"
    failed = "failed"
    gave_up = "gave_up"

    @property
    def label(self) -> Text:
        return DELIVERY_LABELS[self]


DELIVERY_LABELS = {
    DeliveryState.sending: T("发送中", "sending"),
    DeliveryState.sent: T("已发送", "sent"),
    DeliveryState.failed: T("发送失败，稍后重试", "failed, to be retried"),
    DeliveryState.gave_up: T("多次发送失败，已停止重试", "failed too often, no more retries"),
}


def _in(column: str, enum_cls) -> str:
    return f"{column} IN ({', '.join(repr(m.value) for m in enum_cls)})"


class MailDelivery(TenantOwned, Base):
    """The e-mail of one notification. One row per notification (unique): that is what makes
    the sender idempotent, since a notification with a row is never picked up as new again."""

    __tablename__ = "mail_deliveries"
    __table_args__ = (
        UniqueConstraint("notification_id"),
        CheckConstraint(_in("state", DeliveryState), name="state_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id", ondelete="CASCADE"))
    address: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(20), default=DeliveryState.sending.value, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(SAText, default="")
    created_at: Mapped[dt.datetime] = created_at()
    claimed_at: Mapped[dt.datetime | None] = moment()
    sent_at: Mapped[dt.datetime | None] = moment()
    next_attempt_at: Mapped[dt.datetime | None] = moment()


class RoleHandover(TenantOwned, Base):
    """A role handed from one person to a successor at the same unit (a staff change): the
    predecessor's membership ends, the successor's begins, in one transaction. ``open_todos``
    is how many to-dos the role carried at that moment (they follow the role: see
    ``core.services.handover``); ``panel_seats`` how many review panel seats moved with it."""

    __tablename__ = "role_handovers"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    from_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    to_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    reason: Mapped[str] = mapped_column(String(500))
    authority_limit_fen: Mapped[int | None] = mapped_column(Fen)
    open_todos: Mapped[int] = mapped_column(Integer, default=0)
    panel_seats: Mapped[int] = mapped_column(Integer, default=0)
    handed_over_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    handed_over_at: Mapped[dt.datetime] = created_at()

    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")
