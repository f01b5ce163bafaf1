"""Pages say the places as the policy in force says them: 晋江's overviews speak of 社区/村 under
镇（街道） (its plugin's ``unit_words``), 共和新路's keep Shanghai's 居民区; and a column for
"已审核盖章" appears only where a policy has that step (晋江's town stamp), not in 共和新路's."""
from __future__ import annotations

from core.services import programmes
from tests.clients import Web, text
from tests.factories import acting, unit_id


def _overview(app, tenant: str, username: str, street: str) -> str:
    w = Web(app.test_client(), tenant=tenant)
    w.login(username)
    return text(w.get(f"/overview/street/{street}"))


def _table(page: str) -> str:
    return page[page.index("申报情况"):]


def test_jinjiang_says_community_or_village_and_shows_the_stamp_column(app, platform):
    page = _overview(app, "jinjiang", "qingyang_admin", unit_id(platform, "jinjiang", "jj-qingyang"))
    assert "各社区/村申报情况" in page
    assert "居民区" not in page
    assert "已审核盖章" in _table(page)
    w = Web(app.test_client(), tenant="jinjiang")
    w.login("jj_admin")
    district = text(w.get("/overview/district"))
    assert "社区/村" in district and "镇（街道）" in district and "居民区" not in district


def test_gonghexinlu_says_neighbourhood_and_has_no_stamp_column(app, platform):
    page = _overview(app, "jingan", "ghxl_admin", unit_id(platform, "jingan", "gonghexinlu"))
    assert "各居民区申报情况" in page and "社区/村" not in page
    assert "已审核盖章" not in _table(page)
    english = Web(app.test_client())
    english.login("ghxl_admin")
    page = text(english.get(f"/overview/street/{unit_id(platform, 'jingan', 'gonghexinlu')}?lang=en"))
    assert "Applications by neighbourhood" in page


# -- the pages a 晋江 user reaches besides the overviews: the tenant's home, its funds, the fund
# requests, the public disclosure; each in the policy's words, 共和新路's in Shanghai's --------------

def _page(app, tenant: str, username: str | None, path: str) -> str:
    w = Web(app.test_client(), tenant=tenant)
    if username:
        w.login(username)
    return text(w.get(path))


def test_jinjiang_pages_say_community_or_village_and_town(app, platform):
    home = _page(app, "jinjiang", None, "/")
    assert "社区/村工作人员、评审小组和镇（街道）工作人员请登录" in home and "居委会" not in home
    funds = _page(app, "jinjiang", "qingyang_admin", "/funds?year=2030")  # a year without funds
    assert "镇（街道）在启用政策并开设年度项目后，于此拨入资金池与各社区/村经费" in funds
    office = _page(app, "jinjiang", "qingyang_admin", "/fund-requests")
    assert "各社区/村每月提交资金申请，镇（街道）对照预算审核" in office and "由镇（街道）领导按权限审批" in office
    assert "社区自治办" not in office
    assert "社区/村在已立项项目页面提交资金申请后" in office  # nothing waits yet
    disclosure = _page(app, "jinjiang", None, "/disclosure")
    assert "选择一个社区/村或镇（街道），查看" in disclosure
    for page in (home, funds, office, disclosure):
        assert "居民区" not in page


def test_gonghexinlu_pages_keep_neighbourhood_and_street(app, platform):
    home = _page(app, "jingan", None, "/")
    assert "居委会工作人员、评审小组和街道工作人员请登录" in home
    funds = _page(app, "jingan", "ghxl_admin", "/funds?year=2030")
    assert "街道在启用政策并开设年度项目后，于此拨入资金池与各居民区经费" in funds
    office = _page(app, "jingan", "ghxl_admin", "/fund-requests")
    assert "各居民区每月提交资金申请，社区自治办对照预算审核" in office and "由街道领导按权限审批" in office
    disclosure = _page(app, "jingan", None, "/disclosure")
    assert "选择一个居民区或街道，查看" in disclosure
    for page in (home, funds, office, disclosure):
        assert "社区/村" not in page


def test_before_any_programme_the_policies_switched_on_give_the_words(app, platform):
    """A tenant with no programme yet: its home's empty state speaks as the policies switched on
    there speak (core's words with none; the policy's once one that names its units is on)."""
    before = _page(app, "putuo", None, "/")
    assert "开设后居民区即可申报" in before
    with acting(platform, "putuo", "pt_admin") as ctx:
        programmes.enable_plugin(ctx, unit_id(platform, "putuo", "putuo"), "jinjiang")
    after = _page(app, "putuo", None, "/")
    assert "开设后社区/村即可申报" in after and "镇（街道）管理员可在「管理」中开设" in after
    with acting(platform, "putuo", "pt_admin") as ctx:
        programmes.enable_plugin(ctx, unit_id(platform, "putuo", "pt-caoyang"), "gonghexinlu")
    mixed = _page(app, "putuo", None, "/")  # two policies wording the units differently: neutral words
    assert "开设后居民区/村即可申报" in mixed and "村（居）委会工作人员" in mixed
