"""The providers of a report's facts (what the platform knows about what a report covers), by
name: the seam between the reports (``core.services.obligations.prefill``) and the parts of the
platform that keep the records a report speaks of (the ledger's money, the plan's tasks, the
activities held).

A provider is ``provider(ctx, subject) -> dict | None`` (``subject``: a
``core.services.obligations.prefill.ReportSubject``), answering under its own top-level keys.
Providers are registered when the platform is built (``core.platform.Platform.build``), never at
import, so each platform (and each test's) has its own; a name registered twice keeps the last
(a part of the platform may replace its own provider, e.g. in a test).
"""
from __future__ import annotations

from typing import Any, Callable

Provider = Callable[[Any, Any], "dict | None"]


class FactProviders:
    """The report-fact providers of one platform, in the order registered."""

    def __init__(self) -> None:
        self._by_name: dict[str, Provider] = {}

    def register(self, name: str, provider: Provider) -> None:
        if not callable(provider):
            raise TypeError(f"report-fact provider {name!r} is not callable")
        self._by_name[name] = provider

    def names(self) -> list[str]:
        return list(self._by_name)

    def providers(self) -> list[Provider]:
        return list(self._by_name.values())
