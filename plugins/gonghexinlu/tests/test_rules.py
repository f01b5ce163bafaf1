"""The 2023 plan's rules, tracks, forms and calendar, each refusal citing its clause."""
from __future__ import annotations

import datetime as dt

import pytest
from marshmallow import ValidationError

from core.plugin_host.testing import FactsRuleContext, project_facts, replace
from core.plugin_host.toolkit import A
from plugins.gonghexinlu import clauses
from plugins.gonghexinlu.config import FOCUS_AREAS_2023
from plugins.gonghexinlu.plugin import _add_months

SIGNATURE, MICRO = "yiju_yipin", "micro_venture"


def micro(start="2023-04-01", end="2023-12-31", fen=300_000, **kw):
    return project_facts(track=MICRO, requested_fen=fen, forms={"application": {"start_date": start, "end_date": end}}, **kw)


def signature(**kw):
    kw.setdefault("requested_fen", 1_000_000)
    return project_facts(track=SIGNATURE, **kw)


def judge(policy, config, facts, action="submit", others=(), available=None):
    return {v.code: v for v in policy.judge(facts, action, config, FactsRuleContext(others, available=available))}


# -- tracks, directions, forms ---------------------------------------------------------------------

def test_both_tracks_with_their_own_directions(policy, config):
    tracks = {t.key: t for t in policy.tracks(config)}
    assert [tracks[SIGNATURE].label.zh, tracks[MICRO].label.zh] == ["一居一品", "七彩微创投"]
    assert [d.label.zh for d in tracks[SIGNATURE].directions] == [
        "搭建一个社区自治载体", "挖掘一批社区自治骨干", "办理一件社区民生实事", "形成一个社区自治公约", "开发一件社区自治工具"]
    assert [d.label.zh for d in tracks[MICRO].directions] == [
        "公共空间营造", "睦邻友好建设", "青年社区参与", "社区组织培育", "社区关爱服务", "活力街区营造", "其他社区议题"]
    assert "5,000.00元" in tracks[MICRO].description.zh and "12个月" in tracks[MICRO].description.zh


def _schema(policy, config, track, key):
    return next(f for f in policy.forms(config, track) if f.key == key).schema()


def _application(**overrides):
    data = {"title": "口袋花园", "directions": ["public_space"], "tags": [], "background": "小区绿地荒废，居民多次在议事会上提出改造。",
            "goals": "建成一处居民共管的口袋花园", "activities": "4月设计，5月施工，6月起认养", "team": "居委会与志愿者",
            "start_date": "2023-04-01", "end_date": "2023-12-31", "residents_meeting_date": "2023-02-20"}
    data.update(overrides)
    return data


@pytest.mark.parametrize("key", ["intent", "application"])
def test_each_track_offers_only_its_own_directions(policy, config, key):
    intent_extra = {"summary": "把荒废绿地改成口袋花园", "contact_name": "王", "contact_phone": "021-1234567"}
    base = _application() if key == "application" else {"title": "口袋花园", **intent_extra}
    for track, own, other in ((SIGNATURE, "carrier", "public_space"), (MICRO, "public_space", "carrier")):
        schema = _schema(policy, config, track, key)
        assert schema.load({**base, "directions": [own]})["directions"] == [own]
        with pytest.raises(ValidationError) as info:
            schema.load({**base, "directions": [other]})
        assert "directions" in info.value.messages
        with pytest.raises(ValidationError) as info:
            schema.load({**base, "directions": []})
        assert "至少选择一个方向" in str(info.value.messages["directions"])


def test_forms_per_track_and_the_intent_form_is_optional_by_default(policy, config):
    for track in (SIGNATURE, MICRO):
        forms = policy.forms(config, track)
        assert [(f.key, f.required_for_submit) for f in forms] == [("intent", False), ("application", True)]


def test_focus_areas_are_the_years_tags(policy, config):
    assert [t.value for t in policy.tags(config)] == FOCUS_AREAS_2023
    schema = _schema(policy, config, MICRO, "application")
    assert schema.load(_application(tags=["楼组建设", "破解社区难题"]))["tags"] == ["楼组建设", "破解社区难题"]
    with pytest.raises(ValidationError) as info:
        schema.load(_application(tags=["垃圾分类"]))
    assert "tags" in info.value.messages


