"""A programme freezes the config it opened with: a 2023 project is judged by 2023 rules.

共和新路 opened its 2023 programme under the plan's 5,000-yuan micro limit. When the street
later raises the limit to 8,000 yuan, the 2023 programme keeps 5,000 (for submission and for
the panel's approval) while a programme opened after the change uses 8,000.
"""
from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from core.models import User
from core.services import programmes, projects, review
from core.violations import RuleError
from tests.factories import PDF, acting, application, on_day, programme_id, unit_id


def _micro(platform, programme: int, title: str, amount: str, *, start="2023-04-01", end="2023-12-31") -> int:
    with acting(platform, "jingan", "luochuan") as ctx:
        p = projects.create_project(ctx, programme, unit_id(platform, "jingan", "ghxl-luochuan"), "micro_venture", title)
        projects.save_form(ctx, p.id, "application",
                           application(title, directions=("public_space",), start=start, end=end))
        projects.set_budget(ctx, p.id, [{"description": "活动物料", "amount": amount}])
        projects.attach(ctx, p.id, "residents_minutes", "会议记录.pdf", io.BytesIO(PDF), platform.storage)
        return p.id


def _raise_limit(platform, yuan: str) -> None:
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        programmes.enable_plugin(ctx, unit_id(platform, "jingan", "gonghexinlu"), "gonghexinlu", {"micro_max_yuan": yuan})


def _open(platform, year: int) -> int:
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        programme = programmes.open_programme(ctx, unit_id(platform, "jingan", "gonghexinlu"), "gonghexinlu", year)
        programmes.set_panel(ctx, programme.id, [_user_id(ctx, "ghxl_chair")], _user_id(ctx, "ghxl_chair"))
        return programme.id


def _user_id(ctx, username: str) -> int:
    return ctx.session.scalars(select(User.id).where(User.username == username)).one()


def test_an_open_programme_keeps_its_limit_after_the_street_raises_it(platform):
    old = programme_id(platform, year=2023)
    _raise_limit(platform, "8000")

    with acting(platform, "jingan", "ghxl_admin") as ctx:
        street = unit_id(platform, "jingan", "gonghexinlu")
        assert programmes.enablement(ctx, street, "gonghexinlu").config["micro_max_yuan"] == "8000.00"
        frozen = programmes.get_programme(ctx, old)
        assert frozen.config["micro_max_yuan"] == "5000.00"
        policy, config = programmes.policy_of(ctx, frozen)
        assert "5,000.00元" in policy.track(config, "micro_venture").description.zh

    pid = _micro(platform, old, "口袋花园", "6000")
    with pytest.raises(RuleError) as info, acting(platform, "jingan", "luochuan") as ctx:
        projects.submit(ctx, pid)
    refused = {v.code: v for v in info.value.violations}
    assert set(refused) == {"micro_over_limit"}  # nothing else stood in the way
    assert "不能超过5,000.00元" in refused["micro_over_limit"].message.zh
    assert "七" in refused["micro_over_limit"].clause.zh


def test_a_programme_opened_after_the_change_uses_the_new_limit(platform):
    _raise_limit(platform, "8000")
    new = _open(platform, 2024)
    with on_day("2024-03-01"):  # inside the 2024 application window
        accepted = _micro(platform, new, "青年议事角", "6000", start="2024-04-01", end="2024-12-31")
        over = _micro(platform, new, "活力街角", "8000.01", start="2024-04-01", end="2024-12-31")
        with acting(platform, "jingan", "luochuan") as ctx:
            assert projects.submit(ctx, accepted).state == "submitted"
        with pytest.raises(RuleError) as info, acting(platform, "jingan", "luochuan") as ctx:
            projects.submit(ctx, over)
        assert "不能超过8,000.00元" in next(v for v in info.value.violations if v.code == "micro_over_limit").message.zh

        with acting(platform, "jingan", "ghxl_admin") as ctx:
            assert programmes.get_programme(ctx, new).config["micro_max_yuan"] == "8000.00"
            assert programmes.get_programme(ctx, programme_id(platform, year=2023)).config["micro_max_yuan"] == "5000.00"


def test_the_panel_approves_by_the_frozen_limit_too(platform):
    old = programme_id(platform, year=2023)
    pid = _micro(platform, old, "口袋花园", "5000")
    with acting(platform, "jingan", "luochuan") as ctx:
        projects.submit(ctx, pid)
    _raise_limit(platform, "4000")  # lowered after submission: the 2023 programme still says 5,000
    with acting(platform, "jingan", "ghxl_chair") as ctx:
        decision = review.decide(ctx, pid, "approved", approved_amount="5000")
        assert decision.approved_fen == 500_000


def test_the_window_is_frozen_with_the_programme(platform):
    old = programme_id(platform, year=2023)
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        programmes.enable_plugin(ctx, unit_id(platform, "jingan", "gonghexinlu"), "gonghexinlu",
                                 {"application_opens": "01-01", "application_closes": "02-15"})
    pid = _micro(platform, old, "口袋花园", "3000")
    with acting(platform, "jingan", "luochuan") as ctx:  # today is 1 March: still inside 2023's Q1 window
        assert projects.submit(ctx, pid).state == "submitted"
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        window = programmes.phases_of(programmes.get_programme(ctx, old))[0]
        assert (window.starts.isoformat(), window.ends.isoformat()) == ("2023-01-01", "2023-03-31")
        later = programmes.open_programme(ctx, unit_id(platform, "jingan", "gonghexinlu"), "gonghexinlu", 2025)
        assert programmes.phases_of(later)[0].ends.isoformat() == "2025-02-15"
