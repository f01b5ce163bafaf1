"""The year runs itself: one day's work on every obligation of one tenant, as sets.

``run_day`` does, for one tenant and one day, in a handful of statements whatever the number of
projects (no statement per project, per item or per person):

1. freeze the obligations of programmes met for the first time (``declared.freeze``: a few
   statements per new programme, none afterwards);
2. open the due items (one ``INSERT ... SELECT``): for each period, a due item for each
   approved project (its applicant, or the programme's own unit), for each unit above the
   approved projects (its pilots, once), and for each of the year's funds the obligation
   names; never for a period that ended before the project was approved, never twice
   (``UNIQUE (period_id, subject_key)``);
3. mark overdue the items still owed after their due date (one ``UPDATE``);
4. send every reminder and escalation that has come due (one ``INSERT ... SELECT`` into
   ``notifications``): an alert fires from its day until the period closes (a reminder: until
   the due date), to each active holder of its role at its level of the owing unit, while the
   item is still owed; the dedupe key ``obligation:<item>:<step>:<user>`` (unique per tenant)
   makes a notice go out once, so a day the task missed is made up the next day and a second
   run the same day sends nothing;
5. record the escalation level reached (one ``UPDATE``), and one audit entry for the run.

Running it twice for the same day changes nothing but the run's audit entry. New rows go in with
``ON CONFLICT DO NOTHING`` on their unique keys, so two runs at the same moment cannot both
insert a row: the later one skips it. (Should two first runs both freeze a new programme's
obligations, the later one's unique violation rolls it back, and it tries once more, finding
them frozen.) The run's audit entry says what it did (``DayReport``): its rows are written as
sets, not one by one through the ORM, so they are summed up rather than logged row by row.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from sqlalchemy import Integer, String, and_, cast, func, literal, null, or_, select, true, union_all, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from core.models import (AuditEntry, Decision, DueItem, Fund, Membership, Notification, ObligationAlert,
                         ObligationPeriod, OrgUnit, Programme, ProgrammeObligation, Project, User)
from core.models._types import UtcDateTime
from core.models.obligation import OWED_STATES, AlertKind, ItemState
from core.plugin_host.validation import PluginFailure
from core.plugin_host.obligations import OWNER
from core.services.context import Ctx
from core.services.obligations.declared import freeze

APPROVED = "approved"
NOTIFICATION_PREFIX = "obligation_"
ACTION = "obligations.daily"


@dataclass
class DayReport:
    """What one run did (the task's answer, and the run's audit entry)."""

    day: str
    frozen: int = 0
    opened: int = 0
    overdue: int = 0
    notified: int = 0
    escalated: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def _subject(prefix: str, column) -> object:
    return literal(prefix) + cast(column, String)


def _openings(tenant_id: int):
    """Every (programme, obligation, period, owing unit, project, fund, subject key) that
    should have a due item: the three kinds of owers as one UNION ALL."""
    O, P, PR, U = ProgrammeObligation, ObligationPeriod, Project, OrgUnit
    G, F = Programme, Fund
    GU, FU = aliased(OrgUnit), aliased(OrgUnit)
    approved = (select(Decision.project_id, func.min(Decision.decided_at).label("approved_at"))
                .where(Decision.tenant_id == tenant_id, Decision.outcome == APPROVED)
                .group_by(Decision.project_id).subquery())
    no_id = cast(null(), Integer)
    per_project = (  # the programme's own unit owes it, once per approved project (its supervision)
        select(O.programme_id, O.id.label("obligation_id"), P.id.label("period_id"), G.org_unit_id.label("owner_unit_id"),
               PR.id.label("project_id"), no_id.label("fund_id"), _subject("project:", PR.id).label("subject_key"))
        .select_from(P).join(O, O.id == P.obligation_id).join(G, G.id == O.programme_id)
        .join(PR, and_(PR.programme_id == O.programme_id, PR.state == APPROVED, PR.tenant_id == tenant_id))
        .join(approved, approved.c.project_id == PR.id)
        .where(P.tenant_id == tenant_id, O.owed_by == "programme", P.ends_at > approved.c.approved_at))
    per_applicant = (
        select(O.programme_id, O.id, P.id, PR.applicant_unit_id, PR.id, no_id, _subject("project:", PR.id))
        .select_from(P).join(O, O.id == P.obligation_id)
        .join(PR, and_(PR.programme_id == O.programme_id, PR.state == APPROVED, PR.tenant_id == tenant_id))
        .join(approved, approved.c.project_id == PR.id)
        .where(P.tenant_id == tenant_id, O.owed_by == "applicant", P.ends_at > approved.c.approved_at))
    per_parent = (
        select(O.programme_id, O.id, P.id, U.parent_id, no_id, no_id, _subject("unit:", U.parent_id))
        .distinct()
        .select_from(P).join(O, O.id == P.obligation_id)
        .join(PR, and_(PR.programme_id == O.programme_id, PR.state == APPROVED, PR.tenant_id == tenant_id))
        .join(approved, approved.c.project_id == PR.id)
        .join(U, U.id == PR.applicant_unit_id)
        .where(P.tenant_id == tenant_id, O.owed_by == "applicant_parent", U.parent_id.is_not(None),
               P.ends_at > approved.c.approved_at))
    per_fund = (
        select(O.programme_id, O.id, P.id, F.org_unit_id, no_id, F.id, _subject("fund:", F.id))
        .select_from(P).join(O, O.id == P.obligation_id)
        .join(G, G.id == O.programme_id).join(GU, GU.id == G.org_unit_id)
        .join(F, and_(F.tenant_id == tenant_id, F.year == G.year, F.kind == O.fund_kind, F.name == O.fund_name))
        .join(FU, and_(FU.id == F.org_unit_id, FU.path.startswith(GU.path)))
        .where(P.tenant_id == tenant_id, O.owed_by == "fund_owner"))
    return union_all(per_project, per_applicant, per_parent, per_fund).subquery("openings")


def _open_items(ctx: Ctx, now: dt.datetime) -> int:
    wanted = _openings(ctx.tenant_id)
    rows = select(literal(ctx.tenant_id, Integer), wanted.c.programme_id, wanted.c.obligation_id, wanted.c.period_id,
                  wanted.c.owner_unit_id, wanted.c.project_id, wanted.c.fund_id, wanted.c.subject_key,
                  literal(ItemState.open.value, String), literal(0, Integer), literal("", String),
                  literal(now, UtcDateTime()), literal(1, Integer)).where(wanted.c.period_id.is_not(None))
    return _insert_new(ctx, DueItem, ["tenant_id", "programme_id", "obligation_id", "period_id", "owner_unit_id",
                                      "project_id", "fund_id", "subject_key", "state", "escalation_level", "notice_text",
                                      "created_at", "version"], rows, ["period_id", "subject_key"])


# Why ON CONFLICT DO NOTHING rather than "WHERE NOT EXISTS (...)": the keys are computed
# ("project:12", "obligation:5:1:7"), and under PostgreSQL's row-level security a comparison with
# a computed value cannot be pushed into an index scan of the protected table (text concatenation
# is not leakproof). Where the planner's statistics are stale (a table just filled), the anti-join
# then rescans the tenant's rows for every candidate, including those the statement itself is
# inserting: quadratic. The conflict check is always an index probe of the unique key.
def _insert_new(ctx: Ctx, model, columns: list[str], rows, unique: list[str]) -> int:
    """``INSERT ... SELECT`` of the rows whose unique key (``unique``) is not there yet; how
    many went in (counted from ``RETURNING``: the drivers' row count of an INSERT ... SELECT is
    not reliable)."""
    if ctx.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    stmt = dialect_insert(model).from_select(columns, rows).on_conflict_do_nothing(index_elements=unique)
    return len(ctx.session.connection().execute(stmt.returning(model.__table__.c.id)).all())


def _mark_overdue(ctx: Ctx, day: dt.date) -> int:
    past_due = select(ObligationPeriod.id).where(ObligationPeriod.tenant_id == ctx.tenant_id, ObligationPeriod.due_on < day)
    stmt = (update(DueItem)
            .where(DueItem.tenant_id == ctx.tenant_id, DueItem.overdue_since.is_(None), DueItem.state.in_(OWED_STATES),
                   DueItem.period_id.in_(past_due))
            .values(overdue_since=day).execution_options(synchronize_session=False))
    return ctx.session.execute(stmt).rowcount or 0


def _notices(ctx: Ctx, day: dt.date, now: dt.datetime) -> int:
    """Every reminder and escalation that has come due, to every holder of its role at its
    level, once (see the module doc). Who hears of what is resolved first per alert and owing
    unit (a few rows: the alerts firing today by the units that still owe them), then joined
    to the items, so the work grows with the items, never with items times people."""
    t = ctx.tenant_id
    I, A, P, O = DueItem, ObligationAlert, ObligationPeriod, ProgrammeObligation
    OWN, TGT, PR = aliased(OrgUnit), aliased(OrgUnit), aliased(Project)
    firing = (select(A.id, A.period_id, A.position, A.kind, A.role, A.level, A.message_zh)
              .where(A.tenant_id == t, A.fires_on <= day, A.until_on >= day).cte("firing"))
    owing = (select(I.period_id, I.owner_unit_id).distinct()
             .where(I.tenant_id == t, I.state.in_(OWED_STATES), I.period_id.in_(select(firing.c.period_id)))
             .cte("owing"))
    target = or_(and_(firing.c.level == OWNER, TGT.id == OWN.id),
                 and_(firing.c.level != OWNER, TGT.kind == firing.c.level, OWN.path.startswith(TGT.path)))
    hears = (select(firing.c.id.label("alert_id"), owing.c.owner_unit_id, Membership.user_id).distinct()
             .select_from(firing).join(owing, owing.c.period_id == firing.c.period_id)
             .join(OWN, and_(OWN.id == owing.c.owner_unit_id, OWN.tenant_id == t))
             .join(TGT, and_(target, TGT.tenant_id == t))
             .join(Membership, and_(Membership.org_unit_id == TGT.id, Membership.role == firing.c.role,
                                    Membership.tenant_id == t))
             .join(User, and_(User.id == Membership.user_id, User.is_active == true()))
             .cte("hears").prefix_with("MATERIALIZED"))
    sep = literal(":")
    key = (literal("obligation:") + cast(I.id, String) + sep + cast(firing.c.position, String) + sep
           + cast(hears.c.user_id, String))
    about = func.coalesce(PR.title, OWN.name)
    subject = func.substr(about + literal("：") + O.label_zh + literal("（") + P.label_zh + literal("）")
                          + firing.c.message_zh, 1, 200)
    body = (OWN.name + literal("应交的「") + O.label_zh + literal("」（") + P.label_zh + literal("）") + firing.c.message_zh
            + literal("。依据：") + O.clause_zh)
    rows = (select(literal(t, Integer), hears.c.user_id, literal(NOTIFICATION_PREFIX) + firing.c.kind, subject, body,
                   literal("/obligations/") + cast(I.id, String), key, literal(now, UtcDateTime()))
            .distinct()
            .select_from(I)
            .join(firing, firing.c.period_id == I.period_id)
            .join(hears, and_(hears.c.alert_id == firing.c.id, hears.c.owner_unit_id == I.owner_unit_id))
            .join(P, P.id == I.period_id).join(O, O.id == I.obligation_id)
            .join(OWN, OWN.id == I.owner_unit_id)
            .outerjoin(PR, PR.id == I.project_id)
            .where(I.tenant_id == t, I.state.in_(OWED_STATES)))
    return _insert_new(ctx, Notification, ["tenant_id", "user_id", "kind", "subject", "body", "link", "dedupe_key",
                                           "created_at"], rows, ["tenant_id", "dedupe_key"])


def _escalate(ctx: Ctx, day: dt.date) -> int:
    reached = (select(func.max(ObligationAlert.position))
               .where(ObligationAlert.period_id == DueItem.period_id, ObligationAlert.kind == AlertKind.escalation.value,
                      ObligationAlert.fires_on <= day, ObligationAlert.tenant_id == ctx.tenant_id)
               .scalar_subquery())
    stmt = (update(DueItem)
            .where(DueItem.tenant_id == ctx.tenant_id, DueItem.state.in_(OWED_STATES), DueItem.escalation_level < reached)
            .values(escalation_level=reached).execution_options(synchronize_session=False))
    return ctx.session.execute(stmt).rowcount or 0


def run_day(ctx: Ctx, day: dt.date, faults: list[PluginFailure] | None = None) -> DayReport:
    """One day's work for the ctx's tenant (see the module doc), in the ctx's transaction: the
    caller commits. ``faults``: where a failing policy's failure is put (it is skipped)."""
    faults = faults if faults is not None else []
    now = ctx.clock.now()
    report = DayReport(day.isoformat())
    session = ctx.session
    session.info["audit_action"] = ACTION
    programmes = list(session.scalars(select(Programme).order_by(Programme.id)))
    report.frozen = freeze(ctx, programmes, faults)
    report.opened = _open_items(ctx, now)
    report.overdue = _mark_overdue(ctx, day)
    report.notified = _notices(ctx, day, now)
    report.escalated = _escalate(ctx, day)
    session.add(AuditEntry(tenant_id=ctx.tenant_id, actor_id=None, action=ACTION, entity="due_items",
                           after=report.as_dict()))
    session.flush()
    return report


def run_day_once(ctx: Ctx, day: dt.date, faults: list[PluginFailure] | None = None) -> DayReport:
    """``run_day`` and commit; a concurrent run that inserted first makes this one start again,
    finding its work done (the unique keys), once."""
    for attempt in (1, 2):
        try:
            report = run_day(ctx, day, faults)
            ctx.commit()
            return report
        except IntegrityError:
            ctx.session.rollback()
            if attempt == 2:
                raise
    raise AssertionError("unreachable")
