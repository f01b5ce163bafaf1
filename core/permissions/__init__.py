"""Who may do what: one table of role × action × scope, and one question, ``can``.

- ``actions``: the typed action names (core's ``A``, plus what plugins register);
- ``table``: the rows, the scopes, and ``PermissionTable`` (core's plus the plugins');
- ``check``: ``can`` / ``require`` for one object, ``where`` for lists;
- ``docs``: ``docs/permissions.md``, generated from the table.

Services guard with ``ctx.require(A.x, obj)``; views show a button when ``ctx.can(A.x, obj)``
(or show it disabled with the decision's reason). No module outside this package compares
roles: ``tests/test_permission_table.py`` fails when one does.
"""
from core.permissions.actions import A, Action, ActionRegistry
from core.permissions.check import (Decision, Subject, can, holder_grants, holder_paths, holds_role, require, subject_of,
                                    where)
from core.permissions.table import PermissionTable, Row, Scope

__all__ = ["A", "Action", "ActionRegistry", "Decision", "Subject", "can", "holder_grants", "holder_paths", "holds_role", "require",
           "subject_of",
           "where", "PermissionTable", "Row", "Scope"]
