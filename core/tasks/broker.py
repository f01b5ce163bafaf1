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


def _configured(settings: Settings) -> Celery:
    app = PlatformCelery("tongxin", broker=settings.broker_url, backend=settings.broker_url)
    app.platform_clock = of_settings(settings)
    app.conf.update(
        task_acks_late=True,            # a worker that dies mid-task leaves it for another: tasks are idempotent
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_serializer="json", accept_content=["json"], result_serializer="json",
        result_expires=24 * 3600,
        timezone="Asia/Shanghai", enable_utc=True,
        broker_connection_retry_on_startup=True,
    )
    return app
