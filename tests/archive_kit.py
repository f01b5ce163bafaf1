"""Archive tests' shared helpers: a 晋江 pilot project, its archive rows, an uploaded document."""
from __future__ import annotations

import io

from werkzeug.datastructures import FileStorage

from core.services import archive, endorsement, review
from tests.factories import JINJIANG_SELECTION_DAY, PDF, acting, jinjiang_project, on_day


VISIT_DAY = "2023-07-18"


def pilot(platform) -> int:
    pid = jinjiang_project(platform, "qinghua", "jj-qingyang-a")
    with acting(platform, "jinjiang", "qingyang_admin") as ctx:
        endorsement.endorse(ctx, pid, "endorsed")
    with on_day(JINJIANG_SELECTION_DAY), acting(platform, "jinjiang", "jj_chair") as ctx:
        review.decide(ctx, pid, "approved", details={"selection": {"tier": "city"}})
    return pid


def rows(platform, pid: int, username: str = "qinghua") -> dict:
    with on_day(VISIT_DAY), acting(platform, "jinjiang", username) as ctx:
        return {r.item.key: r for r in archive.project_archive(ctx, pid).rows}


def upload(platform, pid: int, kind: str, name: str = "材料.pdf", data: bytes = PDF, username: str = "qinghua"):
    with on_day(VISIT_DAY), acting(platform, "jinjiang", username) as ctx:
        return archive.upload(ctx, pid, kind=kind, file=FileStorage(io.BytesIO(data), name), storage=platform.storage)


def funds_of(ctx, pid):
    from core.services import funding
    from core.services.projects import get_project
    return funding.approved_funding(ctx, get_project(ctx, pid))
