"""The task bodies, independent of Celery: each opens its own tenant-bound session.

Every body takes the tenant explicitly (``tenant_id``) and is idempotent: it may run twice (a
retry, a redelivered message after a worker died under ``acks_late``, beat firing again) and
the second run changes nothing. The notifications they create carry a ``dedupe_key`` that is
unique per tenant, which is what makes that true even for two runs at the same moment.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.clock import of_settings
from core.config import Settings
from core.db import Database
from core.models import Notification, PanelMember, Programme, Project, ProjectState, Tenant
from core.permissions import A
from core.plugin_host.contributions import Phase
from core.formats import day_text

_databases: dict[str, Database] = {}

# How many days before a submission window closes the applicants of unfinished projects are
# reminded. One reminder per project and window: the dedupe key names the window's end.
REMIND_DAYS_BEFORE_CLOSE = 7
UNFINISHED = (ProjectState.draft.value, ProjectState.returned.value)


def database(settings: Settings) -> Database:
    """The tasks' database for these settings, with the platform's clock (``core.clock``): a
    task run in-process keeps the time of the platform that queued it, a worker the time its
    settings say (TONGXIN_TODAY)."""
    db = _databases.get(settings.database_url)
    if db is None or db.clock is not of_settings(settings):
        db = _databases[settings.database_url] = Database(settings.database_url, clock=of_settings(settings))
    return db


def _add_once(s, key: str, **fields) -> bool:
    """Add a notification unless one with this dedupe key exists. True when added."""
    if s.scalars(select(Notification.id).where(Notification.dedupe_key == key)).first():
        return False
    s.add(Notification(dedupe_key=key, **fields))
    return True


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
        members = s.scalars(select(PanelMember).where(PanelMember.programme_id == project.programme_id)).all()
        for m in members:
            created += _add_once(
                s, f"submitted:{project.id}:{submission}:{m.user_id}",
                user_id=m.user_id, kind="project_submitted",
                subject=f"新的项目申报待评审：{project.title}"[:200],
                body=f"{project.applicant_unit.name} 提交了「{project.title}」，请登录评审。",
                link=f"/projects/{project.id}")
        try:
            s.flush()
        except IntegrityError:  # a concurrent run got there first: that is the idempotency
            s.rollback()
            return 0
    return created


def remind_deadlines(db: Database, tenant_id: int, day: str | None = None) -> int:
    """Remind whoever started an unfinished (draft or returned) project that the programme's
    submission window closes within ``REMIND_DAYS_BEFORE_CLOSE`` days. The windows are the
    programme's own frozen phases (the plugin decided them when the programme opened), so this
    knows no jurisdiction. ``day`` (ISO date) is the day the reminder is for; the scheduler
    passes it so a message handled after midnight still answers for the day it was sent.
    Returns the number of notifications created; a second run the same window creates none."""
    on = dt.date.fromisoformat(day) if day else db.clock.today()
    created = 0
    with db.scope(tenant_id=tenant_id) as s:
        for programme in s.scalars(select(Programme).order_by(Programme.id)):
            closing = [p for p in (Phase.from_json(j) for j in programme.phases or [])
                       if p.allowance(A.project_apply) and p.is_open(on)
                       and (p.ends - on).days <= REMIND_DAYS_BEFORE_CLOSE]
            if not closing:
                continue
            projects = s.scalars(select(Project).where(Project.programme_id == programme.id,
                                                       Project.state.in_(UNFINISHED),
                                                       Project.created_by_id.is_not(None))
                                 .order_by(Project.id)).all()
            for phase in closing:
                for project in projects:
                    created += _add_once(
                        s, f"deadline:{project.id}:{phase.key}:{phase.ends.isoformat()}:{project.created_by_id}",
                        user_id=project.created_by_id, kind="deadline_reminder",
                        subject=f"「{project.title}」尚未提交：{phase.label.zh}将于{day_text(phase.ends)}截止"[:200],
                        body=(f"{programme.title}的「{phase.label.zh}」将于{day_text(phase.ends)}截止，"
                              f"项目「{project.title}」还没有提交。"),
                        link=f"/projects/{project.id}")
        try:
            s.flush()
        except IntegrityError:
            s.rollback()
            return 0
    return created


# reporting: the year runs itself. The plugin host the tasks ask about policies, built once per
# process (as the database is): a worker is not an app, but it reads the same installed plugins.
# The worker's entry (core.tasks.celery_app) builds it as a platform's host is built, with the
# parts core registers (core.platform.register_parts); this module cannot import core.platform,
# whose parts dispatch tasks through it.
_hosts: list = []


def use_host(host) -> None:
    """The plugin host this process's tasks ask (set once by the worker's entry)."""
    _hosts[:] = [host]


def plugin_host():
    from core.plugin_host.manager import PluginHost  # late: only the obligations task needs the plugins
    if not _hosts:
        _hosts.append(PluginHost())
    return _hosts[0]


def obligations_daily(db: Database, tenant_id: int, day: str | None = None, host=None) -> dict:
    """One day of the tenant's obligations (``core.services.obligations.daily``): freeze what the
    programmes' policies declare, open the due items, mark overdue, remind and escalate, each
    notice once, in a handful of statements whatever the number of projects. ``day`` (ISO) is
    the day it is for (beat passes the day it fired for); idempotent: a second run of the same
    day sends nothing. A policy that fails is recorded for the tenant's administrators and
    skipped. Returns what it did (``DayReport``)."""
    from core.models import PluginFault
    from core.services.context import Actor, Ctx
    from core.services.obligations.daily import run_day_once
    on = dt.date.fromisoformat(day) if day else db.clock.today()
    faults: list = []
    session = db.session(tenant_id=tenant_id)
    try:
        ctx = Ctx(session=session, actor=Actor.anonymous(), host=host or plugin_host(), settings=None, tenant_id=tenant_id)
        report = run_day_once(ctx, on, faults)
    finally:
        session.close()
    if faults:
        with db.scope(tenant_id=tenant_id) as s:
            s.add_all(PluginFault(plugin_name=f.plugin, hook=f.hook, error=f.detail[:4000]) for f in faults)
    return report.as_dict()


def tenant_ids(db: Database) -> list[int]:
    """Every tenant, for the scheduler's fan-out (the tenant directory is not tenant-owned)."""
    with db.session() as s:
        return list(s.scalars(select(Tenant.id).order_by(Tenant.id)))


TASKS = {"tongxin.notify_panel": notify_panel, "tongxin.remind_deadlines": remind_deadlines,
         "tongxin.obligations_daily": obligations_daily}


def run_inline(settings: Settings, name: str, **kwargs):
    return TASKS[name](database(settings), **kwargs)
