"""In the demo, 静安区's community development fund holds in 共和新路's programme beside 共和新路's
own plan (policies stack): on the demo's today, in the open 2024 call, a micro-venture project over 5,000
yuan with a budget row outside the district's spending list is refused by both policies, each
citing its own document; the programme page and the API list both policies with the versions
the programme froze.

A smoke test of the demo (its name says so): it reads the shipped tenants/, which logic tests
never do.
"""
from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from core.app import create_app
from core.models import OrgUnit, Programme
from core.platform import Platform
from core.services import projects
from core.violations import RuleError
from plugins.gonghexinlu import clauses as street
from plugins.jingan_fund import clauses as district
from tests.factories import PDF, acting, application

pytest_plugins = ["tests.demo_kit"]  # the demo fixtures: prepared_demo, demo

RECORD = {"money_kind": "zizhi", "platform": "sanhui_yidaili", "meeting_date": "2024-02-26", "participants": 30,
          "resolution": "听证会议定：楼道口袋花园"}


def _ghxl_2024(ctx) -> Programme:
    return ctx.session.scalars(select(Programme).join(OrgUnit, OrgUnit.id == Programme.org_unit_id)
                               .where(OrgUnit.code == "gonghexinlu", Programme.year == 2024)).one()


def test_demo_the_districts_list_and_the_streets_cap_both_refuse(demo):
    platform = Platform.build(demo)
    try:
        with acting(platform, "jingan", "luochuan") as ctx:
            unit = ctx.session.scalars(select(OrgUnit.id).where(OrgUnit.code == "ghxl-luochuan")).one()
            p = projects.create_project(ctx, _ghxl_2024(ctx).id, unit, "micro_venture", "楼道聚餐角")
            pid = p.id
            projects.save_form(ctx, pid, "application", application("楼道聚餐角", directions=("public_space",),
                                                                    start="2024-04-01", end="2024-12-31"))
            projects.save_form(ctx, pid, "jingan_fund_formation", RECORD)
            projects.attach(ctx, pid, "residents_minutes", "会议记录.pdf", io.BytesIO(PDF), platform.storage)
            projects.attach(ctx, pid, "jingan_fund_minutes", "听证会记录.pdf", io.BytesIO(PDF), platform.storage)
            projects.set_budget(ctx, pid, [{"description": "聚餐", "amount": "6000", "category": "宴请招待"}])
        with pytest.raises(RuleError) as info, acting(platform, "jingan", "luochuan") as ctx:
            projects.submit(ctx, pid)
        found = {v.code: v.clause for v in info.value.violations}
        assert found == {"jingan_budget_category_not_listed": district.SPENDING_LIST, "micro_over_limit": street.MICRO_LIMIT}
        # On the district's list and within 共和新路's cap, it goes through.
        with acting(platform, "jingan", "luochuan") as ctx:
            projects.set_budget(ctx, pid, [{"description": "桌椅", "amount": "3000", "category": "小型设施修缮与添置"}])
            assert projects.submit(ctx, pid).state == "submitted"
    finally:
        platform.db.dispose()


def test_demo_programmes_show_both_policies_with_their_frozen_versions(demo):
    platform = Platform.build(demo)
    try:
        with acting(platform, "jingan", "ghxl_admin") as ctx:
            programmes = ctx.session.scalars(select(Programme).order_by(Programme.id)).all()
            streets = [p for p in programmes if p.plugin_name in ("gonghexinlu", "haiyuan")]
            assert streets and all([(e["name"], e["version"]) for e in p.inherited_policies] == [("jingan_fund", "2017.1")]
                                   for p in streets)
            pid = _ghxl_2024(ctx).id
    finally:
        platform.db.dispose()
    app = create_app(demo)
    client = app.test_client()
    try:
        detail = client.get(f"/api/v1/t/jingan/programmes/{pid}").get_json()
        assert [(p["name"], p["version"], p["own"]) for p in detail["policies"]] == [
            ("gonghexinlu", "2023.1", True), ("jingan_fund", "2017.1", False)]
        page = client.get(f"/t/jingan/programmes/{pid}").get_data(as_text=True)
        section = page[page.index('id="policies"'):]
        assert "静安区社区发展基金" in section and "2017年版" in section and "2023年版" in section
    finally:
        app.extensions["tongxin"].db.dispose()
