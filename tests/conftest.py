"""Fixtures: a fresh database per test, in each profile that is asked for.

Profiles (TONGXIN_TEST_PROFILES, default "sqlite,postgres"):
- sqlite: the embedded default;
- postgres: the production profile — migrations run as the owner (postgres), the platform runs
  as the runtime role without BYPASSRLS, so row-level security is really in force.

A migrated database with the demo tenants loaded is built once per profile and cloned for each
test (a file copy for SQLite, CREATE DATABASE ... TEMPLATE for PostgreSQL), so tests are
isolated and still fast. "Today" is pinned to 2023-03-15, inside both 共和新路's Q1 window and 晋江's 03-10..03-17 call.
"""
from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import psycopg
import pytest

from core import migrate
from core.clock import pin_today
from core.config import Settings
from core.platform import Platform
from core.plugin_host.manager import PluginHost
from core.services.tenant_definitions import load_file

ROOT = Path(__file__).resolve().parent.parent
PG_HOST = os.environ.get("TONGXIN_TEST_PG", "127.0.0.1:5432")
PG_ADMIN = f"postgresql://postgres@{PG_HOST}/postgres"
RUNTIME_ROLE = "tongxin_app"
DEMO_TODAY = "2023-03-15"


def profiles() -> list[str]:
    return [p.strip() for p in os.environ.get("TONGXIN_TEST_PROFILES", "sqlite,postgres").split(",") if p.strip()]


def _pg_exec(sql: str, dbname: str = "postgres") -> None:
    with psycopg.connect(f"postgresql://postgres@{PG_HOST}/{dbname}", autocommit=True) as conn:
        conn.execute(sql)


def _urls(dbname: str) -> tuple[str, str]:
    return (f"postgresql+psycopg://{RUNTIME_ROLE}@{PG_HOST}/{dbname}",
            f"postgresql+psycopg://postgres@{PG_HOST}/{dbname}")


def _load_demo(settings: Settings) -> None:
    host = PluginHost()
    migrate.upgrade(settings, host=host)
    p = Platform.build(settings, host)
    for f in sorted((ROOT / "tenants").glob("*.yaml")):
        load_file(p, f)
    p.db.dispose()


@pytest.fixture(scope="session")
def templates(tmp_path_factory):
    """Per profile, a ready database to clone."""
    made: dict[str, object] = {}
    yield made
    for profile, ref in made.items():
        if profile == "postgres":
            _pg_exec(f'DROP DATABASE IF EXISTS "{ref}" WITH (FORCE)')


def _template(profile: str, templates: dict, tmp_path_factory):
    if profile in templates:
        return templates[profile]
    pin_today(DEMO_TODAY)
    if profile == "sqlite":
        path = tmp_path_factory.mktemp("template") / "tongxin.db"
        _load_demo(Settings(database_url=f"sqlite:///{path}", storage_dir=str(path.parent / "files")))
        templates[profile] = path
    else:
        name = f"tongxin_tpl_{uuid.uuid4().hex[:8]}"
        _pg_exec(f'CREATE DATABASE "{name}"')
        runtime, admin = _urls(name)
        _load_demo(Settings(database_url=runtime, admin_database_url=admin, runtime_role=RUNTIME_ROLE))
        templates[profile] = name
    return templates[profile]


@pytest.fixture(params=profiles())
def profile(request) -> str:
    return request.param


@pytest.fixture
def settings(profile, templates, tmp_path_factory, tmp_path) -> Settings:
    """Settings for a fresh copy of the demo database in the test's profile."""
    ref = _template(profile, templates, tmp_path_factory)
    files = tmp_path / "files"
    if profile == "sqlite":
        db = tmp_path / "tongxin.db"
        shutil.copy(ref, db)
        s = Settings(database_url=f"sqlite:///{db}", storage_dir=str(files), today=DEMO_TODAY)
        yield s
        return
    name = f"tongxin_t_{uuid.uuid4().hex[:10]}"
    _pg_exec(f'CREATE DATABASE "{name}" TEMPLATE "{ref}"')
    runtime, admin = _urls(name)
    s = Settings(database_url=runtime, admin_database_url=admin, runtime_role=RUNTIME_ROLE,
                 storage_dir=str(files), today=DEMO_TODAY)
    yield s
    _pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def platform(settings) -> Platform:
    pin_today(settings.today)
    p = Platform.build(settings)
    yield p
    p.db.dispose()
    pin_today(None)


@pytest.fixture
def app(settings, platform):
    from core.app import create_app
    application = create_app(settings)
    application.config["TESTING"] = True
    yield application
    application.extensions["tongxin"].db.dispose()


@pytest.fixture
def client(app):
    return app.test_client()