def test_a_street_sets_its_own_years_focus_areas(policy):
    config = policy.config({"focus_areas": ["垃圾分类", "加装电梯"]})
    assert [t.value for t in policy.tags(config)] == ["垃圾分类", "加装电梯"]
    schema = _schema(policy, config, MICRO, "application")
    assert schema.load(_application(tags=["加装电梯"]))["tags"] == ["加装电梯"]
    with pytest.raises(ValidationError):
        schema.load(_application(tags=["楼组建设"]))


def test_the_end_date_may_not_precede_the_start(policy, config):
    with pytest.raises(ValidationError) as info:
        _schema(policy, config, MICRO, "application").load(_application(start_date="2023-06-01", end_date="2023-05-31"))
    assert "结束日期不能早于开始日期" in str(info.value.messages["end_date"])


def test_attachments_rubric_and_calendar(policy, config):
    minutes = {k.key: k for k in policy.attachment_kinds(config)}["residents_minutes"]
    assert minutes.required_for_submit and minutes.clause == clauses.RESIDENTS_MINUTES
    assert [(c.key, c.label.zh, c.max_points) for c in policy.rubric(config)] == [
        ("feasibility", "可行性", 10), ("operability", "操作性", 10), ("compliance", "合规性", 10)]
    phases = {p.key: p for p in policy.phases(config, 2023)}
    window = phases["application"]
    assert (window.starts, window.ends, window.action_keys) == (dt.date(2023, 1, 1), dt.date(2023, 3, 31), ["project.apply"])
    apply = window.allowance(A.project_apply)
    assert (apply.clause, apply.firmness, apply.correction_days) == (clauses.APPLICATION_WINDOW, "block", 10)
    assert [k for k, p in phases.items() if p.allowance(A.project_apply)] == ["application"]  # only Q1 takes applications
    # Fund requests are filed in the implementation stage (§5(2)), from April; decisions are not limited.
    filing = phases["implementation"]
    assert (filing.starts, filing.ends) == (dt.date(2023, 4, 1), dt.date(2023, 9, 30))
    assert filing.allowance(A.fund_request_file).clause == clauses.IMPLEMENTATION
    assert [k for k, p in phases.items() if p.allowance(A.fund_request_file)] == ["implementation"]
    assert not any(p.allowance(A.review_decide) for p in phases.values())
    assert phases["mid_term"].starts == dt.date(2023, 7, 1)


def test_a_second_signature_project_is_refused_when_it_is_started(policy, config):
    """Drafts count, withdrawn and rejected projects do not."""
    def mine(pid, state, track=SIGNATURE):
        return project_facts(id=pid, track=track, state=state)
    new = project_facts(id=None, track=SIGNATURE)
    for states, refused in (((), False), (("withdrawn", "rejected"), False), (("draft",), True),
                            (("returned",), True), (("approved",), True)):
        context = FactsRuleContext([mine(i + 1, s) for i, s in enumerate(states)] + [mine(99, "draft", MICRO)])
        found = policy.judge(new, "create", config, context)
        assert bool(found) == refused, (states, found)
        if refused:
            assert found[0].code == "signature_one_per_neighbourhood" and found[0].clause == clauses.SIGNATURE_ONE
            assert "含草稿" in found[0].message.zh
    assert policy.judge(project_facts(id=None, track=MICRO), "create", config,
                        FactsRuleContext([mine(1, "draft")])) == []  # micro-venture projects: as many as they like


def test_tracks_say_who_may_apply_and_funds_cite_their_cap_and_allocation(policy, config):
    tracks = {t.key: t for t in policy.tracks(config)}
    assert tracks[SIGNATURE].applicant_kinds == ("neighbourhood",)
    assert (tracks[SIGNATURE].applicants_clause, tracks[MICRO].applicants_clause) == (
        clauses.SIGNATURE_APPLICANTS, clauses.MICRO_APPLICANTS)
    pool = {f.key: f for f in policy.funds(config)}["pool"]
    assert (pool.clause_for("over_cap"), pool.clause_for("over_allocation")) == (clauses.POOL_CAP, clauses.POOL_FUNDING)
    assert clauses.POOL_CAP != clauses.POOL_FUNDING


# -- dates: twelve months ----------------------------------------------------------------------------

