"""Fixtures: a fresh database per test, in each profile that is asked for.

Profiles (TONGXIN_TEST_PROFILES, default "sqlite,postgres"):
- sqlite: the embedded default;
- postgres: the production profile — migrations run as the owner (postgres), the platform runs
  as the runtime role without BYPASSRLS, so row-level security is really in force.

The world the tests act on is the test suite's own: the tenant files in ``tests/world/`` (never
the demo's ``tenants/``, so a new or changed demo tenant cannot break a logic test), loaded into a
migrated database that is built once per run and profile — shared by every pytest-xdist worker
through a lock file — and cloned for each test (a file copy for SQLite, CREATE DATABASE ...
TEMPLATE for PostgreSQL). "Today" is pinned to 2023-03-15, inside both 共和新路's Q1 window and
晋江's 03-10..03-17 call: each test has one clock (core.clock), shared by every platform and app
built from its ``settings``, which ``tests.factories.on_day`` moves. Passwords are hashed with argon2's cheapest profile (a setting).

Heavy suites run once: tests marked ``postgres``, ``browser`` or ``celery`` run in the
production profile only. The demo is tested apart, by ``tests/test_demo_*.py``.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import uuid
from pathlib import Path

import psycopg
import pytest

from core import migrate
from core.clock import Clock
from core.config import Settings
from core.platform import Platform
from core.plugin_host.manager import PluginHost
from core.services.tenant_definitions import load_file

# The helper modules assert too (e.g. a CLI call must succeed): let pytest explain their failures.
pytest.register_assert_rewrite("tests.factories", "tests.money_factories", "tests.clients", "tests.commands",
                               "tests.demo_kit", "tests.browser.kit", "tests.celery_kit")

ROOT = Path(__file__).resolve().parent.parent
WORLD = Path(__file__).resolve().parent / "world"
PG_HOST = os.environ.get("TONGXIN_TEST_PG", "127.0.0.1:5432")
RUNTIME_ROLE = "tongxin_app"
WORLD_TODAY = "2023-03-15"
HASHING = "cheapest"  # argon2's cheapest profile: the suite creates users by the hundred
# Tests with these marks need the production profile, or are heavy enough to run once (there).
PRODUCTION_ONLY = ("postgres", "browser", "celery")
# Set by the controller before pytest-xdist starts its workers, so they share one run id.
RUN_ID_VAR = "TONGXIN_TEST_RUN_ID"


def profiles() -> list[str]:
    return [p.strip() for p in os.environ.get("TONGXIN_TEST_PROFILES", "sqlite,postgres").split(",") if p.strip()]


def pytest_configure(config):
    if not hasattr(config, "workerinput"):  # the controller, or a run without xdist
        # The controller's pid is part of the run id, so a later run can tell a dead run's
        # databases (a run killed before its teardown) from those of a run still going.
        os.environ[RUN_ID_VAR] = f"{os.getpid()}r{uuid.uuid4().hex[:8]}"
        if "postgres" in profiles():
            _drop_databases_of_dead_runs()


DATABASE_OF_A_RUN = re.compile(r"^tongxin_(?:t|tpl)_(\d+)r[0-9a-f]{8}")


def _drop_databases_of_dead_runs() -> None:
    """Drop the test databases left by runs whose controller is gone (killed, or the machine
    restarted); several runs at once on one server (sessions, CI) keep theirs."""
    with contextlib.suppress(psycopg.Error):
        for name in _pg_databases("tongxin\\_t%"):
            found = DATABASE_OF_A_RUN.match(name)
            if found and not _alive(int(found.group(1))):
                _pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def pytest_collection_modifyitems(config, items):
    """Production-only tests leave the sqlite profile; with TONGXIN_TEST_PROFILE_FREE=skip (set
    by scripts/test for all but its first profile) tests that take no profile run once only."""
    skip_free = os.environ.get("TONGXIN_TEST_PROFILE_FREE") == "skip"
    keep, drop = [], []
    for item in items:
        params = getattr(item, "callspec", None)
        profile = params.params.get("profile") if params else None
        uses_profile = "profile" in getattr(item, "fixturenames", ())
        if profile == "sqlite" and any(item.get_closest_marker(m) for m in PRODUCTION_ONLY):
            drop.append(item)
        elif skip_free and not uses_profile:
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_sessionfinish(session, exitstatus):
    # The controller (or a run without xdist) drops this run's PostgreSQL templates once every
    # worker is done with them.
    if hasattr(session.config, "workerinput") or "postgres" not in profiles():
        return
    with contextlib.suppress(psycopg.Error):
        for name in _pg_databases(f"tongxin_tpl_{os.environ[RUN_ID_VAR]}%"):
            _pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    # scripts/test adds up the profiles' counts into one closing line.
    target = os.environ.get("TONGXIN_TEST_COUNTS")
    if target and not hasattr(config, "workerinput"):
        stats = terminalreporter.stats
        counts = {k: len(stats.get(k, [])) for k in ("passed", "failed", "skipped")}
        counts["errors"] = len(stats.get("error", []))
        Path(target).write_text(json.dumps(counts))


def _pg_exec(sql: str, dbname: str = "postgres") -> None:
    with psycopg.connect(f"postgresql://postgres@{PG_HOST}/{dbname}", autocommit=True) as conn:
        conn.execute(sql)


def _pg_databases(like: str) -> list[str]:
    with psycopg.connect(f"postgresql://postgres@{PG_HOST}/postgres", autocommit=True) as conn:
        return [r[0] for r in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", (like,))]


def _urls(dbname: str) -> tuple[str, str]:
    return (f"postgresql+psycopg://{RUNTIME_ROLE}@{PG_HOST}/{dbname}",
            f"postgresql+psycopg://postgres@{PG_HOST}/{dbname}")


# A test moves the world's clock through months of a year (on_day) while the same browser or
# API client stays signed in, which no deployment's session or token would survive. The world's
# sign-ins therefore last the year; the timeouts and token lifetimes themselves are tested with a
# deployment's defaults by the tests marked ``deployment_timeouts`` (tests/test_sessions.py ...).
YEAR_LONG_SIGN_INS = {"session_idle_minutes": 366 * 24 * 60, "session_absolute_hours": 366 * 24,
                      "token_days_default": 366, "token_days_max": 3650}


def world_settings(**kw) -> Settings:
    """Settings as every test platform has them: the world's day, cheap hashing, sign-ins that
    last the world's year, and the world's tenant files as the default for `tongxin tenants
    load` (never the demo's)."""
    return Settings(**{"today": WORLD_TODAY, "password_hashing": HASHING, "tenants_dir": str(WORLD),
                       **YEAR_LONG_SIGN_INS, **kw})


def _load_world(settings: Settings) -> None:
    host = PluginHost()
    migrate.upgrade(settings, host=host)
    p = Platform.build(settings, host)
    for f in sorted(WORLD.glob("*.yaml")):
        load_file(p, f)
    p.db.dispose()


@pytest.fixture(scope="session")
def shared_dir(tmp_path_factory) -> Path:
    """A folder every xdist worker of this run sees (the parent of the workers' base temps)."""
    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    path = root / f"shared-{os.environ[RUN_ID_VAR]}"
    path.mkdir(exist_ok=True)
    return path


@contextlib.contextmanager
def _locked(path: Path):
    with open(path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _template(profile: str, shared: Path):
    """The migrated, world-loaded database of ``profile`` for this run: built by whichever
    worker asks first, under a lock, and reused by all."""
    done = shared / f"template-{profile}.done"
    with _locked(shared / f"template-{profile}.lock"):
        if done.exists():
            return done.read_text()
        if profile == "sqlite":
            path = shared / "template.db"
            _load_world(world_settings(database_url=f"sqlite:///{path}", storage_dir=str(shared / "files")))
            ref = str(path)
        else:
            ref = f"tongxin_tpl_{os.environ[RUN_ID_VAR]}"
            _pg_exec(f'DROP DATABASE IF EXISTS "{ref}" WITH (FORCE)')
            _pg_exec(f'CREATE DATABASE "{ref}"')
            runtime, admin = _urls(ref)
            _load_world(world_settings(database_url=runtime, admin_database_url=admin,
                                       runtime_role=RUNTIME_ROLE))
        done.write_text(ref)
        return ref


@pytest.fixture(params=profiles())
def profile(request) -> str:
    return request.param


@pytest.fixture
def settings(request, profile, shared_dir, tmp_path) -> Settings:
    """Settings for a fresh copy of the test world's database in the test's profile, with the
    test's clock: every platform and app built from them shares it, and ``on_day`` moves it.
    Marked ``deployment_timeouts``: sessions and tokens time out as a deployment's do."""
    from tests.factories import running_clock
    ref = _template(profile, shared_dir)
    files = tmp_path / "files"
    if request.node.get_closest_marker("deployment_timeouts"):
        defaults = Settings()
        timeouts = {k: getattr(defaults, k) for k in YEAR_LONG_SIGN_INS}
    else:
        timeouts = {}
    with running_clock(Clock(WORLD_TODAY)) as clock:
        if profile == "sqlite":
            db = tmp_path / "tongxin.db"
            shutil.copy(ref, db)
            yield world_settings(database_url=f"sqlite:///{db}", storage_dir=str(files), clock=clock, **timeouts)
            return
        name = f"tongxin_t_{os.environ[RUN_ID_VAR]}_{uuid.uuid4().hex[:8]}"
        # FILE_COPY: for a database this small, copying the files is over twice as fast as
        # PostgreSQL 15's default (WAL_LOG, which writes every page to the WAL).
        _pg_exec(f'CREATE DATABASE "{name}" TEMPLATE "{ref}" STRATEGY FILE_COPY')
        runtime, admin = _urls(name)
        yield world_settings(database_url=runtime, admin_database_url=admin, runtime_role=RUNTIME_ROLE,
                             storage_dir=str(files), clock=clock, **timeouts)
        _pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def platform(settings) -> Platform:
    p = Platform.build(settings)
    yield p
    p.db.dispose()


@pytest.fixture
def in_implementation(platform):
    """Act on a day of 共和新路's implementation phase (from April), when its fund requests may
    be filed; the factories still apply for projects on the application day."""
    from tests.factories import IMPLEMENTATION_DAY, on_day
    with on_day(IMPLEMENTATION_DAY):
        yield


@pytest.fixture
def app(settings, platform):
    from core.app import create_app
    application = create_app(settings)  # on the test's clock, as ``platform`` is
    application.config["TESTING"] = True
    yield application
    application.extensions["tongxin"].db.dispose()


@pytest.fixture
def client(app):
    return app.test_client()
