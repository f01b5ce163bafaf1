"""Obligations declared by the policy, with dates (issue 13, items 4 and 6): the hook and how it
stacks, the due items the daily task opens once per programme year, its reminders and
escalations (each once, a missed day made up), and the reports: written, handed in, returned
with reasons, handed in again and accepted, every version kept; a town's report on its pilots;
a fund's yearly account; and the refusals, each with its reason and the clause."""
from __future__ import annotations

import pytest
from marshmallow import Schema, fields

from core.models import DueItem, Programme
from core.plugin_host.manager import PluginHost
from core.plugin_host.obligations import AfterQuarter, Escalation, Obligation, OnDays
from core.plugin_host.stack import Layer, PolicyStack
from core.plugin_host.toolkit import PolicyInfo, T, hookimpl
from core.services import review
from core.services.obligations import reports
from core.services.obligations.declared import declared
from core.violations import RuleError
from tests.factories import acting, on_day, programme_id
from tests.money_factories import draft
from tests.obligation_factories import Q2, item_id, items, micro, notices, pilot, run

QUARTERLY = {"progress": "组建团队，召开议事会2次", "activities": "楼组议事会、公约征询", "participants": 120,
             "next_steps": "7-9月试行公约"}


def codes(err: RuleError) -> set[str]:
    return {v.code for v in err.violations}


# -- the hook, and policies that stack ------------------------------------------------------------

class _Report(Schema):
    text = fields.String(required=True)


class _Declares:
    def __init__(self, name, doc, obligations):
        self.name, self.doc, self.obligations = name, doc, obligations

    @hookimpl
    def tongxin_policy(self):
        return PolicyInfo(name=self.name, title=T(self.name, self.name), version="1", config_schema=Schema,
                          source=self.doc, applies_below=True)

    @hookimpl
    def tongxin_obligations(self, config):
        return self.obligations


def test_obligations_of_every_policy_add_up_each_with_its_clause():
    street_doc, district_doc = T("《街道办法》", "Street rules"), T("《区办法》", "District rules")
    own = Obligation("report", T("季报", "report"), owed_by="applicant", due=AfterQuarter((2,)), form=_Report,
                     clause=T("街道办法 第三条", "Street rules §3"))
    inherited = Obligation("report", T("年报", "yearly report"), owed_by="applicant", due=OnDays(("12-20",)), form=_Report)
    host = PluginHost(entry_points=False, plugins=[("street", _Declares("street", street_doc, [own])),
                                                   ("district", _Declares("district", district_doc, [inherited]))])
    assert host.load_errors == {}
    stack = PolicyStack(Layer(host.policies["street"], {}, "1", own=True),
                        [Layer(host.policies["district"], {}, "1", own=False)])
    found = stack.obligations({})
    # The same key under two policies is two obligations; the district's cites its document.
    assert [(p, o.key) for p, o in found] == [("street", "report"), ("district", "report")]
    assert found[0][1].clause.zh == "街道办法 第三条" and found[1][1].clause == district_doc


@pytest.mark.parametrize("bad, message", [
    (dict(owed_by="somebody"), "owed_by"),
    (dict(escalation=(Escalation(1, ("mayor",), "street"),)), "unknown roles"),
    (dict(escalation=(Escalation(1, ("street_admin",), "province"),)), "level"),
    (dict(accepted_by="neighbourhood"), "accepted_by"),
    (dict(owed_by="fund_owner"), "fund"),
    (dict(escalation=(Escalation(7, ("street_admin",)), Escalation(1, ("street_admin",)))), "in order"),
])
def test_a_malformed_obligation_is_the_plugins_fault(bad, message):
    from core.plugin_host.validation import PluginFailure
    base = dict(key="report", label=T("季报", "report"), owed_by="applicant", due=AfterQuarter(), form=_Report)
    host = PluginHost(entry_points=False, plugins=[("street", _Declares("street", T("办法", "rules"),
                                                                        [Obligation(**{**base, **bad})]))])
    with pytest.raises(PluginFailure, match=message):
        host.policies["street"].obligations({})


