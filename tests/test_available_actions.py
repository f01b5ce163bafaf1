"""Each object says what the caller may do with it now (issue 9, item 2): one service function per
kind (``core.services.project_actions``, ``core.services.fund_request_actions``) combines the
permission table with the object's state, and its answer is the guard's: an action offered is
accepted by the service, one refused is refused there too. The web shows the same answers: an
action that is the person's but not possible now is a disabled button with its reason; one that is
not theirs is not shown. Both profiles."""
from __future__ import annotations

import re

import pytest

from core.i18n import T
from core.plugin_host.contributions import FundRequestRules
from core.plugin_host.manager import Policy
from core.services import fund_requests, projects
from core.services.fund_request_actions import batch_offers, file_offer, request_offers
from core.services.project_actions import project_offers
from core.violations import RuleError
from tests.clients import Web, text
from tests.factories import IMPLEMENTATION_DAY, acting, draft_project, on_day, programme_id, unit_id
from tests.money_factories import approved_project, leaders, person

CLAUSE = T("经费使用须事先申请，并经监督委员会审核", "Spending is applied for first and signed off by the supervisors")


@pytest.fixture
def supervised(monkeypatch):
    """共和新路's programme, as if its policy wanted the supervision committee's sign-off first."""
    monkeypatch.setattr(Policy, "fund_request_rules", lambda self, config: FundRequestRules(
        beneficiaries_required=False, supervision=True, clause=CLAUSE))


def _file(platform, pid: int, amount: str) -> int:
    with acting(platform, "jingan", "luochuan") as ctx:
        return fund_requests.file_request(ctx, pid, amount=amount, purpose="购买活动物料").id


def _offers(platform, username: str, rid: int) -> dict[str, tuple[bool, bool]]:
    with acting(platform, "jingan", username) as ctx:
        return {o.key: (o.allowed, o.shown) for o in request_offers(ctx, fund_requests.get_request(ctx, rid))}


@pytest.mark.usefixtures("in_implementation")  # fund requests are filed from April
def test_a_request_awaiting_supervision_offers_each_person_their_own_step(platform, supervised):
    pid = approved_project(platform)
    person(platform, "fr_supervisor", "supervisor", "ghxl-luochuan", name="监督委员会（测试）")
    rid = _file(platform, pid, "100")

    assert _offers(platform, "luochuan", rid) == {
        "withdraw": (True, True), "supervise": (False, False), "accept": (False, False), "refuse": (False, False),
        "disburse": (False, False), "record_expense": (False, False), "refund": (False, False)}
    office = _offers(platform, "ghxl_admin", rid)
    assert office["accept"] == (False, True) and office["refuse"] == (False, True)  # theirs, but not yet
    assert office["supervise"] == (False, False)
    supervisor = _offers(platform, "fr_supervisor", rid)
    assert supervisor["supervise"] == (True, True) and supervisor["refuse"] == (True, True)
    assert supervisor["accept"] == (False, False)

    # The offer is the guard's answer: what the office is not offered, the service refuses.
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        accept = request_offers(ctx, fund_requests.get_request(ctx, rid)).accept
        assert "监督委员会" in accept.reason.zh
    with pytest.raises(RuleError), acting(platform, "jingan", "ghxl_admin") as ctx:
        fund_requests.accept(ctx, rid)
    with acting(platform, "jingan", "fr_supervisor") as ctx:
        fund_requests.supervise(ctx, rid, note="用途明确，同意")
    assert _offers(platform, "ghxl_admin", rid)["accept"] == (True, True)
    assert _offers(platform, "luochuan", rid)["withdraw"] == (False, False)  # someone acted on it


