"""Driving the `tongxin` command line as an operator would (settings from TONGXIN_* variables),
and comparing a database before and after."""
from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import func, select

import core.models  # noqa: F401 - registers every table
from core.cli import main
from core.config import Settings
from core.db import Base
from core.models import Tenant, User
from core.platform import Platform
from core.tenancy import TenantOwned

TENANT_MODELS = sorted((m.class_ for m in Base.registry.mappers if issubclass(m.class_, TenantOwned)),
                       key=lambda cls: cls.__name__)


def env_of(settings: Settings, **extra: str) -> dict[str, str]:
    env = {
        "TONGXIN_DATABASE_URL": settings.database_url,
        "TONGXIN_ADMIN_DATABASE_URL": settings.admin_database_url or "",
        "TONGXIN_RUNTIME_ROLE": settings.runtime_role,
        "TONGXIN_STORAGE_DIR": settings.storage_dir,
        "TONGXIN_TODAY": settings.today or "",
        "TONGXIN_BROKER_URL": "",
        "TONGXIN_PASSWORD_HASHING": settings.password_hashing,
        "TONGXIN_TENANTS_DIR": settings.tenants_dir or "",
    }
    env.update(extra)
    return env


def invoke(settings: Settings, *args: str):
    """Run ``tongxin ARGS`` and return click's result, whatever its exit code."""
    return CliRunner().invoke(main, list(args), env=env_of(settings))


def tongxin(settings: Settings, *args: str):
    """Run ``tongxin ARGS``; it must succeed."""
    result = CliRunner().invoke(main, list(args), env=env_of(settings), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def snapshot(platform: Platform) -> dict:
    """Every tenant-owned table's row count per tenant, and each user's password hash."""
    out: dict = {}
    with platform.db.session() as s:
        tenants = s.execute(select(Tenant.id, Tenant.slug, Tenant.name).order_by(Tenant.id)).all()
    out["tenants"] = tenants
    for tid, slug, _ in tenants:
        with platform.db.session(tenant_id=tid) as s:
            for model in TENANT_MODELS:
                out[(slug, model.__tablename__)] = s.scalar(select(func.count()).select_from(model))
            out[(slug, "passwords")] = s.execute(select(User.username, User.password_hash).order_by(User.id)).all()
    return out
