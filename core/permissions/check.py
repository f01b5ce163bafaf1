"""The one question: may this actor take this action on this object?

Why one function: a service guard, a web button ("shown, or shown disabled with the reason")
and an API ``actions`` field must give the same answer, so all of them call ``can``.
``can`` answers with a ``Decision`` (allowed, and a reason in Chinese and English) rather than
a bare bool, so a refusal can say which role and scope would have been needed.

Lists need the same answer as SQL: ``where`` turns the table's rows for an action into a
condition on the caller's columns (the unit's path, the programme's unit's path, ...), so a
list shows exactly the objects ``can`` would allow one by one.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, false, literal, not_, or_, select
from sqlalchemy.orm import object_session

from core.i18n import T, Text
from core.models import Fund, Membership, Notification, OrgUnit, PanelMember, Programme, Project, Sponsor
from core.models.fund_request import FundRequest, FundRequestBatch
from core.models.supervision import SupervisionAssignment
from core.permissions.actions import Action
from core.permissions.table import PermissionTable, Row, Scope
from core.violations import Forbidden

CORE_TABLE = PermissionTable.core()


@dataclass(frozen=True)
class Subject:
    """What the table needs to know about an object: its unit, its programme (and that
    programme's unit), the user it belongs to, the user representing its sponsor and the
    project it is (or belongs to), which a commissioned organisation may be assigned."""

    unit: OrgUnit | None = None
    programme_id: int | None = None
    programme_unit: OrgUnit | None = None
    user_id: int | None = None
    sponsor_user_id: int | None = None
    project_id: int | None = None


def subject_of(obj: Any) -> Subject | None:
    """The ``Subject`` of a model object (None: no object, "may they do this anywhere")."""
    if obj is None or isinstance(obj, Subject):
        return obj
    if isinstance(obj, OrgUnit):
        return Subject(unit=obj)
    if isinstance(obj, Project):
        return Subject(unit=obj.applicant_unit, programme_id=obj.programme_id, programme_unit=obj.programme.org_unit,
                       project_id=obj.id)
    if isinstance(obj, Programme):
        return Subject(unit=obj.org_unit, programme_id=obj.id, programme_unit=obj.org_unit)
    if isinstance(obj, Fund):
        return Subject(unit=obj.org_unit)
    if isinstance(obj, FundRequest):
        return subject_of(obj.project)
    if isinstance(obj, FundRequestBatch):
        return Subject(unit=obj.street_unit)
    if isinstance(obj, Sponsor):
        return Subject(unit=obj.org_unit, sponsor_user_id=obj.user_id)
    # inbox: a notification is its addressee's; a role is held at its unit
    if isinstance(obj, Notification):
        return Subject(user_id=obj.user_id)
    if isinstance(obj, Membership):
        return Subject(unit=obj.org_unit)
    raise TypeError(f"the permission table does not know objects of type {type(obj).__name__}")


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: Text
    row: Row | None = None

    def __bool__(self) -> bool:
        return self.allowed


def panel_seats(actor, session=None) -> dict[int, bool]:
    """{programme id: chairs it} for the actor's review panel seats, read once per actor and
    session (``session``: the unit of work asking; else the one the actor's user came from).
    A preset ``actor._panel_seats`` dict (tests) is used as is."""
    session = session if session is not None else (object_session(actor.user) if actor.user is not None else None)
    cached = getattr(actor, "_panel_seats", None)
    if isinstance(cached, dict):
        return cached
    if cached is not None and cached[0] is session:
        return cached[1]
    seats = {}
    if session is not None and actor.user is not None:
        seats = dict(session.execute(select(PanelMember.programme_id, PanelMember.chair)
                                     .where(PanelMember.user_id == actor.user.id)).all())
    actor._panel_seats = (session, seats)
    return seats


def assigned_projects(actor, session=None) -> frozenset[int]:
    """The ids of the projects assigned to the actor for supervision (assignments not ended),
    read once per actor and session, as ``panel_seats``. A preset ``actor._assigned`` set
    (tests) is used as is."""
    session = session if session is not None else (object_session(actor.user) if actor.user is not None else None)
    cached = getattr(actor, "_assigned", None)
    if isinstance(cached, (set, frozenset)):
        return frozenset(cached)
    if cached is not None and cached[0] is session:
        return cached[1]
    found: frozenset[int] = frozenset()
    if session is not None and actor.user is not None:
        found = frozenset(session.scalars(select(SupervisionAssignment.project_id).where(
            SupervisionAssignment.user_id == actor.user.id, SupervisionAssignment.ended_at.is_(None))))
    actor._assigned = (session, found)
    return found


def _within(inner: OrgUnit | None, outer_path: str) -> bool:
    return inner is not None and inner.path.startswith(outer_path)


def _grants(actor, row: Row):
    return [g for g in actor.grants if g.role == row.role.value]


def _row_allows(actor, row: Row, subject: Subject | None, session=None) -> bool:
    grants = _grants(actor, row)
    if row.scope in (Scope.panel, Scope.panel_chair):
        seats = panel_seats(actor, session) if grants else {}
        if subject is None:
            return bool(seats) and (row.scope is Scope.panel or any(seats.values()))
        chair = seats.get(subject.programme_id)
        return chair is not None and (row.scope is Scope.panel or chair)
    if not grants:
        return False  # every scope needs the role itself, held at some unit
    if row.scope is Scope.sponsor_of:
        return subject is None or subject.sponsor_user_id == actor.id
    if row.scope is Scope.self:
        return subject is None or subject.user_id == actor.id
    if row.scope is Scope.assigned:
        if subject is None:
            return True
        return (subject.project_id is not None and subject.project_id in assigned_projects(actor, session)
                and any(_within(subject.unit, g.unit_path) for g in grants))
    if subject is None or row.scope is Scope.anywhere:
        return True
    for g in grants:
        if row.scope is Scope.below and _within(subject.unit, g.unit_path):
            return True
        if row.scope is Scope.above and subject.unit is not None and g.unit_path.startswith(subject.unit.path):
            return True
        if row.scope is Scope.own_unit and subject.unit is not None and subject.unit.id == g.unit_id:
            return True
        if row.scope is Scope.programme and _within(subject.programme_unit, g.unit_path):
            return True
    return False


def can(actor, action: Action | str, obj: Any = None, *, table: PermissionTable | None = None,
        session=None) -> Decision:
    """May ``actor`` take ``action`` on ``obj``? With ``obj=None``: may they take it anywhere
    (to show a menu entry). ``table``: the plugin host's table (``ctx.host.permissions``);
    core's own when omitted. ``session``: where panel seats are read (``Ctx.can`` passes its own)."""
    table = table or CORE_TABLE
    act = table.registry.get(action)
    rows = table.rows_for(act)
    if not actor.grants:
        return Decision(False, T(f"请先登录，再{act.label.zh}", f"Log in first to {act.label.en}")
                        if not actor.is_authenticated else
                        T(f"您没有任何角色，不能{act.label.zh}", f"You hold no role, so you may not {act.label.en}"))
    subject = subject_of(obj)
    for row in rows:
        if _row_allows(actor, row, subject, session):
            conflict = table.conflicts.get(act.key)
            if conflict is not None and subject is not None and can(actor, conflict[0], subject, table=table,
                                                                    session=session).allowed:
                return Decision(False, T(f"您不能{act.label.zh}：{conflict[1].zh}", f"You may not {act.label.en}: {conflict[1].en}"))
            return Decision(True, T(f"{row.role.label.zh}（{row.scope.label.zh}）可以{act.label.zh}",
                                    f"a {row.role.label.en} ({row.scope.label.en}) may {act.label.en}"), row)
    needed_zh = "、".join(f"{r.role.label.zh}（{r.scope.label.zh}）" for r in rows) or "无人"
    needed_en = "; ".join(f"{r.role.label.en} ({r.scope.label.en})" for r in rows) or "nobody"
    where_zh = f"「{subject.unit.name}」" if subject and subject.unit else ""
    where_en = f" for {subject.unit.name_en or subject.unit.name}" if subject and subject.unit else ""
    return Decision(False, T(f"您无权{where_zh}{act.label.zh}：需要{needed_zh}",
                             f"You may not {act.label.en}{where_en}: it takes {needed_en}"))


def holds_role(actor, role: str, obj: Any = None) -> bool:
    """Does ``actor`` hold ``role`` (a role name) at the object's unit or above it, or at its
    programme's unit or above? Who may override a phase's "needs_approval" limit
    (``core.services.calendar``) is named by a role, as a violation's approver is."""
    subject = subject_of(obj)
    for g in actor.grants:
        if g.role != role:
            continue
        if subject is None or _within(subject.unit, g.unit_path) or _within(subject.programme_unit, g.unit_path):
            return True
    return False


def require(actor, action: Action | str, obj: Any = None, *, table: PermissionTable | None = None,
            message: Text | None = None, session=None) -> Decision:
    """``can``, raising ``Forbidden`` (403, code "forbidden") with ``message`` or the table's reason."""
    decision = can(actor, action, obj, table=table, session=session)
    if not decision.allowed:
        raise Forbidden(message or decision.reason)
    return decision


def where(actor, action: Action | str, *, unit_path=None, programme_unit_path=None, programme_id=None,
          sponsor_user_id=None, user_id=None, project_id=None, table: PermissionTable | None = None,
          session=None) -> ColumnElement[bool]:
    """A SQL condition selecting the rows ``actor`` may take ``action`` on, given the columns
    that describe them (pass the ones the query has; a row whose scope needs a column that was
    not given contributes nothing). ``false()`` when nothing is allowed: fail closed.

    The separation of duties ``can`` applies holds here too: where the action conflicts with
    another (deciding an application with applying for it), the rows the actor may take that
    other action on are left out, so a street office never finds its own application among
    those it may decide. That needs the object's own unit (``unit_path``): without it the
    separation could not be applied, and ``where`` refuses to answer rather than list too much."""
    table = table or CORE_TABLE
    cond = _where_rows(actor, action, table, session, unit_path=unit_path, programme_unit_path=programme_unit_path,
                       programme_id=programme_id, sponsor_user_id=sponsor_user_id, user_id=user_id, project_id=project_id)
    conflict = table.conflicts.get(table.registry.get(action).key)
    if conflict is None or cond is _NOTHING or not holder_grants(actor, conflict[0], table=table):
        return cond
    if unit_path is None:
        raise ValueError(f"where({table.registry.get(action).key}) needs unit_path to keep {conflict[0].key} apart")
    other = _where_rows(actor, conflict[0], table, session, unit_path=unit_path, programme_unit_path=programme_unit_path,
                        programme_id=programme_id, sponsor_user_id=sponsor_user_id, user_id=user_id,
                        project_id=project_id)
    return cond if other is _NOTHING else and_(cond, not_(other))


_NOTHING = false()


def _where_rows(actor, action, table: PermissionTable, session, *, unit_path, programme_unit_path, programme_id,
                sponsor_user_id, user_id, project_id=None) -> ColumnElement[bool]:
    """The rows' half of ``where``: any row of ``action`` the actor holds, over these columns."""
    conds = []
    for row in table.rows_for(action):
        paths = sorted({g.unit_path for g in _grants(actor, row)})
        if row.scope is Scope.below and unit_path is not None:
            conds += [unit_path.startswith(p) for p in paths]
        elif row.scope is Scope.own_unit and unit_path is not None:
            conds += [unit_path == p for p in paths]
        elif row.scope is Scope.above and unit_path is not None:
            conds += [literal(p).startswith(unit_path) for p in paths]
        elif row.scope is Scope.programme and programme_unit_path is not None:
            conds += [programme_unit_path.startswith(p) for p in paths]
        elif row.scope is Scope.anywhere and paths:
            conds.append(literal(True))
        elif row.scope in (Scope.panel, Scope.panel_chair) and programme_id is not None and paths:
            seats = [pid for pid, chair in panel_seats(actor, session).items() if row.scope is Scope.panel or chair]
            if seats:
                conds.append(programme_id.in_(seats))
        elif row.scope is Scope.sponsor_of and sponsor_user_id is not None and paths:
            conds.append(sponsor_user_id == actor.id)
        elif row.scope is Scope.self and user_id is not None and paths:
            conds.append(user_id == actor.id)
        elif row.scope is Scope.assigned and project_id is not None and unit_path is not None and paths:
            # As ``can`` reads it: assigned to the actor, and within a unit where the role is held.
            mine = select(SupervisionAssignment.project_id).where(SupervisionAssignment.user_id == actor.id,
                                                                   SupervisionAssignment.ended_at.is_(None))
            conds.append(and_(project_id.in_(mine), or_(*[unit_path.startswith(p) for p in paths])))
    return or_(*conds) if conds else _NOTHING


def holder_grants(actor, action: Action | str, *, table: PermissionTable | None = None,
                  scopes: frozenset[Scope] | None = None) -> list:
    """The actor's grants whose role has a row for ``action`` (of one of ``scopes``, if given),
    in the order they were given: where a landing page or a menu should point."""
    table = table or CORE_TABLE
    roles = {r.role.value for r in table.rows_for(action) if scopes is None or r.scope in scopes}
    return [g for g in actor.grants if g.role in roles]


def holder_paths(actor, action: Action | str, *, table: PermissionTable | None = None) -> list[str]:
    """The paths of the units where the actor holds a role with a row for ``action`` (where a
    landing page or a unit picker should start)."""
    table = table or CORE_TABLE
    roles = {r.role.value for r in table.rows_for(action)}
    return sorted({g.unit_path for g in actor.grants if g.role in roles})