@pytest.mark.parametrize("day, months, expected", [
    ("2023-01-31", 1, "2023-02-28"),   # clamped to the end of a short month
    ("2024-01-31", 1, "2024-02-29"),   # leap year
    ("2023-03-31", 1, "2023-04-30"),
    ("2023-12-31", 1, "2024-01-31"),   # across the year
    ("2023-11-30", 3, "2024-02-29"),
    ("2023-01-01", 12, "2024-01-01"),
    ("2024-02-29", 12, "2025-02-28"),
    ("2023-05-15", 0, "2023-05-15"),
    ("2023-01-01", 36, "2026-01-01"),
])
def test_add_months(day, months, expected):
    assert _add_months(dt.date.fromisoformat(day), months) == dt.date.fromisoformat(expected)


@pytest.mark.parametrize("start, end, allowed", [
    ("2023-01-01", "2023-12-31", True),
    ("2023-01-01", "2024-01-01", False),
    ("2023-01-31", "2024-01-30", True),
    ("2023-01-31", "2024-01-31", False),
    ("2023-04-01", "2023-04-01", True),
])
def test_a_micro_venture_project_runs_at_most_twelve_months(policy, config, start, end, allowed):
    found = judge(policy, config, micro(start, end))
    assert ("micro_too_long" not in found) is allowed
    if not allowed:
        v = found["micro_too_long"]
        assert (v.field, v.clause) == ("application.end_date", clauses.MICRO_DURATION)
        assert "12个月" in v.message.zh


def test_the_duration_follows_the_streets_setting_and_spares_signature_projects(policy):
    six = policy.config({"micro_max_months": 6})
    assert "micro_too_long" not in judge(policy, six, micro("2023-01-01", "2023-06-30"))
    assert "micro_too_long" in judge(policy, six, micro("2023-01-01", "2023-07-01"))
    long_signature = signature(forms={"application": {"start_date": "2023-01-01", "end_date": "2025-12-31"}})
    assert judge(policy, six, long_signature) == {}


# -- money ---------------------------------------------------------------------------------------

def test_a_micro_venture_project_asks_at_most_the_limit_to_the_fen(policy, config):
    assert judge(policy, config, micro(fen=500_000)) == {}
    v = judge(policy, config, micro(fen=500_001))["micro_over_limit"]
    assert (v.field, v.clause) == ("budget", clauses.MICRO_LIMIT)
    assert v.message.zh == "“七彩微创投”单个项目申请资金不能超过5,000.00元（本项目5,000.01元）"
    raised = policy.config({"micro_max_yuan": "8000"})
    assert judge(policy, raised, micro(fen=800_000)) == {}
    assert "micro_over_limit" in judge(policy, raised, micro(fen=800_001))


def test_a_signature_project_has_no_micro_limit_but_needs_a_budget(policy, config):
    assert judge(policy, config, signature(requested_fen=5_000_000)) == {}
    v = judge(policy, config, signature(requested_fen=0))["budget_missing"]
    assert (v.field, v.clause) == ("budget", clauses.OWN_BUDGET)
    assert "budget_missing" in judge(policy, config, micro(fen=0))


def test_the_panel_approves_a_micro_venture_project_within_the_limit(policy, config):
    assert judge(policy, config, micro(fen=500_000, approved_fen=500_000), "approve") == {}
    v = judge(policy, config, micro(fen=600_000, approved_fen=500_001), "approve")["micro_over_limit"]
    assert (v.field, v.clause) == ("approved_amount", clauses.MICRO_LIMIT)
    assert judge(policy, config, signature(approved_fen=9_000_000), "approve", available={"line": 9_000_000}) == {}


# -- money: where an approved project is paid from ---------------------------------------------------

def test_a_signature_budget_over_the_line_needs_the_panels_explicit_approval(policy, config):
    v = judge(policy, config, signature(approved_fen=4_000_000), "approve", available={"line": 3_000_000})["signature_over_line"]
    assert (v.severity, v.field, v.clause) == ("needs_approval", "approved_amount", clauses.SIGNATURE_EXCESS)
    assert "10,000.00元将从资金池补充" in v.message.zh
    assert judge(policy, config, signature(approved_fen=3_000_000), "approve", available={"line": 3_000_000}) == {}


