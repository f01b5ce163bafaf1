"""Production refuses unsafe settings (issue 14): the web app, the Celery worker and beat, each
started as the deployment starts them, stop with a message naming the variable to set; the
embedded profile (the demo) starts with no setup; tenant files create no logins in production."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from core.config import Settings
from core.models import Tenant, User
from core.production import problems
from core.services.tenant_definitions import load

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# Nothing listens on port 9: the refusal must come before any connection is tried.
SAFE = {"TONGXIN_DATABASE_URL": "postgresql+psycopg://tongxin_app:Zq8-vX2-kP4-nR7@127.0.0.1:9/tongxin",
        "TONGXIN_ADMIN_DATABASE_URL": "postgresql+psycopg://tongxin:Hy3-mW9-tB6-cL1@127.0.0.1:9/tongxin",
        "TONGXIN_SECRET_KEY": "f" * 64}
ENTRY_POINTS = {
    "web": [str(BIN / "gunicorn"), "--bind", "127.0.0.1:0", "core.wsgi:app"],
    "worker": [sys.executable, "-m", "celery", "-A", "core.tasks.celery_app", "worker", "--pool=solo"],
    "beat": [sys.executable, "-m", "celery", "-A", "core.tasks.celery_app", "beat"],
}
UNSAFE = {
    "TONGXIN_SECRET_KEY": {"TONGXIN_SECRET_KEY": ""},              # the published default
    "TONGXIN_SECRET_KEY ": {"TONGXIN_SECRET_KEY": "short-secret"},  # too short
    "TONGXIN_APP_PASSWORD": {"TONGXIN_DATABASE_URL": "postgresql+psycopg://tongxin_app:tongxin-app-dev@127.0.0.1:9/tongxin"},
    "TONGXIN_OWNER_PASSWORD": {"TONGXIN_ADMIN_DATABASE_URL": "postgresql+psycopg://tongxin:tongxin-owner-dev@127.0.0.1:9/tongxin"},
    "TONGXIN_TODAY": {"TONGXIN_TODAY": "2023-03-15"},
}


def _run(args, env):
    base = {k: v for k, v in os.environ.items() if not k.startswith("TONGXIN_")}
    return subprocess.run(args, cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("entry", sorted(ENTRY_POINTS))
@pytest.mark.parametrize("variable", sorted(UNSAFE))
def test_each_entry_point_refuses_and_names_the_variable(entry, variable):
    r = _run(ENTRY_POINTS[entry], {**SAFE, **UNSAFE[variable]})
    assert r.returncode != 0
    assert variable.strip() in r.stderr and "拒绝" in r.stderr, r.stderr[-1500:]


def test_safe_settings_and_the_embedded_profile_are_not_refused():
    assert problems(Settings.from_env(**{"database_url": SAFE["TONGXIN_DATABASE_URL"],
                                         "admin_database_url": SAFE["TONGXIN_ADMIN_DATABASE_URL"],
                                         "secret_key": SAFE["TONGXIN_SECRET_KEY"]})) == []
    # The demo's profile: SQLite, the default secret and a pinned day, and no setup.
    assert problems(Settings(database_url="sqlite:///x.db", today="2024-03-15")) == []
    r = _run([sys.executable, "-c", "import core.wsgi; print('started')"],
             {"TONGXIN_DATABASE_URL": "sqlite:////tmp/tongxin-refusal-embedded.db", "TONGXIN_TODAY": "2024-03-15"})
    assert r.returncode == 0 and "started" in r.stdout, r.stderr[-1500:]


def test_a_passwordless_network_url_is_refused_but_a_unix_socket_is_not():
    secret = "f" * 64
    tcp = Settings(database_url="postgresql+psycopg://tongxin_app@db.internal/tongxin", secret_key=secret)
    assert any("TONGXIN_APP_PASSWORD" in p for p in problems(tcp))
    socket = Settings(database_url="postgresql+psycopg:///tongxin?host=/run/postgresql", secret_key=secret)
    assert problems(socket) == []


def test_tenant_files_create_no_logins_in_production(platform):
    data = {"slug": "riverside", "name": "滨河区", "units": [{"code": "riverside-st", "kind": "street", "name": "滨河街道"}],
            "users": [{"username": "river_admin", "name": "管理员", "password": "tongxin-demo",
                       "roles": [{"role": "district_admin", "unit": "riverside"}]}]}
    load(platform, data, logins=False)
    with platform.db.session() as s:
        tid = s.scalars(select(Tenant.id).where(Tenant.slug == "riverside")).one()
    with platform.db.session(tenant_id=tid) as s:
        assert s.scalars(select(User)).all() == []
    load(platform, data)  # the demo's (and the tests') loading creates them
    with platform.db.session(tenant_id=tid) as s:
        assert [u.username for u in s.scalars(select(User))] == ["river_admin"]
