"""The production profile as written down: docker-compose.yml, the Dockerfile, the WSGI and
Celery entry points, and the scheduled work beat sends.

CI also runs compose's commands for real (scripts/compose-smoke); these tests pin down what
that run cannot see, such as every TONGXIN_* variable in compose being one the app reads.
"""
from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import sys
from pathlib import Path

import pytest
from celery.schedules import crontab
from flask import Flask
from sqlalchemy import select

from core.config import Settings
from core.models import Notification, Project
from core.services import projects
from core.tasks import jobs
from tests.factories import PDF, acting, application, programme_id, tenant_id, unit_id

ROOT = Path(__file__).resolve().parent.parent
APP_SERVICES = ("migrate", "web", "worker", "beat")


def _smoke_module():
    spec = importlib.util.spec_from_file_location("compose_smoke", ROOT / "scripts" / "compose_smoke.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


smoke = _smoke_module()
HOST_ENV = {"TONGXIN_SECRET_KEY": "s3cret-for-tests", "TONGXIN_APP_PASSWORD": "app-pw-for-tests",
            "TONGXIN_OWNER_PASSWORD": "owner-pw-for-tests"}


@pytest.fixture(scope="module")
def compose() -> dict:
    return smoke.load_compose(HOST_ENV)


def _settings_attr_for(key: str) -> str:
    return {"TONGXIN_DATABASE_URL": "database_url", "TONGXIN_ADMIN_DATABASE_URL": "admin_database_url",
            "TONGXIN_RUNTIME_ROLE": "runtime_role", "TONGXIN_BROKER_URL": "broker_url",
            "TONGXIN_STORAGE_DIR": "storage_dir", "TONGXIN_SECRET_KEY": "secret_key",
            "TONGXIN_TODAY": "today", "TONGXIN_SECURE_COOKIES": "secure_cookies",
            "TONGXIN_REQUIRE_ADMIN_TOTP": "require_admin_totp"}[key]


# Settings fields that are not plain strings, and how the compose value reads as one.
PARSED = {"TONGXIN_SECURE_COOKIES": lambda v: v.lower() in ("1", "true", "yes"),
          "TONGXIN_REQUIRE_ADMIN_TOTP": lambda v: v.lower() in ("1", "true", "yes")}


def test_compose_has_the_six_services(compose):
    services = compose["services"]
    assert set(services) >= {"postgres", "redis", *APP_SERVICES}
    assert services["postgres"]["image"] == "postgres:15"
    assert services["redis"]["image"].startswith("redis")
    for name in APP_SERVICES:
        assert services[name]["build"] == "." and services[name]["image"] == services["web"]["image"], name


def test_compose_requires_a_secret_key():
    with pytest.raises(SystemExit, match="TONGXIN_SECRET_KEY"):
        smoke.load_compose({k: v for k, v in HOST_ENV.items() if k != "TONGXIN_SECRET_KEY"})


def test_every_compose_variable_is_one_the_app_reads(compose, monkeypatch):
    env = smoke.environment_of(compose["services"]["web"])
    for key, value in env.items():
        assert key.startswith("TONGXIN_"), key
        monkeypatch.setenv(key, value)
        # Each variable lands in its Settings field (an empty value means "not set").
        expected = PARSED[key](value) if key in PARSED else (value if value else None)  # TONGXIN_TODAY is empty
        assert getattr(Settings.from_env(), _settings_attr_for(key)) == expected, key
    for name in APP_SERVICES:  # one environment for all of them
        assert smoke.environment_of(compose["services"][name]) == env, name


def test_runtime_and_owner_connections(compose):
    from urllib.parse import urlsplit
    env = smoke.environment_of(compose["services"]["web"])
    pg_env = smoke.environment_of(compose["services"]["postgres"])
    runtime, owner = urlsplit(env["TONGXIN_DATABASE_URL"]), urlsplit(env["TONGXIN_ADMIN_DATABASE_URL"])
    assert runtime.username == env["TONGXIN_RUNTIME_ROLE"] == "tongxin_app"
    assert owner.username == pg_env["POSTGRES_USER"] != runtime.username
    assert runtime.hostname == owner.hostname == "postgres" and runtime.path == owner.path == f"/{pg_env['POSTGRES_DB']}"
    assert runtime.password == pg_env["TONGXIN_APP_PASSWORD"] and owner.password == pg_env["POSTGRES_PASSWORD"]
    assert env["TONGXIN_BROKER_URL"] == "redis://redis:6379/0"
    # The runtime role's password is set by the init script the postgres image runs.
    init = next(v for v in compose["services"]["postgres"]["volumes"] if "docker-entrypoint-initdb.d" in v)
    script = (ROOT / init.split(":")[0]).read_text()
    assert "NOBYPASSRLS" in script and "TONGXIN_APP_PASSWORD" in script


def test_start_order_waits_for_health_and_migration(compose):
    services = compose["services"]
    for name in ("postgres", "redis"):
        assert services[name]["healthcheck"]["test"], name
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert services["migrate"]["restart"] == "no"
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"] == {
            "postgres": {"condition": "service_healthy"}, "redis": {"condition": "service_healthy"},
            "migrate": {"condition": "service_completed_successfully"}}, name


