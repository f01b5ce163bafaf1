"""静安区's community development fund holds in 共和新路's programme beside 共和新路's own plan
(policies stack), through the services, the API and the web: a budget row outside the
district's spending list is refused citing the district's plan while 共和新路's rules still
apply (a micro-venture project over 5,000 yuan is refused citing 共和新路's plan), and the programme
shows both policies with the versions it froze. The last test runs the district's policy at full
strength (its defaults) in a tenant of its own: the meeting record, the spending list and a
community foundation that takes donations and grants a street's project what the decision names.
"""
from __future__ import annotations

import io

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from core.models import Decision, Sponsor
from core.services import ledger, pledges, programmes, projects, review
from core.services.tenant_definitions import load as load_tenant
from core.violations import RuleError
from plugins.gonghexinlu import clauses as street
from plugins.jingan_fund import clauses as district
from tests.clients import Web, login, text, url
from tests.factories import APPLICATION_DAY, PASSWORD, PDF, acting, application, on_day, programme_id, unit_id

OUTSIDE_THE_LIST = "宴请招待"
ON_THE_LIST = "活动组织与物料"


def micro_venture_project(platform, amount: str, category: str | None) -> int:
    """共和新路's micro-venture project of one budget row, complete as 共和新路's plan asks."""
    with on_day(APPLICATION_DAY), acting(platform, "jingan", "luochuan") as ctx:
        p = projects.create_project(ctx, programme_id(platform, plugin="gonghexinlu"),
                                    unit_id(platform, "jingan", "ghxl-luochuan"), "micro_venture", "口袋花园")
        projects.save_form(ctx, p.id, "application", application("口袋花园", directions=("public_space",)))
        projects.set_budget(ctx, p.id, [{"description": "花苗与工具", "amount": amount, "category": category}])
        projects.attach(ctx, p.id, "residents_minutes", "会议记录.pdf", io.BytesIO(PDF), platform.storage)
        return p.id


def refused(platform, pid: int) -> dict[str, object]:
    with pytest.raises(RuleError) as info, on_day(APPLICATION_DAY), acting(platform, "jingan", "luochuan") as ctx:
        projects.submit(ctx, pid)
    return {v.code: v for v in info.value.violations}


def test_the_districts_list_and_the_streets_cap_both_judge_a_submission(platform):
    both = refused(platform, micro_venture_project(platform, "6000", OUTSIDE_THE_LIST))
    assert set(both) == {"jingan_budget_category_not_listed", "micro_over_limit"}
    assert both["jingan_budget_category_not_listed"].clause == district.SPENDING_LIST
    assert both["jingan_budget_category_not_listed"].clause.zh.startswith("静安区实施方案")
    assert both["micro_over_limit"].clause == street.MICRO_LIMIT
    # Each alone: the street's cap on a listed row, the district's list on a small one.
    assert set(refused(platform, micro_venture_project(platform, "6000", ON_THE_LIST))) == {"micro_over_limit"}
    assert set(refused(platform, micro_venture_project(platform, "3000", OUTSIDE_THE_LIST))) == {"jingan_budget_category_not_listed"}
    with on_day(APPLICATION_DAY), acting(platform, "jingan", "luochuan") as ctx:
        assert projects.submit(ctx, micro_venture_project(platform, "3000", ON_THE_LIST)).state == "submitted"


def test_through_the_api(client, platform):
    headers = login(client, "luochuan")
    pid = micro_venture_project(platform, "1000", None)
    with on_day(APPLICATION_DAY):
        r = client.put(url(f"/projects/{pid}/budget"), headers=headers, json={"items": [
            {"description": "聚餐", "amount": "6000", "category": OUTSIDE_THE_LIST}]})
        assert r.status_code == 200
        budget = r.get_json()["budget"]
        assert budget["items"][0]["category"] == OUTSIDE_THE_LIST
        # Saved, with what submission will say at once, each with its own document's clause.
        warned = {w["code"]: w["clause"] for w in budget["warnings"]}
        assert warned == {"jingan_budget_category_not_listed": district.SPENDING_LIST.zh, "micro_over_limit": street.MICRO_LIMIT.zh}
        r = client.post(url(f"/projects/{pid}/submit"), headers=headers)
    assert r.status_code == 422
    errors = {e["code"]: e for e in r.get_json()["errors"]}
    assert errors["jingan_budget_category_not_listed"]["clause"] == district.SPENDING_LIST.zh
    assert errors["jingan_budget_category_not_listed"]["field"] == "budget.0.category"
    assert errors["micro_over_limit"]["clause"] == street.MICRO_LIMIT.zh
    # An over-long category is refused by the input schema, naming the field.
    with on_day(APPLICATION_DAY):
        r = client.put(url(f"/projects/{pid}/budget"), headers=headers, json={"items": [
            {"description": "聚餐", "amount": "60", "category": "类" * 65}]})
    assert r.status_code == 422 and "items.0.category" in {e["field"] for e in r.get_json()["errors"]}


