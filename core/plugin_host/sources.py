"""The record sources the archive and the tools can look in, by key: the seam between what a
policy asks for (``Evidence``, ``Tool``: "attachments of these kinds", "the final accounts") and
the parts of the platform that keep those records.

A ``Source`` says where its records are made (``link``: a web page of the project) and, asked
about one project with the evidence's params, whether they are there (``find`` → ``Finding``:
found or not, what was found in words, and the link). Sources are registered when the
platform is built (``core.platform.Platform.build`` registers core's own), never at import, so
each app (and each test's platform) has its own registry; a part of the platform added later
registers its sources beside them (plan tasks, activity photos, people, reports...). A key no
one registered answers "not yet recorded" rather than failing: the archive shows the item as
missing and the tools list the tool as not yet available.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from core.i18n import T, Text


@dataclass(frozen=True)
class Link:
    """Where a project's records of a source are made: a web endpoint taking ``project_id``
    (and ``params``), at ``anchor``."""

    endpoint: str
    anchor: str | None = None
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Finding:
    """What a source found for one project: ``found`` (the evidence is there), ``detail`` (what
    was found, or what is missing, in words), ``count`` (how many records) and where to look."""

    found: bool
    detail: Text
    link: Link | None = None
    count: int = 0
    registered: bool = True  # False: no source of this key is registered (yet)


NOT_RECORDED = T("尚未记录（平台暂未提供此类记录）", "not yet recorded (the platform does not keep these records yet)")


@dataclass(frozen=True)
class Source:
    """A kind of record core can look for. ``find(ctx, project, params)`` answers a ``Finding``;
    ``link(project, params)`` where such records are made (for the tools list)."""

    key: str
    label: Text
    find: Callable[[Any, Any, dict], Finding]
    link: Callable[[Any, dict], Link]


class SourceRegistry:
    """The sources of one platform, by key."""

    def __init__(self) -> None:
        self._by_key: dict[str, Source] = {}

    def register(self, source: Source) -> None:
        """Register ``source``; registering the same one again changes nothing, another one
        under a key already taken is a mistake."""
        if not isinstance(source, Source):
            raise TypeError(f"not a Source: {source!r}")
        known = self._by_key.get(source.key)
        if known is not None and known != source:
            raise ValueError(f"a record source {source.key!r} is registered already")
        self._by_key[source.key] = source

    def get(self, key: str) -> Source | None:
        return self._by_key.get(key)

    def keys(self) -> list[str]:
        return sorted(self._by_key)

    def find(self, ctx, project, key: str, params: dict) -> Finding:
        """What the source ``key`` finds for ``project``; "not yet recorded" for an unknown key."""
        source = self._by_key.get(key)
        if source is None:
            return Finding(False, NOT_RECORDED, registered=False)
        return source.find(ctx, project, params)