def test_the_built_in_policies_declare_the_seeds_obligations(platform):
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        found = declared(ctx, ctx.session.get(Programme, programme_id(platform, plugin="gonghexinlu")))
        assert [(p, o.key, o.owed_by) for p, o in found] == [
            ("gonghexinlu", "quarterly_report", "applicant"), ("gonghexinlu", "mid_term_supervision", "programme"),
            ("gonghexinlu", "stage_review", "applicant")]  # the district fund (stacked) asks for none
        quarterly, supervision, stage = (o for _, o in found)
        assert [(p.key, p.due.isoformat()) for p in quarterly.periods(2023)] == [
            ("2023-Q2", "2023-07-10"), ("2023-Q3", "2023-10-10"), ("2023-Q4", "2024-01-10")]
        assert [p.due.isoformat() for p in stage.periods(2023)] == ["2023-07-15", "2023-12-15"]
        assert supervision.periods(2023)[0].due.isoformat() == "2023-07-31" and "7月" in supervision.clause.zh
        assert "第9项" in quarterly.clause.zh and "一年两次" in stage.clause.zh
    with acting(platform, "jinjiang", "jj_admin") as ctx:
        found = declared(ctx, ctx.session.get(Programme, programme_id(platform, "jinjiang")))
        monthly, completion, summary = (o for _, o in found)
        assert [p.due.isoformat() for p in monthly.periods(2023)] == [f"2023-{m:02d}-20" for m in range(4, 12)]
        assert monthly.owed_by == "applicant_parent" and monthly.accepted_by == "district"
        assert "每月20日前" in monthly.clause.zh and "通报" in monthly.description.zh
        assert completion.periods(2023)[0].due.isoformat() == "2023-11-30"
        assert summary.periods(2023)[0].due.isoformat() == "2023-12-20"


# -- the year runs itself -----------------------------------------------------------------------------

def test_due_items_are_opened_once_per_programme_year(platform):
    pid = micro(platform)
    first = run(platform, "jingan", "2023-06-01")
    assert first["frozen"] == 4 and first["opened"] == 7
    subject = f"project:{pid}"
    assert items(platform, "jingan") == sorted([
        ("congress_account", "2023-12-31", items(platform, "jingan")[0][2], "open"),  # 海园's fund (the world's)
        ("mid_term_supervision", "2023-07-31", subject, "open"),
        ("quarterly_report", "2023-Q2", subject, "open"), ("quarterly_report", "2023-Q3", subject, "open"),
        ("quarterly_report", "2023-Q4", subject, "open"),
        ("stage_review", "2023-07-15", subject, "open"), ("stage_review", "2023-12-15", subject, "open")])
    assert items(platform, "jingan")[0][2].startswith("fund:")
    again = run(platform, "jingan", "2023-06-01")
    assert again == {"day": "2023-06-01", "frozen": 0, "opened": 0, "overdue": 0, "notified": 0, "escalated": 0}
    assert run(platform, "jingan", "2023-06-02")["opened"] == 0


def test_a_project_approved_after_a_period_owes_nothing_for_it(platform):
    late = draft(platform, title="晚立项的项目")
    with on_day("2023-08-01"), acting(platform, "jingan", "ghxl_chair") as ctx:
        review.decide(ctx, late, "approved")
    run(platform, "jingan", "2023-08-02")
    mine = [(k, p) for k, p, s, _ in items(platform, "jingan") if s == f"project:{late}"]
    assert ("quarterly_report", Q2) not in mine and ("stage_review", "2023-07-15") not in mine
    assert ("quarterly_report", "2023-Q3") in mine and ("mid_term_supervision", "2023-07-31") not in mine


def test_reminders_then_escalation_up_the_chain_each_once(platform):
    pid = micro(platform)
    assert run(platform, "jingan", "2023-07-02")["notified"] == 0   # the reminder comes 7 days ahead
    q2 = item_id(platform, "jingan", "quarterly_report", Q2, project_id=pid)
    run(platform, "jingan", "2023-07-03")
    assert notices(platform, "jingan") == [("luochuan", "obligation_reminder", f"obligation:{q2}:0:{_id(platform, 'luochuan')}")]
    assert run(platform, "jingan", "2023-07-03")["notified"] == 0    # twice the same day: nothing
    # The task did not run from 4 to 10 July; on the 11th the report is late: marked, and the
    # neighbourhood committee hears of it (the stage review's reminder, missed on the 8th, is made up).
    day = run(platform, "jingan", "2023-07-11")
    assert day["overdue"] == 1 and day["escalated"] == 1
    kinds = [(u, k) for u, k, key in notices(platform, "jingan") if key.startswith(f"obligation:{q2}:")]
    assert kinds == [("luochuan", "obligation_reminder"), ("luochuan", "obligation_escalation")]
    run(platform, "jingan", "2023-07-12")
    run(platform, "jingan", "2023-07-17")   # a week late: the street office
    after = [(u, k) for u, k, key in notices(platform, "jingan") if key.startswith(f"obligation:{q2}:")]
    assert after == kinds + [("ghxl_admin", "obligation_escalation")]
    with acting(platform, "jingan", "luochuan") as ctx:
        item = ctx.session.get(DueItem, q2)
        assert item.overdue_since.isoformat() == "2023-07-11" and item.escalation_level == 2
    # Handed in late: no more notices about it, however often the task runs.
    with on_day("2023-07-18"), acting(platform, "jingan", "luochuan") as ctx:
        reports.submit(ctx, q2, QUARTERLY)
    before = len(notices(platform, "jingan"))
    run(platform, "jingan", "2023-07-25")
    assert [n for n in notices(platform, "jingan")[before:] if n[2].startswith(f"obligation:{q2}:")] == []