def test_through_the_web(client, platform):
    web = Web(client)
    web.login("luochuan")
    pid = micro_venture_project(platform, "1000", None)
    page = text(web.get(f"/projects/{pid}"))
    assert 'name="category"' in page and f'<option value="{ON_THE_LIST}">' in page  # the district's list is offered
    with on_day(APPLICATION_DAY):
        r = web.post(f"/projects/{pid}/budget", MultiDict([
            ("description", "聚餐"), ("amount", "6000"), ("category", OUTSIDE_THE_LIST), ("csrf_token", web.token())]),
            follow_redirects=True)
        page = text(r)
        assert r.status_code == 200 and "预算已保存，但提交时将不予通过" in page
        assert district.SPENDING_LIST.zh in page and street.MICRO_LIMIT.zh in page
        assert f"{OUTSIDE_THE_LIST}（不在清单内）" in page  # the editor shows the row as it stands
        r = web.post(f"/projects/{pid}/submit")
    page = text(r)
    assert r.status_code == 422
    assert "不在居民区工作经费使用清单内" in page and district.SPENDING_LIST.zh in page
    assert "“七彩微创投”单个项目申请资金不能超过" in page and street.MICRO_LIMIT.zh in page


def test_the_programme_lists_both_policies_with_their_frozen_versions(client, platform):
    pid = programme_id(platform, plugin="gonghexinlu")
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        programme = programmes.get_programme(ctx, pid)
        assert [(e["name"], e["version"]) for e in programme.inherited_policies] == [("jingan_fund", "2017.1")]
        assert programme.plugin_version == "2023.1"
    detail = client.get(url(f"/programmes/{pid}")).get_json()
    assert [(p["name"], p["own"], p["version"], p["org_unit"]["code"]) for p in detail["policies"]] == [
        ("gonghexinlu", True, "2023.1", "gonghexinlu"), ("jingan_fund", False, "2017.1", "jingan")]
    assert detail["policies"][1]["config"]["category_required"] is False  # the test world's settings, frozen
    assert ON_THE_LIST in [c["value"] for c in detail["budget_categories"]]
    assert {"application", "jingan_fund_formation", "jingan_fund_analysis"} <= {f["key"] for f in detail["forms"]}
    assert [f["key"] for f in detail["decision_forms"]] == ["jingan_fund_grant"]
    listed = client.get(url("/programmes")).get_json()["items"]
    assert {p["name"] for p in next(i for i in listed if i["id"] == pid)["policies"]} == {"gonghexinlu", "jingan_fund"}
    page = text(client.get(f"/t/jingan/programmes/{pid}"))
    section = page[page.index('id="policies"'):]
    assert "共和新路街道居民区自治项目" in section and "静安区社区发展基金" in section
    assert "2023年版" in section and "2017年版" in section and "上级政策" in section and "本级政策" in section


# -- the district's policy at full strength ------------------------------------------------------------

FULL = {
    "slug": "jingan_full", "name": "静安区（全要求）", "name_en": "Jing'an (full)",
    "plugins": {"jingan_fund": {"config": {}}},          # the plugin's defaults: every requirement on
    "units": [{
        "code": "full-ghxl", "kind": "street", "name": "共和新路街道",
        "plugins": {"gonghexinlu": {"config": {}}},
        "programmes": [{"plugin": "gonghexinlu", "year": 2023, "panel": ["full_chair"], "chair": "full_chair"}],
        # The street's pool, and its community foundation, set up ("成熟一个，建立一个").
        "funds": [{"plugin": "gonghexinlu", "fund": "pool", "year": 2023, "allocate_yuan": "200000"},
                  {"plugin": "jingan_fund", "fund": "foundation", "year": 2023}],
        "sponsors": [{"name": "爱心企业（测试）", "kind": "enterprise"}],
        "children": [{"code": "full-ghxl-1", "kind": "neighbourhood", "name": "洛川居民区"}]}],
    "users": [
        {"username": "full_admin", "password": PASSWORD, "roles": [{"role": "street_admin", "unit": "full-ghxl"}]},
        {"username": "full_staff", "password": PASSWORD, "roles": [{"role": "neighbourhood_staff", "unit": "full-ghxl-1"}]},
        {"username": "full_chair", "password": PASSWORD, "roles": [{"role": "reviewer", "unit": "full-ghxl"}]},
    ],
}
RECORD = {"money_kind": "zizhi", "platform": "sanhui_yidaili", "meeting_date": "2023-02-20", "participants": 28,
          "resolution": "听证会议定：改造楼道口袋花园"}


