"""Rows as JSON lines with explicit types, so nothing changes on the way out and back in.

Each column of each table has one of the types below, written into the archive's manifest; a
row is one JSON object per line, its values encoded by the column's type:

- ``integer``: a JSON integer (money is integer fen: never a float, never rounded);
- ``text``, ``boolean``: as JSON has them;
- ``date``: ``YYYY-MM-DD``;
- ``moment``: ISO 8601 with its offset (``core.models._types.UtcDateTime`` hands back aware UTC
  moments on both databases, so the offset is never lost or guessed);
- ``json``: ``{"json": <the document>}``, and ``null`` only for SQL NULL, because a JSON
  document may itself be ``null`` and that is not the same stored value.

The encoding is canonical (columns in the table's order, no spaces), so a table's lines for one tenant have one
sha256: the manifest records it, a restore proves what it wrote against it, and removing a tenant
proves the backup still matches the live rows.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from typing import Any, Iterable

from sqlalchemy import JSON, Boolean, Date, Integer, String, Table, null

from core.models._types import UtcDateTime
from core.backup.refusal import refuse


def column_type(column) -> str:
    """The archive's name for a column's type; a type it does not know is refused rather than
    guessed (extend this module with the new type and its test)."""
    kind = column.type
    if isinstance(kind, UtcDateTime):
        return "moment"
    if isinstance(kind, Boolean):
        return "boolean"
    if isinstance(kind, Integer):
        return "integer"
    if isinstance(kind, JSON):
        return "json"
    if isinstance(kind, Date):
        return "date"
    if isinstance(kind, String):  # Text is a String
        return "text"
    raise refuse(f"备份不支持 {column.table.name}.{column.name} 的类型 {kind!r}",
                 f"backup does not know the type {kind!r} of {column.table.name}.{column.name}")


def columns_of(table: Table) -> dict[str, str]:
    return {c.name: column_type(c) for c in table.columns}


def encode(kind: str, value: Any, sql_null: bool = False) -> Any:
    if kind == "json":
        return None if sql_null else {"json": value}
    if value is None:
        return None
    if kind == "moment":
        if value.tzinfo is None:  # UtcDateTime never hands one back; refuse to guess a zone
            raise ValueError("a moment without its offset")
        return value.isoformat()
    if kind == "date":
        return value.isoformat()
    if kind == "integer" and (isinstance(value, bool) or not isinstance(value, int)):
        raise ValueError(f"not an integer: {value!r}")
    return value


def decode(kind: str, value: Any) -> Any:
    if kind == "json":
        if value is None:
            return null()  # SQL NULL
        return JSON.NULL if value["json"] is None else value["json"]
    if value is None:
        return None
    if kind == "moment":
        moment = dt.datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise ValueError(f"a moment without its offset: {value!r}")
        return moment
    if kind == "date":
        return dt.date.fromisoformat(value)
    if kind == "integer" and (isinstance(value, bool) or not isinstance(value, int)):
        raise ValueError(f"not an integer: {value!r}")
    return value


def line(row: dict) -> str:
    """The row's line: its columns in the table's order, no spaces. Keys are not sorted: that
    would reorder the keys inside JSON documents too, and they come back in the order they had."""
    return json.dumps(row, ensure_ascii=False, separators=(",", ":"))


class Digest:
    """Row counts, sha256 and highest id of encoded lines, per (table, tenant id)."""

    def __init__(self) -> None:
        self._hash: dict[tuple[str, int], Any] = defaultdict(hashlib.sha256)
        self.rows: dict[tuple[str, int], int] = defaultdict(int)
        self.max_id: dict[tuple[str, int], int] = defaultdict(int)

    def add(self, table: str, tenant_id: int, encoded: dict, text: str) -> None:
        key = (table, tenant_id)
        self._hash[key].update(text.encode("utf-8") + b"\n")
        self.rows[key] += 1
        self.max_id[key] = max(self.max_id[key], encoded.get("id") or 0)

    def sha256(self, table: str, tenant_id: int) -> str:
        return self._hash[(table, tenant_id)].hexdigest()

    def summary(self, table: str, tenant_id: int) -> dict:
        return {"rows": self.rows[(table, tenant_id)], "sha256": self.sha256(table, tenant_id),
                "max_id": self.max_id[(table, tenant_id)]}


def parents_first(rows: list[dict], table: Table) -> Iterable[dict]:
    """Rows in an order a non-deferred foreign key accepts: a row that names another row of the
    same table (an org unit's parent, a ledger entry's correction) comes after that row, even
    when a later change pointed it at a row with a higher id."""
    own = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]
    if not own:
        return rows
    pending = {r["id"]: r for r in rows}
    done: set = set()
    ordered: list[dict] = []
    while pending:
        ready = [r for r in pending.values()
                 if all(r.get(c) is None or r[c] in done or r[c] not in pending or r[c] == r["id"] for c in own)]
        if not ready:  # a cycle: leave it to the database to judge
            ready = list(pending.values())
        for r in ready:
            ordered.append(r)
            done.add(r["id"])
            del pending[r["id"]]
    return ordered