def _id(platform, username: str) -> int:
    from sqlalchemy import select
    from core.models import User
    with acting(platform, "jingan", None) as ctx:
        return ctx.session.scalars(select(User.id).where(User.username == username)).one()


# -- reports ------------------------------------------------------------------------------------------

def test_a_report_handed_in_returned_and_accepted_keeps_its_versions(platform):
    pid = micro(platform)
    run(platform, "jingan", "2023-06-01")
    q2 = item_id(platform, "jingan", "quarterly_report", Q2, project_id=pid)
    with on_day("2023-06-10"), acting(platform, "jingan", "luochuan") as ctx:  # a draft may be written early ...
        reports.save(ctx, q2, {"progress": "草稿"})
    with pytest.raises(RuleError) as err, on_day("2023-06-10"), acting(platform, "jingan", "luochuan") as ctx:
        reports.submit(ctx, q2, QUARTERLY)                                         # ... but not handed in
    assert codes(err.value) == {"not_yet_due"} and "2023年6月25日起" in err.value.violations[0].message.zh
    assert "第9项" in err.value.violations[0].clause.zh
    with pytest.raises(RuleError) as err, on_day("2023-07-05"), acting(platform, "jingan", "luochuan") as ctx:
        reports.submit(ctx, q2, {"progress": ""})
    assert err.value.status == 422 and {v.field for v in err.value.violations} >= {"body.progress", "body.activities"}
    with on_day("2023-07-05"), acting(platform, "jingan", "luochuan") as ctx:
        first = reports.submit(ctx, q2, QUARTERLY)
        assert (first.number, first.state) == (1, "submitted")
        # What the platform knows is frozen into the version: 4,000 yuan committed, nothing spent yet.
        assert first.facts["money"] == {"committed_fen": 400_000, "disbursed_fen": 0, "spent_fen": 0, "spent_percent": 0}
    assert ("ghxl_admin", "report_submitted") in [(u, k) for u, k, _ in notices(platform, "jingan", prefix="report")]
    with pytest.raises(RuleError) as err, on_day("2023-07-06"), acting(platform, "jingan", "luochuan") as ctx:
        reports.submit(ctx, q2, QUARTERLY)                                          # a second report
    assert codes(err.value) == {"already_submitted"} and err.value.status == 409 and err.value.violations[0].clause
    with pytest.raises(RuleError) as err, acting(platform, "jingan", "ghxl_admin") as ctx:
        reports.return_report(ctx, q2, "不行")
    assert codes(err.value) == {"reason_required"}
    with on_day("2023-07-07"), acting(platform, "jingan", "ghxl_admin") as ctx:
        reports.return_report(ctx, q2, "请补充居民参与人次的统计口径")
    assert ("luochuan", "report_returned") in [(u, k) for u, k, _ in notices(platform, "jingan", prefix="report")]
    with on_day("2023-07-08"), acting(platform, "jingan", "luochuan") as ctx:
        item = ctx.session.get(DueItem, q2)
        form = reports.obligation_of(ctx, item).form
        start = reports.starting_body(ctx, item, form)      # the returned version, to correct
        assert start["progress"] == QUARTERLY["progress"]
        second = reports.submit(ctx, q2, {**start, "participants": 96})
        assert second.number == 2
    with on_day("2023-07-09"), acting(platform, "jingan", "ghxl_admin") as ctx:
        reports.accept(ctx, q2, "已阅")
    with acting(platform, "jingan", "luochuan") as ctx:
        versions = reports.versions(ctx, q2)
        assert [(v.number, v.state, v.review_note) for v in versions] == [
            (1, "returned", "请补充居民参与人次的统计口径"), (2, "accepted", "已阅")]
        assert versions[1].body["participants"] == 96 and ctx.session.get(DueItem, q2).state == "accepted"
    with pytest.raises(RuleError) as err, on_day("2023-07-10"), acting(platform, "jingan", "luochuan") as ctx:
        reports.save(ctx, q2, QUARTERLY)
    assert codes(err.value) == {"already_submitted"} and "已通过" in err.value.violations[0].message.zh


