"""Pages say the places as the policy in force says them: 晋江's overviews speak of 社区/村 under
镇（街道） (its plugin's ``unit_words``), 共和新路's keep Shanghai's 居民区; and a column for
"已审核盖章" appears only where a policy has that step (晋江's town stamp), not in 共和新路's."""
from __future__ import annotations

from tests.clients import Web, text
from tests.factories import unit_id


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
