"""The plugin host: discovery, keeping broken plugins out, containing a plugin that raises,
"installed is not enabled", keyword-only hook calls, and plugins with their own tables.

Test plugins live in tests/fixture_plugins and are injected with
``PluginHost(plugins=[(name, plugin)])``; the real 共和新路 plugin is found through its entry point.
"""
from __future__ import annotations

import datetime as dt
import importlib.metadata
import importlib.util
import io
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from marshmallow import Schema
from sqlalchemy import select, text

from core import migrate
from core.config import Settings
from core.db import Database
from core.i18n import T
from core.models import AuditEntry, PluginEnablement, Programme, Tenant
from core.platform import Platform
from core.plugin_host import migration_helpers
from core.permissions import A, Action
from core.plugin_host.contributions import Allow, Criterion, FormSpec, Phase, PolicyInfo, Track
from core.plugin_host.hookspecs import hookimpl
from core.plugin_host.manager import ENTRY_POINT_GROUP, PluginFailure, PluginHost
from core.plugin_host.testing import FactsRuleContext, load_policy, project_facts
from core.services import programmes, projects
from core.services.faults import record_fault, recent_faults
from core.services.tenant_definitions import load as load_tenant
from core.tenancy import TenancyError
from core.violations import Forbidden, RuleError, Violation
from tests.fixture_plugins import misdeclared, notes, partial_args
from tests.fixture_plugins.sample import SamplePolicy
from tests.factories import PDF, acting, application, programme_id, tenant_id, unit_id

ROOT = Path(__file__).resolve().parent.parent


def codes(exc: RuleError) -> set[str]:
    return {v.code for v in exc.violations}


# -- discovery -------------------------------------------------------------------------------------

def test_discovery_finds_the_installed_plugin_through_the_entry_point_group():
    found = {ep.name: ep for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)}
    assert found["gonghexinlu"].value == "plugins.gonghexinlu.plugin"
    host = PluginHost()
    assert host.load_errors == {}
    assert set(host.policies) == set(found)  # every installed plugin loads
    policy = host.policies["gonghexinlu"]
    assert policy.plugin is importlib.import_module("plugins.gonghexinlu.plugin")
    assert policy.info.programme_level == "street"
    assert {t.key for t in policy.tracks(policy.config({}))} == {"yiju_yipin", "micro_venture"}


def test_each_host_is_its_own_no_import_time_global():
    installed = PluginHost()
    injected = PluginHost(entry_points=False, plugins=[("fixture_sample", SamplePolicy())])
    assert installed.pm is not injected.pm
    assert set(injected.policies) == {"fixture_sample"}
    assert "fixture_sample" not in installed.policies


# -- plugins that cannot be used are kept out ---------------------------------------------------

# Whatever is installed besides the fixtures (at least the 共和新路 plugin).
INSTALLED = frozenset(PluginHost().policies)

BROKEN_IMPORT = importlib.metadata.EntryPoint(
    name="fixture_broken_import", value="tests.fixture_plugins.broken_import", group=ENTRY_POINT_GROUP)

MISDECLARED = [
    ("fixture_broken_import", BROKEN_IMPORT, "fails while importing"),
    ("fixture_garbage", misdeclared.ReturnsGarbage(), "must return a PolicyInfo"),
    ("fixture_wrong_name", misdeclared.WrongName(), "declares name 'somebody_else'"),
    ("fixture_bad_defaults", misdeclared.BadDefaults(), "defaults do not validate"),
    ("fixture_missing_default", misdeclared.MissingDefault(), "street_code"),
    ("fixture_unknown_level", misdeclared.UnknownLevel(), "programme_level"),
    ("fixture_raises", misdeclared.RaisesInPolicy(), "KeyError"),
    ("fixture_no_policy", misdeclared.NoPolicy(), "must return a PolicyInfo"),
    ("fixture_typo_hook", misdeclared.TypoHook(), "tongxin_trakcs"),
    ("fixture_extra_argument", misdeclared.ExtraArgument(), "street"),
    ("Bad-Name", SamplePolicy("Bad-Name"), "lower-case"),
]