def test_only_who_owes_it_writes_it_and_only_the_level_above_accepts_it(platform):
    pid = micro(platform)
    run(platform, "jingan", "2023-06-01")
    q2 = item_id(platform, "jingan", "quarterly_report", Q2, project_id=pid)
    with pytest.raises(RuleError) as err, on_day("2023-07-05"), acting(platform, "jingan", "ghxl_admin") as ctx:
        reports.submit(ctx, q2, QUARTERLY)      # the street office does not write the team's report
    assert codes(err.value) == {"not_owed"} and err.value.status == 403
    assert "洛川居民区填报提交" in err.value.violations[0].message.zh and "第9项" in err.value.violations[0].clause.zh
    with pytest.raises(RuleError) as err, on_day("2023-07-05"), acting(platform, "jingan", "yanchang") as ctx:
        reports.submit(ctx, q2, QUARTERLY)      # another neighbourhood does not even see it
    assert codes(err.value) == {"not_found"}
    with on_day("2023-07-05"), acting(platform, "jingan", "luochuan") as ctx:
        reports.submit(ctx, q2, QUARTERLY)
    with pytest.raises(RuleError) as err, acting(platform, "jingan", "luochuan") as ctx:
        reports.accept(ctx, q2)                 # nor does a unit accept its own report
    assert codes(err.value) == {"own_report"}


def test_a_closed_period_takes_no_report(platform):
    pid = micro(platform)
    run(platform, "jingan", "2023-06-01")
    q2 = item_id(platform, "jingan", "quarterly_report", Q2, project_id=pid)
    with pytest.raises(RuleError) as err, on_day("2023-08-10"), acting(platform, "jingan", "luochuan") as ctx:
        reports.submit(ctx, q2, QUARTERLY)
    assert codes(err.value) == {"period_closed"} and "2023年8月9日" in err.value.violations[0].message.zh
    with acting(platform, "jingan", "luochuan") as ctx:
        assert reports.versions(ctx, q2) == []  # nothing half-saved


def test_the_street_office_records_its_july_supervision_and_nobody_accepts_it(platform):
    micro(platform)
    run(platform, "jingan", "2023-06-01")
    [(_, _, subject, _)] = [i for i in items(platform, "jingan") if i[0] == "mid_term_supervision"]
    visit = item_id(platform, "jingan", "mid_term_supervision", "2023-07-31", subject=subject)
    run(platform, "jingan", "2023-07-17")   # two weeks ahead: the office is reminded
    assert [u for u, k, key in notices(platform, "jingan") if key.startswith(f"obligation:{visit}:")] == ["ghxl_admin"]
    with on_day("2023-07-20"), acting(platform, "jingan", "ghxl_admin") as ctx:
        record = reports.submit(ctx, visit, {"visited_on": "2023-07-20", "visitors": "社区自治办、专业机构督导员",
                                             "findings": "议事会运转正常", "advice": "加强台账"})
        assert record.state == "accepted" and ctx.session.get(DueItem, visit).state == "accepted"


def test_a_town_reports_on_all_its_pilots_in_one_document(platform):
    andong = pilot(platform, "andong", "jj-anhai-a", "anhai_admin")
    xingta = pilot(platform, "xingta", "jj-anhai-b", "anhai_admin", title="星塔议事厅")
    qinghua = pilot(platform, "qinghua", "jj-qingyang-a", "qingyang_admin")
    run(platform, "jinjiang", "2023-05-01")
    may = item_id(platform, "jinjiang", "monthly_progress", "2023-05", subject=f"unit:{_unit(platform, 'jj-anhai')}")
    with on_day("2023-05-15"), acting(platform, "jinjiang", "anhai_admin") as ctx:
        item = ctx.session.get(DueItem, may)
        start = reports.starting_body(ctx, item, reports.obligation_of(ctx, item).form)
        # The town's report lists each of its pilots (not the other town's), from what the platform knows.
        assert [row["project_id"] for row in start["pilots"]] == [andong, xingta]
        assert {row["unit"] for row in start["pilots"]} == {"安东社区", "星塔村"}
        body = {"summary": "两个试点按计划推进",
                "pilots": [{"project_id": xingta, "progress": "完成场地改造"},
                           {"project_id": andong, "progress": "议事厅启用", "title": "改了名字"}]}
        sent = reports.submit(ctx, may, body)
        rows = {r["project_id"]: r for r in sent.body["pilots"]}
        assert rows[andong]["title"] == "邻里驿站" and rows[andong]["progress"] == "议事厅启用"
        assert rows[xingta]["progress"] == "完成场地改造" and len(sent.facts["projects"]) == 2
        assert qinghua not in rows
    with pytest.raises(RuleError) as err, acting(platform, "jinjiang", "qingyang_admin") as ctx:
        reports.accept(ctx, may)    # a town does not accept another town's report: the city does
    assert codes(err.value) == {"not_found"}
    with acting(platform, "jinjiang", "jj_admin") as ctx:
        assert reports.accept(ctx, may).state == "accepted"


