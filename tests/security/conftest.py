"""The security suites' shared world: built once per module (not per test) in the production
profile, where row-level security is real: a copy of the test world's database, the platform,
the markers of ``tests.security.world`` and the app, shared by every test of the module."""
from __future__ import annotations

import uuid

import pytest

from core.clock import Clock
from core.platform import Platform
from tests.conftest import RUNTIME_ROLE, WORLD_TODAY, _pg_exec, _template, _urls, profiles, world_settings
from tests.security import world


@pytest.fixture(scope="module", params=[p for p in profiles() if p == "postgres"])
def profile(request) -> str:
    """PostgreSQL only (the module's tests are skipped when the run has no postgres profile)."""
    return request.param


@pytest.fixture(scope="module")
def secured(profile, shared_dir, tmp_path_factory):
    """(settings, platform, app, world) for the module."""
    from core.app import create_app
    from tests.factories import running_clock
    ref = _template(profile, shared_dir)
    name = f"tongxin_s_{uuid.uuid4().hex[:10]}"
    _pg_exec(f'CREATE DATABASE "{name}" TEMPLATE "{ref}" STRATEGY FILE_COPY')
    runtime, admin = _urls(name)
    files = tmp_path_factory.mktemp("security-files")
    with running_clock(Clock(WORLD_TODAY)) as clock:
        settings = world_settings(database_url=runtime, admin_database_url=admin, runtime_role=RUNTIME_ROLE,
                                  storage_dir=str(files), clock=clock)
        platform = Platform.build(settings)
        built = world.build(platform)
        app = create_app(settings)
        app.config["TESTING"] = True
        try:
            yield settings, platform, app, built
        finally:
            app.extensions["tongxin"].db.dispose()
            platform.db.dispose()
            _pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
