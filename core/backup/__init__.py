"""Backup and restore of a deployment's rows and files, whole or one tenant at a time.

- ``take`` (``tongxin backup``): every table's rows and every stored file into one archive
  (``core.backup.archive``), the values typed so money stays integer fen and moments keep their
  offset (``core.backup.codec``);
- ``restore`` (``tongxin restore``): an archive back, with the original ids, in one transaction
  (``core.backup.put_back``);
- ``remove`` (``tongxin tenants remove``): a tenant's rows and files gone, only against a backup
  proved to hold them (``core.backup.remove``).

Each refuses with ``BackupRefused``, in Chinese and English, before anything is changed or inside
the transaction it then rolls back."""
from core.backup.put_back import restore
from core.backup.refusal import BackupRefused
from core.backup.remove import remove
from core.backup.take import take

__all__ = ["BackupRefused", "remove", "restore", "take"]