def test_a_late_town_is_escalated_to_the_city_which_may_name_it(platform):
    pilot(platform, "andong", "jj-anhai-a", "anhai_admin")
    run(platform, "jinjiang", "2023-05-15")
    town = _unit(platform, "jj-anhai")
    may = item_id(platform, "jinjiang", "monthly_progress", "2023-05", subject=f"unit:{town}")
    assert [(u, k) for u, k, key in notices(platform, "jinjiang") if key.startswith(f"obligation:{may}:")] == [
        ("anhai_admin", "obligation_reminder")]
    run(platform, "jinjiang", "2023-05-21")
    assert [(u, k) for u, k, key in notices(platform, "jinjiang") if key.startswith(f"obligation:{may}:")] == [
        ("anhai_admin", "obligation_reminder"), ("jj_admin", "obligation_escalation")]
    with pytest.raises(RuleError) as err, acting(platform, "jinjiang", "anhai_admin") as ctx:
        reports.issue_notice(ctx, may, "进度缓慢")
    assert codes(err.value) == {"own_report"}
    with on_day("2023-05-22"), acting(platform, "jinjiang", "jj_admin") as ctx:
        reports.issue_notice(ctx, may, "安海镇5月进展逾期未报，予以通报")
    assert ("anhai_admin", "obligation_notice") in [(u, k) for u, k, _ in notices(platform, "jinjiang")]
    with pytest.raises(RuleError) as err, acting(platform, "jinjiang", "jj_admin") as ctx:
        reports.issue_notice(ctx, may, "再次通报一次")
    assert codes(err.value) == {"already_noticed"}


def test_the_fund_owner_accounts_to_the_congress_from_the_ledger(platform):
    run(platform, "jingan", "2023-12-01")
    [(key, period, subject, _)] = [i for i in items(platform, "jingan") if i[0] == "congress_account"]
    account = item_id(platform, "jingan", key, period, subject=subject)
    with on_day("2023-12-20"), acting(platform, "jingan", "haiyuan") as ctx:
        sent = reports.submit(ctx, account, {"congress_on": "2023-12-18", "account": "共治金收支情况如实通报",
                                             "supervision": "监督委员会逐笔审核"})
        assert set(sent.facts["fund"]) == {"allocated_fen", "committed_fen", "disbursed_fen", "spent_fen", "available_fen"}
    with acting(platform, "jingan", "jas_admin") as ctx:
        assert reports.accept(ctx, account).state == "accepted"


def _unit(platform, code: str) -> int:
    from tests.factories import unit_id
    return unit_id(platform, "jinjiang", code)


# -- where it runs: beat's clock, and in-process in the embedded profile ----------------------------------

def test_beat_keeps_the_platforms_time_and_sends_its_day():
    from core.config import Settings
    from core.tasks.celery_app import BEAT_SCHEDULE, celery_for
    app = celery_for(Settings(broker_url="redis://example.invalid:6379/5", today="2023-07-11",
                              database_url="sqlite:///beat-clock-test.db"))
    app.set_current()
    assert app.now().date().isoformat() == "2023-07-11" and app.now().utcoffset().total_seconds() == 8 * 3600
    day = BEAT_SCHEDULE["daily-deadline-reminders"]["kwargs"]["day"]
    assert day() == "2023-07-11"  # evaluated by beat when it sends, on the platform's clock


def test_the_daily_fan_out_runs_the_obligations_in_process_in_the_embedded_profile(platform):
    import dataclasses

    from core.tasks.celery_app import celery_for
    pid = micro(platform)
    daily = celery_for(dataclasses.replace(platform.settings, broker_url=None)).tasks["tongxin.daily"]
    assert daily.run(day="2023-07-03") == 3  # every tenant
    q2 = item_id(platform, "jingan", "quarterly_report", Q2, project_id=pid)
    assert [(u, k) for u, k, key in notices(platform, "jingan") if key.startswith(f"obligation:{q2}:")] == [
        ("luochuan", "obligation_reminder")]
    daily.run(day="2023-07-03")
    assert len(notices(platform, "jingan")) == 1
