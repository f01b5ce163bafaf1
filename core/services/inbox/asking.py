"""Gathering the kinds of to-do and asking them as one statement.

``kinds(ctx)`` collects every ``TodoKind`` through the ``tongxin_todo_kinds`` hook: core's
built-ins first (``host.builtins``), then each loaded policy's, each kind once by key.
``Asking`` is what a kind's ``todos`` receives (``core.plugin_host.todo`` documents it), and
``todo_union`` puts every kind's query into one ``UNION ALL`` with the kind's key as its first
column, which the inbox pages, counts and groups in a fixed number of statements.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Callable

from sqlalchemy import Integer, String, func, literal, select, type_coerce, union_all
from sqlalchemy.sql import Select

from core.models import Programme
from core.models._types import UtcDateTime
from core.permissions import Action, holder_grants
from core.plugin_host.validation import PluginFailure
from core.plugin_host.todo import TODO_COLUMNS, TodoKind
from core.services.context import Ctx
from core.services.programmes import policy_of

log = logging.getLogger(__name__)

# How the union's columns are read back. Coerced, not CAST: SQLite would turn a CAST to a
# date-time into a number. A kind gives a NULL typed (``cast(null(), Integer)``: PostgreSQL
# reads an untyped one in a subquery as text) and a moment from a time-zoned column, as every
# core table's moments are.
COLUMN_TYPES = {"object_id": Integer(), "project_id": Integer(), "title": String(300), "unit_name": String(200),
                "since": UtcDateTime()}


def kinds(ctx: Ctx) -> list[TodoKind]:
    """Every kind of to-do, in order (``TodoKind.order``, then as given): core's built-ins and
    the loaded policies'. A policy whose hook fails, or answers something that is not a list of
    ``TodoKind``, is left out and logged; a key given twice keeps the first."""
    found: list[TodoKind] = []
    # pluggy answers the last registered first: reversed, core's own kinds (registered when the
    # platform is built) come first and keep their keys.
    answers = [("core", answer) for answer in reversed(ctx.host.builtins.pm.hook.tongxin_todo_kinds())]
    for name, policy in ctx.host.policies.items():
        try:
            answers.append((name, policy.call("tongxin_todo_kinds")))
        except PluginFailure as failure:
            log.error("to-do kinds of %s left out: %s", name, failure)
    seen: set[str] = set()
    for source, answer in answers:
        for kind in answer or ():
            if not isinstance(kind, TodoKind):
                log.error("%s answered tongxin_todo_kinds with %r, not a TodoKind: left out", source, kind)
                continue
            if kind.key in seen:
                log.error("to-do kind %s is given twice; %s's is left out", kind.key, source)
                continue
            seen.add(kind.key)
            found.append(kind)
    return sorted(found, key=lambda k: k.order)


@dataclass
class Asking:
    """One person's question to the kinds: who asks, what they may do (``where``), and the
    programmes' policies, read once for every kind that needs them."""

    ctx: Ctx
    # Where the caller reads the tenant's programmes anyway (a page listing them), how to get
    # them: the kinds then ask no statement of their own. Called only if a kind needs them.
    programmes: Callable[[], list[Programme]] | None = field(default=None, repr=False)
    _programmes: list | None = field(default=None, repr=False)

    @property
    def user_id(self) -> int | None:
        return self.ctx.actor.id

    def where(self, action: Action, **columns):
        return self.ctx.where(action, **columns)

    def holds(self, action: Action) -> bool:
        return bool(holder_grants(self.ctx.actor, action, table=self.ctx.permissions))

    def name_of(self, unit):
        """The name column of ``unit`` (an aliased ``OrgUnit``) in the reader's language."""
        return func.coalesce(unit.name_en, unit.name) if self.ctx.locale == "en" else unit.name

    def roles_for(self, action: Action) -> list[str]:
        return [r.value for r in self.ctx.permissions.roles_for(action)]

    def programme_ids(self, test: Callable[[Any, dict], bool]) -> list[int]:
        """Ids of the programmes whose policies (``PolicyStack``, config) pass ``test``. The
        programmes are read once per ``Asking``; a programme whose policy is not installed
        any more, or fails, passes no test."""
        if self._programmes is None:
            self._programmes = []
            rows = (self.programmes() if self.programmes is not None
                    else self.ctx.session.scalars(select(Programme).order_by(Programme.id)))
            for programme in sorted(rows, key=lambda p: p.id):
                try:
                    self._programmes.append((programme.id, *policy_of(self.ctx, programme)))
                except Exception:  # noqa: BLE001 - one programme's broken policy must not empty the inbox
                    log.exception("programme %s left out of the inbox's questions", programme.id)
        ids = []
        for pid, stack, config in self._programmes:
            try:
                if test(stack, config):
                    ids.append(pid)
            except Exception:  # noqa: BLE001 - as above
                log.exception("programme %s left out of the inbox's questions", pid)
        return ids


def kind_queries(asking: Asking, all_kinds: list[TodoKind]) -> list[tuple[TodoKind, Select]]:
    """Each kind's query for this person, columns checked; a kind that raises, answers
    something else than a ``Select`` or selects other columns is left out and logged."""
    out = []
    for kind in all_kinds:
        try:
            stmt = kind.todos(asking)
        except Exception:  # noqa: BLE001 - one kind must not break the inbox
            log.exception("to-do kind %s failed; left out", kind.key)
            continue
        if stmt is None:
            continue
        if not isinstance(stmt, Select) or tuple(stmt.selected_columns.keys()) != TODO_COLUMNS:
            log.error("to-do kind %s must select %s; left out", kind.key, ", ".join(TODO_COLUMNS))
            continue
        out.append((kind, stmt))
    return out


def todo_union(queries: list[tuple[TodoKind, Select]]):
    """One subquery: every kind's rows, each with its kind's key (``kind``) and the columns of
    ``TODO_COLUMNS`` in one type each. None when no kind has a query."""
    if not queries:
        return None
    parts = []
    for kind, stmt in queries:
        sub = stmt.subquery()
        parts.append(select(literal(kind.key, String(80)).label("kind"),
                            *[type_coerce(sub.c[name], COLUMN_TYPES[name]).label(name) for name in TODO_COLUMNS]))
    return union_all(*parts).subquery("todos")
