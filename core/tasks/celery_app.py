"""The Celery application of the production profile (worker and beat in docker-compose.yml).

    celery -A core.tasks.celery_app worker
    celery -A core.tasks.celery_app beat --schedule=/var/lib/tongxin/beat/celerybeat-schedule

Task bodies live in ``core.tasks.jobs`` (plain functions, also run in-process by the embedded
profile); this module only wraps them as Celery tasks with retries, on the app of
``core.tasks.broker``, and declares what beat runs.
"""
from __future__ import annotations

from celery import Celery, current_app
from celery.beat import BeatLazyFunc
from celery.schedules import crontab

from core.clock import local_date
from core.config import Settings
from core.db import unavailable
from core.platform import register_parts
from core.plugin_host.manager import PluginHost
from core.production import refuse_unsafe
from core.tasks import broker, jobs, mail, relay
from core.tasks.dispatch import enqueue_now

_declared: set[int] = set()  # the apps (by id) whose tasks are declared



def beat_day() -> str:
    """The day beat sends the daily task for: the Shanghai day on the platform's clock (the app's
    ``now``, ``core.tasks.broker.PlatformCelery``) when it fires, so a message handled after
    midnight, or by a worker whose clock reads otherwise, still answers for that day."""
    return local_date(current_app.now()).isoformat()


# What beat sends. The daily fan-out asks each tenant's own tasks to run, so every task that
# touches tenant data still takes its tenant explicitly. Times are Asia/Shanghai, on the
# platform's clock; the day is the one beat fired on.
BEAT_SCHEDULE = {
    "daily-deadline-reminders": {"task": "tongxin.daily", "schedule": crontab(hour=8, minute=0),
                                 "kwargs": {"day": BeatLazyFunc(beat_day)}},
    # inbox: every few minutes, each tenant's notifications not yet mailed (and the retries due)
    "mail-notifications": {"task": "tongxin.mail", "schedule": crontab(minute="*/5")},
    # the outbox: every minute, each tenant's tasks not yet handed to the broker (it was down
    # when their change was committed, or the process that committed it died first)
    "outbox-relay": {"task": "tongxin.relay", "schedule": crontab(minute="*")},
}

# A task that met a database it cannot reach waits and tries again, for hours rather than
# minutes: the message was already taken off the outbox, so giving up would lose the work.
# The wait doubles from 10 s and stays under the broker's visibility timeout (a task that waits
# longer than that is handed out twice: harmless, but pointless).
DATABASE_RETRIES = 200
LONGEST_DATABASE_WAIT = 240


def retry(task, exc: Exception):
    """``task.retry`` for a failed body: patiently when the database is unreachable,
    otherwise within the task's own ``max_retries``."""
    if unavailable(exc):
        wait = min(10 * 2 ** task.request.retries, LONGEST_DATABASE_WAIT)
        return task.retry(exc=exc, countdown=wait, max_retries=DATABASE_RETRIES)
    return task.retry(exc=exc)


def celery_for(settings: Settings) -> Celery:
    """The Celery app for these settings (``core.tasks.broker``) with the tasks declared on it,
    and what beat sends."""
    app = broker.app_for(settings)
    if id(app) not in _declared:  # the broker keeps each app for good, so its id stays its own
        _declare(app, settings)
        _declared.add(id(app))
        jobs.use_host(_worker_host())
    return app


def _worker_host() -> PluginHost:
    """The worker's plugin host, built as a platform's is (the installed plugins, and the parts
    core registers: record sources, report facts, kinds of to-do)."""
    host = PluginHost()
    register_parts(host)
    return host


