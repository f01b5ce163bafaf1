"""How work asks for a task: recorded in the outbox with the change, sent after the commit.

``enqueue(ctx, name, **kwargs)`` writes the task into the unit of work's own transaction
(``core.models.outbox``): committed with the change, or not at all. Once ``ctx.commit()`` has
committed, the relay (``core.tasks.relay``) hands it to a Celery worker (production) or runs it
in-process (embedded), best effort: a broker that is down leaves it pending for the periodic
relay, and the change stays committed. ``enqueue_now`` is the same for work that has no unit
of work of its own (beat's fan-out): its own short transaction, then the relay.

Callers name the task and pass keyword arguments (always including ``tenant_id``, the tenant
whose data it touches); they do not know which profile is active."""
from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from core.config import Settings
from core.models import OutboxMessage

log = logging.getLogger(__name__)


def record(session: Session, name: str, **kwargs) -> OutboxMessage:
    """Add the task to the session's transaction (the session's tenant must be the task's)."""
    if "tenant_id" not in kwargs:
        raise ValueError("tasks take the tenant explicitly")
    if session.info.get("tenant_id") != kwargs["tenant_id"]:
        raise ValueError("a task is recorded in the transaction of the tenant it works for")
    row = OutboxMessage(task=name, kwargs=kwargs)
    session.add(row)  # flushed with the change, at the latest by the commit
    return row


def enqueue(ctx, name: str, **kwargs) -> None:
    """Record the task in ``ctx``'s transaction; relay it once ``ctx.commit()`` committed."""
    kwargs.setdefault("tenant_id", ctx.tenant_id)
    row = record(ctx.session, name, **kwargs)
    settings, tenant_id = ctx.settings, kwargs["tenant_id"]
    # The row's id is known once the commit has flushed it. In-process the relay also retries
    # the tenant's earlier failures that are due.
    ctx.after_commit(lambda: _relay_after_commit(settings, tenant_id,
                                                 None if settings.tasks_in_process else [row.id]))


def enqueue_now(settings: Settings, name: str, **kwargs) -> None:
    """Record the task in a transaction of its own, then relay it (beat's fan-out)."""
    from core.tasks.jobs import database
    with database(settings).scope(tenant_id=kwargs.get("tenant_id")) as s:
        row = record(s, name, **kwargs)
    _relay_after_commit(settings, kwargs["tenant_id"], None if settings.tasks_in_process else [row.id])


def _relay_after_commit(settings: Settings, tenant_id: int, ids: list[int] | None) -> None:
    from core.tasks.relay import relay
    try:
        relay(settings, tenant_id, ids, on_request=True)
    except Exception:  # noqa: BLE001 - the change is committed; the periodic relay sends the task
        log.exception("relaying the outbox of tenant %s failed; the periodic relay will", tenant_id)