def test_service_commands(compose):
    services = compose["services"]
    cmd = {name: smoke.command_of(services[name]) for name in APP_SERVICES}
    assert cmd["migrate"][-1] == "tongxin db upgrade && tongxin tenants load"
    web = cmd["web"]
    assert web[0] == "gunicorn" and web[-1] == "core.wsgi:app"
    assert web[web.index("--bind") + 1] == "0.0.0.0:8000" and web[web.index("--workers") + 1] == "2"
    assert cmd["worker"][:4] == ["celery", "-A", "core.tasks.celery_app", "worker"]
    assert cmd["beat"][:4] == ["celery", "-A", "core.tasks.celery_app", "beat"]


def test_files_and_beat_schedule_live_in_volumes(compose):
    services = compose["services"]
    storage = smoke.environment_of(services["web"])["TONGXIN_STORAGE_DIR"]
    volume_of = {name: dict(reversed(v.split(":")[:2]) for v in services[name].get("volumes", [])) for name in services}
    # web stores uploads, the worker and migrate may read them: the same named volume everywhere.
    assert {volume_of[name].get(storage) for name in APP_SERVICES} == {"files"}
    schedule = next(a.split("=", 1)[1] for a in smoke.command_of(services["beat"]) if a.startswith("--schedule="))
    beat_dir = str(Path(schedule).parent)
    assert volume_of["beat"].get(beat_dir) in compose["volumes"]


def test_dockerfile():
    text = (ROOT / "Dockerfile").read_text()
    assert text.splitlines()[1 if text.startswith("#") else 0].startswith("FROM python:3.11-slim")
    assert "pip install" in text and "USER tongxin" in text
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv", "instance"} <= set(ignored)


def test_wsgi_builds_the_app_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("TONGXIN_DATABASE_URL", f"sqlite:///{tmp_path / 'wsgi.db'}")
    monkeypatch.setenv("TONGXIN_SECRET_KEY", "from-the-environment")
    sys.modules.pop("core.wsgi", None)
    wsgi = importlib.import_module("core.wsgi")
    try:
        assert isinstance(wsgi.app, Flask)
        assert wsgi.app.config["SECRET_KEY"] == "from-the-environment"
        assert wsgi.app.extensions["tongxin"].settings.database_url.endswith("wsgi.db")
    finally:
        wsgi.app.extensions["tongxin"].db.dispose()
        sys.modules.pop("core.wsgi", None)


def test_celery_app_configuration():
    from core.tasks.celery_app import BEAT_SCHEDULE, celery_for
    app = celery_for(Settings(broker_url="redis://example.invalid:6379/3"))
    assert app.conf.broker_url == "redis://example.invalid:6379/3"
    assert app.conf.task_acks_late and app.conf.worker_prefetch_multiplier == 1
    assert app.conf.beat_schedule == BEAT_SCHEDULE and BEAT_SCHEDULE
    for name, entry in BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, name  # beat only sends tasks the worker knows
        assert isinstance(entry["schedule"], crontab), name
    assert {"tongxin.notify_panel", "tongxin.remind_deadlines", "tongxin.daily", "tongxin.relay"} <= set(app.tasks)
    # A worker killed as a whole: its task comes back within minutes, not Redis's default hour
    # (docs/reliability.md); a pool process killed under a living worker requeues its task.
    assert app.conf.task_reject_on_worker_lost
    transport = app.conf.broker_transport_options
    assert transport["visibility_timeout"] == Settings().task_visibility_timeout <= 600
    assert transport["unacked_restore_interval"] * transport["unacked_restore_throttle"] <= 30
    # Nothing waits long on a dead broker.
    assert transport["socket_connect_timeout"] <= 5 and app.conf.broker_connection_timeout <= 5
    assert BEAT_SCHEDULE["outbox-relay"]["task"] == "tongxin.relay"