def test_at_full_strength_the_record_and_the_list_are_required_and_the_foundation_grants(platform):
    load_tenant(platform, FULL)
    T = "jingan_full"
    with on_day(APPLICATION_DAY), acting(platform, T, "full_staff") as ctx:
        p = projects.create_project(ctx, programme_id(platform, T, plugin="gonghexinlu"), unit_id(platform, T, "full-ghxl-1"),
                                    "micro_venture", "口袋花园")
        pid = p.id
        projects.save_form(ctx, pid, "application", application("口袋花园", directions=("public_space",)))
        projects.set_budget(ctx, pid, [{"description": "花苗与工具", "amount": "3000"}])
        projects.attach(ctx, pid, "residents_minutes", "会议记录.pdf", io.BytesIO(PDF), platform.storage)
        missing = {(v.code, v.field): v.clause for v in projects.submission_problems(ctx, p)}
    assert missing == {("form_missing", "jingan_fund_formation"): district.FORMATION_RECORD,
                       ("attachment_missing", "attachments.jingan_fund_minutes"): district.FORMATION_RECORD,
                       ("jingan_budget_category_missing", "budget.0.category"): district.SPENDING_LIST}
    with pytest.raises(RuleError) as info, on_day(APPLICATION_DAY), acting(platform, T, "full_staff") as ctx:
        projects.save_form(ctx, pid, "jingan_fund_formation", {**RECORD, "platform": "representatives"})
    assert [v.field for v in info.value.violations] == ["jingan_fund_formation.platform"]
    with on_day(APPLICATION_DAY), acting(platform, T, "full_staff") as ctx:
        projects.save_form(ctx, pid, "jingan_fund_formation", RECORD)
        projects.attach(ctx, pid, "jingan_fund_minutes", "听证会记录.pdf", io.BytesIO(PDF), platform.storage)
        projects.set_budget(ctx, pid, [{"description": "花苗与工具", "amount": "3000", "category": ON_THE_LIST}])
        assert projects.submit(ctx, pid).state == "submitted"
    # A donor gives 2,000 yuan to the street's foundation; the panel grants the project 1,000 of it.
    with acting(platform, T, "full_admin") as ctx:
        [foundation] = ledger.list_funds(ctx, org_unit_id=unit_id(platform, T, "full-ghxl"), kind="sponsor_fund")
        assert foundation.name == "社区基金会"
        donor = ctx.session.scalars(select(Sponsor.id)).one()
        row = pledges.pledge(ctx, donor, foundation.id, "2000", occasion="社区基金会募捐", key="full-donation-1")
        pledges.receive(ctx, row.id, "2000", key="full-donation-1:received")
        foundation_id = foundation.id
    with acting(platform, T, "full_chair") as ctx:
        did = review.decide(ctx, pid, "approved", details={"jingan_fund_grant": {"foundation_yuan": "1000"}}).id
    with acting(platform, T, "full_admin") as ctx:
        lines = {(line["label"]["zh"], line["amount_fen"]) for line in ctx.session.get(Decision, did).funding}
        # The district's draw first, the street's pool meets the rest: each policy's own fund.
        assert lines == {("社区基金会（社区基金会资助）", 100_000), ("自治项目资金池（七彩微创投）", 200_000)}
        assert ledger.balance(ctx, foundation_id).committed == 100_000


def test_a_street_sets_up_its_foundation_beside_its_neighbourhoods_co_governance_funds(platform):
    """静安寺's programme (海园's fund) inherits the district's: the street's office sets up the
    street's 社区基金会, and a neighbourhood's fund is still 海园's 社区共治金."""
    haiyuan = programme_id(platform, plugin="haiyuan")
    with acting(platform, "jingan", "jas_admin") as ctx:
        openings = {(o.unit.code, o.name.zh) for o in pledges.fund_openings(ctx, [programmes.get_programme(ctx, haiyuan)])}
        assert {("jingansi", "社区基金会"), ("jas-yuyuan", "社区共治金")} <= openings
        street_fund = pledges.open_fund(ctx, haiyuan, unit_id(platform, "jingan", "jingansi"))
        neighbourhood_fund = pledges.open_fund(ctx, haiyuan, unit_id(platform, "jingan", "jas-yuyuan"))
        assert (street_fund.name, street_fund.kind, street_fund.cap_fen) == ("社区基金会", "sponsor_fund", None)
        assert (neighbourhood_fund.name, neighbourhood_fund.cap_fen) == ("社区共治金", 30_000_000)
