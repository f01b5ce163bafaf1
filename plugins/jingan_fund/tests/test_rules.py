"""The district's rules, without a database: the spending list, the meetings that form projects,
the 社区分析, the foundation's grant. Every refusal cites the district's plan."""
import pytest

from core.plugin_host.toolkit import BudgetRow, RuleError
from core.plugin_host.testing import FactsRuleContext, project_facts
from plugins.jingan_fund import clauses
from plugins.jingan_fund.forms import FORMATION, GRANT

RECORD = {"money_kind": "zizhi", "platform": "sanhui_yidaili", "meeting_date": "2023-02-20", "participants": 35,
          "resolution": "听证会议定：改造楼道公共空间"}


def judge(policy, config, facts, action="submit"):
    return policy.judge(facts, action, config, FactsRuleContext())


def test_a_row_outside_the_spending_list_is_refused_citing_the_districts_plan(policy, config):
    facts = project_facts(requested_fen=900_000, budget=(BudgetRow("场地布置", 300_000, "场地租用"),
                                                         BudgetRow("聚餐", 600_000, "宴请招待")))
    [v] = judge(policy, config, facts)
    assert (v.code, v.field, v.clause) == ("jingan_budget_category_not_listed", "budget.1.category", clauses.SPENDING_LIST)
    assert "宴请招待" in v.message.zh and v.clause.zh.startswith("静安区实施方案")


def test_a_row_without_a_category_is_refused_unless_the_district_lets_it_pass(policy, config):
    facts = project_facts(requested_fen=100_000, budget=(BudgetRow("物料", 100_000, None),))
    assert [v.code for v in judge(policy, config, facts)] == ["jingan_budget_category_missing"]
    assert judge(policy, policy.config({"category_required": False}), facts) == []
    # A category that is named must still be on the list.
    named = project_facts(requested_fen=100_000, budget=(BudgetRow("礼品", 100_000, "礼品"),))
    assert [v.code for v in judge(policy, policy.config({"category_required": False}), named)] == [
        "jingan_budget_category_not_listed"]


def test_self_governance_money_is_for_neighbourhoods_and_meetings_are_of_their_level(policy, config):
    street = dict(applicant_unit_kind="street", budget=())
    found = judge(policy, config, project_facts(forms={FORMATION: RECORD}, **street))
    assert [(v.code, v.clause) for v in found] == [("jingan_zizhi_for_neighbourhoods", clauses.ZIZHI_FORMATION)]
    joint = {**RECORD, "money_kind": "gongzhi", "platform": "joint_meeting"}
    assert [v.code for v in judge(policy, config, project_facts(forms={FORMATION: joint}, **street))] == ["jingan_platform_level"]
    representatives = {**RECORD, "money_kind": "gongzhi", "platform": "representatives"}
    assert judge(policy, config, project_facts(forms={FORMATION: representatives}, **street)) == []
    assert [v.code for v in judge(policy, config, project_facts(forms={FORMATION: representatives}))] == ["jingan_platform_level"]
    assert judge(policy, config, project_facts(forms={FORMATION: RECORD})) == []


def test_the_record_names_a_meeting_that_forms_its_kind_of_money(policy, config):
    [spec] = [f for f in policy.forms(config) if f.key == FORMATION]
    assert spec.required_for_submit and spec.clause == clauses.FORMATION_RECORD
    assert policy.validate_form(spec, RECORD)["platform"] == "sanhui_yidaili"
    with pytest.raises(RuleError) as info:
        policy.validate_form(spec, {**RECORD, "platform": "representatives"})
    [v] = info.value.violations
    assert v.field == f"{FORMATION}.platform" and "三会一代理" in v.message.zh and v.clause == clauses.PLATFORMS
    with pytest.raises(RuleError) as info:
        policy.validate_form(spec, {**RECORD, "money_kind": "gongzhi"})
    assert "1+5+X" in info.value.violations[0].message.zh
    assert [k.key for k in policy.attachment_kinds(config) if k.required_for_submit] == ["jingan_fund_minutes"]
    relaxed = policy.config({"formation_record_required": False})
    assert not any(f.required_for_submit for f in policy.forms(relaxed))
    assert not any(k.required_for_submit for k in policy.attachment_kinds(relaxed))


def test_the_community_analysis_requires_what_the_district_chose(policy):
    config = policy.config({"analysis_required_parts": ["people"]})
    [spec] = [f for f in policy.forms(config) if f.key == "jingan_fund_analysis"]
    with pytest.raises(RuleError) as info:
        policy.validate_form(spec, {"culture": "石库门里弄文化"})
    assert [v.field for v in info.value.violations] == ["jingan_fund_analysis.people"]
    assert info.value.violations[0].clause == clauses.ANALYSIS
    assert policy.validate_form(spec, {"people": "老年人占四成"})["people"] == "老年人占四成"


def test_the_foundation_grants_what_the_decision_names_and_no_more_than_the_approval(policy, config):
    granted = project_facts(approved_fen=300_000, decision_details={GRANT: {"foundation_yuan": "1000.00"}})
    assert [(d.fund, d.amount_fen) for d in policy.funding(granted, config, FactsRuleContext())] == [("foundation", 100_000)]
    assert policy.funding(project_facts(approved_fen=300_000), config, FactsRuleContext()) == []
    over = project_facts(approved_fen=50_000, decision_details={GRANT: {"foundation_yuan": "1000.00"}})
    [v] = judge(policy, config, over, "approve")
    assert (v.code, v.clause) == ("jingan_grant_over_approved", clauses.FOUNDATION)
    [fund] = policy.funds(config)
    assert (fund.key, fund.kind, fund.owner) == ("foundation", "sponsor_fund", "programme")


def test_every_rule_code_is_declared_and_every_refusal_cites_the_plan(policy, config):
    facts = project_facts(applicant_unit_kind="street", forms={FORMATION: RECORD},
                          budget=(BudgetRow("a", 1, None), BudgetRow("b", 1, "x")))
    found = judge(policy, config, facts) + judge(
        policy, config, project_facts(approved_fen=1, decision_details={GRANT: {"foundation_yuan": "1"}}), "approve")
    assert {v.code for v in found} <= set(policy.info.rule_codes) and len({v.code for v in found}) == 4
    assert all(v.clause is not None and v.clause.zh.startswith("静安区实施方案") for v in found)
