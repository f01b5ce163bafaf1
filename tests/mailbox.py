"""A real SMTP server on the loopback interface (aiosmtpd), for the tests of the inbox's e-mail:
it speaks SMTP over a socket and keeps every message it accepts, parsed, so a test reads what
a person's mail program would (no mock of smtplib anywhere)."""
from __future__ import annotations

import contextlib
import socket
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Iterator

from aiosmtpd.controller import Controller
from sqlalchemy import select

from core.models import MailDelivery, User
from tests.factories import acting


class Mailbox:
    """What the server received: each message with the envelope's recipients. ``refuse``: the
    addresses it answers "550 no such user" for (a bad address, a permanent refusal)."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self.refuse: set[str] = set()
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's name
        if address in self.refuse:
            return "550 5.1.1 no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        with self._lock:
            self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [m for rcpts, m in self.messages if address in rcpts]

    def __len__(self) -> int:
        with self._lock:
            return len(self.messages)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def smtp_server(port: int | None = None) -> Iterator[tuple[Mailbox, int]]:
    """A running SMTP server on 127.0.0.1 (on ``port``, or a free one) and its mailbox."""
    box = Mailbox()
    port = port or free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


def body_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


CHAIR, EXPERT = "chair@ghxl.example.cn", "expert@ghxl.example.cn"


def give_addresses(platform, **by_username) -> None:
    with acting(platform, "jingan", None) as ctx:
        for username, address in by_username.items():
            ctx.session.scalars(select(User).where(User.username == username)).one().email = address


def mail_on(settings, port: int) -> None:
    settings.smtp_host, settings.smtp_port = "127.0.0.1", port
    settings.public_url = "https://tongxin.example.cn"


def deliveries(platform) -> list[MailDelivery]:
    with acting(platform, "jingan", None) as ctx:
        rows = list(ctx.session.scalars(select(MailDelivery).order_by(MailDelivery.id)))
        ctx.session.expunge_all()
        return rows