@pytest.mark.parametrize("name, plugin, reason", MISDECLARED, ids=[m[0] for m in MISDECLARED])
def test_a_misdeclared_plugin_is_kept_out_and_the_others_work(name, plugin, reason):
    host = PluginHost(plugins=[(name, plugin), ("fixture_sample", SamplePolicy())])
    assert name not in host.policies
    assert reason in host.load_errors[name]
    # unregistered, so none of its hooks can ever be called
    assert name not in dict(host.pm.list_name_plugin())
    assert set(host.policies) == INSTALLED | {"fixture_sample"}
    gonghexinlu = host.policies["gonghexinlu"]
    assert gonghexinlu.call("tongxin_policy").name == "gonghexinlu"
    assert [p.key for p in gonghexinlu.phases(gonghexinlu.config({}), 2023)][0] == "application"
    assert host.policies["fixture_sample"].tracks({"max_yuan": "1", "closes": "12-31"})[0].key == "general"


def test_every_load_error_is_reported_at_once():
    host = PluginHost(plugins=[(n, p) for n, p, _ in MISDECLARED])
    assert set(host.load_errors) == {n for n, _, _ in MISDECLARED}
    assert set(host.policies) == INSTALLED


def test_each_policy_hears_only_its_own_hooks():
    first, second = SamplePolicy("fixture_first"), SamplePolicy("fixture_second")
    host = PluginHost(entry_points=False, plugins=[("fixture_first", first), ("fixture_second", second)])
    # Both implement the same firstresult hook: each handle must reach its own plugin, also
    # for the one registered before the other existed.
    assert host.policies["fixture_first"].call("tongxin_policy").name == "fixture_first"
    assert host.policies["fixture_second"].call("tongxin_policy").name == "fixture_second"
    host.policies["fixture_first"].transitioned(project=project_facts(id=7), action="submit", before="draft",
                                                after="submitted", config={})
    assert first.transitions == [(7, "submit", "draft", "submitted")]
    assert second.transitions == []


class Returns:
    """A plugin returning whatever the test asks from a few hooks."""

    def __init__(self, **values):
        self.values = values

    @hookimpl
    def tongxin_policy(self):
        return misdeclared.info("fixture_returns")

    @hookimpl
    def tongxin_tracks(self, config):
        return self.values.get("tracks", [])

    @hookimpl
    def tongxin_forms(self, config):
        return self.values.get("forms", [])

    @hookimpl
    def tongxin_phases(self, config, year):
        return self.values.get("phases", [])

    @hookimpl
    def tongxin_review_rubric(self, config):
        return self.values.get("rubric", [])

    @hookimpl
    def tongxin_project_rules(self, project, action, config, context):
        return self.values.get("rules", [])

    @hookimpl
    def tongxin_blueprints(self):
        return self.values.get("blueprints", [])

    @hookimpl
    def tongxin_migration_dirs(self):
        return self.values.get("dirs", [])


@pytest.mark.parametrize("allows, reason", [
    ((Allow("project.aply", T("第一条", "Art. 1")),), "unknown action 'project.aply'"),
    (frozenset({"submit"}), "must hold Allow"),  # the free strings of old
    ((Allow(A.pledge_claim, T("第一条", "Art. 1"), firmness="needs_approval"),), "names an approver role"),
    ((Allow(A.pledge_claim, T("第一条", "Art. 1"), firmness="maybe"),), "firmness"),
    ((Allow(A.fund_request_file, T("", "")),), "without a clause"),
], ids=["misspelt", "free-strings", "no-approver", "firmness", "no-clause"])
def test_a_phase_allowing_an_unknown_or_unclear_action_keeps_the_plugin_out(allows, reason):
    phase = Phase("p", T("期", "P"), dt.date(2023, 1, 1), dt.date(2023, 3, 31), allows)
    host = PluginHost(entry_points=False, plugins=[("fixture_returns", Returns(phases=[phase]))])
    assert "fixture_returns" not in host.policies
    assert reason in host.load_errors["fixture_returns"]


def test_a_phase_may_allow_a_plugins_own_action():
    from core.plugin_host.contributions import Permissions
    visit = Action("fixture_returns.visit", T("走访", "visit"))

    class OwnAction(Returns):
        @hookimpl
        def tongxin_permissions(self):
            return Permissions(actions=(visit,))

    phase = Phase("p", T("期", "P"), dt.date(2023, 1, 1), dt.date(2023, 3, 31), (Allow(visit, T("第一条", "Art. 1")),))
    policy = load_policy("fixture_returns", OwnAction(phases=[phase]))
    assert policy.phases({}, 2023)[0].action_keys == ["fixture_returns.visit"]


def _call(policy, what):
    facts = project_facts()
    return {
        "tracks": lambda: policy.tracks({}),
        "forms": lambda: policy.forms({}),
        "phases": lambda: policy.phases({}, 2023),
        "rubric": lambda: policy.rubric({}),
        "rules": lambda: policy.judge(facts, "submit", {}, FactsRuleContext()),
        "blueprints": lambda: policy.blueprints(),
        "dirs": lambda: policy.migration_dirs(),
    }[what]()


