"""What one running Tongxin holds: settings, its clock, database, plugin host and file storage."""
from __future__ import annotations

from dataclasses import dataclass

from core.clock import Clock, of_settings
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

    @property
    def clock(self) -> Clock:
        """The platform's time (``core.clock``): every session of its database carries it."""
        return self.db.clock

    @classmethod
    def build(cls, settings: Settings | None = None, host: PluginHost | None = None) -> "Platform":
        settings = settings or Settings.from_env()
        db = Database(settings.database_url, clock=of_settings(settings))
        host = host or PluginHost()
        # Where the archive and the tools find a project's records: core's sources, registered
        # now (not at import) into this platform's host; other parts register theirs beside them.
        register_parts(host)
        return cls(settings=settings, db=db, host=host, storage=Storage(settings.storage_dir, settings.max_upload_bytes))


def register_parts(host: PluginHost) -> None:
    """Everything core registers into a host when a platform is built (never at import): where
    the archive and the tools find a project's records (record sources), what a report is
    prefilled from (report facts), and core's answers to the gathering hooks. Registering again
    changes nothing."""
    from core.services.archive import delivery_sources, report_sources
    from core.services.archive.sources import register_core
    from core.services.delivery import report_facts
    from core.services.obligations import prefill
    register_core(host.sources)
    delivery_sources.register(host.sources)
    report_sources.register(host.sources)
    prefill.register_core(host.report_facts)
    report_facts.register(host.report_facts)
    register_builtins(host)


def register_builtins(host: PluginHost) -> None:
    """Core's answers to the gathering hooks every face of the platform needs (web, API, tasks,
    CLI), registered when a platform is built, never at import time; registering again changes
    nothing. Core's kinds of to-do (the inbox) are here; another core module adds its own kinds
    with one more line of the same shape."""
    from core.services.inbox import core_kinds, year_kinds  # inbox: core's kinds of to-do
    host.builtins.register(core_kinds.NAME, core_kinds)
    host.builtins.register(year_kinds.NAME, year_kinds)
