"""Reading the audit log, which ``core.models.auditing`` writes on every flush, scoped by org unit.

Who reads which entries is the permission table's ``A.audit_read``: each entry carries the unit
of the row it describes, so a street administrator reads the entries of their street and the
units below it, and the district (the tenant's root) reads all, including the entries about
tenant-wide rows (people, tokens) that carry no unit.

Reading the log is itself recorded (``audit.read``: who, which filter, which page), as is every
export of the log (``audit.export``: who, which filter, how many rows) and of personal data (``person.export``): the log says who looked at
what it holds. A read carries no unit, so the district (the tenant's root) reads who read."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, or_, select

from core.clock import SHANGHAI
from core.i18n import T
from core.models import AuditEntry, OrgUnit, User
from core.permissions import A, holder_grants
from core.services.context import Ctx
from core.violations import RuleError, Violation

EXPORT_LIMIT = 10_000  # rows in one export; the sheet says when the filter matched more


def _readable(ctx: Ctx):
    """The entries the actor may read, as a statement to refine."""
    ctx.require(A.audit_read, None, T("只有管理员可以查看操作日志", "Only administrators may read the audit log"))
    cond = ctx.where(A.audit_read, unit_path=OrgUnit.path)
    at_root = any(g.unit_path.count("/") == 2 for g in holder_grants(ctx.actor, A.audit_read, table=ctx.permissions))
    if at_root:
        cond = or_(cond, AuditEntry.org_unit_id.is_(None))
    return select(AuditEntry).outerjoin(OrgUnit, OrgUnit.id == AuditEntry.org_unit_id).where(cond)


@dataclass(frozen=True)
class AuditFilter:
    """What a reader narrows the log to. ``unit_id``: the entries about that unit and the units
    below it (the unit each entry carries: the unit of the row it describes); ``actor_id``: who
    acted; ``entity``: the kind of thing (a table); ``action``: what was done; ``since`` /
    ``until``: Shanghai days, both included. None: no narrowing. A filter never widens what
    the reader may read (``_readable``)."""

    entity: str | None = None
    entity_id: int | None = None
    unit_id: int | None = None
    actor_id: int | None = None
    action: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None

    def asked(self) -> dict:
        """The filter as the log records it (its ``audit.read`` / ``audit.export`` entry)."""
        out = {k: getattr(self, k) for k in ("entity", "entity_id", "unit_id", "actor_id", "action", "since", "until")}
        return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in out.items() if v is not None}


# The tables whose rows name residents (a registry's people, an activity's participants and
# its list of names): the log's entries about them hold personal data.
PEOPLE_TABLES = ("registry_people", "activity_participants", "activity_records")


def check_range(since: dt.date | None, until: dt.date | None) -> None:
    """A date range runs forwards: refused (422 ``date_range_reversed``, on ``until``) otherwise."""
    if since and until and since > until:
        raise RuleError(Violation("date_range_reversed", T("截止日期不能早于起始日期", "The end date cannot be before the start date"),
                                  field="until"), status=422)


def _filtered(ctx: Ctx, f: AuditFilter):
    check_range(f.since, f.until)
    stmt = _readable(ctx)
    if f.entity:
        stmt = stmt.where(AuditEntry.entity == f.entity)
    if f.entity_id is not None:
        stmt = stmt.where(AuditEntry.entity_id == f.entity_id)
    if f.actor_id is not None:
        stmt = stmt.where(AuditEntry.actor_id == f.actor_id)
    if f.action:
        stmt = stmt.where(AuditEntry.action == f.action)
    if f.unit_id is not None:
        # One indexed prefix match on the unit's path: the unit and everything below it.
        path = select(OrgUnit.path).where(OrgUnit.id == f.unit_id).scalar_subquery()
        stmt = stmt.where(OrgUnit.path.startswith(path))
    if f.since is not None:
        stmt = stmt.where(AuditEntry.at >= shanghai_midnight(f.since))
    if f.until is not None:
        stmt = stmt.where(AuditEntry.at < shanghai_midnight(f.until + dt.timedelta(days=1)))
    return stmt


def shanghai_midnight(day: dt.date) -> dt.datetime:
    """The moment a Shanghai day begins, in UTC (as the log's times are stored)."""
    return dt.datetime.combine(day, dt.time(), tzinfo=SHANGHAI).astimezone(dt.timezone.utc)


def entries(ctx: Ctx, filters: AuditFilter | None = None, *, entity: str | None = None, entity_id: int | None = None,
            limit: int = 50, offset: int = 0) -> tuple[list[tuple[AuditEntry, User | None]], int]:
    """One page of the log the actor may read, newest first, each entry with the user who acted
    (None for the system), and the number of matching entries: two queries whatever the page size."""
    f = filters or AuditFilter(entity=entity, entity_id=entity_id)
    stmt = _filtered(ctx, f)
    # The read is recorded first, so the district's page shows it: whoever reads sees that reading is logged.
    record_read(ctx, {**f.asked(), "offset": offset, "limit": limit})
    total = ctx.session.scalar(select(func.count()).select_from(stmt.with_only_columns(AuditEntry.id).subquery()))
    page = (stmt.add_columns(User).outerjoin(User, User.id == AuditEntry.actor_id)
            .order_by(AuditEntry.id.desc()).limit(max(1, min(limit, 200))).offset(max(0, offset)))
    return [(row[0], row[1]) for row in ctx.session.execute(page)], int(total or 0)


def for_export(ctx: Ctx, filters: AuditFilter, limit: int = EXPORT_LIMIT) -> tuple[list[tuple[AuditEntry, User | None]], int]:
    """Every entry the filter shows (newest first, at most ``limit``) and how many match; the
    export is recorded in the log (``audit.export``, with the filter and the rows written), so
    the caller commits after building the file."""
    stmt = _filtered(ctx, filters)
    total = ctx.session.scalar(select(func.count()).select_from(stmt.with_only_columns(AuditEntry.id).subquery()))
    rows = [(row[0], row[1]) for row in ctx.session.execute(
        stmt.add_columns(User).outerjoin(User, User.id == AuditEntry.actor_id).order_by(AuditEntry.id.desc()).limit(limit))]
    ctx.session.add(AuditEntry(actor_id=ctx.actor.id, action="audit.export", entity="audit_entries", entity_id=None,
                               org_unit_id=None, after={**filters.asked(), "rows": len(rows)}))
    # Entries about the people of a registry or an activity carry their names (numbers are
    # masked when written): exporting them is an export of personal data, recorded as every one is.
    people = sum(1 for entry, _ in rows if entry.entity in PEOPLE_TABLES)
    if people:
        ctx.session.add(AuditEntry(actor_id=ctx.actor.id, action="person.export", entity="registry_people",
                                   entity_id=None, org_unit_id=None,
                                   after={"format": "audit_log_xlsx", "entries": people, "full_numbers": False}))
    ctx.session.flush()
    return rows, int(total or 0)


def record_read(ctx: Ctx, what: dict) -> None:
    """Write a read of the log to the log (the caller commits)."""
    ctx.session.add(AuditEntry(actor_id=ctx.actor.id, action="audit.read", entity="audit_entries", entity_id=None,
                               org_unit_id=None, after={k: v for k, v in what.items() if v is not None}))
    ctx.session.flush()


@dataclass
class Choices:
    """What the filters offer: the units, people, kinds of things and actions the reader's
    entries hold (ids and stored keys; the page puts them into words)."""

    units: list[OrgUnit]
    people: list[tuple[int, str]]
    entities: list[str]
    actions: list[str]


def choices(ctx: Ctx) -> Choices:
    """Two statements: the readable units, and the kinds, actions and people among the entries."""
    units = list(ctx.session.scalars(select(OrgUnit).where(ctx.where(A.audit_read, unit_path=OrgUnit.path), OrgUnit.kind != "grid")
                                     .order_by(OrgUnit.path)))
    seen = ctx.session.execute(
        _readable(ctx).with_only_columns(AuditEntry.entity, AuditEntry.action, AuditEntry.actor_id, User.display_name)
        .outerjoin(User, User.id == AuditEntry.actor_id).distinct()).all()
    people = sorted({(a, n) for _, _, a, n in seen if a is not None}, key=lambda p: p[1])
    return Choices(units, people, sorted({e for e, _, _, _ in seen}), sorted({a for _, a, _, _ in seen}))


def entities(ctx: Ctx) -> list[str]:
    """The kinds of rows (tables) among the entries the actor may read."""
    return sorted(ctx.session.scalars(_readable(ctx).with_only_columns(AuditEntry.entity).distinct()))
