"""Column helpers shared by the models."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, event, inspect
from sqlalchemy.orm import Mapped, Mapper, Session, mapped_column
from sqlalchemy.types import TypeDecorator

from core.clock import clock_of

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


# Marks a creation stamp in the column's ``info``: set by ``_stamp_new_rows``.
STAMPED = "stamped_at_creation"


def created_at() -> Mapped[dt.datetime]:
    """When the row was made: the clock of the session that wrote it (``core.clock``), so a
    row written under a ctx pinned to a day is dated that day. Not a column default: a default
    has no session to ask, and the platform's clock is per session, not per process."""
    return mapped_column(UtcDateTime(), nullable=False, info={STAMPED: True})


_stamped_keys: dict[Mapper, tuple[str, ...]] = {}


def _stamped(mapper: Mapper) -> tuple[str, ...]:
    if mapper not in _stamped_keys:
        _stamped_keys[mapper] = tuple(prop.key for prop in mapper.column_attrs
                                      if any(c.info.get(STAMPED) for c in prop.columns))
    return _stamped_keys[mapper]


@event.listens_for(Session, "before_flush")
def _stamp_new_rows(session: Session, _context, _instances) -> None:
    """Date every new row's creation stamps that nobody set, all with one moment per flush."""
    at = None
    for obj in session.new:
        for key in _stamped(inspect(obj).mapper):
            if getattr(obj, key) is None:
                at = at or clock_of(session).now()
                setattr(obj, key, at)


def moment(**kwargs) -> Mapped[dt.datetime | None]:
    """A nullable moment in time (decided_at, revoked_at ...): see ``UtcDateTime``."""
    return mapped_column(UtcDateTime(), **kwargs)
