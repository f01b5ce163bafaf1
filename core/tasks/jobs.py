"""The task bodies, independent of Celery: each opens its own tenant-bound session."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.config import Settings
from core.db import Database
from core.models import Notification, PanelMember, Project

_databases: dict[str, Database] = {}


def database(settings: Settings) -> Database:
    db = _databases.get(settings.database_url)
    if db is None:
        db = _databases[settings.database_url] = Database(settings.database_url)
    return db


def notify_panel(db: Database, tenant_id: int, project_id: int, submission: str) -> int:
    """Tell every panel member of the project's programme that it was submitted. Idempotent:
    the dedupe key (project, submission, member) makes a second run of the same task a no-op,
    while a resubmission (a new ``submission`` stamp) notifies again.
    Returns the number of notifications created."""
    created = 0
    with db.scope(tenant_id=tenant_id) as s:
        project = s.get(Project, project_id)
        if project is None:
            return 0
        stamp = submission
        members = s.scalars(select(PanelMember).where(PanelMember.programme_id == project.programme_id)).all()
        for m in members:
            key = f"submitted:{project.id}:{stamp}:{m.user_id}"
            exists = s.scalars(select(Notification.id).where(Notification.dedupe_key == key)).first()
            if exists:
                continue
            s.add(Notification(user_id=m.user_id, kind="project_submitted", dedupe_key=key,
                               subject=f"新的项目申报待评审：{project.title}",
                               body=f"{project.applicant_unit.name} 提交了「{project.title}」，请登录评审。",
                               link=f"/projects/{project.id}"))
            created += 1
        try:
            s.flush()
        except IntegrityError:  # a concurrent run got there first: that is the idempotency
            s.rollback()
            return 0
    return created


TASKS = {"tongxin.notify_panel": notify_panel}


def run_inline(settings: Settings, name: str, **kwargs):
    return TASKS[name](database(settings), **kwargs)
