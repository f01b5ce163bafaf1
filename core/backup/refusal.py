"""A backup, restore or removal that will not go ahead, and why, in Chinese and English.

The operator reads it at a terminal: it names the table, the ids, the tenant or the revision that
stopped it, so the fix is clear without reading code. Raised before anything is written, or from
inside the one transaction (which then rolls back, and the files it wrote are removed again)."""
from __future__ import annotations

from core.i18n import T, Text


class BackupRefused(Exception):
    def __init__(self, message: Text):
        super().__init__(f"{message.zh} / {message.en}")
        self.message = message


def refuse(zh: str, en: str) -> BackupRefused:
    return BackupRefused(T(zh, en))


def listed(ids: list[int], most: int = 20) -> str:
    """Ids as an operator reads them: the first ``most``, then how many more."""
    shown = ", ".join(str(i) for i in ids[:most])
    return shown + (f" … (+{len(ids) - most})" if len(ids) > most else "")
