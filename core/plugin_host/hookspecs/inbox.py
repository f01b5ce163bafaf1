"""What waits for someone: the kinds of to-do the inbox gathers. See the package doc
(``core.plugin_host.hookspecs``) for the contract and ``core.plugin_host.todo`` for a kind."""
from __future__ import annotations

from core.plugin_host.markers import hookspec
from core.plugin_host.todo import TodoKind


@hookspec
def tongxin_todo_kinds() -> list[TodoKind]:
    """Kinds of to-do for the inbox (待办): each a ``TodoKind`` whose ``todos(asking)`` selects,
    as one SQL query over sets, the objects waiting for the person asking (``key``, ``label``,
    the ``link`` where the work is done). Every answer is gathered: core's own kinds (a built-in
    plugin), other core modules' and every loaded policy's add up, as contributions of stacked
    policies do; a key given twice keeps the first (the second is logged and left out). A
    policy's query selects from its own records (which exist only where it is enabled) and asks
    ``asking.where`` for the permission, so a person sees exactly what they may act on. Called
    when the inbox is read; a kind that raises or selects the wrong columns is left out (and
    logged), the others are shown. Answer [] for none.

    Example::

        def _visits_due(asking):
            if not asking.holds(VISIT):
                return None
            unit = aliased(OrgUnit)
            return (select(Visit.id.label("object_id"), Visit.project_id.label("project_id"),
                           Visit.topic.label("title"), unit.name.label("unit_name"),
                           Visit.due_at.label("since"))
                    .join(unit, unit.id == Visit.unit_id)
                    .where(Visit.done_at.is_(None), asking.where(VISIT, unit_path=unit.path)))

        @hookimpl
        def tongxin_todo_kinds():
            return [TodoKind("riverside.visit", T("待走访", "Home visits due"), _visits_due,
                             link="/p/riverside/visits/{object_id}")]
    """
