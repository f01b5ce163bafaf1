"""The Celery application of the production profile (worker and beat in docker-compose.yml).

    celery -A core.tasks.celery_app worker
    celery -A core.tasks.celery_app beat
"""
from __future__ import annotations

from celery import Celery

from core.config import Settings
from core.tasks import jobs

_apps: dict[str, Celery] = {}


def celery_for(settings: Settings) -> Celery:
    url = settings.broker_url or "memory://"
    app = _apps.get(url)
    if app is None:
        app = _apps[url] = _make(settings)
    return app


def _make(settings: Settings) -> Celery:
    app = Celery("tongxin", broker=settings.broker_url, backend=settings.broker_url)
    app.conf.update(
        task_acks_late=True,            # a worker that dies mid-task leaves it for another: tasks are idempotent
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_serializer="json", accept_content=["json"], result_serializer="json",
        timezone="Asia/Shanghai", enable_utc=True,
        broker_connection_retry_on_startup=True,
        beat_schedule={},
    )

    @app.task(name="tongxin.notify_panel", bind=True, max_retries=5, default_retry_delay=10)
    def notify_panel(self, tenant_id: int, project_id: int, submission: str) -> int:
        try:
            return jobs.notify_panel(jobs.database(settings), tenant_id=tenant_id, project_id=project_id,
                                     submission=submission)
        except Exception as exc:  # noqa: BLE001 - retried; idempotent
            raise self.retry(exc=exc)

    return app


# The module-level app the `celery -A core.tasks.celery_app` command line looks for; built
# from the environment like every other entry point (web, CLI).
app = celery_for(Settings.from_env())
