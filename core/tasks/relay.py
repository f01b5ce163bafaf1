"""The relay: sends the outbox's pending tasks (``core.models.outbox``) once their transaction
is committed.

**When.** Right after the commit that recorded them (``core.tasks.dispatch``, best effort: the
request never waits on it beyond one short connection attempt), and periodically for whatever
is left: beat's ``tongxin.relay`` every minute in production, every commit of the tenant in the
embedded profile, and ``tongxin tasks relay`` from cron where neither runs.

**Broker down.** A publish that fails marks the broker down in this process for
``PAUSE`` seconds: the requests of that time commit their changes and leave their tasks pending
without even trying, so nothing waits on a dead broker (``core.tasks.broker.publish`` is one
connection attempt of at most two seconds). The periodic relay tries regardless, and a broker
outage never gives a task up.

**Once in effect.** On PostgreSQL a relay locks the rows it sends (``FOR UPDATE SKIP LOCKED``),
so two relays never send the same row at once; the row's id is the Celery task id. A relay
that dies between the broker's acknowledgement and its own commit leaves the row pending, and
it is sent again: the task bodies are idempotent (``core.tasks.jobs``), so the effect is once.

**In-process** (the embedded profile) the relay runs the task bodies itself, after the claim
is committed; a body that fails is retried from ``next_attempt_at`` (``backoff``) and given up
after ``MAX_ATTEMPTS``, kept with its error.
"""
from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass

from sqlalchemy import or_, select

from core.config import Settings
from core.db import Database
from core.models import OutboxMessage, OutboxState

log = logging.getLogger(__name__)

PAUSE = 30.0  # seconds the request path leaves a broker alone after it failed
BATCH = 200
MAX_ATTEMPTS = 8
FIRST_RETRY = dt.timedelta(minutes=1)
LONGEST_WAIT = dt.timedelta(hours=1)

_broker_down_until: dict[str, float] = {}


@dataclass(frozen=True)
class Relayed:
    sent: int = 0
    pending: int = 0  # left for the next relay (broker unreachable, or a run failed)


def backoff(attempts: int) -> dt.timedelta:
    """How long after the ``attempts``-th failed in-process run the next one is made."""
    return min(FIRST_RETRY * 2 ** max(0, attempts - 1), LONGEST_WAIT)


def task_id(row: OutboxMessage) -> str:
    """The Celery task id of an outbox row: the same message each time it is sent."""
    return f"outbox-{row.tenant_id}-{row.id}"


def broker_paused(settings: Settings) -> bool:
    return time.monotonic() < _broker_down_until.get(settings.broker_url or "", 0.0)


def relay(settings: Settings, tenant_id: int, ids: list[int] | None = None, *, on_request: bool = False,
          limit: int = BATCH) -> Relayed:
    """Send the tenant's pending tasks that are due (only ``ids`` when given). ``on_request``:
    called on a request's path, which leaves a broker alone that just failed."""
    from core.tasks.jobs import database  # late: the task bodies import the models and services
    db = database(settings)
    if settings.tasks_in_process:
        return _run_in_process(db, settings, tenant_id, ids, limit)
    if on_request and broker_paused(settings):
        return Relayed(pending=len(ids) if ids else 0)
    return _publish(db, settings, tenant_id, ids, limit)


def _due(db: Database, ids: list[int] | None, limit: int):
    now = db.clock.now()
    stmt = (select(OutboxMessage)
            .where(OutboxMessage.state == OutboxState.pending.value,
                   or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now))
            .order_by(OutboxMessage.id).limit(limit).with_for_update(skip_locked=True))
    return stmt.where(OutboxMessage.id.in_(ids)) if ids is not None else stmt


def _publish(db: Database, settings: Settings, tenant_id: int, ids: list[int] | None, limit: int) -> Relayed:
    from core.tasks.broker import publish
    sent = 0
    with db.scope(tenant_id=tenant_id, audit_action="outbox.send") as s:
        rows = s.scalars(_due(db, ids, limit)).all()
        for i, row in enumerate(rows):
            try:
                publish(settings, row.task, dict(row.kwargs), task_id(row))
            except Exception as exc:  # noqa: BLE001 - the broker is unreachable: the rest wait too
                _broker_down_until[settings.broker_url or ""] = time.monotonic() + PAUSE
                row.attempts += 1
                row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                log.warning("broker unreachable; %d task(s) of tenant %s stay in the outbox: %s",
                            len(rows) - i, tenant_id, row.last_error)
                return Relayed(sent, len(rows) - i)
            row.state, row.sent_at, row.attempts = OutboxState.sent.value, db.clock.now(), row.attempts + 1
            sent += 1
    _broker_down_until.pop(settings.broker_url or "", None)
    return Relayed(sent, 0)


def _run_in_process(db: Database, settings: Settings, tenant_id: int, ids: list[int] | None, limit: int) -> Relayed:
    from core.tasks import mail
    from core.tasks.jobs import run_inline
    # SQLite allows one writer: the claim is read and closed before the bodies write.
    with db.scope(tenant_id=tenant_id) as s:
        todo = [(r.id, r.task, dict(r.kwargs)) for r in s.scalars(_due(db, ids, limit))]
    sent = failed = 0
    for row_id, name, kwargs in todo:
        try:
            if name == mail.TASK:
                mail.run(settings, **kwargs)
            else:
                run_inline(settings, name, **kwargs)
                # inbox: the tasks are what write notifications; in-process, their mail follows at once
                if settings.mail_enabled:
                    mail.run(settings, kwargs["tenant_id"])
        except Exception as exc:  # noqa: BLE001 - a failed task must not fail the request: retried
            log.exception("in-process task %s failed", name)
            _record_failure(db, tenant_id, row_id, exc)
            failed += 1
        else:
            with db.scope(tenant_id=tenant_id, audit_action="outbox.send") as s:
                row = s.get(OutboxMessage, row_id)
                row.state, row.sent_at, row.attempts = OutboxState.sent.value, db.clock.now(), row.attempts + 1
            sent += 1
    return Relayed(sent, failed)


def _record_failure(db: Database, tenant_id: int, row_id: int, error: BaseException) -> None:
    with db.scope(tenant_id=tenant_id, audit_action="outbox.failed") as s:
        row = s.get(OutboxMessage, row_id)
        row.attempts += 1
        row.last_error = f"{type(error).__name__}: {error}"[:2000]
        if row.attempts >= MAX_ATTEMPTS:
            row.state, row.next_attempt_at = OutboxState.gave_up.value, None
            log.error("gave up task %s (outbox %s) after %d attempts: %s", row.task, row.id, row.attempts,
                      row.last_error)
        else:
            row.next_attempt_at = db.clock.now() + backoff(row.attempts)


def relay_all(settings: Settings) -> Relayed:
    """Every tenant's pending tasks (the periodic relay). The total sent and left pending."""
    from core.tasks.jobs import database, tenant_ids
    sent = pending = 0
    for tid in tenant_ids(database(settings)):
        done = relay(settings, tid)
        sent, pending = sent + done.sent, pending + done.pending
    return Relayed(sent, pending)
