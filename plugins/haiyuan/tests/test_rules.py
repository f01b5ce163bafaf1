"""The seed's practice as rules: three uses, one application, the year's calendar, one fund
capped at the target, approvals drawing on it and spending applied for and supervised."""
from __future__ import annotations

import datetime as dt

import pytest
from marshmallow import ValidationError

from core.plugin_host.testing import FactsRuleContext, project_facts
from core.plugin_host.toolkit import A
from plugins.haiyuan import clauses

LIVELIHOOD, CARE, CULTURE = "livelihood", "care", "culture"


class Ledger(FactsRuleContext):
    """A rule context that also knows what the fund holds and what is committed to a project."""

    def __init__(self, available=0, committed=0):
        super().__init__()
        self.available, self.committed = available, committed

    def fund_available(self, project, fund):
        assert fund == "gongzhijin"
        return self.available

    def fund_committed(self, project, fund):
        assert fund == "gongzhijin"
        return self.committed


def judge(policy, config, **facts):
    return {v.code: v for v in policy.judge(project_facts(**facts), "submit", config, FactsRuleContext())}


def test_the_three_uses_are_the_tracks(policy, config):
    tracks = policy.tracks(config)
    assert [(t.key, t.label.zh) for t in tracks] == [
        (LIVELIHOOD, "自治和大修等惠民实事项目"), (CARE, "公益助学、助老、助残服务"), (CULTURE, "文化教育配送服务")]
    assert [d.label.zh for d in tracks[1].directions] == ["公益助学", "助老", "助残"]


def _application(**overrides):
    data = {"purpose": "为独居老人更换老化的水表和马桶", "beneficiaries": "独居老人约40户",
            "plan": "6月摸底，7月施工，8月回访"}
    data.update(overrides)
    return data


def test_the_application_asks_purpose_beneficiaries_and_plan_in_chinese(policy, config):
    [spec] = policy.forms(config, LIVELIHOOD)
    assert spec.label.zh == "共治金项目申请表"
    schema = spec.schema()
    labels = {name: f.metadata["label"].zh for name, f in schema.fields.items()}
    assert labels == {"purpose": "经费使用用途（项目内容）", "beneficiaries": "使用对象（受益人群）",
                      "plan": "实施计划", "resources_wanted": "希望共建单位提供的资金或资源"}
    assert schema.load(_application())["resources_wanted"] == ""
    with pytest.raises(ValidationError) as info:
        schema.load(_application(beneficiaries="", purpose="太短"))
    assert set(info.value.messages) == {"beneficiaries", "purpose"}


def test_the_aid_track_also_asks_which_aid(policy, config):
    [spec] = policy.forms(config, CARE)
    schema = spec.schema()
    assert schema.load(_application(directions=["elderly", "disabled"]))["directions"] == ["elderly", "disabled"]
    for bad in ([], ["culture"]):
        with pytest.raises(ValidationError) as info:
            schema.load(_application(directions=bad))
        assert "directions" in info.value.messages
    assert "directions" not in policy.forms(config, CULTURE)[0].schema().fields


def test_the_calendar_window_then_the_council_then_spending_then_the_congress(policy, config):
    phases = policy.phases(config, 2023)
    assert [(p.key, p.starts, p.ends) for p in phases] == [
        ("application", dt.date(2023, 1, 1), dt.date(2023, 4, 30)),
        ("council", dt.date(2023, 5, 20), dt.date(2023, 5, 20)),
        ("spending", dt.date(2023, 5, 21), dt.date(2023, 11, 30)),
        ("congress", dt.date(2023, 12, 1), dt.date(2023, 12, 31)),
    ]
    assert [p.key for p in phases if p.allowance(A.project_apply)] == ["application"]
    assert "理事会" in phases[1].label.zh and "认领" in phases[1].label.zh
    # Claims at the council meeting (the street office may record one later, with a reason);
    # spending applied for after it ("经费事先申请"), until 30 November.
    claim = phases[1].allowance(A.pledge_claim)
    assert (claim.clause, claim.firmness, claim.approver) == (clauses.COUNCIL, "needs_approval", "street_admin")
    assert [p.key for p in phases if p.allowance(A.fund_request_file)] == ["spending"]
    assert phases[2].allowance(A.fund_request_file).clause == clauses.SPENDING


def test_rubric(policy, config):
    assert [(c.key, c.label.zh, c.max_points) for c in policy.rubric(config)] == [
        ("benefit", "惠民实效", 10), ("participation", "居民参与", 10), ("budget", "经费合理", 10)]


def test_a_submission_states_an_amount_within_the_funds_target(policy, config):
    assert judge(policy, config, track=CARE, requested_fen=500_000) == {}
    missing = judge(policy, config, track=CARE, requested_fen=0)
    assert set(missing) == {"budget_missing"} and missing["budget_missing"].clause == clauses.SPENDING
    over = judge(policy, config, track=CARE, requested_fen=30_000_001)
    assert set(over) == {"over_fund_target"}
    assert "300,000.00元" in over["over_fund_target"].message.zh and over["over_fund_target"].clause == clauses.FUND
    # the street may set another target
    assert judge(policy, policy.config({"fund_target_yuan": "400000"}), track=CARE, requested_fen=30_000_001) == {}
    # other actions have no rule of the plugin's
    assert policy.judge(project_facts(requested_fen=0), "approve", config, FactsRuleContext()) == []


def test_one_fund_per_neighbourhood_capped_at_the_target(policy, config):
    [fund] = policy.funds(config)
    assert (fund.key, fund.kind, fund.owner, fund.name.zh, fund.cap_fen) == (
        "gongzhijin", "sponsor_fund", "applicant", "社区共治金", 30_000_000)
    assert fund.clause == clauses.FUND
    assert policy.funds(policy.config({"fund_target_yuan": "123.45"}))[0].cap_fen == 12_345


def test_an_approval_draws_the_whole_amount_whatever_is_available(policy, config):
    facts = project_facts(track=LIVELIHOOD, requested_fen=2_000_000, approved_fen=1_500_000)
    # not trimmed to what the fund holds: the ledger refuses with its reason instead
    [draw] = policy.funding(facts, config, Ledger(available=100_000))
    assert (draw.fund, draw.amount_fen) == ("gongzhijin", 1_500_000)


def test_what_claimed_receipts_already_committed_is_not_drawn_again(policy, config):
    facts = project_facts(track=LIVELIHOOD, requested_fen=2_000_000, approved_fen=1_500_000)
    [draw] = policy.funding(facts, config, Ledger(available=10_000_000, committed=400_000))
    assert draw.amount_fen == 1_100_000
    assert policy.funding(facts, config, Ledger(committed=1_500_000)) == []
    assert policy.funding(facts, config, Ledger(committed=2_000_000)) == []  # never a negative draw
    # a context without the question (core's today) answers 0: nothing was committed before approval
    [draw] = policy.funding(facts, config, FactsRuleContext())
    assert draw.amount_fen == 1_500_000


def test_spending_is_applied_for_with_beneficiaries_and_supervised(policy, config):
    rules = policy.fund_request_rules(config)
    assert rules.beneficiaries_required and rules.supervision
    assert rules.clause == clauses.SPENDING and "监督委员会" in rules.clause.zh and "使用对象" in rules.clause.zh
    assert not policy.fund_request_rules(policy.config({"supervision_required": False})).supervision
