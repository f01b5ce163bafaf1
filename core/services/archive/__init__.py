"""A project's records after approval, as its policies ask for them: the archive (项目档案), a
checklist that fills itself from what was recorded (``contents``), the documents added to it
(``documents``), the tools the project works with (``tools``), and core's record sources that
find the evidence (``sources``, registered into each platform when it is built).
"""
from __future__ import annotations

from core.services.archive.contents import Archive, ArchiveRow, Found, project_archive, rows_of  # noqa: F401
from core.services.archive.documents import upload, upload_kinds  # noqa: F401
from core.services.archive.sources import CORE_SOURCES, register_core  # noqa: F401
from core.services.archive.tools import ToolRow, project_tools  # noqa: F401
