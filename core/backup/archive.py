"""The backup file: a gzipped tar holding

- ``manifest.json`` (first): format and version, the schema revisions, the tenants (slug, id,
  name), every table's column types and, per tenant, its row count, highest id and the sha256 of
  its lines, and every stored file of every tenant with its sha256 and size;
- ``rows/<table>.jsonl``: the rows, one JSON line each, encoded by ``core.backup.codec``;
- ``files/<sha256>``: each distinct file once, however many tenants or records hold it.

It is written to a temporary name beside its destination and renamed when complete, so a file
with the destination's name is always a whole backup."""
from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import tarfile
import tempfile
from pathlib import Path
from typing import Iterator

from core.backup.refusal import refuse

FORMAT = "tongxin-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"


class ArchiveWriter:
    def __init__(self, destination: Path):
        self.destination = Path(destination)
        self.destination.parent.mkdir(parents=True, exist_ok=True)
        self._work = tempfile.TemporaryDirectory(prefix="tongxin-backup-")
        self._rows: dict[str, io.TextIOWrapper] = {}
        self._files: dict[str, Path] = {}

    def add_line(self, table: str, text: str) -> None:
        if table not in self._rows:
            self._rows[table] = open(Path(self._work.name) / f"{table}.jsonl", "w", encoding="utf-8")
        self._rows[table].write(text + "\n")

    def add_file(self, sha256: str, path: Path) -> None:
        self._files.setdefault(sha256, path)

    def finish(self, manifest: dict, tables: list[str]) -> None:
        for out in self._rows.values():
            out.close()
        partial = self.destination.with_name(self.destination.name + ".part")
        try:
            with tarfile.open(partial, "w:gz") as tar:
                _add_bytes(tar, MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"))
                for table in tables:
                    rows = Path(self._work.name) / f"{table}.jsonl"
                    if not rows.exists():
                        rows.touch()
                    tar.add(rows, arcname=f"rows/{table}.jsonl")
                for sha256, path in sorted(self._files.items()):
                    tar.add(path, arcname=f"files/{sha256}")
            os.replace(partial, self.destination)
        finally:
            partial.unlink(missing_ok=True)
            self._work.cleanup()

    def abandon(self) -> None:
        for out in self._rows.values():
            out.close()
        self._work.cleanup()


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(data))


class Archive:
    """A backup file opened for reading; every part is checked as it is read."""

    def __init__(self, tar: tarfile.TarFile, path: Path):
        self.tar = tar
        self.path = path
        self.manifest = json.loads(self._member(MANIFEST).read().decode("utf-8"))
        if self.manifest.get("format") != FORMAT or self.manifest.get("format_version") != FORMAT_VERSION:
            raise refuse(f"{path} 不是本版本的同心备份（格式 {self.manifest.get('format')} "
                         f"版本 {self.manifest.get('format_version')}，应为 {FORMAT} 版本 {FORMAT_VERSION}）",
                         f"{path} is not a Tongxin backup of this format (format {self.manifest.get('format')} "
                         f"version {self.manifest.get('format_version')}; expected {FORMAT} version {FORMAT_VERSION})")

    @classmethod
    @contextlib.contextmanager
    def open(cls, path: Path) -> Iterator["Archive"]:
        try:
            tar = tarfile.open(path, "r:*")
        except (OSError, tarfile.TarError) as exc:
            raise refuse(f"无法读取备份文件 {path}：{exc}", f"cannot read the backup file {path}: {exc}") from exc
        try:
            yield cls(tar, Path(path))
        finally:
            tar.close()

    def _member(self, name: str):
        try:
            found = self.tar.extractfile(name)
        except (KeyError, tarfile.TarError, OSError, EOFError) as exc:
            raise refuse(f"备份文件 {self.path} 缺少或损坏了 {name}", f"the backup file {self.path} lacks {name} or it is damaged") from exc
        if found is None:
            raise refuse(f"备份文件 {self.path} 中的 {name} 不是文件", f"{name} in the backup file {self.path} is not a file")
        return found

    @property
    def slugs(self) -> list[str]:
        return [t["slug"] for t in self.manifest["tenants"]]

    def tenant(self, slug: str) -> dict:
        for t in self.manifest["tenants"]:
            if t["slug"] == slug:
                return t
        raise refuse(f"备份文件 {self.path} 中没有辖区 {slug}（其中有：{'、'.join(self.slugs) or '无'}）",
                     f"the backup file {self.path} holds no tenant {slug} (it holds: {', '.join(self.slugs) or 'none'})")

    def lines(self, table: str) -> Iterator[dict]:
        try:
            for raw in io.TextIOWrapper(self._member(f"rows/{table}.jsonl"), encoding="utf-8"):
                if raw.strip():
                    yield json.loads(raw)
        except (ValueError, tarfile.TarError, OSError, EOFError) as exc:
            raise refuse(f"备份文件 {self.path} 的 rows/{table}.jsonl 已损坏：{exc}",
                         f"rows/{table}.jsonl in the backup file {self.path} is damaged: {exc}") from exc

    def file_bytes(self, sha256: str) -> bytes:
        """A stored file's content, refused unless it still has the sha256 it is named by."""
        data = self._member(f"files/{sha256}").read()
        if hashlib.sha256(data).hexdigest() != sha256:
            raise refuse(f"备份文件 {self.path} 中的文件 {sha256} 内容与其 sha256 不符",
                         f"the file {sha256} in the backup file {self.path} does not match its sha256")
        return data
