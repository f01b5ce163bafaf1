"""The street's settings: defaults are the 2023 plan's numbers; bad values are named in Chinese."""
from __future__ import annotations

import pytest

from core.plugin_host.toolkit import RuleError
from plugins.gonghexinlu.config import FOCUS_AREAS_2023


def refused(policy, raw: dict) -> dict[str, str]:
    with pytest.raises(RuleError) as info:
        policy.load_config(raw)
    return {v.field: v.message.zh for v in info.value.violations}


def test_defaults_are_the_plans_numbers(policy):
    assert policy.stored_config({}) == {
        "micro_max_yuan": "5000.00", "micro_max_months": 12, "signature_per_neighbourhood": 1,
        "pool_cap_yuan": "200000.00", "application_opens": "01-01", "application_closes": "03-31",
        "focus_areas": FOCUS_AREAS_2023, "intent_form_required": False, "max_points": 10,
        "correction_days": 10,  # the plugin's own choice: the plan sets no correction period
        # the people registry: the plugin's own choices, the source says nothing of them
        "registry_consent_required": True, "registry_retention_years": 3,
        "report_days_after_quarter": 10,  # the plugin's own choice: tool 9 says once a quarter, no day
        "require_all_scores": False,  # the plugin's own choice: the plan does not say a decision waits for every score
    }
    assert len(FOCUS_AREAS_2023) == 10 and "楼组建设" in FOCUS_AREAS_2023


def test_a_stored_config_loads_back_to_itself(policy):
    stored = policy.stored_config({"micro_max_yuan": "8000", "application_closes": "04-15", "focus_areas": ["垃圾分类"]})
    assert stored["micro_max_yuan"] == "8000.00"
    assert policy.stored_config(stored) == stored  # what a programme freezes is what it later reads


@pytest.mark.parametrize("typed", ["8000", "8,000", "8000元", "0.8万", "８，０００", " 8000.00 ", 8000])
def test_money_settings_are_typed_as_every_amount_is(policy, typed):
    # The platform's one money syntax (core.money), on the settings page as at every other door.
    assert policy.stored_config({"micro_max_yuan": typed})["micro_max_yuan"] == "8000.00"


@pytest.mark.parametrize("value", ["01-01", "03-31", "02-28", "12-31", "04-30"])
def test_month_days_that_exist_every_year_are_accepted(policy, value):
    assert policy.load_config({"application_opens": "01-01", "application_closes": value})["application_closes"] == value


@pytest.mark.parametrize("value", ["13-45", "3-31", "03-32", "00-10", "02-30", "04-31", "02-29", "0331", "03/31", ""])
def test_month_days_that_do_not_exist_every_year_are_refused_naming_the_field(policy, value):
    named = refused(policy, {"application_closes": value})
    assert named == {"config.application_closes": "申报截止（月-日）：应为“月-日”格式且每年都有这一天，如 03-31"}


def test_every_accepted_window_can_be_built_in_any_year(policy):
    # the reason for the rule above: phases are date(year, month, day) in every programme year
    config = policy.config({"application_opens": "02-28", "application_closes": "04-30"})
    for year in (2023, 2024, 2100):
        window = policy.phases(config, year)[0]
        assert (window.starts.month, window.starts.day, window.ends.month, window.ends.day) == (2, 28, 4, 30)


def test_the_window_cannot_close_before_it_opens(policy):
    named = refused(policy, {"application_opens": "03-01", "application_closes": "02-01"})
    assert "申报截止不能早于申报开始" in named["config.application_closes"]


@pytest.mark.parametrize("raw, field, words", [
    ({"micro_max_yuan": "abc"}, "config.micro_max_yuan", "不是有效的金额"),
    ({"micro_max_yuan": "-0.01"}, "config.micro_max_yuan", "不是有效的金额"),
    ({"micro_max_yuan": "伍仟"}, "config.micro_max_yuan", "不是有效的金额"),
    ({"pool_cap_yuan": "1000000000"}, "config.pool_cap_yuan", "不能超过999,999,999.99元"),
    ({"micro_max_yuan": "NaN"}, "config.micro_max_yuan", "七彩微创投单个项目申请上限（元）"),
    ({"micro_max_months": 0}, "config.micro_max_months", "七彩微创投最长周期（月）"),
    ({"micro_max_months": 37}, "config.micro_max_months", "七彩微创投最长周期（月）"),
    ({"signature_per_neighbourhood": 0}, "config.signature_per_neighbourhood", "每个居民区“一居一品”项目数"),
    ({"focus_areas": []}, "config.focus_areas", "年度重点申报内容"),
    ({"focus_areas": [""]}, "config.focus_areas.0", "长度"),
    ({"max_points": "ten"}, "config.max_points", "不是有效的整数"),
    ({"pool_cap": "1"}, "config.pool_cap", "不认识的字段"),
])
def test_bad_settings_are_named_in_chinese(policy, raw, field, words):
    named = refused(policy, raw)
    assert field in named, named
    assert words in named[field]


def test_the_street_may_change_the_numbers(policy):
    config = policy.config({"micro_max_yuan": "8000", "micro_max_months": 6, "signature_per_neighbourhood": 2,
                            "intent_form_required": True, "max_points": 20})
    assert (str(config["micro_max_yuan"]), config["micro_max_months"], config["signature_per_neighbourhood"]) == ("8000.00", 6, 2)
    assert [f.required_for_submit for f in policy.forms(config, "micro_venture")] == [True, True]
    assert {c.max_points for c in policy.rubric(config)} == {20}
