"""The inbox of every role: things to do (待办) and things that happened (消息).

**To-dos** are computed, never stored: each kind (``core.plugin_host.todo``; core's in
``core_kinds``, other modules' and policies' through the ``tongxin_todo_kinds`` hook) selects the
objects waiting for the person asking, from their state and the permission table. All kinds are
asked in one ``UNION ALL`` (``asking.todo_union``), so the inbox costs the same few statements
whether it holds one item or a thousand:

- ``summary``: one statement, the number of to-dos of each kind and of unread notifications
  (the count in every page's header);
- ``todos_page``: one more, a page of to-dos, oldest first, each with the page where the work is
  done (``Todo.link``, relative to the tenant).

An item leaves the inbox when the work is done (its object's state moves on), whoever did it.

**Notifications** are the ``Notification`` rows tasks write (a submission for the panel, a
deadline reminder, a report falling due ...): ``notifications_page`` reads them newest first,
``mark_read`` / ``mark_all_read`` mark them read (door operations in ``core.door.inbox``); each
is also mailed once where the deployment has SMTP (``core.tasks.mail``).
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from sqlalchemy import func, literal, select, union_all
from sqlalchemy.exc import SQLAlchemyError

from core.i18n import T
from core.models import Notification
from core.permissions import A
from core.plugin_host.todo import TODO_COLUMNS, TodoKind
from core.services.context import Ctx
from core.services.inbox.asking import Asking, kind_queries, kinds, todo_union
from core.violations import NotFound

__all__ = ["Summary", "Todo", "kinds", "mark_all_read", "mark_read", "may_use", "notifications_page", "summary",
           "todos_page"]

log = logging.getLogger(__name__)
UNREAD = "_unread"  # the summary's row for unread notifications (no kind's key starts with "_")
MAX_PAGE = 200


@dataclass(frozen=True)
class Todo:
    kind: TodoKind
    object_id: int
    project_id: int | None
    title: str
    unit_name: str | None
    since: dt.datetime | None
    link: str


@dataclass
class Summary:
    """How many to-dos of each kind (in the kinds' order, only kinds with some) and how many
    unread notifications the person has."""

    by_kind: list[tuple[TodoKind, int]] = field(default_factory=list)
    unread: int = 0
    # What the counts were asked of, so a page of the same inbox asks the same queries.
    _queries: list = field(default_factory=list, repr=False)

    @property
    def todos(self) -> int:
        return sum(n for _, n in self.by_kind)


def may_use(ctx: Ctx) -> bool:
    """Whether the actor has an inbox (anyone signed in holding a role)."""
    return ctx.actor.is_authenticated and ctx.can(A.inbox_view).allowed


def _unread_of(ctx: Ctx):
    return select(literal(UNREAD).label("kind")).where(Notification.user_id == ctx.actor.id,
                                                       Notification.read_at.is_(None))


def summary(ctx: Ctx, *, asking: Asking | None = None) -> Summary:
    """The person's counts, in one statement (after the programmes and panel seats the kinds
    read once). ``Forbidden`` for someone without an inbox."""
    ctx.require(A.inbox_view)
    queries = kind_queries(asking or Asking(ctx), kinds(ctx))

    def counts(qs):
        todos = todo_union(qs)
        parts = ([select(todos.c.kind)] if todos is not None else []) + [_unread_of(ctx)]
        every = union_all(*parts).subquery("inbox")
        return dict(ctx.session.execute(select(every.c.kind, func.count()).group_by(every.c.kind)).all())

    found, queries = _contained(ctx, queries, counts)
    by_kind = [(kind, found[kind.key]) for kind, _ in queries if found.get(kind.key)]
    return Summary(by_kind, int(found.get(UNREAD, 0)), queries)


def todos_page(ctx: Ctx, *, limit: int = 50, offset: int = 0, counted: Summary | None = None,
               kind: str | None = None) -> tuple[list[Todo], int]:
    """A page of the person's to-dos, oldest first (those without a date last), and their
    number in all; ``kind``: of that kind only. ``counted``: the summary already read for this
    request, whose queries are reused."""
    counted = counted or summary(ctx)
    queries = [(k, q) for k, q in counted._queries if kind is None or k.key == kind]
    by_key = {k.key: k for k, _ in queries}
    total = sum(n for k, n in counted.by_kind if k.key in by_key)
    if not queries or total == 0:
        return [], total

    def page(qs):
        todos = todo_union(qs)
        stmt = (select(todos).order_by(todos.c.since.is_(None), todos.c.since, todos.c.kind, todos.c.object_id)
                .limit(max(1, min(limit, MAX_PAGE))).offset(max(0, offset)))
        return list(ctx.session.execute(stmt).mappings())

    rows, _ = _contained(ctx, queries, page)
    return [Todo(by_key[r["kind"]], *(r[c] for c in TODO_COLUMNS), link=by_key[r["kind"]].link_for(r))
            for r in rows if r["kind"] in by_key], total


def _contained(ctx: Ctx, queries: list, run):
    """``run(queries)``; where the database refuses it (a policy's kind with a broken query),
    the transaction is rolled back (an inbox is read before anything is written), each kind is
    tried alone, the failing ones are left out and logged, and ``run`` is asked again."""
    try:
        return run(queries), queries
    except SQLAlchemyError:
        log.exception("the inbox's query failed; trying each kind alone")
    ctx.session.rollback()
    good = []
    for kind, stmt in queries:
        try:
            ctx.session.execute(select(func.count()).select_from(stmt.subquery()))
            good.append((kind, stmt))
        except SQLAlchemyError:
            ctx.session.rollback()
            log.exception("to-do kind %s left out: its query fails", kind.key)
    return run(good), good


# -- things that happened ------------------------------------------------------------------------


def notifications_page(ctx: Ctx, *, limit: int = 50, offset: int = 0, unread: bool = False
                       ) -> tuple[list[Notification], int]:
    """A page of the person's notifications, newest first, and their number in all
    (``unread``: only those not yet read)."""
    ctx.require(A.inbox_view)
    stmt = select(Notification).where(Notification.user_id == ctx.actor.id)
    if unread:
        stmt = stmt.where(Notification.read_at.is_(None))
    total = ctx.session.scalar(select(func.count()).select_from(stmt.with_only_columns(Notification.id).subquery()))
    rows = ctx.session.scalars(stmt.order_by(Notification.id.desc()).limit(max(1, min(limit, MAX_PAGE)))
                               .offset(max(0, offset)))
    return list(rows), int(total or 0)


def mark_read(ctx: Ctx, notification_id: int) -> Notification:
    """Mark one of the person's notifications read (again: nothing changes). Another person's
    notification is not found, as if it did not exist."""
    found = ctx.session.scalars(select(Notification).where(Notification.id == notification_id,
                                                           Notification.user_id == ctx.actor.id)).one_or_none()
    if found is None:
        raise NotFound(T("该消息", "The notification"), field="notification_id")
    ctx.require(A.notification_read, found)
    if found.read_at is None:
        with ctx.action("notification.read"):
            found.read_at = ctx.clock.now()
    return found


def mark_all_read(ctx: Ctx) -> int:
    """Mark every unread notification of the person read; the number marked."""
    ctx.require(A.notification_read)
    with ctx.action("notification.read_all"):
        unread = list(ctx.session.scalars(select(Notification).where(Notification.user_id == ctx.actor.id,
                                                                     Notification.read_at.is_(None))))
        now = ctx.clock.now()
        for n in unread:
            n.read_at = now
    return len(unread)