class NotASchema:
    pass


MALFORMED = [
    ("tracks", {"key": "x"}, "list of Track"),
    ("tracks", [Track("x", T("甲", "A")), Track("x", T("乙", "B"))], "'x' is declared twice"),
    ("tracks", [Track("x", "no Text")], "must be a Text"),
    ("forms", [FormSpec("f", T("表", "Form"), NotASchema)], "not a marshmallow Schema"),
    ("forms", [FormSpec("f", T("表", "Form"), Schema), FormSpec("f", T("表", "Form"), Schema, tracks=("x",))],
     "declared twice for one track"),
    ("phases", [Phase("p", T("期", "P"), dt.date(2023, 3, 31), dt.date(2023, 1, 1))], "ends (2023-01-01) before"),
    ("rubric", [Criterion("c", T("项", "C"), 0)], "positive integer"),
    ("rules", ["not a violation"], "list of Violation"),
    ("rules", [Violation("v", "一句话")], "must be a Text"),
    ("rules", [Violation("v", T("甲", "A"), severity="maybe")], "severity"),
    ("blueprints", ["not a blueprint"], "list of Blueprint"),
    ("dirs", ["/nonexistent/tongxin/migrations"], "does not exist"),
]


@pytest.mark.parametrize("what, value, reason", MALFORMED, ids=[f"{m[0]}-{i}" for i, m in enumerate(MALFORMED)])
def test_a_malformed_contribution_is_a_plugin_failure_not_a_crash(what, value, reason):
    policy = load_policy("fixture_returns", Returns(**{what: value}))
    with pytest.raises(PluginFailure) as info:
        _call(policy, what)
    assert info.value.plugin == "fixture_returns"
    assert reason in info.value.detail
    assert "fixture_returns" in info.value.violation().message.zh


def test_well_formed_contributions_pass_the_same_checks():
    # The same checks must accept what is right, or they would refuse every plugin.
    good = Returns(tracks=[Track("x", T("甲", "A"))], phases=[Phase("p", T("期", "P"), dt.date(2023, 1, 1),
                                                                     dt.date(2023, 1, 1))],
                   rubric=[Criterion("c", T("项", "C"), 1)], rules=[Violation("v", T("甲", "A"))],
                   dirs=[str(notes.MIGRATIONS)],
                   forms=[FormSpec("f", T("表", "Form"), Schema, tracks=("x",)),
                          FormSpec("f", T("表", "Form"), Schema, tracks=("y",))])
    policy = load_policy("fixture_returns", good)
    assert [len(_call(policy, w)) for w in ("tracks", "phases", "rubric", "rules", "dirs", "forms")] == [1, 1, 1, 1, 1, 2]


def test_a_stored_config_that_no_longer_loads_is_the_plugins_fault():
    policy = load_policy("fixture_sample", SamplePolicy())
    with pytest.raises(RuleError) as refused:  # a street typing it: the street's error
        policy.load_config({"max_yuan": "abc"})
    assert [v.field for v in refused.value.violations] == ["config.max_yuan"]
    assert "单个项目上限（元）" in refused.value.violations[0].message.zh
    with pytest.raises(PluginFailure) as failed:  # stored earlier, unreadable now: the plugin's
        policy.config({"max_yuan": "abc"})
    assert failed.value.hook == "config_schema"


# -- keyword-only calls ------------------------------------------------------------------------------

def test_hooks_are_called_with_keywords_so_partial_implementations_work():
    policy = load_policy(partial_args.NAME, partial_args)
    assert policy.tracks({"anything": 1})[0].key == "only"
    window = policy.phases({}, 2024)[0]
    assert (window.starts, window.ends) == (dt.date(2024, 1, 1), dt.date(2024, 6, 30))
    # its check takes (action, project), reversed: matched by name, not position
    found = policy.judge(project_facts(title="社区花园"), "submit", {}, FactsRuleContext())
    assert [v.message.zh for v in found] == ["已检查「社区花园」（submit）"]
    assert [v.code for v in policy.judge(project_facts(title=" "), "submit", {}, FactsRuleContext())] == ["title_missing"]


def test_pluggy_refuses_positional_hook_calls():
    host = PluginHost(entry_points=False, plugins=[(partial_args.NAME, partial_args)])
    with pytest.raises(TypeError, match="positional"):
        host.pm.hook.tongxin_phases({}, 2024)


