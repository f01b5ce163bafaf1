"""Building what the obligations tests act on, through the services: approved projects of 共和新路,
selected pilots of 晋江, running the daily task for a day, and reading what it did (due items,
notifications by person). The rest of the world is tests/factories.py and money_factories.py."""
from __future__ import annotations

from sqlalchemy import select

from core.models import DueItem, Notification, ObligationPeriod, ProgrammeObligation, User
from core.services import endorsement, review
from core.tasks import jobs
from tests.factories import JINJIANG_SELECTION_DAY, acting, jinjiang_project, on_day, tenant_id
from tests.money_factories import approved_project

# 共和新路's second-quarter report: due 10 July, reminded from 3 July, late to the neighbourhood
# committee on 11 July and to the street office on 17 July; taken until 9 August.
Q2 = "2023-Q2"


def micro(platform, title: str = "口袋花园", unit_code: str = "ghxl-luochuan", username: str = "luochuan") -> int:
    """An approved 共和新路 micro project (approved on the application day, in March)."""
    return approved_project(platform, title=title, unit_code=unit_code, username=username)


def pilot(platform, username: str, unit_code: str, town_admin: str, title: str = "邻里驿站") -> int:
    """A 晋江 pilot: applied, endorsed by its town, selected at the city level after the call closed."""
    pid = jinjiang_project(platform, username, unit_code)
    with acting(platform, "jinjiang", town_admin) as ctx:
        endorsement.endorse(ctx, pid, "endorsed")
    with on_day(JINJIANG_SELECTION_DAY), acting(platform, "jinjiang", "jj_chair") as ctx:
        review.decide(ctx, pid, "approved", details={"selection": {"tier": "city"}})
    return pid


def run(platform, tenant: str, day: str) -> dict:
    """The daily task's body for one tenant and day, as beat's worker runs it."""
    return jobs.obligations_daily(platform.db, tenant_id(platform, tenant), day=day, host=platform.host)


def run_on(platform, tenant: str, day: str) -> dict:
    """The daily task for ``day`` on that day (the clock moved to it), as beat starts it there: what
    it writes (notifications, opened items) is dated that day."""
    with on_day(day):
        return run(platform, tenant, day)


def notices(platform, tenant: str, *, prefix: str = "obligation") -> list[tuple[str, str, str]]:
    """(username, kind, dedupe key) of every notification whose kind starts with ``prefix``."""
    with platform.db.session(tenant_id=tenant_id(platform, tenant)) as s:
        return list(s.execute(select(User.username, Notification.kind, Notification.dedupe_key)
                              .join(User, User.id == Notification.user_id)
                              .where(Notification.kind.startswith(prefix)).order_by(Notification.id)).all())


def item_id(platform, tenant: str, key: str, period: str, *, project_id: int | None = None,
            subject: str | None = None) -> int:
    """The due item of obligation ``key`` for ``period``, about a project or a subject key."""
    subject = subject or f"project:{project_id}"
    with platform.db.session(tenant_id=tenant_id(platform, tenant)) as s:
        return s.scalars(select(DueItem.id).join(ObligationPeriod, ObligationPeriod.id == DueItem.period_id)
                         .join(ProgrammeObligation, ProgrammeObligation.id == DueItem.obligation_id)
                         .where(ProgrammeObligation.key == key, ObligationPeriod.key == period,
                                DueItem.subject_key == subject)).one()


def items(platform, tenant: str) -> list[tuple[str, str, str, str]]:
    """(obligation key, period key, subject key, state) of every due item of the tenant."""
    with platform.db.session(tenant_id=tenant_id(platform, tenant)) as s:
        return sorted(s.execute(select(ProgrammeObligation.key, ObligationPeriod.key, DueItem.subject_key, DueItem.state)
                                .join(ObligationPeriod, ObligationPeriod.id == DueItem.period_id)
                                .join(ProgrammeObligation, ProgrammeObligation.id == DueItem.obligation_id)).all())


def bulk_approved(platform, count: int, *, approved_on: str = "2023-03-20", start: int = 0) -> list[int]:
    """``count`` approved 共和新路 micro projects, written straight as rows (a project and its
    approval, spread over the street's neighbourhoods), for the tests that measure the daily task
    against the number of projects rather than the services that build them."""
    import datetime as dt

    from core.clock import SHANGHAI
    from core.models import Decision, OrgUnit, Project
    from tests.factories import programme_id
    decided = dt.datetime.combine(dt.date.fromisoformat(approved_on), dt.time(10), tzinfo=SHANGHAI)
    with platform.db.scope(tenant_id=tenant_id(platform, "jingan")) as s:
        chair = s.scalars(select(User.id).where(User.username == "ghxl_chair")).one()
        hoods = list(s.scalars(select(OrgUnit.id).where(OrgUnit.code.startswith("ghxl-")).order_by(OrgUnit.id)))
        rows = [Project(programme_id=programme_id(platform), applicant_unit_id=hoods[i % len(hoods)], track="micro_venture",
                        title=f"微项目{start + i}", forms={}, tags=[], state="approved", requested_fen=300_000)
                for i in range(count)]
        s.add_all(rows)
        s.flush()
        s.add_all(Decision(project_id=p.id, outcome="approved", approved_fen=300_000, decided_by_id=chair,
                           decided_at=decided) for p in rows)
        return [p.id for p in rows]