def _declare(app: Celery, settings: Settings) -> None:
    app.conf.beat_schedule = BEAT_SCHEDULE
    _declare_mail(app, settings)

    # shared=False: a task belongs to this app only. Celery's default would hand every later
    # app the first app's callable, and with it the first app's database.
    @app.task(name="tongxin.notify_panel", shared=False, bind=True, max_retries=5, default_retry_delay=10)
    def notify_panel(self, tenant_id: int, project_id: int, submission: str) -> int:
        try:
            return jobs.notify_panel(jobs.database(settings), tenant_id=tenant_id, project_id=project_id,
                                     submission=submission)
        except Exception as exc:  # noqa: BLE001 - retried; idempotent
            raise retry(self, exc)

    @app.task(name="tongxin.remind_deadlines", shared=False, bind=True, max_retries=5, default_retry_delay=60)
    def remind_deadlines(self, tenant_id: int, day: str | None = None) -> int:
        try:
            return jobs.remind_deadlines(jobs.database(settings), tenant_id=tenant_id, day=day)
        except Exception as exc:  # noqa: BLE001 - retried; idempotent
            raise retry(self, exc)

    @app.task(name="tongxin.obligations_daily", shared=False, bind=True, max_retries=5, default_retry_delay=60)
    def obligations_daily(self, tenant_id: int, day: str | None = None) -> dict:
        try:
            return jobs.obligations_daily(jobs.database(settings), tenant_id=tenant_id, day=day)
        except Exception as exc:  # noqa: BLE001 - retried; idempotent
            raise retry(self, exc)

    @app.task(name="tongxin.daily", shared=False, bind=True, max_retries=0)
    def daily(self, day: str | None = None) -> int:
        """Beat's entry: per tenant, one ``remind_deadlines`` and one ``obligations_daily``,
        all for the same day (through the outbox). Beat fires it once a day: a database that
        cannot be reached then is waited for (``retry``), other failures are not retried."""
        try:
            db = jobs.database(settings)
            day = day or db.clock.today().isoformat()  # the Shanghai day, on the platform's clock
            tenants = jobs.tenant_ids(db)
            for tenant_id in tenants:
                enqueue_now(settings, "tongxin.remind_deadlines", tenant_id=tenant_id, day=day)
                enqueue_now(settings, "tongxin.obligations_daily", tenant_id=tenant_id, day=day)
        except Exception as exc:  # noqa: BLE001 - the bodies it fans out to are idempotent
            raise retry(self, exc)
        return len(tenants)

    @app.task(name="tongxin.relay", shared=False)
    def relay_outbox() -> int:
        """Beat's entry: send every tenant's outbox tasks still pending (``core.tasks.relay``).
        Not retried: the next minute's run is the retry."""
        return relay.relay_all(settings).sent


def _declare_mail(app: Celery, settings: Settings) -> None:
    """inbox: mailing the notifications (``core.tasks.mail``), per tenant, with beat's fan-out."""

    @app.task(name=mail.TASK, shared=False, bind=True, max_retries=3, default_retry_delay=60)
    def send_mail(self, tenant_id: int) -> int:
        try:
            return mail.send_pending(jobs.database(settings), settings, tenant_id).sent
        except Exception as exc:  # noqa: BLE001 - retried; idempotent (a claimed mail is sent once)
            raise retry(self, exc)

    @app.task(name="tongxin.mail", shared=False)
    def mail_all() -> int:
        """Beat's entry: one ``send_mail`` per tenant (nothing when e-mail is off)."""
        if not settings.mail_enabled:
            return 0
        tenants = jobs.tenant_ids(jobs.database(settings))
        for tenant_id in tenants:
            enqueue_now(settings, mail.TASK, tenant_id=tenant_id)
        return len(tenants)


def _from_env() -> Celery:
    # TONGXIN_TODAY pins the worker's clock as it pins the web app's (core.clock.of_settings).
    # A production database with unsafe settings stops the worker and beat here, as it stops
    # the web app (core.production).
    settings = Settings.from_env()
    refuse_unsafe(settings)
    return celery_for(settings)


# The module-level app the `celery -A core.tasks.celery_app` command line looks for; built
# from the environment like every other entry point (web, CLI).
app = _from_env()
app.set_current()  # beat_day asks the current app: in the beat and worker processes, this one