# -- containment during real work -------------------------------------------------------------------

PASSWORD = "fixture-pass"


def fixture_tenant(faulty: str, healthy: str) -> dict:
    """A tenant with two streets, each under its own test policy, with a 2023 programme each."""
    return {
        "slug": "fixture_city", "name": "测试市", "name_en": "Fixture City",
        "units": [
            {"code": "fx-a", "kind": "street", "name": "甲街道", "plugins": {faulty: {"config": {}}},
             "programmes": [{"plugin": faulty, "year": 2023}],
             "children": [{"code": "fx-a-1", "kind": "neighbourhood", "name": "甲一居民区"}]},
            {"code": "fx-b", "kind": "street", "name": "乙街道", "plugins": {healthy: {"config": {"max_yuan": "800"}}},
             "programmes": [{"plugin": healthy, "year": 2023}],
             "children": [{"code": "fx-b-1", "kind": "neighbourhood", "name": "乙一居民区"}]},
        ],
        "users": [
            {"username": "fx_admin", "password": PASSWORD, "roles": [{"role": "district_admin", "unit": "fixture_city"}]},
            {"username": "fx_staff_a", "password": PASSWORD, "roles": [{"role": "neighbourhood_staff", "unit": "fx-a-1"}]},
            {"username": "fx_staff_b", "password": PASSWORD, "roles": [{"role": "neighbourhood_staff", "unit": "fx-b-1"}]},
        ],
    }


@pytest.fixture
def fixture_platform(settings):
    """The demo database, a host with two test policies besides the installed ones, and a test
    tenant using them. ``faulty`` can be told to fail at any time (``faulty.fail_in = {...}``)."""
    faulty, healthy = SamplePolicy("fixture_faulty"), SamplePolicy("fixture_healthy")
    host = PluginHost(plugins=[("fixture_faulty", faulty), ("fixture_healthy", healthy)])
    platform = Platform.build(settings, host)
    load_tenant(platform, fixture_tenant("fixture_faulty", "fixture_healthy"))
    yield platform, faulty, healthy
    platform.db.dispose()


def _fixture_draft(platform, username: str, unit_code: str, plugin: str, amount: str = "500") -> int:
    with acting(platform, "fixture_city", username) as ctx:
        programme = ctx.session.scalars(select(Programme).where(Programme.plugin_name == plugin)).one()
        p = projects.create_project(ctx, programme.id, unit_id(platform, "fixture_city", unit_code), "general", "社区花园")
        projects.save_form(ctx, p.id, "proposal", {"title": "社区花园", "summary": "把楼下空地改成花园"})
        projects.set_budget(ctx, p.id, [{"description": "花苗", "amount": amount}])
        return p.id


def _micro_submission(platform, title: str, amount: str = "3000", year_programme: int | None = None) -> str:
    """A 共和新路 micro-venture project taken from draft to submitted; returns its state."""
    pid = year_programme or programme_id(platform)
    with acting(platform, "jingan", "luochuan") as ctx:
        p = projects.create_project(ctx, pid, unit_id(platform, "jingan", "ghxl-luochuan"), "micro_venture", title)
        projects.save_form(ctx, p.id, "application", application(title, directions=("public_space",)))
        projects.set_budget(ctx, p.id, [{"description": "活动物料", "amount": amount}])
        projects.attach(ctx, p.id, "residents_minutes", "会议记录.pdf", io.BytesIO(PDF), platform.storage)
        return projects.submit(ctx, p.id).state


