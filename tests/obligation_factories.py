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
