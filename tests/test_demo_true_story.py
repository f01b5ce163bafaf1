"""The demo tells one true story: it lives on a day ("today", scripts/demo's TONGXIN_TODAY) of a
year that has really happened up to that day. Nothing stored in it, in any date or timestamp
column of any table, is after that day; and pinned to an earlier day, the story stops there.

A smoke test of the demo (its name says so): it reads the shipped tenants/ and
tenants/demo_year.py, which logic tests never do.
"""
from __future__ import annotations

import datetime as dt
import shutil

from sqlalchemy import Date, func, select

import core.models  # noqa: F401 - registers every table
from core.clock import local_date
from core.config import Settings
from core.db import Base
from core.models import FundRequest, Programme, Project, Tenant
from core.models._types import UtcDateTime
from core.models.delivery import PLANNED
from core.platform import Platform
from tests.commands import tongxin
from tests.demo_kit import DEMO_TENANTS, DEMO_TODAY

pytest_plugins = ["tests.demo_kit"]  # the demo fixtures: prepared_demo, demo


def _dated_columns():
    """Every date and every moment column of every table (SQLAlchemy's metadata), but the days
    that plan ahead of today: a plan's (``core.models.delivery.PLANNED``: a task planned for
    November) and a calendar's (``info["planned"]``: when an obligation falls due)."""
    return [(table, column) for table in Base.metadata.sorted_tables for column in table.columns
            if isinstance(column.type, (Date, UtcDateTime)) and not column.info.get(PLANNED)
            and not column.info.get("planned")]


def _latest(platform: Platform) -> dict[str, object]:
    """The latest value of every dated column that holds any (the connection reads every
    tenant's rows: SQLite has no row-level security, and no session filter applies here)."""
    out = {}
    with platform.db.engine.connect() as conn:
        for table, column in _dated_columns():
            latest = conn.scalar(select(func.max(column)))
            if latest is not None:
                out[f"{table.name}.{column.name}"] = latest
    return out


def _after(platform: Platform) -> dict[str, object]:
    """What is dated after the platform's today (a moment: on a later Shanghai day, or later
    than the clock's now)."""
    today, now = platform.clock.today(), platform.clock.now()
    late = {}
    for name, value in _latest(platform).items():
        if isinstance(value, dt.datetime):
            if local_date(value) > today or value > now:
                late[name] = value
        elif value > today:
            late[name] = value
    return late


def test_demo_nothing_is_dated_after_its_today(demo):
    platform = Platform.build(demo)
    try:
        assert platform.clock.today() == dt.date.fromisoformat(DEMO_TODAY)
        assert len(_dated_columns()) >= 25  # the check looks at every table's dates
        latest = _latest(platform)
        # The story fills them: stamps of applications, reviews, money, pledges and the audit log.
        for name in ("projects.submitted_at", "decisions.decided_at", "endorsements.endorsed_at", "scores.scored_at",
                     "fund_requests.disbursed_at", "fund_request_batches.approved_at", "ledger_entries.at",
                     "pledges.pledged_on", "notifications.created_at", "audit_entries.at", "users.created_at"):
            assert name in latest, name
        assert _after(platform) == {}
        with platform.db.engine.connect() as conn:
            first = conn.scalar(select(func.min(Base.metadata.tables["audit_entries"].c.at)))
        assert local_date(first).year == 2023  # a year that has really happened, from its start
    finally:
        platform.db.dispose()


def test_demo_the_2023_year_was_played_through_and_2024_is_open(demo):
    """The seeds' 2023 year is over (every application decided, every request paid), and the
    2024 programmes are open on today's day with a call the README's walk can apply to."""
    platform = Platform.build(demo)
    try:
        with platform.db.session() as s:
            tenants = dict(s.execute(select(Tenant.slug, Tenant.id)).all())
        for slug in ("jingan", "jinjiang"):
            with platform.db.session(tenant_id=tenants[slug]) as s:
                years = set(s.scalars(select(Programme.year)))
                assert {2023, 2024} <= years, (slug, years)
                undecided = s.scalars(select(Project.title).join(Programme).where(
                    Programme.year == 2023, Project.state.in_(("draft", "submitted", "endorsed", "returned")))).all()
                assert undecided == [], (slug, undecided)
                unpaid = s.scalars(select(FundRequest.id).where(FundRequest.state != "disbursed")).all()
                assert unpaid == [], (slug, unpaid)
    finally:
        platform.db.dispose()


def test_demo_pinned_to_an_earlier_day_stops_the_story_there(tmp_path):
    """Played on 15 April 2023, the demo holds the first quarter and April's checks, and
    nothing of May, of 2024 or after."""
    tenants = tmp_path / "tenants"
    shutil.copytree(DEMO_TENANTS, tenants, ignore=shutil.ignore_patterns("__pycache__"))
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'demo.db'}", storage_dir=str(tmp_path / "files"),
                        today="2023-04-15", tenants_dir=str(tenants), password_hashing="cheapest")
    assert "demo year played" in tongxin(settings, "demo", "--no-serve").output
    platform = Platform.build(settings)
    try:
        assert _after(platform) == {}
        latest = _latest(platform)
        assert local_date(latest["fund_request_batches.approved_at"]) == dt.date(2023, 4, 12)
        assert "pledges.pledged_on" not in latest or latest["pledges.pledged_on"] <= dt.date(2023, 4, 15)
        with platform.db.session() as s:
            jingan = s.scalars(select(Tenant.id).where(Tenant.slug == "jingan")).one()
        with platform.db.session(tenant_id=jingan) as s:
            assert set(s.scalars(select(Programme.year))) == {2023}  # 2024's programmes come in 2024
    finally:
        platform.db.dispose()
