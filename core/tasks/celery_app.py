"""The Celery application of the production profile (worker and beat in docker-compose.yml).

    celery -A core.tasks.celery_app worker
    celery -A core.tasks.celery_app beat --schedule=/var/lib/tongxin/beat/celerybeat-schedule

Task bodies live in ``core.tasks.jobs`` (plain functions, also run in-process by the embedded
profile); this module only wraps them as Celery tasks with retries, and declares what beat runs.
"""
from __future__ import annotations

from celery import Celery
from celery.schedules import crontab

from core.config import Settings
from core.tasks import jobs

_apps: dict[tuple[str, str], Celery] = {}

# What beat sends. The daily fan-out asks each tenant's own task to run, so every task that
# touches tenant data still takes its tenant explicitly. Times are Asia/Shanghai.
BEAT_SCHEDULE = {
    "daily-deadline-reminders": {"task": "tongxin.daily", "schedule": crontab(hour=8, minute=0)},
}


def celery_for(settings: Settings) -> Celery:
    """The Celery app for these settings. Its tasks use the settings' database, so apps are
    kept per (broker, database): two platforms sharing a broker must not share task bodies."""
    key = (settings.broker_url or "memory://", settings.database_url)
    app = _apps.get(key)
    if app is None:
        app = _apps[key] = _make(settings)
    return app


def _make(settings: Settings) -> Celery:
    app = Celery("tongxin", broker=settings.broker_url, backend=settings.broker_url)
    app.conf.update(
        task_acks_late=True,            # a worker that dies mid-task leaves it for another: tasks are idempotent
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_serializer="json", accept_content=["json"], result_serializer="json",
        result_expires=24 * 3600,
        timezone="Asia/Shanghai", enable_utc=True,
        broker_connection_retry_on_startup=True,
        beat_schedule=BEAT_SCHEDULE,
    )

    # shared=False: a task belongs to this app only. Celery's default would hand every later
    # app the first app's callable, and with it the first app's database.
    @app.task(name="tongxin.notify_panel", shared=False, bind=True, max_retries=5, default_retry_delay=10)
    def notify_panel(self, tenant_id: int, project_id: int, submission: str) -> int:
        try:
            return jobs.notify_panel(jobs.database(settings), tenant_id=tenant_id, project_id=project_id,
                                     submission=submission)
        except Exception as exc:  # noqa: BLE001 - retried; idempotent
            raise self.retry(exc=exc)

    @app.task(name="tongxin.remind_deadlines", shared=False, bind=True, max_retries=5, default_retry_delay=60)
    def remind_deadlines(self, tenant_id: int, day: str | None = None) -> int:
        try:
            return jobs.remind_deadlines(jobs.database(settings), tenant_id=tenant_id, day=day)
        except Exception as exc:  # noqa: BLE001 - retried; idempotent
            raise self.retry(exc=exc)

    @app.task(name="tongxin.daily", shared=False)
    def daily(day: str | None = None) -> int:
        """Beat's daily entry: one ``remind_deadlines`` per tenant, all for the same day."""
        from core.tasks.dispatch import enqueue
        db = jobs.database(settings)
        day = day or db.clock.today().isoformat()  # the Shanghai day, on the platform's clock
        tenants = jobs.tenant_ids(db)
        for tenant_id in tenants:
            enqueue(settings, "tongxin.remind_deadlines", tenant_id=tenant_id, day=day)
        return len(tenants)

    return app


def _from_env() -> Celery:
    # TONGXIN_TODAY pins the worker's clock as it pins the web app's (core.clock.of_settings).
    return celery_for(Settings.from_env())


# The module-level app the `celery -A core.tasks.celery_app` command line looks for; built
# from the environment like every other entry point (web, CLI).
app = _from_env()
