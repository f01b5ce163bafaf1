"""A kind of to-do (待办): what makes an item wait for someone, as one SQL query over sets.

The inbox (``core.services.inbox``) shows each person the things waiting for them: an
application to score, a town's endorsement, a fund request to accept, a batch within the
leader's authority, an application returned to its applicant, a report falling due... Nothing
is stored for a to-do: it is *computed* from the state of the objects and the permission table,
so it appears when an object reaches the state that waits for someone and disappears when that
someone has acted (the state moved on), with no bookkeeping to forget and nothing to clean up
when a role changes hands (``core.services.handover``).

Each kind is one ``TodoKind``. Its ``todos`` function is handed the inbox's question (an
``asking``, see below) and answers with one SQLAlchemy ``Select`` of exactly the columns
``TODO_COLUMNS`` names, or None when the person can have none of this kind. The inbox puts every
kind's query into one ``UNION ALL``, so the inbox page and the count in the header cost the
same few statements whatever the number of kinds and items: a kind must never run queries of
its own per object.

The ``asking`` a kind receives:

- ``asking.where(action, **columns)``: the permission table's condition for the rows the person
  may take ``action`` on (``core.permissions.where``: ``unit_path=``, ``programme_unit_path=``,
  ``programme_id=``, ``user_id=``, ...), the same answer the service guarding the action gives;
- ``asking.user_id``: the person's id (for "not yet scored by me");
- ``asking.holds(action)``: whether the person holds any role with a row for ``action`` (answer
  None early, and the union stays small);
- ``asking.programme_ids(test)``: the ids of the tenant's programmes whose policies (a
  ``PolicyStack`` and its config) pass ``test`` (e.g. those with an endorsement step), read
  once per inbox, not per kind;
- ``asking.roles_for(action)``: the role names with a row for ``action``;
- ``asking.name_of(unit)``: an (aliased) org unit's name column in the reader's language.

Kinds are registered through the ``tongxin_todo_kinds`` hook (``core.plugin_host.hookspecs.inbox``),
never at import time: core's own are a built-in plugin the platform registers when it is built
(``core.services.inbox.core_kinds``); another core module adds its kinds the same way (a module
with a ``@hookimpl def tongxin_todo_kinds()`` registered with ``host.builtins.register`` in
``core.platform.Platform.build``); a policy plugin answers the same hook.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

from core.i18n import Text

# The columns every kind's query selects, by these labels and in this order:
# object_id (int, the object the work is on), project_id (int or NULL), title (text), unit_name
# (text or NULL: whose it is), since (a moment or NULL: waiting since, oldest shown first).
# A NULL is given typed, ``cast(null(), Integer)``: PostgreSQL reads an untyped one as text.
TODO_COLUMNS = ("object_id", "project_id", "title", "unit_name", "since")
KIND_KEY = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")


@dataclass(frozen=True)
class TodoKind:
    """One kind of to-do. ``key`` is dotted (``review.decide``; a plugin's start with its own
    name), ``label`` names the kind in the inbox ("待我决定的申报"), ``todos(asking)`` selects
    ``TODO_COLUMNS`` (or answers None), ``link`` is the web page where the work is done,
    relative to the tenant (``/projects/{project_id}/review``; formatted with the row's
    columns), ``order`` places the kind among the others (core's use 10 to 80)."""

    key: str
    label: Text
    todos: Callable[[Any], Any]
    link: str
    order: int = 50

    def __post_init__(self) -> None:
        if not KIND_KEY.match(self.key):
            raise ValueError(f"to-do kind key {self.key!r} must be dotted lower-case words, e.g. 'review.decide'")
        if not isinstance(self.label, Text):
            raise TypeError(f"to-do kind {self.key}: label must be a Text (Chinese and English)")

    def link_for(self, row) -> str:
        """The page of one of this kind's rows (a mapping with ``TODO_COLUMNS``)."""
        return self.link.format(**{name: row[name] for name in TODO_COLUMNS})