def test_a_plugin_raising_during_submission_is_contained_and_reported(fixture_platform):
    platform, faulty, _ = fixture_platform
    pid = _fixture_draft(platform, "fx_staff_a", "fx-a-1", "fixture_faulty")
    faulty.fail_in = frozenset({"tongxin_project_rules"})  # the plugin breaks at run time

    with pytest.raises(PluginFailure) as info, acting(platform, "fixture_city", "fx_staff_a") as ctx:
        projects.submit(ctx, pid)
    failure = info.value
    assert (failure.plugin, failure.hook) == ("fixture_faulty", "tongxin_project_rules")
    assert "ZeroDivisionError" in failure.detail
    # what the user reads: a clear Chinese message, no stack trace; the API answers 503
    shown = failure.violation()
    assert shown.code == "plugin_failure" and failure.status == 503
    assert shown.message.zh == "这一步用到的政策规则暂时出错（fixture_faulty），已通知管理员；请稍后再试。"
    assert "Traceback" not in shown.message.zh + shown.message.en

    tid = tenant_id(platform, "fixture_city")
    record_fault(platform, tid, failure)
    with acting(platform, "fixture_city", "fx_admin") as ctx:
        faults = recent_faults(ctx)
        assert [(f.plugin_name, f.hook) for f in faults] == [("fixture_faulty", "tongxin_project_rules")]
        assert "ZeroDivisionError" in faults[0].error
    with acting(platform, "fixture_city", "fx_staff_a") as ctx:
        assert projects.get_project(ctx, pid).state == "draft"  # nothing half-done

    # the other policy of the same tenant keeps working ...
    other = _fixture_draft(platform, "fx_staff_b", "fx-b-1", "fixture_healthy")
    with acting(platform, "fixture_city", "fx_staff_b") as ctx:
        assert projects.submit(ctx, other).state == "submitted"
    # ... and so does another tenant with its own policy, and the fault stays in its tenant
    assert _micro_submission(platform, "口袋花园") == "submitted"
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        assert recent_faults(ctx) == []

    # once the plugin is fixed, the same project goes through
    faulty.fail_in = frozenset()
    with acting(platform, "fixture_city", "fx_staff_a") as ctx:
        assert projects.submit(ctx, pid).state == "submitted"


def test_a_plugin_form_schema_that_crashes_is_contained_like_a_hook(fixture_platform):
    platform, faulty, _ = fixture_platform
    pid = _fixture_draft(platform, "fx_staff_a", "fx-a-1", "fixture_faulty")
    faulty.fail_in = frozenset({"form_schema"})
    with pytest.raises(PluginFailure) as info, acting(platform, "fixture_city", "fx_staff_a") as ctx:
        projects.save_form(ctx, pid, "proposal", {"title": "新名称", "summary": "把楼下空地改成花园"})
    assert (info.value.plugin, info.value.hook) == ("fixture_faulty", "form:proposal")
    with pytest.raises(PluginFailure), acting(platform, "fixture_city", "fx_staff_a") as ctx:
        projects.submit(ctx, pid)  # re-validating the saved form before submission crashes the same way
    with acting(platform, "fixture_city", "fx_staff_a") as ctx:
        assert projects.get_project(ctx, pid).title == "社区花园"
        # bad input is still the applicant's error, named by field
        faulty.fail_in = frozenset()
        with pytest.raises(RuleError) as refused:
            projects.save_form(ctx, pid, "proposal", {"title": "新", "summary": ""})
        assert {v.field for v in refused.value.violations} == {"proposal.title", "proposal.summary"}


def test_a_plugin_raising_after_the_state_changed_undoes_the_transition(fixture_platform):
    platform, faulty, _ = fixture_platform
    pid = _fixture_draft(platform, "fx_staff_a", "fx-a-1", "fixture_faulty")
    faulty.fail_in = frozenset({"tongxin_project_transitioned"})
    with pytest.raises(PluginFailure) as info, acting(platform, "fixture_city", "fx_staff_a") as ctx:
        projects.submit(ctx, pid)
    assert info.value.hook == "tongxin_project_transitioned"
    with acting(platform, "fixture_city", "fx_staff_a") as ctx:
        project = projects.get_project(ctx, pid)
        assert project.state == "draft" and project.submitted_at is None
        submits = ctx.session.scalars(select(AuditEntry).where(AuditEntry.action == "project.submit")).all()
        assert submits == []


def test_a_plugin_raising_while_a_programme_opens_leaves_no_programme(fixture_platform):
    platform, faulty, _ = fixture_platform
    faulty.fail_in = frozenset({"tongxin_phases"})
    street = unit_id(platform, "fixture_city", "fx-a")
    with pytest.raises(PluginFailure), acting(platform, "fixture_city", "fx_admin") as ctx:
        programmes.open_programme(ctx, street, "fixture_faulty", 2024)
    with acting(platform, "fixture_city", "fx_admin") as ctx:
        assert [p.year for p in programmes.list_programmes(ctx, street)] == [2023]


def test_a_district_level_policy_is_enabled_at_the_district_only(settings):
    host = PluginHost(entry_points=False, plugins=[("fixture_city_policy", SamplePolicy("fixture_city_policy", level="district"))])
    platform = Platform.build(settings, host)
    try:
        with pytest.raises(RuleError) as info, acting(platform, "jingan", "jingan_admin") as ctx:
            programmes.enable_plugin(ctx, unit_id(platform, "jingan", "gonghexinlu"), "fixture_city_policy", {})
        assert codes(info.value) == {"wrong_level"}
        assert "区/县级市一级启用" in info.value.violations[0].message.zh
        with acting(platform, "jingan", "jingan_admin") as ctx:
            row = programmes.enable_plugin(ctx, unit_id(platform, "jingan", "jingan"), "fixture_city_policy", {})
            assert row.config == {"max_yuan": "1000.00", "closes": "12-31"}
    finally:
        platform.db.dispose()


