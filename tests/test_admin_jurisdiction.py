"""A street office works inside its own jurisdiction: it opens a programme only under a policy
switched on at its own unit, and its panel is drawn from the reviewers of its unit (or the units
below or above it), never another street's. The rules are the service's; the web page offers
only what they allow and shows their refusals beside the field; the API lists the codes."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from core.models import OrgUnit, PanelMember, Programme, User
from core.services import programmes
from core.violations import RuleError
from tests.clients import Web, is_error, login, text, url
from tests.factories import acting, programme_id, unit_id


def user_ids(platform) -> dict[str, int]:
    with acting(platform, "jingan", None) as ctx:
        return {u.username: u.id for u in ctx.session.scalars(select(User))}


def panel_of(platform, pid: int) -> set[int]:
    with acting(platform, "jingan", None) as ctx:
        return set(ctx.session.scalars(select(PanelMember.user_id).where(PanelMember.programme_id == pid)))


@pytest.fixture
def web(client, platform):
    w = Web(client)
    w.platform = platform
    return w


# -- the service -------------------------------------------------------------------------------------

def test_a_street_opens_only_under_a_policy_switched_on_at_the_street(platform):
    street = unit_id(platform, "jingan", "gonghexinlu")
    for other in ("jinjiang", "haiyuan"):  # a city's call; another street's policy
        with pytest.raises(RuleError) as info, acting(platform, "jingan", "ghxl_admin") as ctx:
            programmes.open_programme(ctx, street, other, 2024)
        [v] = info.value.violations
        assert (v.code, v.field) == ("plugin_not_enabled", "plugin_name")
        assert v.message.zh.startswith("适用政策：「共和新路街道」没有启用「") and "只能按本单位已启用的政策开设" in v.message.zh
        assert other not in v.message.zh  # named by its title, not its package
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        assert [(u.code, p.name) for u, p in programmes.openable(ctx, [ctx.session.get(OrgUnit, street)])] == [
            ("gonghexinlu", "gonghexinlu")]
        assert [p.year for p in programmes.list_programmes(ctx, street)] == [2023]


def test_the_districts_stacking_policy_opens_no_programme_and_is_not_offered(platform):
    district = unit_id(platform, "jingan", "jingan")
    with pytest.raises(RuleError) as info, acting(platform, "jingan", "jingan_admin") as ctx:
        programmes.open_programme(ctx, district, "jingan_fund", 2024)
    assert [v.code for v in info.value.violations] == ["policy_without_tracks"]
    with acting(platform, "jingan", "jingan_admin") as ctx:
        units = list(ctx.session.scalars(select(OrgUnit).order_by(OrgUnit.id)))
        assert {(u.code, p.name) for u, p in programmes.openable(ctx, units)} == {
            ("gonghexinlu", "gonghexinlu"), ("jingansi", "haiyuan")}


def test_a_panel_takes_no_reviewer_of_another_street(platform):
    pid = programme_id(platform, plugin="gonghexinlu")
    ids = user_ids(platform)
    before = panel_of(platform, pid)
    with pytest.raises(RuleError) as info, acting(platform, "jingan", "ghxl_admin") as ctx:
        programmes.set_panel(ctx, pid, [ids["ghxl_chair"], ids["jas_chair"]], ids["ghxl_chair"])
    [v] = info.value.violations
    assert (v.code, v.field) == ("reviewer_out_of_scope", "user_ids")
    assert v.message.zh.startswith("评审小组成员：静安寺街道自治项目评审组长（演示） 是其他单位的评审人员")
    assert "「共和新路街道」" in v.message.zh
    assert panel_of(platform, pid) == before  # nothing changed
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        candidates = [u.username for u in programmes.panel_candidates(ctx, ctx.session.get(Programme, pid))]
    assert candidates == ["ghxl_chair", "ghxl_expert"]
    # someone who reviews nowhere is still told so, by name
    with pytest.raises(RuleError) as info, acting(platform, "jingan", "ghxl_admin") as ctx:
        programmes.set_panel(ctx, pid, [ids["luochuan"]])
    assert [v.code for v in info.value.violations] == ["not_a_reviewer"]
    assert "洛川居委会（演示）" in info.value.violations[0].message.zh


# -- the web pages ------------------------------------------------------------------------------------

def options(html: str, select_id: str) -> list[str]:
    select = re.search(rf'<select id="{select_id}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", o).strip() for o in re.findall(r"<option[^>]*>.*?</option>", select, re.S)]


def test_the_admin_page_speaks_plainly_and_offers_only_the_streets_own_policy(web):
    web.login("ghxl_admin")
    page = text(web.get("/admin/"))
    assert options(page, "open-plugin") == ["共和新路街道居民区自治项目（一居一品 · 七彩微创投）（2023年版）"]
    assert options(page, "open-unit") == ["共和新路街道"]
    assert "开设本年度项目（开设后本年度的政策设置不再更改）" in page and "本单位采用的政策" in page
    for internal in ("政策插件", "冻结", "gonghexinlu · v", "v2023.1", ">haiyuan<", "晋江"):
        assert internal not in page, internal

    street = unit_id(web.platform, "jingan", "gonghexinlu")
    r = web.post("/admin/programmes", {"unit_id": str(street), "plugin_name": "jinjiang", "year": "2024"})
    assert r.status_code == 422
    field = text(r)[text(r).index('<label for="open-plugin"'):]
    field = field[:field.index("</div>")]
    assert "适用政策：「共和新路街道」没有启用「晋江市" in field
    assert 'value="2024"' in text(r)  # what was typed stays
    with acting(web.platform, "jingan", "ghxl_admin") as ctx:
        assert ctx.session.scalars(select(Programme).where(Programme.year == 2024)).all() == []


def test_the_panel_page_offers_only_the_streets_reviewers_and_refuses_another_streets(web):
    pid = programme_id(web.platform, plugin="gonghexinlu")
    ids = user_ids(web.platform)
    web.login("ghxl_admin")
    page = text(web.get(f"/admin/programmes/{pid}/panel"))
    assert "评审专家（演示）" in page and "静安寺街道自治项目评审组长" not in page
    r = web.post(f"/admin/programmes/{pid}/panel", {"user_ids": str(ids["jas_chair"])})
    assert r.status_code == 422 and "是其他单位的评审人员" in text(r)


def test_the_api_refuses_another_streets_reviewer_with_its_code(client, platform):
    pid = programme_id(platform, plugin="gonghexinlu")
    ids = user_ids(platform)
    admin = login(client, "ghxl_admin")
    body = is_error(client.put(url(f"/programmes/{pid}/panel"), headers=admin,
                               json={"user_ids": [ids["jas_chair"]]}), 422, "reviewer_out_of_scope")
    assert body["errors"][0]["field"] == "user_ids"
    street = unit_id(platform, "jingan", "gonghexinlu")
    body = is_error(client.post(url("/programmes"), headers=admin,
                                json={"org_unit_id": street, "plugin_name": "haiyuan", "year": 2024}), 422, "plugin_not_enabled")
    assert body["errors"][0]["field"] == "plugin_name"
    spec = client.get("/api/openapi.json").get_json()
    put = spec["paths"]["/api/v1/t/{tenant}/programmes/{programme_id}/panel"]["put"]
    assert "reviewer_out_of_scope" in str(put["responses"]["422"])