@pytest.mark.usefixtures("in_implementation")  # fund requests are filed from April
def test_a_batch_offers_the_leader_approval_within_their_authority_and_no_one_else(platform):
    pid = approved_project(platform)
    leaders(platform)
    rid = _file(platform, pid, "1500")
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        batch_id = fund_requests.accept(ctx, rid).batch_id

    def offers(username):
        with acting(platform, "jingan", username) as ctx:
            found = batch_offers(ctx, fund_requests.get_batch(ctx, batch_id))
            return {o.key: (o.allowed, o.shown, o.reason.zh if o.reason else None) for o in found}

    assert offers("fr_leader")["approve"] == (True, True, None)
    allowed, shown, reason = offers("fr_small_leader")["approve"]
    assert (allowed, shown) == (False, True) and "超出您的审批权限（1,000.00元）" in reason
    assert offers("ghxl_admin")["approve"][:2] == (False, False)
    assert offers("ghxl_admin")["disburse"][:2] == (False, False)  # not approved yet: not a step of now
    with acting(platform, "jingan", "fr_leader") as ctx:
        fund_requests.approve_batch(ctx, batch_id)
    assert offers("ghxl_admin")["disburse"][:2] == (True, True)
    assert offers("fr_leader")["approve"][:2] == (False, False)


def test_a_project_offers_its_applicant_and_its_deciders_their_steps(platform):
    pid = draft_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园")

    def offers(username):
        with acting(platform, "jingan", username) as ctx:
            return {o.key: (o.allowed, o.shown) for o in project_offers(ctx, projects.get_project(ctx, pid))}

    mine = offers("luochuan")
    assert mine["edit"] == mine["submit"] == mine["withdraw"] == (True, True)
    assert mine["decide"] == mine["score"] == mine["request_change"] == mine["file_fund_request"] == (False, False)
    with acting(platform, "jingan", "luochuan") as ctx:
        projects.submit(ctx, pid)
    mine = offers("luochuan")
    assert mine["edit"] == (False, True) and mine["submit"] == (False, False) and mine["withdraw"] == (True, True)
    chair = offers("ghxl_chair")
    assert chair["decide"] == (True, True) and chair["edit"] == (False, False)
    assert mine["decide"] == (False, False)  # the applicant never sees the chair's step


def test_a_draft_with_problems_offers_submit_disabled_with_the_first_problem(platform):
    with acting(platform, "jingan", "luochuan") as ctx:
        project = projects.create_project(ctx, programme_id(platform), unit_id(platform, "jingan", "ghxl-luochuan"),
                                          "micro_venture", "口袋花园")
        submit = project_offers(ctx, project).submit
        assert (submit.allowed, submit.shown) == (False, True)
        assert "另有" in submit.reason.zh  # the form, the budget and the minutes are all missing


@pytest.mark.usefixtures("in_implementation")  # fund requests are filed from April
def test_the_office_page_shows_a_step_not_possible_yet_disabled_with_its_reason(app, platform, supervised):
    pid = approved_project(platform)
    rid = _file(platform, pid, "100")
    office = Web(app.test_client())
    office.login("ghxl_admin")
    page = text(office.get("/fund-requests?month=2023-04"))
    card = page[page.index(f'id="fr-{rid}"'):]
    card = card[:card.index("</article>")]
    button = re.search(rf'<button class="btn btn-secondary" type="button" disabled title="([^"]+)" '
                       rf'aria-describedby="fr-{rid}-accept-why">审核通过，编入月度汇总</button>', card)
    assert button and "监督委员会" in button.group(1)
    assert re.search(rf'id="fr-{rid}-accept-why">[^<]*监督委员会', card)
    assert 'name="reason"' not in card  # no form to fill for a step that cannot be taken
    applicant = Web(app.test_client())
    applicant.login("luochuan")
    card = text(applicant.get(f"/projects/{pid}"))
    card = card[card.index(f'id="fr-{rid}"'):]
    card = card[:card.index("</article>")]
    assert "撤回申请" in card and "审核通过" not in card  # the office's step is not shown to the applicant


def test_filing_outside_the_implementation_phase_is_offered_disabled_with_the_window(platform):
    """The offer asks the calendar as file_request does: before April the button says why not."""
    pid = approved_project(platform)
    with acting(platform, "jingan", "luochuan") as ctx:
        before = file_offer(ctx, projects.get_project(ctx, pid))
    assert (before.allowed, before.shown) == (False, True)
    assert "2023年4月1日" in before.reason.zh
    with on_day(IMPLEMENTATION_DAY), acting(platform, "jingan", "luochuan") as ctx:
        assert file_offer(ctx, projects.get_project(ctx, pid)).allowed
