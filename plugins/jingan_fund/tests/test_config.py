"""The district's settings: defaults that say whose choice they are, and each bad setting named."""
import pytest

from core.plugin_host.toolkit import RuleError
from plugins.jingan_fund.config import DEFAULT_SPENDING_LIST, JinganFundConfig


def test_defaults_are_the_plugins_spending_list_with_the_record_required(policy, config):
    assert config["spending_list"] == DEFAULT_SPENDING_LIST
    assert config["category_required"] is True and config["formation_record_required"] is True
    assert config["analysis_required_parts"] == []
    # The seed promises the list without giving it: the setting says the defaults are the plugin's choice.
    assert "平台的默认选择" in JinganFundConfig().fields["spending_list"].metadata["help"].zh
    assert policy.stored_config({})["spending_list"] == DEFAULT_SPENDING_LIST


def test_a_district_replaces_the_list_and_chooses_the_required_analysis_parts(policy):
    config = policy.config({"spending_list": ["活动物料", "场地租用"], "analysis_required_parts": ["people", "place"]})
    assert [c.value for c in policy.budget_categories(config)] == ["活动物料", "场地租用"]
    [analysis] = [f for f in policy.forms(config) if f.key == "jingan_fund_analysis"]
    assert analysis.required_for_submit
    assert {n for n, f in analysis.schema().fields.items() if f.required} == {"people", "place"}


@pytest.mark.parametrize("raw, field", [
    ({"spending_list": []}, "config.spending_list"),
    ({"spending_list": ["场地", "场地"]}, "config.spending_list"),
    ({"analysis_required_parts": ["weather"]}, "config.analysis_required_parts.0"),
    ({"category_required": "maybe"}, "config.category_required"),
    ({"typo": 1}, "config.typo"),
])
def test_each_bad_setting_is_named(policy, raw, field):
    with pytest.raises(RuleError) as info:
        policy.load_config(raw)
    assert field in {v.field for v in info.value.violations}


def test_it_is_a_district_policy_without_tracks_of_its_own(policy, config):
    assert policy.info.programme_level == "district"
    assert policy.tracks(config) == []