# -- installed is not enabled -------------------------------------------------------------------

def test_a_policy_not_enabled_at_a_street_cannot_open_a_programme_there(platform):
    jingansi = unit_id(platform, "jingan", "jingansi")
    with pytest.raises(RuleError) as info, acting(platform, "jingan", "jas_admin") as ctx:
        programmes.open_programme(ctx, jingansi, "gonghexinlu", 2023)
    assert codes(info.value) == {"plugin_not_enabled"}
    assert "适用政策：「静安寺街道」没有启用「共和新路街道居民区自治项目" in info.value.violations[0].message.zh

    # switched off again is not enabled either; its existing programme stays
    street = unit_id(platform, "jingan", "gonghexinlu")
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        programmes.enable_plugin(ctx, street, "gonghexinlu", {}, enabled=False)
    with pytest.raises(RuleError) as info, acting(platform, "jingan", "ghxl_admin") as ctx:
        programmes.open_programme(ctx, street, "gonghexinlu", 2024)
    assert codes(info.value) == {"plugin_not_enabled"}
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        assert [p.year for p in programmes.list_programmes(ctx, street)] == [2023]

    with pytest.raises(RuleError) as info, acting(platform, "jingan", "ghxl_admin") as ctx:
        programmes.enable_plugin(ctx, street, "no_such_policy", {})
    assert codes(info.value) == {"plugin_not_installed"}


BAD_CONFIGS = [
    ({"micro_max_yuan": "abc"}, "config.micro_max_yuan", "七彩微创投单个项目申请上限（元）：不是有效的金额"),
    ({"micro_max_yuan": "-1"}, "config.micro_max_yuan", "七彩微创投单个项目申请上限（元）：不是有效的金额"),
    ({"micro_max_yuan": "1e20"}, "config.micro_max_yuan", "七彩微创投单个项目申请上限（元）：不是有效的金额"),
    ({"micro_max_yuan": "100000000000000000000"}, "config.micro_max_yuan", "七彩微创投单个项目申请上限（元）：金额不能超过999,999,999.99元"),
    ({"application_closes": "13-45"}, "config.application_closes", "申报截止（月-日）：应为“月-日”格式"),
    ({"application_opens": "03-01", "application_closes": "02-01"}, "config.application_closes", "申报截止不能早于申报开始"),
    ({"micro_max_months": "twelve"}, "config.micro_max_months", "七彩微创投最长周期（月）：不是有效的整数"),
    ({"pool_cap": 1}, "config.pool_cap", "不认识的字段"),
]


def test_enable_plugin_names_each_bad_field_in_chinese_and_changes_nothing(platform):
    street = unit_id(platform, "jingan", "gonghexinlu")
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        before = dict(programmes.enablement(ctx, street, "gonghexinlu").config)
    for config, field, words in BAD_CONFIGS:
        with pytest.raises(RuleError) as info, acting(platform, "jingan", "ghxl_admin") as ctx:
            programmes.enable_plugin(ctx, street, "gonghexinlu", config)
        named = {v.field: v for v in info.value.violations}
        assert field in named, (config, named)
        assert words in named[field].message.zh, (config, named[field].message.zh)
        assert named[field].message.en != named[field].message.zh  # English is there too
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        assert programmes.enablement(ctx, street, "gonghexinlu").config == before
        # the loader enabled it without an actor; no refused attempt left a trace
        assert not ctx.session.scalars(select(AuditEntry).where(AuditEntry.action == "plugin.enable",
                                                                AuditEntry.actor_id.is_not(None))).all()


def test_enablement_at_the_wrong_level_or_by_a_non_admin_is_refused(platform):
    for username, code in (("ghxl_admin", "ghxl-luochuan"), ("jingan_admin", "jingan")):
        with pytest.raises(RuleError) as info, acting(platform, "jingan", username) as ctx:
            programmes.enable_plugin(ctx, unit_id(platform, "jingan", code), "gonghexinlu", {})
        v = info.value.violations[0]
        assert (v.code, v.field) == ("wrong_level", "org_unit_id")
        assert "只能在街道/镇一级启用" in v.message.zh
    with pytest.raises(Forbidden), acting(platform, "jingan", "luochuan") as ctx:
        programmes.enable_plugin(ctx, unit_id(platform, "jingan", "gonghexinlu"), "gonghexinlu", {"micro_max_yuan": "9000"})
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        rows = ctx.session.scalars(select(PluginEnablement).where(PluginEnablement.plugin_name == "gonghexinlu")).all()
        assert [(r.org_unit.code, r.plugin_name, r.config["micro_max_yuan"]) for r in rows] == \
            [("gonghexinlu", "gonghexinlu", "5000.00")]


