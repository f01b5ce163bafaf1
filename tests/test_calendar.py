"""The calendar, enforced (core.services.calendar). Each built-in policy's phases allow typed
actions, each with the clause that says so; outside them the action is refused with code
``window_closed`` citing that clause, and nothing is written. For each enforced window a test
through the services and one over HTTP (the API, or the web where it is the applicant's page);
then the rule's edges: silence means all year, the correction period, and an override by the
named role. Both profiles.

The days are the test world's 2023 calendar (tests.factories): applications on 15 March,
共和新路's implementation from 1 April, 晋江's selection after 17 March, 海园's council on 20 May
and its spending from 21 May."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.models import AuditEntry, Decision, Project
from core.services import endorsement, fund_requests, pledges, projects, review
from core.violations import RuleError
from plugins.gonghexinlu import clauses as ghxl
from plugins.haiyuan import clauses as hy
from plugins.jinjiang import clauses as jj
from tests.clients import Web, is_error, login, text, url
from tests.factories import (
    COUNCIL_DAY,
    IMPLEMENTATION_DAY,
    JINJIANG_SELECTION_DAY,
    SPENDING_DAY,
    T,
    acting,
    approve,
    draft_project,
    haiyuan_project,
    jinjiang_project,
    on_day,
    programme_id,
    submitted_project,
    unit_id,
)
from tests.money_factories import approved_project, counts, fund_id, receive, record, snapshot, sponsor_id


def closed(err: RuleError):
    """The calendar's refusal among ``err``'s violations."""
    return next(v for v in err.violations if v.code == "window_closed")


def refused(platform, tenant: str, username: str, fn, measure=snapshot) -> RuleError:
    """``fn(ctx)`` as ``username`` must be refused, and ``measure`` (what a refusal must leave
    as it was) must not change."""
    before = measure(platform)
    with pytest.raises(RuleError) as info, acting(platform, tenant, username) as ctx:
        fn(ctx)
    assert measure(platform) == before
    return info.value


def decisions(platform, tenant: str = "jinjiang") -> tuple[int, list]:
    with acting(platform, tenant, None) as ctx:
        return (ctx.session.scalar(select(func.count(Decision.id))),
                sorted(ctx.session.execute(select(Project.id, Project.state)).all()))


def project_count(platform, tenant: str = "jingan") -> int:
    with acting(platform, tenant, None) as ctx:
        return ctx.session.scalar(select(func.count(Project.id)))


# -- 共和新路: fund requests in the implementation phase, from April -------------------------------------

def test_fund_requests_are_filed_in_the_implementation_phase_only(platform):
    pid = approved_project(platform)  # applied for and approved in the first quarter
    file = lambda ctx: fund_requests.file_request(ctx, pid, amount="100", purpose="购买活动物料")  # noqa: E731
    v = closed(refused(platform, "jingan", "luochuan", file))
    assert v.clause == ghxl.IMPLEMENTATION and v.severity == "block" and v.approver is None
    assert "2023年4月1日至9月30日" in v.message.zh and "2023年3月15日" in v.message.zh
    with on_day(IMPLEMENTATION_DAY), acting(platform, "jingan", "luochuan") as ctx:
        assert file(ctx).month == "2023-04"
    with on_day("2023-10-09"):  # the evaluation stage: after the window, refused again
        assert closed(refused(platform, "jingan", "luochuan", file)).clause == ghxl.IMPLEMENTATION


def test_over_http_a_march_fund_request_is_refused_citing_the_plan(client, platform):
    pid = approved_project(platform)
    luochuan = login(client, "luochuan")
    body = {"project_id": pid, "amount": "100", "purpose": "购买活动物料", "key": "march-request"}
    before = snapshot(platform)
    answer = is_error(client.post(url("/fund-requests"), headers=luochuan, json=body), 422, "window_closed")
    v = next(e for e in answer["errors"] if e["code"] == "window_closed")
    assert v["clause"] == ghxl.IMPLEMENTATION.zh and v["severity"] == "block"
    assert snapshot(platform) == before
    with on_day(IMPLEMENTATION_DAY):
        r = client.post(url("/fund-requests"), headers=luochuan, json=body)
        assert r.status_code == 201, r.get_json()


# -- 海园: spending applied for after the council meeting --------------------------------------------

def _haiyuan_approved(platform, title: str = "爱心椅") -> int:
    pid, _ = haiyuan_project(platform, title, amount="5000")
    pledge = record(platform, "jas_admin", "上海宾馆", "20000")  # money for the fund; no claim, any day
    receive(platform, pledge, "20000", f"calendar-{title}")
    approve(platform, pid, "5000")
    return pid


def test_haiyuan_spending_is_applied_for_only_after_the_council_meeting(platform):
    pid = _haiyuan_approved(platform)
    apply = lambda ctx: fund_requests.file_request(  # noqa: E731
        ctx, pid, amount="1000", purpose="采购爱心椅", beneficiaries="独居老人20户")
    for day in ("2023-03-15", COUNCIL_DAY):  # before the meeting, and on its day
        with on_day(day):
            v = closed(refused(platform, T, "haiyuan", apply))
            assert v.clause == hy.SPENDING and "2023年5月21日至11月30日" in v.message.zh
    with on_day(SPENDING_DAY), acting(platform, T, "haiyuan") as ctx:
        assert apply(ctx).state == "submitted"


def test_on_the_page_a_spending_application_before_the_meeting_is_refused_with_the_clause(app, platform):
    pid = _haiyuan_approved(platform)
    staff = Web(app.test_client(), tenant=T)
    staff.login("haiyuan")
    before = snapshot(platform)
    r = staff.post(f"/projects/{pid}/fund-requests", {"amount": "1000", "purpose": "采购爱心椅",
                                                       "beneficiaries": "独居老人20户", "key": "before-meeting",
                                                       "back": "project"})
    assert r.status_code == 422
    page = text(r)
    assert "经费事先申请" in page and hy.SPENDING.zh[:20] in page
    assert snapshot(platform) == before


# -- 晋江: the city selects pilots once the call has closed --------------------------------------------

def _endorsed_pilot(platform) -> int:
    pid = jinjiang_project(platform, "qinghua", "jj-qingyang-a")
    with acting(platform, "jinjiang", "qingyang_admin") as ctx:  # the town stamps within the call
        endorsement.endorse(ctx, pid, "endorsed")
    return pid


def test_jinjiang_selects_pilots_only_after_the_call_closes(platform):
    pid = _endorsed_pilot(platform)
    select_ = lambda ctx: review.decide(ctx, pid, "approved", details={"selection": {"tier": "city"}})  # noqa: E731
    v = closed(refused(platform, "jinjiang", "jj_chair", select_, measure=decisions))
    assert v.clause == jj.SELECTION and "2023年3月18日" in v.message.zh
    with on_day(JINJIANG_SELECTION_DAY), acting(platform, "jinjiang", "jj_chair") as ctx:
        assert select_(ctx).outcome == "approved"


def test_over_http_the_chair_cannot_select_while_the_call_is_open(client, platform):
    pid = _endorsed_pilot(platform)
    chair = login(client, "jj_chair", "jinjiang")
    body = {"outcome": "approved", "details": {"selection": {"tier": "city"}}}
    before = decisions(platform)
    answer = is_error(client.post(url(f"/projects/{pid}/decision", "jinjiang"), headers=chair, json=body),
                      422, "window_closed")
    assert next(e for e in answer["errors"] if e["code"] == "window_closed")["clause"] == jj.SELECTION.zh
    assert decisions(platform) == before
    with on_day(JINJIANG_SELECTION_DAY):
        r = client.post(url(f"/projects/{pid}/decision", "jinjiang"), headers=chair, json=body)
        assert r.status_code < 300, r.get_json()


def test_a_town_stamps_within_the_call_or_a_returned_application_within_its_correction(platform):
    late = jinjiang_project(platform, "qinghua", "jj-qingyang-a")
    with on_day("2023-03-20"):  # the call closed on 17 March: no stamp for an application never returned
        v = closed(refused(platform, "jinjiang", "qingyang_admin",
                           lambda ctx: endorsement.endorse(ctx, late, "endorsed"), measure=decisions))
        assert v.clause == jj.APPLY
    # Returned by the town on the 15th, corrected and sent again after the deadline: stamped
    # within the correction period (ten days after the deadline).
    corrected = jinjiang_project(platform, "qinghua", "jj-qingyang-a")
    with acting(platform, "jinjiang", "qingyang_admin") as ctx:
        endorsement.endorse(ctx, corrected, "returned", reason="请补充居民意见征集记录")
    with on_day("2023-03-20"):
        with acting(platform, "jinjiang", "qinghua") as ctx:
            assert projects.submit(ctx, corrected).state == "submitted"
        with acting(platform, "jinjiang", "qingyang_admin") as ctx:
            assert endorsement.endorse(ctx, corrected, "endorsed").outcome == "endorsed"


# -- sponsors' claims, at 海园's council meeting ----------------------------------------------------

def test_a_claim_is_made_at_the_council_meeting_or_recorded_later_with_the_offices_reason(platform):
    pid, _ = haiyuan_project(platform, "爱心小水表")
    hotel, fund = sponsor_id(platform, "上海宾馆"), fund_id(platform)

    def claim(reason=None, key="claim"):
        return lambda ctx: pledges.pledge(ctx, hotel, fund, "1000", project_id=pid, key=key, override_reason=reason)

    v = closed(refused(platform, T, "jas_admin", claim(), measure=counts))
    assert v.clause == hy.COUNCIL and v.severity == "needs_approval" and v.approver
    assert "2023年5月20日" in v.message.zh and "写明理由" in v.message.zh
    # The neighbourhood's staff may record pledges, but only the street office makes the exception.
    closed(refused(platform, T, "haiyuan", claim("会后补录理事会上的认领"), measure=counts))
    short = refused(platform, T, "jas_admin", claim("补录"), measure=counts)
    assert {v.code for v in short.violations} == {"override_reason_required"}
    with acting(platform, T, "jas_admin") as ctx:
        row = claim("会后补录：宾馆在理事会上口头认领")(ctx)
        pledge_id = row.id
    with acting(platform, T, "jas_admin") as ctx:
        entry = ctx.session.scalars(select(AuditEntry).where(AuditEntry.entity == "pledges",
                                                             AuditEntry.entity_id == pledge_id)).one()
        assert entry.after["_note"]["phase_override"] == {"action": "pledge.claim", "phase": "council",
                                                          "reason": "会后补录：宾馆在理事会上口头认领"}
    with on_day(COUNCIL_DAY), acting(platform, T, "pingan") as ctx:  # at the meeting the sponsor claims itself
        pledges.pledge(ctx, sponsor_id(platform, "平安养老保险"), fund, "2000", project_id=pid, key="at-the-meeting")


def test_over_http_a_claim_outside_the_meeting_needs_the_offices_reason(client, platform):
    pid, _ = haiyuan_project(platform, "爱心小水表")
    office = login(client, "jas_admin")
    body = {"sponsor_id": sponsor_id(platform, "上海宾馆"), "fund_id": fund_id(platform), "amount": "1000",
            "project_id": pid, "key": "api-claim"}
    before = counts(platform)
    answer = is_error(client.post(f"/api/v1/t/{T}/sponsors/pledges", headers=office, json=body), 422, "window_closed")
    v = next(e for e in answer["errors"] if e["code"] == "window_closed")
    assert v["clause"] == hy.COUNCIL.zh and v["severity"] == "needs_approval"
    assert counts(platform) == before
    r = client.post(f"/api/v1/t/{T}/sponsors/pledges", headers=office,
                    json={**body, "override_reason": "会后补录：宾馆在理事会上口头认领"})
    assert r.status_code == 201, r.get_json()


# -- applications: refused at create when no window is open; corrections after it -----------------------

def test_starting_an_application_when_no_window_is_open_is_refused_at_once(platform):
    create = lambda ctx: projects.create_project(  # noqa: E731
        ctx, programme_id(platform), unit_id(platform, "jingan", "ghxl-luochuan"), "micro_venture", "口袋花园")
    with on_day("2023-04-03"):
        v = closed(refused(platform, "jingan", "luochuan", create, measure=project_count))
    assert v.clause == ghxl.APPLICATION_WINDOW and "2023年1月1日至3月31日" in v.message.zh


def test_over_http_starting_an_application_after_the_window_names_it(client, platform):
    luochuan = login(client, "luochuan")
    body = {"programme_id": programme_id(platform), "applicant_unit_id": unit_id(platform, "jingan", "ghxl-luochuan"),
            "track": "micro_venture", "title": "口袋花园"}
    before = project_count(platform)
    with on_day("2023-04-03"):
        answer = is_error(client.post(url("/projects"), headers=luochuan, json=body), 422, "window_closed")
    v = next(e for e in answer["errors"] if e["code"] == "window_closed")
    assert v["clause"] == ghxl.APPLICATION_WINDOW.zh and "至3月31日" in v["message"]
    assert project_count(platform) == before


def test_a_returned_application_may_be_corrected_within_the_correction_period(platform):
    returned = submitted_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园")
    never = draft_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "青年议事角")
    with on_day("2023-03-25"), acting(platform, "jingan", "ghxl_chair") as ctx:
        review.decide(ctx, returned, "returned", explanation="请细化预算明细")
    with on_day("2023-04-05"):  # the window closed on 31 March; corrections run until 10 April
        with acting(platform, "jingan", "luochuan") as ctx:
            projects.set_budget(ctx, returned, [{"description": "花苗与土壤", "amount": "2800"}])
            assert projects.submit(ctx, returned).state == "submitted"
        v = closed(refused(platform, "jingan", "luochuan", lambda ctx: projects.set_budget(
            ctx, never, [{"description": "桌椅", "amount": "100"}])))
        assert v.clause == ghxl.APPLICATION_WINDOW
    with on_day("2023-04-06"), acting(platform, "jingan", "ghxl_chair") as ctx:
        review.decide(ctx, returned, "returned", explanation="请补充居民意见")
    with on_day("2023-04-17"):  # ten days after this return have passed
        closed(refused(platform, "jingan", "luochuan", lambda ctx: projects.submit(ctx, returned)))


def test_an_action_no_phase_names_is_allowed_all_year(platform):
    # 共和新路 names no phase for decisions, 海园 none for pledges that claim nothing.
    pid = submitted_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园")
    with on_day("2023-06-15"), acting(platform, "jingan", "ghxl_chair") as ctx:
        assert review.decide(ctx, pid, "rejected", explanation="与既有项目重复").outcome == "rejected"
    with on_day("2023-08-08"):
        record(platform, "jas_admin", "上海宾馆", "1000")
