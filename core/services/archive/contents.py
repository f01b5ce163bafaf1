"""A project's archive (项目档案) as a checklist that fills itself: each item of the policies'
archives (``tongxin_archive``, stacked) with what its evidence's sources found in the project's
records, complete or missing, and where the missing part is recorded. Nothing is typed in to
tick an item: recording the minutes, the spending, a visit or uploading a document fills it.
"""
from __future__ import annotations

from dataclasses import dataclass

from core.models import Attachment, Project
from core.plugin_host.sources import Finding
from core.plugin_host.supervision import ArchiveItem, Evidence
from core.services.archive.documents import upload_kinds
from core.services.context import Ctx
from core.services.programmes import policy_of
from core.services.supervision import project_for_supervision


@dataclass(frozen=True)
class Found:
    """One piece of an item's evidence, with what its source found."""

    evidence: Evidence
    finding: Finding


@dataclass(frozen=True)
class ArchiveRow:
    item: ArchiveItem
    found: tuple[Found, ...]

    @property
    def complete(self) -> bool:
        hits = [f.finding.found for f in self.found]
        return all(hits) if self.item.need == "all" else any(hits)

    @property
    def waiting_for_the_platform(self) -> bool:
        """Some of its evidence is kept by a part of the platform not there yet."""
        return any(not f.finding.registered for f in self.found)


@dataclass(frozen=True)
class Archive:
    project: Project
    rows: tuple[ArchiveRow, ...]
    documents: tuple[Attachment, ...]       # files uploaded under the archive's kinds
    kinds: tuple[tuple[str, object], ...]   # (kind, label) a document may be uploaded as

    @property
    def complete(self) -> int:
        return sum(1 for r in self.rows if r.complete)

    @property
    def missing(self) -> list[ArchiveRow]:
        return [r for r in self.rows if not r.complete]


def rows_of(ctx: Ctx, project: Project) -> list[ArchiveRow]:
    """The archive's items with what each source found (one look per piece of evidence)."""
    policy, config = policy_of(ctx, project.programme)
    registry = ctx.host.sources
    return [ArchiveRow(item, tuple(Found(e, registry.find(ctx, project, e.source, e.params)) for e in item.evidence))
            for item in policy.archive_items(config)]


def project_archive(ctx: Ctx, project_id: int) -> Archive:
    """The project's archive, for whoever sees its supervision records."""
    project = project_for_supervision(ctx, project_id)
    kinds = upload_kinds(ctx, project)
    keys = {k for k, _ in kinds}
    return Archive(project, tuple(rows_of(ctx, project)), tuple(a for a in project.attachments if a.kind in keys),
                   tuple(kinds))