# -- plugins with their own tables (an Alembic branch each) -------------------------------------

@pytest.fixture
def notes_host() -> PluginHost:
    host = PluginHost(plugins=[("fixture_notes", notes)])
    assert "fixture_notes" in host.policies, host.load_errors
    return host


@pytest.fixture
def notes_db(settings, notes_host):
    """The demo database (core already migrated) after the plugin's branch is applied: the
    plugin was installed on a running deployment."""
    core_heads = migrate.current(settings)
    migrate.upgrade(settings, host=notes_host)
    return core_heads


def _tables(url: str) -> set[str]:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_a_plugin_branch_upgrades_after_core_and_downgrades_alone(settings, notes_host, notes_db):
    core_heads = notes_db
    assert migrate.current(settings) == core_heads | {"fixture_notes_0001"}
    assert "fixture_notes_notes" in _tables(settings.migration_url)
    platform = Platform.build(settings, notes_host)
    try:
        with platform.db.session() as s:
            tenants_before = s.scalar(select(sa.func.count(Tenant.id)))
        with platform.db.session(tenant_id=tenant_id(platform, "jingan")) as s:
            programmes_before = s.scalar(select(sa.func.count(Programme.id)))
        migrate.downgrade_plugin(settings, "fixture_notes", notes_host)
        assert migrate.current(settings) == core_heads
        tables = _tables(settings.migration_url)
        assert "fixture_notes_notes" not in tables
        assert {"tenants", "projects", "programmes", "audit_entries"} <= tables
        with platform.db.session() as s:
            assert s.scalar(select(sa.func.count(Tenant.id))) == tenants_before
        with platform.db.session(tenant_id=tenant_id(platform, "jingan")) as s:
            assert s.scalar(select(sa.func.count(Programme.id))) == programmes_before
        # and it can come back
        migrate.upgrade(settings, host=notes_host)
        assert "fixture_notes_notes" in _tables(settings.migration_url)
    finally:
        platform.db.dispose()


def test_a_plugin_model_is_tenant_owned_through_the_orm(settings, notes_host, notes_db):
    from tests.fixture_plugins.notes.models import Note  # see notes/__init__.py for why here

    platform = Platform.build(settings, notes_host)
    try:
        jingan, jinjiang = tenant_id(platform, "jingan"), tenant_id(platform, "jinjiang")
        with platform.db.scope(tenant_id=jingan) as s:
            s.add(Note(body="静安的便签"))
        with platform.db.session(tenant_id=jinjiang) as s:
            assert s.scalars(select(Note)).all() == []
        with platform.db.session(tenant_id=None) as s:
            assert s.scalars(select(Note)).all() == []
        with platform.db.session(tenant_id=jingan) as s:
            mine = s.scalars(select(Note)).all()
            assert [(n.body, n.tenant_id) for n in mine] == [("静安的便签", jingan)]
            audited = s.scalars(select(AuditEntry).where(AuditEntry.entity == "fixture_notes_notes")).all()
            assert [a.after["body"] for a in audited] == ["静安的便签"]
        with pytest.raises(TenancyError), platform.db.scope(tenant_id=jinjiang) as s:
            s.add(Note(body="越界", tenant_id=jingan))
    finally:
        platform.db.dispose()


