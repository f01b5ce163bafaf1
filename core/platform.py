"""What one running Tongxin holds: settings, database, plugin host and file storage."""
from __future__ import annotations

from dataclasses import dataclass

from core.config import Settings
from core.db import Database
from core.plugin_host.manager import PluginHost
from core.services.storage import Storage


@dataclass
class Platform:
    settings: Settings
    db: Database
    host: PluginHost
    storage: Storage

    @classmethod
    def build(cls, settings: Settings | None = None, host: PluginHost | None = None) -> "Platform":
        settings = settings or Settings.from_env()
        return cls(settings=settings, db=Database(settings.database_url), host=host or PluginHost(),
                   storage=Storage(settings.storage_dir, settings.max_upload_bytes))
