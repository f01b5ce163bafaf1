"""Policies stack: a policy enabled on a district holds in every programme of the streets below
it, beside the street's own (core.plugin_host.stack, core.services.programmes).

Two small test policies (tests/fixture_plugins/stacking.py) set the same limits from their own
configs: the stricter of two caps holds, an action outside one of two windows is refused citing
that policy's clause, contributions add up, funds stay each policy's own, and a programme
freezes every policy (config and version) that applies to it when it opens.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from core.models import Decision, Fund, Programme
from core.platform import Platform
from core.plugin_host.manager import PluginHost
from core.services import calendar, programmes, projects, review
from core.services.tenant_definitions import load as load_tenant
from core.violations import RuleError
from core.permissions import A
from tests.factories import PASSWORD, acting, on_day, unit_id
from tests.fixture_plugins.stacking import (
    DISTRICT_CAP, DISTRICT_DOC, DISTRICT_WINDOW, STREET_CAP, STREET_WINDOW, CityCall, DistrictRules, StreetRules,
)

CITY = "stack_city"
INSIDE_BOTH = "2023-02-15"   # the district's window is 01-01..02-28, the street's 01-01..03-31
OUTSIDE_DISTRICTS = "2023-03-15"
OUTSIDE_BOTH = "2023-04-15"


def city(street: dict, district: dict, *, district_enabled: bool = True, funds=()) -> dict:
    return {
        "slug": CITY, "name": "叠加市", "name_en": "Stack City",
        "plugins": {"fx_district": {"config": district, "enabled": district_enabled}},
        "units": [{"code": "sc-street", "kind": "street", "name": "叠加街道",
                   "plugins": {"fx_street": {"config": street}},
                   "programmes": [{"plugin": "fx_street", "year": 2023, "panel": ["sc_chair"], "chair": "sc_chair"}],
                   "funds": list(funds),
                   "children": [{"code": "sc-n1", "kind": "neighbourhood", "name": "一居"}]}],
        "users": [
            {"username": "sc_admin", "password": PASSWORD, "roles": [{"role": "district_admin", "unit": CITY}]},
            {"username": "sc_staff", "password": PASSWORD, "roles": [{"role": "neighbourhood_staff", "unit": "sc-n1"}]},
            {"username": "sc_chair", "password": PASSWORD, "roles": [{"role": "reviewer", "unit": "sc-street"}]},
        ],
    }


STREET = {"cap_yuan": "5000", "closes": "03-31"}
DISTRICT = {"cap_yuan": "3000", "closes": "02-28"}


def build(settings, street=STREET, district=DISTRICT, *, district_version="1.0", **kw):
    street_rules, district_rules = StreetRules("fx_street"), DistrictRules("fx_district", version=district_version)
    host = PluginHost(plugins=[("fx_street", street_rules), ("fx_district", district_rules)])
    platform = Platform.build(settings, host)
    load_tenant(platform, city(street, district, **kw))
    return platform, street_rules, district_rules


@pytest.fixture
def stack(settings):
    platform, street, district = build(settings)
    yield platform, street, district
    platform.db.dispose()


def the_programme(ctx, year: int = 2023) -> Programme:
    return ctx.session.scalars(select(Programme).where(Programme.plugin_name == "fx_street", Programme.year == year)).one()


def draft(platform, amount: str, *, rows=None, day: str = INSIDE_BOTH) -> int:
    with on_day(day), acting(platform, CITY, "sc_staff") as ctx:
        p = projects.create_project(ctx, the_programme(ctx).id, unit_id(platform, CITY, "sc-n1"), "general", "楼道花园")
        projects.set_budget(ctx, p.id, rows or [{"description": "花苗", "amount": amount}])
        return p.id


def submit(platform, pid: int, day: str = INSIDE_BOTH):
    with on_day(day), acting(platform, CITY, "sc_staff") as ctx:
        return projects.submit(ctx, pid)


def refusal(platform, pid: int, day: str = INSIDE_BOTH) -> list:
    with pytest.raises(RuleError) as info:
        submit(platform, pid, day)
    return info.value.violations


# -- limits: the stricter holds -------------------------------------------------------------------------

@pytest.mark.parametrize("street_cap, district_cap, stricter", [("5000", "3000", DISTRICT_CAP), ("3000", "5000", STREET_CAP)],
                         ids=["district-stricter", "street-stricter"])
def test_the_stricter_of_two_caps_holds_citing_its_own_document(settings, street_cap, district_cap, stricter):
    platform, _, _ = build(settings, {**STREET, "cap_yuan": street_cap}, {**DISTRICT, "cap_yuan": district_cap})
    try:
        # Between the caps: one policy allows it, the stricter refuses it, citing its own clause.
        [v] = refusal(platform, draft(platform, "4000"))
        assert (v.code, v.clause) == ("over_cap", stricter)
        # Over both: each policy refuses, each citing its own document.
        found = refusal(platform, draft(platform, "6000"))
        assert sorted(v.clause.zh for v in found) == sorted([STREET_CAP.zh, DISTRICT_CAP.zh])
        # Within both: submitted.
        assert submit(platform, draft(platform, "2500")).state == "submitted"
    finally:
        platform.db.dispose()


# -- windows: inside every applicable window -------------------------------------------------------------

def test_an_action_outside_one_of_two_windows_is_refused_citing_that_policys_clause(stack):
    platform, _, _ = stack
    with acting(platform, CITY, "sc_staff") as ctx:
        programme = the_programme(ctx)
        # 15 March: the street's window is open, the district's closed on 28 February.
        with on_day(OUTSIDE_DISTRICTS):
            verdict = calendar.check(ctx, programme, A.project_apply)
            assert not verdict.allowed
            assert verdict.violation.code == "window_closed" and verdict.violation.clause == DISTRICT_WINDOW
            assert "至2月28日" in verdict.violation.message.zh
        with on_day(INSIDE_BOTH):
            assert calendar.check(ctx, programme, A.project_apply).allowed
        # After both closed, the programme's own policy answers first.
        with on_day(OUTSIDE_BOTH):
            assert calendar.check(ctx, programme, A.project_apply).violation.clause == STREET_WINDOW
    # The service refuses accordingly, before anything is written.
    with pytest.raises(RuleError) as info, on_day(OUTSIDE_DISTRICTS), acting(platform, CITY, "sc_staff") as ctx:
        projects.create_project(ctx, the_programme(ctx).id, unit_id(platform, CITY, "sc-n1"), "general", "楼道花园")
    [v] = info.value.violations
    assert (v.code, v.clause) == ("window_closed", DISTRICT_WINDOW)
    # A draft made in time cannot be submitted once one of the windows closed.
    pid = draft(platform, "1000")
    assert [v.clause for v in refusal(platform, pid, OUTSIDE_DISTRICTS)] == [DISTRICT_WINDOW]


# -- contributions add up ----------------------------------------------------------------------------------

def test_forms_attachment_kinds_criteria_and_budget_categories_of_both_policies_apply(settings):
    platform, _, _ = build(settings, {**STREET, "categories": ["活动", "场地"]}, {**DISTRICT, "categories": ["场地", "宣传"]})
    try:
        with acting(platform, CITY, "sc_staff") as ctx:
            stack, config = programmes.policy_of(ctx, the_programme(ctx))
            assert [f.key for f in stack.forms(config)] == ["fx_street_note", "fx_district_note"]
            assert [k.key for k in stack.attachment_kinds(config)] == ["fx_street_minutes", "fx_district_minutes"]
            assert [c.key for c in stack.rubric(config)] == ["fx_street_fit", "fx_district_fit"]
            # A row must satisfy both lists: only what both allow is offered.
            assert [c.value for c in stack.budget_categories(config)] == ["场地"]
            # The inherited policy's form without a clause cites the district's document.
            assert stack.forms(config)[1].clause == DISTRICT_DOC and stack.forms(config)[0].clause is None
        # A row on one list only: the other policy refuses it; its violation without a clause
        # cites its own source (the district's document), never the street's.
        pid = draft(platform, "1000", rows=[{"description": "横幅", "amount": "500", "category": "宣传"},
                                            {"description": "场地", "amount": "500", "category": "场地"}])
        [v] = refusal(platform, pid)
        assert (v.code, v.field, v.clause) == ("category_not_listed", "budget.0.category", None)  # the street's own: as before
        pid = draft(platform, "1000", rows=[{"description": "物料", "amount": "500", "category": "活动"}])
        [v] = refusal(platform, pid)
        assert (v.code, v.clause) == ("category_not_listed", DISTRICT_DOC)
        pid = draft(platform, "1000", rows=[{"description": "场地", "amount": "1000", "category": "场地"}])
        assert submit(platform, pid).state == "submitted"
        # The panel scores both policies' criteria.
        with pytest.raises(RuleError) as info, acting(platform, CITY, "sc_chair") as ctx:
            review.score(ctx, pid, {"fx_street_fit": 4})
        [v] = info.value.violations
        assert (v.field, v.clause) == ("points.fx_district_fit", DISTRICT_DOC)
        with acting(platform, CITY, "sc_chair") as ctx:
            assert review.score(ctx, pid, {"fx_street_fit": 4, "fx_district_fit": 3}).points == {
                "fx_street_fit": 4, "fx_district_fit": 3}
    finally:
        platform.db.dispose()


# -- money: each policy's own funds -----------------------------------------------------------------------

def test_funds_stay_each_policys_own_and_the_district_draws_what_it_names_first(settings):
    funds = [{"plugin": "fx_street", "fund": "pool", "year": 2023, "allocate_yuan": "10000"},
             {"plugin": "fx_district", "fund": "pool", "year": 2023, "allocate_yuan": "5000"}]
    platform, _, _ = build(settings, STREET, {**DISTRICT, "draw_yuan": "1000"}, funds=funds)
    try:
        pid = draft(platform, "2500")
        submit(platform, pid)
        with acting(platform, CITY, "sc_chair") as ctx:
            decision = review.decide(ctx, pid, "approved")
            did = decision.id
        with acting(platform, CITY, "sc_admin") as ctx:
            decision = ctx.session.get(Decision, did)
            lines = {(line["label"]["zh"], line["amount_fen"]) for line in decision.funding}
            # Both policies call their fund "pool": two funds, each its policy's.
            assert lines == {("fx_district资金池", 100_000), ("fx_street资金池", 150_000)}
            pools = {f.name: f for f in ctx.session.scalars(select(Fund))}
            assert {"fx_street资金池", "fx_district资金池"} <= set(pools)
            assert pools["fx_street资金池"].id != pools["fx_district资金池"].id
    finally:
        platform.db.dispose()


def test_an_inherited_fund_is_not_set_up_unless_a_draw_needs_it(settings):
    platform, _, _ = build(settings, funds=[{"plugin": "fx_street", "fund": "pool", "year": 2023, "allocate_yuan": "10000"}])
    try:
        pid = draft(platform, "1000")
        submit(platform, pid)
        with acting(platform, CITY, "sc_chair") as ctx:
            review.decide(ctx, pid, "approved")  # the district draws nothing (draw_yuan 0)
        with acting(platform, CITY, "sc_admin") as ctx:
            names = {f.name for f in ctx.session.scalars(select(Fund))}
        assert "fx_street资金池" in names and "fx_district资金池" not in names
    finally:
        platform.db.dispose()


# -- freezing ----------------------------------------------------------------------------------------------

def test_a_programme_freezes_every_policy_that_applies_and_a_plugin_reads_the_frozen_version(settings):
    platform, _, district = build(settings)
    try:
        root = unit_id(platform, CITY, CITY)
        with acting(platform, CITY, "sc_admin") as ctx:
            programme = the_programme(ctx)
            [frozen] = programme.inherited_policies
            assert (frozen["name"], frozen["version"], frozen["org_unit_id"]) == ("fx_district", "1.0", root)
            assert frozen["config"]["cap_yuan"] == "3000.00" and frozen["phases"][0]["ends"] == "2023-02-28"
            # The district changes its settings: the open programme keeps what it froze.
            programmes.enable_plugin(ctx, root, "fx_district", {"cap_yuan": "1000", "closes": "02-28"})
        assert submit(platform, draft(platform, "2500")).state == "submitted"
        assert ("submit", "1.0") in district.told  # each policy hears of transitions, with its frozen version
    finally:
        platform.db.dispose()
    # A newer release of the district's plugin is installed (its cap is halved from 2.0 on).
    platform = Platform.build(settings, PluginHost(plugins=[("fx_street", StreetRules("fx_street")),
                                                            ("fx_district", DistrictRules("fx_district", version="2.0"))]))
    try:
        assert submit(platform, draft(platform, "2800")).state == "submitted"  # 2023 keeps version 1.0's rule
        with acting(platform, CITY, "sc_admin") as ctx:
            own, inherited = programmes.frozen_policies(ctx, the_programme(ctx))
            assert (own.name, own.own, inherited.name, inherited.own) == ("fx_street", True, "fx_district", False)
            assert (inherited.version, inherited.installed_version) == ("1.0", "2.0")
            # A programme opened now freezes 2.0 and the settings as they are now.
            later = programmes.open_programme(ctx, unit_id(platform, CITY, "sc-street"), "fx_street", 2024)
            assert [(e["name"], e["version"], e["config"]["cap_yuan"]) for e in later.inherited_policies] == [
                ("fx_district", "2.0", "1000.00")]
    finally:
        platform.db.dispose()


def test_a_policy_switched_off_above_does_not_apply_and_one_switched_on_later_applies_from_the_next_programme(settings):
    platform, _, _ = build(settings, district_enabled=False)
    try:
        with acting(platform, CITY, "sc_admin") as ctx:
            assert the_programme(ctx).inherited_policies == []
            programmes.enable_plugin(ctx, unit_id(platform, CITY, CITY), "fx_district", DISTRICT)
        # Outside the district's window, and over its cap: the programme opened without it.
        assert submit(platform, draft(platform, "4000", day=OUTSIDE_DISTRICTS), OUTSIDE_DISTRICTS).state == "submitted"
        with acting(platform, CITY, "sc_admin") as ctx:
            later = programmes.open_programme(ctx, unit_id(platform, CITY, "sc-street"), "fx_street", 2024)
            assert [e["name"] for e in later.inherited_policies] == ["fx_district"]
    finally:
        platform.db.dispose()


def test_a_policy_without_tracks_only_stacks_and_opens_no_programme(stack):
    platform, _, _ = stack
    with pytest.raises(RuleError) as info, acting(platform, CITY, "sc_admin") as ctx:
        programmes.open_programme(ctx, unit_id(platform, CITY, CITY), "fx_district", 2023)
    assert [v.code for v in info.value.violations] == ["policy_without_tracks"]


def test_a_citys_own_call_enabled_above_does_not_apply_to_the_streets_programmes(settings):
    """Only a policy that applies below (a district's rules) stacks; a city-wide call enabled at
    the city (as 晋江's) judges its own programmes only."""
    host = PluginHost(plugins=[("fx_street", StreetRules("fx_street")), ("fx_district", DistrictRules("fx_district")),
                               ("fx_city", CityCall("fx_city"))])
    platform = Platform.build(settings, host)
    try:
        tenant = city(STREET, DISTRICT)
        tenant["plugins"]["fx_city"] = {"config": {}}
        load_tenant(platform, tenant)
        with acting(platform, CITY, "sc_admin") as ctx:
            assert [e["name"] for e in the_programme(ctx).inherited_policies] == ["fx_district"]
            assert host.policies["fx_district"].info.applies_below and not host.policies["fx_city"].info.applies_below
    finally:
        platform.db.dispose()