@pytest.mark.postgres  # row-level security exists on PostgreSQL only
def test_on_postgres_the_plugin_table_has_forced_rls_and_the_runtime_role_stays_in_its_tenant(settings, profile, notes_db):
    admin = sa.create_engine(settings.admin_database_url, poolclass=sa.pool.NullPool)
    try:
        with admin.connect() as c:
            assert c.execute(text("SELECT relrowsecurity, relforcerowsecurity FROM pg_class "
                                  "WHERE relname = 'fixture_notes_notes'")).one() == (True, True)
            assert c.execute(text("SELECT policyname FROM pg_policies WHERE tablename = 'fixture_notes_notes'")
                             ).scalars().all() == ["tenant_isolation"]
            owner = c.execute(text("SELECT tableowner FROM pg_tables WHERE tablename = 'fixture_notes_notes'")).scalar()
            bypass = c.execute(text("SELECT rolbypassrls FROM pg_roles WHERE rolname = :r"),
                               {"r": settings.runtime_role}).scalar()
            assert owner != settings.runtime_role and bypass is False
            ids = dict(c.execute(text("SELECT slug, id FROM tenants")).all())
    finally:
        admin.dispose()

    db = Database(settings.database_url)  # the runtime role, as the platform runs
    insert = text("INSERT INTO fixture_notes_notes (body, tenant_id) VALUES (:body, :tenant)")
    count = text("SELECT count(*) FROM fixture_notes_notes")
    try:
        with db.scope(tenant_id=ids["jingan"]) as s:
            s.execute(insert, {"body": "静安", "tenant": ids["jingan"]})
        with db.session(tenant_id=ids["jingan"]) as s:
            assert s.scalar(count) == 1
        with db.session(tenant_id=ids["jinjiang"]) as s:
            assert s.scalar(count) == 0
        with db.session(tenant_id=None) as s:
            assert s.scalar(count) == 0  # no tenant, no rows
        with db.scope(tenant_id=ids["jinjiang"]) as s:
            assert s.execute(text("UPDATE fixture_notes_notes SET body = 'x'")).rowcount == 0
            assert s.execute(text("DELETE FROM fixture_notes_notes")).rowcount == 0
        with pytest.raises(sa.exc.DBAPIError, match="row-level security"), db.scope(tenant_id=ids["jinjiang"]) as s:
            s.execute(insert, {"body": "越界", "tenant": ids["jingan"]})
        with db.session(tenant_id=ids["jingan"]) as s:
            assert s.execute(text("SELECT body FROM fixture_notes_notes")).scalars().all() == ["静安"]
    finally:
        db.dispose()


def test_the_rls_helper_uses_the_same_predicate_as_core():
    spec = importlib.util.spec_from_file_location("core_0001", ROOT / "migrations" / "versions" / "0001_core.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert migration_helpers.TENANT_PREDICATE == module.TENANT_PREDICATE


class WithMigrations:
    def __init__(self, name: str, directory: Path):
        self.name, self.directory = name, directory

    @hookimpl
    def tongxin_policy(self):
        return PolicyInfo(name=self.name, title=T("测", "T"), version="1", config_schema=misdeclared.EmptyConfig,
                          source=T("测", "T"))

    @hookimpl
    def tongxin_migration_dirs(self):
        return [str(self.directory)]


REVISION = '''
revision = {revision!r}
down_revision = {down!r}
branch_labels = {labels!r}
depends_on = {depends!r}

def upgrade():
    raise AssertionError("a malformed branch must be refused before anything runs")

def downgrade():
    pass
'''

MALFORMED_BRANCHES = [
    (dict(revision="fx_bad_1", down="0001_core", labels=("fixture_bad",), depends=None), "may only follow its own"),
    (dict(revision="fx_bad_1", down=None, labels=None, depends="0001_core"), "branch_labels = ('fixture_bad',)"),
    (dict(revision="fx_bad_1", down=None, labels=("fixture_bad",), depends=None), "depends_on"),
]


@pytest.mark.parametrize("revision, reason", MALFORMED_BRANCHES, ids=["follows-core", "no-label", "no-depends"])
def test_a_malformed_plugin_branch_is_refused_before_anything_runs(tmp_path, revision, reason):
    (tmp_path / "fx_bad_1.py").write_text(REVISION.format(**revision), encoding="utf-8")
    host = PluginHost(entry_points=False, plugins=[("fixture_bad", WithMigrations("fixture_bad", tmp_path))])
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'never.db'}")
    with pytest.raises(migrate.MigrationError, match=re.escape(reason)):
        migrate.upgrade(settings, host=host)
    assert not (tmp_path / "never.db").exists()


def test_a_plugin_naming_a_missing_migration_directory_stops_migration(tmp_path):
    host = PluginHost(entry_points=False, plugins=[("fixture_gone", WithMigrations("fixture_gone", tmp_path / "gone"))])
    with pytest.raises(migrate.MigrationError, match="fixture_gone.*does not exist"):
        migrate.alembic_config(Settings(database_url="sqlite://"), host)


def test_the_fixture_plugin_branch_passes_the_same_check():
    cfg = migrate.alembic_config(Settings(database_url="sqlite://"), PluginHost(plugins=[("fixture_notes", notes)]))
    assert str(notes.MIGRATIONS) in cfg.get_main_option("version_locations")
