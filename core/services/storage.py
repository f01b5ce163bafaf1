"""Attachment files: checked by size and by content (magic bytes), stored by content hash.

Local directory in the embedded profile; in production the same directory is a volume shared
by web and worker (docker-compose.yml)."""
from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path
from typing import BinaryIO

from core.i18n import T
from core.services.spreadsheets import XLSX_MIMETYPE
from core.violations import RuleError, Violation

log = logging.getLogger(__name__)

# What a file's first bytes say it is. The client's Content-Type header is not trusted.
SIGNATURES = [
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
]
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# Every type a stored file can have (what ``sniff`` recognises): a download answers with one of them.
STORED_TYPES = (*(kind for _, kind in SIGNATURES), DOCX, XLSX_MIMETYPE)


def sniff(head: bytes, filename: str) -> str | None:
    for magic, kind in SIGNATURES:
        if head.startswith(magic):
            return kind
    if head.startswith(b"PK\x03\x04"):
        lower = filename.lower()
        if lower.endswith(".docx"):
            return DOCX
        if lower.endswith(".xlsx"):
            return XLSX_MIMETYPE
    return None


class Storage:
    def __init__(self, root: str, max_bytes: int):
        # Absolute from the start: a relative setting ("instance/files") means the working
        # directory the platform started in. Left relative, Flask's send_file would resolve it
        # against the package's folder instead, and every download would miss its file.
        self.root = Path(root).expanduser().resolve()
        log.info("files are stored under %s", self.root)
        self.max_bytes = max_bytes

    def read_upload(self, stream: BinaryIO, filename: str, allowed: tuple[str, ...], field: str = "file") -> tuple[bytes, str]:
        data = stream.read(self.max_bytes + 1)
        if not data:
            raise RuleError(Violation("file_empty", T("文件为空", "The file is empty"), field=field))
        if len(data) > self.max_bytes:
            mb = self.max_bytes // (1024 * 1024)
            raise RuleError(Violation("file_too_large", T(f"文件不能超过{mb}MB", f"Files may be at most {mb} MB"),
                                      field=field), status=413)
        kind = sniff(data[:16], filename or "")
        if kind is None or kind not in allowed:
            names = "、".join(_names(allowed))
            raise RuleError(Violation("file_type", T(f"文件类型不符，只接受：{names}", f"Wrong file type; accepted: {names}"),
                                      field=field), status=415)
        return data, kind

    def save(self, tenant_id: int, data: bytes) -> tuple[str, str]:
        digest = hashlib.sha256(data).hexdigest()
        key = f"{tenant_id}/{digest[:2]}/{digest}"
        path = self.root / key
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".part")
            tmp.write_bytes(data)
            os.replace(tmp, path)  # atomic: a reader never sees half a file
        return key, digest

    def path(self, key: str) -> Path:
        return self.root / key


def _names(types: tuple[str, ...]) -> list[str]:
    label = {"application/pdf": "PDF", "image/jpeg": "JPG", "image/png": "PNG", DOCX: "Word (.docx)", XLSX_MIMETYPE: "Excel (.xlsx)"}
    return [label.get(t, t) for t in types]