# -- the scheduled reminder, in both profiles ---------------------------------------------------

def _draft(platform, title: str, *, submit: bool = False) -> int:
    pid = programme_id(platform)
    with acting(platform, "jingan", "luochuan") as ctx:
        p = projects.create_project(ctx, pid, unit_id(platform, "jingan", "ghxl-luochuan"), "micro_venture", title)
        if submit:
            projects.save_form(ctx, p.id, "application", application(title, directions=("public_space",)))
            projects.set_budget(ctx, p.id, [{"description": "物料", "amount": "1000"}])
            import io
            projects.attach(ctx, p.id, "residents_minutes", "会议记录.pdf", io.BytesIO(PDF), platform.storage)
    if submit:
        with acting(platform, "jingan", "luochuan") as ctx:
            projects.submit(ctx, p.id)
    return p.id


def _reminders(platform, tenant: str) -> list[tuple[int, str]]:
    with platform.db.session(tenant_id=tenant_id(platform, tenant)) as s:
        return list(s.execute(select(Notification.user_id, Notification.subject)
                              .where(Notification.kind == "deadline_reminder").order_by(Notification.id)))


def test_deadline_reminders_go_to_unfinished_projects_once(platform):
    draft = _draft(platform, "口袋花园")
    _draft(platform, "青年议事角", submit=True)
    jingan = tenant_id(platform, "jingan")
    db = platform.db
    # 2023-03-01: the window closes on 03-31, too far off to remind.
    assert jobs.remind_deadlines(db, jingan, day="2023-03-01") == 0
    # Inside the lead time: only the draft's creator is reminded, not the submitted project's.
    assert jobs.remind_deadlines(db, jingan, day="2023-03-25") == 1
    reminders = _reminders(platform, "jingan")
    with platform.db.session(tenant_id=jingan) as s:
        creator = s.get(Project, draft).created_by_id
    assert len(reminders) == 1 and reminders[0][0] == creator
    assert "口袋花园" in reminders[0][1] and "2023年3月31日" in reminders[0][1]
    # Beat again the next day, or a redelivered message: nothing new.
    assert jobs.remind_deadlines(db, jingan, day="2023-03-26") == 0
    assert jobs.remind_deadlines(db, jingan, day="2023-03-26") == 0
    # After the window closed there is nothing left to remind about.
    assert jobs.remind_deadlines(db, jingan, day="2023-04-02") == 0
    assert _reminders(platform, "jingan") == reminders


def test_deadline_reminders_stay_in_their_tenant(platform):
    _draft(platform, "口袋花园")
    for slug in ("jinjiang", "putuo"):
        assert jobs.remind_deadlines(platform.db, tenant_id(platform, slug), day="2023-03-25") == 0
        assert _reminders(platform, slug) == []
    assert _reminders(platform, "jingan") == []  # the other tenants' runs did not reach it


def test_the_daily_fan_out_runs_in_process_in_the_embedded_profile(platform):
    """Without a broker (embedded), the same task chain runs in-process: one run per tenant."""
    from core.tasks.celery_app import celery_for
    _draft(platform, "口袋花园")
    settings = dataclasses.replace(platform.settings, broker_url=None)
    daily = celery_for(settings).tasks["tongxin.daily"]
    assert daily.run(day="2023-03-28") == 3  # jingan, jinjiang, putuo
    assert len(_reminders(platform, "jingan")) == 1
    assert daily.run(day="2023-03-29") == 3
    assert len(_reminders(platform, "jingan")) == 1
