"""The street's settings: the seed's 300,000-yuan fund and supervision by default; a calendar
that always works; bad values named in Chinese."""
from __future__ import annotations

import pytest

from core.plugin_host.toolkit import RuleError


def refused(policy, raw: dict) -> dict[str, str]:
    with pytest.raises(RuleError) as info:
        policy.load_config(raw)
    return {v.field: v.message.zh for v in info.value.violations}


def test_defaults_are_the_seeds_numbers(policy):
    assert policy.stored_config({}) == {
        "fund_target_yuan": "300000.00", "application_opens": "01-01", "application_closes": "04-30",
        "council_meeting": "05-20", "supervision_required": True, "max_points": 10,
        "correction_days": 10,  # the plugin's own choice: the seed sets no correction period
        # the people registry: the plugin's own choices, the source says nothing of them
        "registry_consent_required": True, "registry_retention_years": 3,
    }
    assert policy.info.programme_level == "street"


def test_a_stored_config_loads_back_to_itself(policy):
    stored = policy.stored_config({"fund_target_yuan": "250000", "council_meeting": "06-18"})
    assert stored["fund_target_yuan"] == "250000.00"
    assert policy.stored_config(stored) == stored


@pytest.mark.parametrize("raw, field, words", [
    ({"fund_target_yuan": "abc"}, "config.fund_target_yuan", "不是有效的金额"),
    ({"fund_target_yuan": "-1"}, "config.fund_target_yuan", "不是有效的金额"),
    ({"council_meeting": "02-30"}, "config.council_meeting", "每年都有这一天"),
    ({"council_meeting": "04-30"}, "config.council_meeting", "理事会应在申报截止之后"),
    ({"council_meeting": "03-01"}, "config.council_meeting", "理事会应在申报截止之后"),
    ({"council_meeting": "12-01"}, "config.council_meeting", "11月29日之前"),
    ({"application_opens": "05-01", "application_closes": "03-01", "council_meeting": "06-01"},
     "config.application_closes", "申报截止不能早于申报开始"),
    ({"supervision_required": "maybe"}, "config.supervision_required", "监督委员会"),
    ({"max_points": 0}, "config.max_points", "评审每项满分"),
    ({"cap": "1"}, "config.cap", "不认识的字段"),
])
def test_bad_settings_are_named_in_chinese(policy, raw, field, words):
    named = refused(policy, raw)
    assert field in named, named
    assert words in named[field]


def test_the_latest_meeting_still_leaves_a_spending_phase_in_any_year(policy):
    config = policy.config({"council_meeting": "11-29"})
    for year in (2023, 2024):
        phases = {p.key: p for p in policy.phases(config, year)}
        assert phases["spending"].starts == phases["spending"].ends  # 30 November, one day
