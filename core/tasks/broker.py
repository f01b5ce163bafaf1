"""The Celery application of a platform's settings: what sends tasks and what works them.

One app per (broker, database): its tasks use the settings' database, so two platforms sharing
a broker must not share one app. The app here is configured but knows no task bodies: a sender
(``core.tasks.dispatch``) needs only the broker, since Celery sends a task by its name, and the
worker's module (``core.tasks.celery_app``) declares the tasks on this same app.
"""
from __future__ import annotations

from celery import Celery

from core.clock import Clock, of_settings
from core.config import Settings

_apps: dict[tuple[str, str], Celery] = {}


def app_for(settings: Settings) -> Celery:
    """The Celery app for these settings, made on first use and kept per (broker, database)."""
    key = (settings.broker_url or "memory://", settings.database_url)
    app = _apps.get(key)
    if app is None:
        app = _apps[key] = _configured(settings)
    return app


class PlatformCelery(Celery):
    """A Celery app whose "now" is the platform's clock (``core.clock``): beat decides when a
    schedule is due, and which day it is for, by the time the rest of the platform keeps
    (TONGXIN_TODAY pins it for beat as it does for the web app and the worker)."""

    # Not ``clock``: Celery's own ``app.clock`` is its logical (Lamport) clock.
    platform_clock: Clock | None = None

    def now(self):
        if self.platform_clock is None:
            return super().now()
        return self.platform_clock.now().astimezone(self.timezone)


# How long anything may wait on the broker, in seconds. A publish on the request path gives up
# after one connection attempt of at most this long (``publish``); the task stays in the outbox.
CONNECT_TIMEOUT = 2
SOCKET_TIMEOUT = 5


def _configured(settings: Settings) -> Celery:
    app = PlatformCelery("tongxin", broker=settings.broker_url, backend=settings.broker_url)
    app.platform_clock = of_settings(settings)
    transport = {
        # A task a worker took and never acknowledged (the worker was killed as a whole: no
        # process was left to requeue it) comes back to the queue once it has been out this long.
        # Redis's default is an hour; ours is the setting (5 minutes by default), longer than any
        # task runs (a task still running when it expires is handed out again: the bodies are
        # idempotent, so that costs time, not a double effect). Retries wait less than this.
        "visibility_timeout": settings.task_visibility_timeout,
        # How often a worker looks for such tasks: every 10 s, each time (kombu's default
        # throttle scans only every 10th time, i.e. every 100 s).
        "unacked_restore_interval": 10,
        "unacked_restore_throttle": 1,
        # A dead or unreachable Redis answers within seconds, never after kombu's long waits.
        "socket_connect_timeout": CONNECT_TIMEOUT,
        "socket_timeout": SOCKET_TIMEOUT,
    }
    app.conf.update(
        # Acknowledge a task when it has run, not when it was received: a worker that dies
        # mid-task leaves it unacknowledged, so it runs again (the bodies are idempotent).
        task_acks_late=True,
        # A pool process killed under a living worker (OOM, SIGKILL of one child): the task is
        # requeued at once instead of acknowledged as failed.
        task_reject_on_worker_lost=True,
        # One task reserved per pool process: a worker that dies holds (and delays) as few
        # tasks as possible, and a busy worker does not sit on tasks another could run.
        worker_prefetch_multiplier=1,
        broker_transport_options=transport,
        # The result backend is the same Redis: the same bounds and visibility.
        result_backend_transport_options=transport,
        redis_socket_connect_timeout=CONNECT_TIMEOUT,
        redis_socket_timeout=SOCKET_TIMEOUT,
        broker_connection_timeout=CONNECT_TIMEOUT,
        task_serializer="json", accept_content=["json"], result_serializer="json",
        result_expires=24 * 3600,
        timezone="Asia/Shanghai", enable_utc=True,
        # The worker and beat keep reconnecting to a broker that went away (not the web: see
        # ``publish``).
        broker_connection_retry_on_startup=True,
    )
    return app


def publish(settings: Settings, name: str, kwargs: dict, task_id: str) -> None:
    """Send one task now, or raise at once: a single connection attempt bounded by
    ``CONNECT_TIMEOUT``, no retry loop (the outbox keeps the task for the next relay), and no
    result subscription (nobody waits for an outbox task's result, and Celery's result
    consumer, once it failed to reach Redis, stays broken until the process restarts)."""
    app = app_for(settings)
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=0)
        app.send_task(name, kwargs=kwargs, task_id=task_id, connection=conn, retry=False, ignore_result=True)
