"""Column helpers shared by the models."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from core.clock import now

UTC = dt.timezone.utc


class UtcDateTime(TypeDecorator):
    """A moment in time, written and read with its offset on every database.

    PostgreSQL's ``timestamptz`` keeps the offset, SQLite keeps text without one: the same field
    would come back as ``2023-03-15T10:00:00`` there and ``...+00:00`` here (and a client would
    read a wall time of unknown zone). This type stores every moment as UTC and hands it back
    as an aware UTC ``datetime`` whatever the database, so the API always answers RFC 3339 with
    an offset. A naive value written is taken to be UTC already (the platform's clock is UTC).
    """

    impl = DateTime
    cache_ok = True

    def __init__(self, timezone: bool = True):
        super().__init__(timezone=timezone)

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if not isinstance(value, dt.datetime):
            raise TypeError(f"a moment in time must be a datetime, not {type(value).__name__}")
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        # Where the column keeps no offset (SQLite; a column declared without a time zone),
        # the UTC wall time is stored, so reading it back as UTC is exact.
        if dialect.name != "postgresql" or not self.impl.timezone:
            value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, str):  # a raw value read around the ORM's own conversion
            value = dt.datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def created_at() -> Mapped[dt.datetime]:
    return mapped_column(UtcDateTime(), default=now, nullable=False)


def moment(**kwargs) -> Mapped[dt.datetime | None]:
    """A nullable moment in time (decided_at, revoked_at ...): see ``UtcDateTime``."""
    return mapped_column(UtcDateTime(), **kwargs)