def test_a_signature_project_is_paid_from_its_line_and_only_the_excess_from_the_pool(policy, config):
    def draws(facts, line):
        return [(d.fund, d.amount_fen) for d in policy.funding(facts, config, FactsRuleContext(available={"line": line}))]
    assert draws(signature(approved_fen=2_000_000), 3_000_000) == [("line", 2_000_000)]
    assert draws(signature(approved_fen=4_000_000), 3_000_000) == [("line", 3_000_000), ("pool", 1_000_000)]
    assert draws(signature(approved_fen=4_000_000), 0) == [("pool", 4_000_000)]  # a zero draw is dropped


def test_a_micro_venture_project_is_paid_entirely_from_the_pool_whose_cap_is_the_config(policy, config):
    draws = policy.funding(micro(fen=500_000, approved_fen=480_000), config, FactsRuleContext(available={"line": 9_000_000}))
    assert [(d.fund, d.amount_fen) for d in draws] == [("pool", 480_000)]
    specs = {f.key: f for f in policy.funds(config)}
    assert (specs["pool"].kind, specs["pool"].owner, specs["pool"].cap_fen) == ("pool", "programme", 20_000_000)
    assert (specs["line"].kind, specs["line"].owner, specs["line"].cap_fen) == ("budget_line", "applicant", None)
    assert policy.funds(policy.load_config({"pool_cap_yuan": "150000"}))[1].cap_fen == 15_000_000


def test_actions_without_rules_pass(policy, config):
    bad = micro("2023-01-01", "2030-01-01", fen=10_000_000)
    assert judge(policy, config, bad, "save") == {}
    assert judge(policy, config, bad, "withdraw") == {}


# -- one signature project per neighbourhood -------------------------------------------------------

def test_one_signature_project_per_neighbourhood_and_year(policy, config):
    mine = signature(id=2, applicant_unit_id=10)
    earlier = signature(id=1, applicant_unit_id=10, state="submitted")
    v = judge(policy, config, mine, others=[earlier, mine])["signature_one_per_neighbourhood"]
    assert (v.field, v.clause) == ("track", clauses.SIGNATURE_ONE)
    assert "每个居民区限1个" in v.message.zh
    # what does not count: drafts and withdrawals, another neighbourhood, another year, micro-venture projects, itself
    for other in (replace(earlier, state="draft"), replace(earlier, state="withdrawn"), replace(earlier, applicant_unit_id=11),
                  replace(earlier, programme_id=2), replace(earlier, track=MICRO), replace(mine, state="returned")):
        assert judge(policy, config, mine, others=[other, mine]) == {}, other
    # approved and under review do count
    for state in ("under_review", "approved"):
        assert "signature_one_per_neighbourhood" in judge(policy, config, mine, others=[replace(earlier, state=state)])
    # a street may allow two
    two = policy.config({"signature_per_neighbourhood": 2})
    assert judge(policy, two, mine, others=[earlier]) == {}
    assert "signature_one_per_neighbourhood" in judge(policy, two, mine, others=[earlier, replace(earlier, id=3)])


def test_micro_venture_projects_are_not_limited_in_number(policy, config):
    others = [micro(id=i, applicant_unit_id=10, state="submitted") for i in range(2, 8)]
    assert judge(policy, config, micro(id=1, applicant_unit_id=10), others=others) == {}


# -- every refusal cites its clause ---------------------------------------------------------------

def test_every_violation_carries_a_clause(policy, config):
    earlier = signature(id=1, state="submitted")
    scenarios = [
        (micro("2023-01-01", "2024-06-01", fen=900_000), "submit", ()),
        (micro(fen=0), "submit", ()),
        (signature(id=2), "submit", (earlier,)),
        (micro(fen=900_000, approved_fen=900_000), "approve", ()),
    ]
    seen = set()
    for facts, action, others in scenarios:
        for v in judge(policy, config, facts, action, others).values():
            seen.add(v.code)
            assert v.clause is not None and v.clause.zh.strip() and v.clause.en.strip(), v
            assert v.message.zh.strip() and v.message.en.strip() and v.field, v
            assert v.clause.zh.startswith(("实施方案", "附件")), v.clause
    assert seen == {"micro_too_long", "micro_over_limit", "budget_missing", "signature_one_per_neighbourhood"}
