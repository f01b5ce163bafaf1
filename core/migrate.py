"""Running Alembic from code: core's revisions plus every installed plugin's branch."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from core.config import Settings
from core.plugin_host.manager import PluginHost

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = ROOT / "migrations"


def alembic_config(settings: Settings, host: PluginHost | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    locations = [str(MIGRATIONS / "versions")]
    for policy in (host or PluginHost()).policies.values():
        locations.extend(policy.migration_dirs())
    cfg.set_main_option("version_locations", " ".join(locations))
    cfg.set_main_option("path_separator", "space")
    cfg.attributes["url"] = settings.migration_url
    cfg.attributes["runtime_role"] = settings.runtime_role
    return cfg


def upgrade(settings: Settings, revision: str = "heads", host: PluginHost | None = None) -> None:
    command.upgrade(alembic_config(settings, host), revision)


def downgrade(settings: Settings, revision: str, host: PluginHost | None = None) -> None:
    command.downgrade(alembic_config(settings, host), revision)
