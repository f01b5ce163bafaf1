"""Running Alembic from code: core's revisions plus one branch per installed plugin with tables.

Core's history lives in ``migrations/versions`` (branch label ``core``). A plugin with tables
returns its revision directories from ``tongxin_migration_dirs``; each is a branch of its own:
its first revision has ``down_revision = None``, ``branch_labels = ("<plugin name>",)`` and
``depends_on`` the core revision whose tables it needs, so ``upgrade("heads")`` creates core's
tables first and the plugin's after, and ``downgrade_plugin`` removes the plugin's tables
without touching core's. The branches are checked before anything runs.
"""
from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, pool

from core.config import Settings
from core.plugin_host.manager import PluginFailure, PluginHost

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = ROOT / "migrations"
CORE_VERSIONS = MIGRATIONS / "versions"


class MigrationError(RuntimeError):
    """The migration set is inconsistent (a plugin's branch is malformed); nothing was run."""


def alembic_config(settings: Settings, host: PluginHost | None = None) -> Config:
    host = host or PluginHost()
    plugin_dirs: dict[str, list[Path]] = {}
    for name, policy in host.policies.items():
        try:
            dirs = policy.migration_dirs()
        except PluginFailure as failure:
            raise MigrationError(f"plugin {name!r}: {failure.detail}") from failure
        if dirs:
            plugin_dirs[name] = [Path(d).resolve() for d in dirs]
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    locations = [str(CORE_VERSIONS)] + [str(d) for dirs in plugin_dirs.values() for d in dirs]
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("version_locations", os.pathsep.join(locations))
    cfg.attributes["url"] = settings.migration_url
    cfg.attributes["runtime_role"] = settings.runtime_role
    cfg.attributes["host"] = host
    check_branches(cfg, plugin_dirs)
    return cfg


def check_branches(cfg: Config, plugin_dirs: dict[str, list[Path]]) -> None:
    """Every plugin's revisions form one branch labelled with its name, rooted at a base that
    depends on core, and never continue another branch's history (a plugin revision whose
    ``down_revision`` is a core revision would make core's downgrade remove plugin tables and
    the plugin's downgrade remove core's)."""
    owner_of: dict[str, str] = {}
    revisions = list(ScriptDirectory.from_config(cfg).walk_revisions())
    for rev in revisions:
        folder = Path(rev.path).resolve().parent
        owner_of[rev.revision] = next((n for n, dirs in plugin_dirs.items() if folder in dirs), "core")
    problems = []
    for rev in revisions:
        plugin = owner_of[rev.revision]
        if plugin == "core":
            continue
        downs = _as_tuple(rev.down_revision)  # the history proper, without depends_on
        if not downs:
            if plugin not in (rev.branch_labels or ()):
                problems.append(f"{rev.revision}: the first revision of plugin {plugin!r} needs "
                                f"branch_labels = ({plugin!r},)")
            if not rev.dependencies:
                problems.append(f"{rev.revision}: the first revision of plugin {plugin!r} needs "
                                f"depends_on = a core revision (e.g. '0001_core')")
        for down in downs:
            if owner_of.get(down) != plugin:
                problems.append(f"{rev.revision}: plugin {plugin!r} revisions may only follow its own "
                                f"revisions, not {down!r} (use depends_on for core)")
    if problems:
        raise MigrationError("; ".join(problems))


def _as_tuple(value) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def upgrade(settings: Settings, revision: str = "heads", host: PluginHost | None = None) -> None:
    command.upgrade(alembic_config(settings, host), revision)


def downgrade(settings: Settings, revision: str, host: PluginHost | None = None) -> None:
    command.downgrade(alembic_config(settings, host), revision)


def downgrade_plugin(settings: Settings, plugin_name: str, host: PluginHost | None = None) -> None:
    """Remove one plugin's tables (its whole branch); core's tables and data stay."""
    command.downgrade(alembic_config(settings, host), f"{plugin_name}@base")


def current(settings: Settings) -> set[str]:
    """The revisions the database is at (one per branch)."""
    engine = create_engine(settings.migration_url, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            return set(MigrationContext.configure(connection).get_current_heads())
    finally:
        engine.dispose()
