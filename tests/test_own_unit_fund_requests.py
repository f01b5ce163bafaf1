"""A street office spends the money of the project it applied for itself (issue 9, item 5), and
a phase's named approver files a fund request outside the phase with a reason (item 3).

The permission table has the row (an office files fund requests for its own unit's projects,
never for another street's); the calendar's "needs_approval" limit lets the role it names file
outside the window when it gives a reason, through the service, the API (``override_reason``)
and the web form (a reason field beside the others, shown only to the one who may give it).
A test policy declares the phase and the fund; both profiles."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from core.app import create_app
from core.models import AuditEntry, FundRequest, Programme
from core.permissions import A
from core.platform import Platform
from core.plugin_host.manager import PluginHost
from core.plugin_host.toolkit import Allow, Draw, FundSpec, Phase, T, hookimpl
from core.services import fund_requests, funds, projects, review
from core.services.tenant_definitions import load as load_tenant
from core.violations import Forbidden, RuleError
from tests.clients import Web, is_error, login, text
from tests.factories import APPLICATION_DAY, PASSWORD, acting, on_day, unit_id
from tests.fixture_plugins.sample import SamplePolicy

TENANT = "fixture_spending"
POLICY = "fixture_spending"
SPENDING = T("测试办法 第五条：四月至九月申请资金；确需提前的，由街道管理员说明理由",
             "Test rules, article 5: money is requested April to September; earlier only with the office's reason")
REASON = "理事会决定提前采购议事桌椅"
IMPLEMENTATION = "2023-04-14"


class SpendingPolicy(SamplePolicy):
    """The sample policy, admitting a street's own application, with a co-governance pool its
    approved projects draw on and a spending phase the street office may act outside of."""

    @hookimpl
    def tongxin_phases(self, config, year):
        return [*SamplePolicy.tongxin_phases(self, config, year),
                Phase("implementation", T("实施", "Implementation"), dt.date(year, 4, 1), dt.date(year, 9, 30),
                      (Allow(A.fund_request_file, SPENDING, firmness="needs_approval", approver="street_admin"),))]

    @hookimpl
    def tongxin_funds(self, config):
        return [FundSpec("pool", "pool", "programme", T("街区共治资金", "Street co-governance pool"))]

    @hookimpl
    def tongxin_funding(self, project, config, context):
        return [Draw("pool", project.approved_fen)]


def _tenant() -> dict:
    user = lambda name, role, unit: {"username": name, "password": PASSWORD,  # noqa: E731
                                     "roles": [{"role": role, "unit": unit}]}
    return {
        "slug": TENANT, "name": "测试区", "name_en": "Fixture District",
        "units": [{"code": "sp-a", "kind": "street", "name": "甲街道", "plugins": {POLICY: {"config": {}}},
                   "programmes": [{"plugin": POLICY, "year": 2023, "panel": ["sp_chair"], "chair": "sp_chair"}],
                   "children": [{"code": "sp-a-1", "kind": "neighbourhood", "name": "甲一居民区"}]},
                  {"code": "sp-b", "kind": "street", "name": "乙街道"}],
        "users": [user("sp_office", "street_admin", "sp-a"), user("sp_other_office", "street_admin", "sp-b"),
                  user("sp_chair", "reviewer", "sp-a"), user("sp_staff", "neighbourhood_staff", "sp-a-1")],
    }


@pytest.fixture
def spending(settings):
    """(platform, host, the street office's approved project's id), on the application day."""
    with on_day(APPLICATION_DAY):
        host = PluginHost(plugins=[(POLICY, SpendingPolicy(POLICY, applicant_kinds=("neighbourhood", "street")))])
        platform = Platform.build(settings, host)
        load_tenant(platform, _tenant())
        with acting(platform, TENANT, "sp_office") as ctx:
            programme = ctx.session.scalars(select(Programme.id).where(Programme.plugin_name == POLICY)).one()
            street = unit_id(platform, TENANT, "sp-a")
            pool = funds.policy_fund(ctx, programme, street, "pool")
            funds.allocate(ctx, pool.id, "5000", "tests:spending:pool", "街道拨入")
            p = projects.create_project(ctx, programme, street, "general", "街区议事会")
            projects.save_form(ctx, p.id, "proposal", {"title": "街区议事会", "summary": "街道牵头，联合驻区单位共商街区事务"})
            projects.set_budget(ctx, p.id, [{"description": "议事桌椅", "amount": "800"}])
            pid = projects.submit(ctx, p.id).id
        with acting(platform, TENANT, "sp_chair") as ctx:
            review.decide(ctx, pid, "approved")
        yield platform, host, pid
        platform.db.dispose()


def _file(pid: int, reason: str | None = None):
    return lambda ctx: fund_requests.file_request(ctx, pid, amount="300", purpose="购买议事桌椅",
                                                  override_reason=reason)


def test_the_street_office_files_for_its_own_project_and_no_other_office_does(spending):
    platform, _, pid = spending
    with on_day(IMPLEMENTATION), acting(platform, TENANT, "sp_office") as ctx:
        project = projects.get_project(ctx, pid)
        assert project.applicant_unit.kind == "street" and ctx.can(A.fund_request_file, project).allowed
        rid = _file(pid)(ctx).id
    with on_day(IMPLEMENTATION), acting(platform, TENANT, "sp_office") as ctx:  # and records it as any applicant
        assert fund_requests.get_request(ctx, rid).state == "submitted"
        assert fund_requests.withdraw(ctx, rid).state == "withdrawn"
    with pytest.raises(Forbidden), on_day(IMPLEMENTATION), acting(platform, TENANT, "sp_other_office") as ctx:
        _file(pid)(ctx)
    with on_day(IMPLEMENTATION), acting(platform, TENANT, "sp_staff") as ctx:  # a neighbourhood below: not its project
        assert not ctx.can(A.fund_request_file, projects.get_project(ctx, pid)).allowed


def test_outside_the_phase_the_named_approver_files_with_a_reason_and_the_log_keeps_it(spending):
    platform, _, pid = spending
    with pytest.raises(RuleError) as refused, acting(platform, TENANT, "sp_office") as ctx:
        _file(pid)(ctx)
    [v] = refused.value.violations
    assert (v.code, v.clause, v.severity) == ("window_closed", SPENDING, "needs_approval") and "理由" in v.message.zh
    with pytest.raises(RuleError) as short, acting(platform, TENANT, "sp_office") as ctx:
        _file(pid, "急")(ctx)
    assert [(v.code, v.field) for v in short.value.violations] == [("override_reason_required", "override_reason")]
    with acting(platform, TENANT, "sp_office") as ctx:
        rid = _file(pid, REASON)(ctx).id
    with acting(platform, TENANT, None) as ctx:
        entry = ctx.session.scalars(select(AuditEntry).where(AuditEntry.entity == "fund_requests",
                                                             AuditEntry.entity_id == rid)).one()
        assert entry.after["_note"]["phase_override"] == {"action": "fund_request.file", "phase": "implementation",
                                                          "reason": REASON}


def _app(platform, host):
    app = create_app(platform.settings, host=host)
    app.config["TESTING"] = True
    return app


def test_over_the_api_the_reason_is_sent_with_the_request(spending):
    platform, host, pid = spending
    app = _app(platform, host)
    client = app.test_client()
    with on_day(APPLICATION_DAY):
        office = login(client, "sp_office", TENANT)
        path = f"/api/v1/t/{TENANT}/fund-requests"
        body = {"project_id": pid, "amount": "300", "purpose": "购买议事桌椅", "key": "own-unit-api"}
        answer = is_error(client.post(path, headers=office, json=body), 422, "window_closed")
        assert answer["errors"][0]["clause"] == SPENDING.zh and answer["errors"][0]["severity"] == "needs_approval"
        is_error(client.post(path, headers=office, json={**body, "override_reason": "急"}), 422, "override_reason_required")
        is_error(client.post(path, headers=office, json={**body, "override_reason": "理" * 501}), 422, "invalid_input")
        r = client.post(path, headers=office, json={**body, "override_reason": REASON})
        assert r.status_code == 201, r.get_json()
        actions = {a["action"]: a for a in client.get(f"/api/v1/t/{TENANT}/projects/{pid}", headers=office)
                   .get_json()["actions"]}
        assert not actions["file_fund_request"]["allowed"] and actions["file_fund_request"]["shown"]
    app.extensions["tongxin"].db.dispose()


def test_on_the_page_the_approver_is_asked_for_the_reason_beside_the_other_fields(spending):
    platform, host, pid = spending
    app = _app(platform, host)
    office = Web(app.test_client(), tenant=TENANT)
    with on_day(APPLICATION_DAY):
        office.login("sp_office")
        page = text(office.get(f"/projects/{pid}"))
        section = page[page.index('id="fund-requests"'):]
        assert 'name="override_reason"' in section and "时段外办理的理由" in section and SPENDING.zh not in section
        assert "写明理由后办理" in section  # why the reason is asked: the window's refusal, said beforehand
        form = {"amount": "300", "purpose": "购买议事桌椅", "back": "project",
                "key": re.search(r'name="key" value="([0-9a-f]{32})"', section).group(1)}  # the form's own
        r = office.post(f"/projects/{pid}/fund-requests", {**form, "override_reason": "急"})
        assert r.status_code == 422 and 'id="fr-override-err1"' in text(r)
        r = office.post(f"/projects/{pid}/fund-requests", form)
        assert r.status_code == 422 and SPENDING.zh in text(r)
        r = office.post(f"/projects/{pid}/fund-requests", {**form, "override_reason": REASON})
        assert r.status_code == 302, text(r)[:500]
        staff = Web(app.test_client(), tenant=TENANT)
        staff.login("sp_staff")  # not the approver, and not its project: no form, no reason field
        assert 'name="override_reason"' not in text(staff.get(f"/projects/{pid}"))
    with acting(platform, TENANT, None) as ctx:
        assert ctx.session.scalars(select(FundRequest.state).where(FundRequest.project_id == pid)).all() == ["submitted"]
    with on_day(IMPLEMENTATION):  # inside the phase: the plain form, no reason asked
        section = text(office.get(f"/projects/{pid}"))
        assert 'name="override_reason"' not in section and "提交资金申请" in section
    app.extensions["tongxin"].db.dispose()
