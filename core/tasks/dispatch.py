"""Where a task runs: in-process in the embedded profile, on a Celery worker in production.

Callers name the task and pass keyword arguments (always including ``tenant_id``); they do not
know which profile is active."""
from __future__ import annotations

import logging

from core.config import Settings

log = logging.getLogger(__name__)


def enqueue(settings: Settings, name: str, **kwargs) -> None:
    if "tenant_id" not in kwargs:
        raise ValueError("tasks take the tenant explicitly")
    if settings.tasks_in_process:
        from core.tasks import mail
        from core.tasks.jobs import run_inline
        try:
            if name == mail.TASK:
                mail.run(settings, **kwargs)
            else:
                run_inline(settings, name, **kwargs)
                # inbox: the tasks are what write notifications; in-process, their mail follows at once
                if settings.mail_enabled:
                    mail.run(settings, kwargs["tenant_id"])
        except Exception:  # noqa: BLE001 - a failed notification must not fail the request
            log.exception("in-process task %s failed", name)
        return
    from core.tasks.broker import app_for  # late: Celery is loaded only where a broker is configured
    app_for(settings).send_task(name, kwargs=kwargs)
