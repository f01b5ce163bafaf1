"""晋江's call in the web UI, without a browser: the town's endorsement panel and the history,
the decision form's tier (rendered from the plugin's selection schema), the tier shown to the
applicant, change requests filed and decided, and the city-wide programme in the street and
district overviews. (tests/browser/test_jinjiang.py walks the same call in Chromium.)"""
from __future__ import annotations

import io
import re

from core.services import endorsement, review
from tests.clients import Web, text
from tests.factories import (JINJIANG_APPLICATION, JINJIANG_PLAN, JINJIANG_SELECTION_DAY, PDF, acting, jinjiang_project,
                             on_day)


def web(app, username: str | None = None) -> Web:
    w = Web(app.test_client(), tenant="jinjiang")
    if username:
        w.login(username)
    return w


def _selected(platform, tier: str = "quanzhou") -> int:
    pid = jinjiang_project(platform, "qinghua", "jj-qingyang-a")
    with acting(platform, "jinjiang", "qingyang_admin") as ctx:
        endorsement.endorse(ctx, pid, "endorsed")
    with on_day(JINJIANG_SELECTION_DAY), acting(platform, "jinjiang", "jj_chair") as ctx:
        review.decide(ctx, pid, "approved", details={"selection": {"tier": tier}})
    return pid


def test_the_town_endorses_with_a_stamp_page_and_returns_with_a_reason(app, platform):
    a = jinjiang_project(platform, "qinghua", "jj-qingyang-a")
    b = jinjiang_project(platform, "andong", "jj-anhai-a")
    town = web(app, "qingyang_admin")

    # The street overview lists what waits for the town; the other town's application is not there.
    overview = text(town.get(f"/overview/street/{_unit(platform, 'jj-qingyang')}"))
    waiting = overview[overview.index('id="awaiting-endorsement"'):]
    assert "青华社区" in waiting and "2023年晋江市“共建共享”社区治理项目" in overview
    assert f"/projects/{b}" not in overview

    page = text(town.get(f"/projects/{a}"))
    assert 'id="endorsement"' in page and "审核通过，加盖公章" in page and "加盖公章" in page
    # A return without a reason is refused beside the field, and nothing is recorded.
    r = town.post(f"/projects/{a}/endorse", {"outcome": "returned", "reason": ""})
    assert r.status_code == 422
    assert re.search(r'id="endorse-reason-err1"[^>]*>退回时必须写明理由', text(r))
    r = town.post(f"/projects/{a}/endorse", {"outcome": "endorsed", "stamp": (io.BytesIO(PDF), "盖章页.pdf")},
                  content_type="multipart/form-data")
    assert r.status_code == 302, text(r)
    page = text(town.get(f"/projects/{a}"))
    assert "审核通过，加盖公章" not in page  # the form is gone once endorsed
    assert "青阳街道 · 审核通过并盖章" in page and "盖章页.pdf" in page

    other = web(app, "anhai_admin")
    assert other.post(f"/projects/{a}/endorse", {"outcome": "endorsed"}).status_code == 404
    assert other.post(f"/projects/{b}/endorse", {"outcome": "returned", "reason": "目标请写明次数"}).status_code == 302
    applicant = text(web(app, "andong").get(f"/projects/{b}"))
    notice = applicant[applicant.index('id="town-return"'):]
    assert "安海镇退回修改" in notice and "目标请写明次数" in notice
    assert "保存申报表" in applicant  # returned: the applicant may edit again


def test_the_decision_form_asks_for_the_tier_and_the_applicant_sees_it(app, platform):
    pid = jinjiang_project(platform, "qinghua", "jj-qingyang-a")
    chair = web(app, "jj_chair")
    # Before the town's stamp, the panel's queue does not list it.
    assert f"/projects/{pid}/review" not in text(chair.get("/review"))
    with acting(platform, "jinjiang", "qingyang_admin") as ctx:
        endorsement.endorse(ctx, pid, "endorsed")
    assert f"/projects/{pid}/review" in text(chair.get("/review"))
    # While the call is open the decision is the chair's but not yet: shown disabled, saying when.
    page = text(chair.get(f"/projects/{pid}/review"))
    why = page[page.index('id="decide-why"'):][:400]
    assert "项目确定" in why and 'name="selection--tier"' not in page
    r = chair.post(f"/projects/{pid}/decide", {"outcome": "approved", "approved_amount": "80000",
                                               "selection--tier": "quanzhou"})
    assert r.status_code == 422 and "项目确定" in text(r) and "四.2" in text(r)  # the service refuses it too
    with on_day(JINJIANG_SELECTION_DAY):  # it closed on 17 March: now the city selects
        page = text(chair.get(f"/projects/{pid}/review"))
        assert 'name="selection--tier"' in page and "推荐为泉州市级项目" in page and "试点层级" in page
        r = chair.post(f"/projects/{pid}/decide", {"outcome": "approved", "approved_amount": "80000"})
        assert r.status_code == 422
        assert re.search(r'id="decide-selection-tier-err1"[^>]*>试点层级', text(r))
        r = chair.post(f"/projects/{pid}/decide", {"outcome": "approved", "approved_amount": "80000",
                                                   "selection--tier": "quanzhou"})
        assert r.status_code == 302, text(r)
    mine = text(web(app, "qinghua").get(f"/projects/{pid}"))
    notice = mine[mine.index('id="approved-notice"'):]
    assert "试点层级：<strong>推荐为泉州市级项目</strong>" in notice[:600]
    english = text(web(app, "qinghua").get(f"/projects/{pid}?lang=en"))
    assert "Recommended to Quanzhou&#39;s programme" in english or "Recommended to Quanzhou's programme" in english


def test_a_change_request_is_filed_and_approved_by_the_city(app, platform):
    pid = _selected(platform)
    applicant = web(app, "qinghua")
    page = text(applicant.get(f"/projects/{pid}"))
    assert "申请变更" in page and "保存申报表" not in page
    form = text(applicant.get(f"/projects/{pid}/changes/new?proposed_track=consultation"))
    assert 'name="application--directions"' in form and "四级议事协商体系" in form  # the new type's items
    # A swap (new name, new type) is refused with the notice's clause; nothing is recorded.
    data = {"reason": "换一个项目", "proposed_track": "service", "application--title": "智慧社区",
            "application--directions": "smart_services",
            **_posted("application", JINJIANG_APPLICATION, skip=("title", "directions")), **_posted("plan", JINJIANG_PLAN)}
    r = applicant.post(f"/projects/{pid}/changes/new", data)
    assert r.status_code == 422 and "中途更换项目" in text(r)
    data = {"reason": "居民议事后调整为协商自治方向", "proposed_track": "consultation",
            "application--directions": "four_levels",
            **_posted("application", JINJIANG_APPLICATION, skip=("directions",)), **_posted("plan", JINJIANG_PLAN)}
    r = applicant.post(f"/projects/{pid}/changes/new", data)
    assert r.status_code == 302, text(r)
    page = text(applicant.get(f"/projects/{pid}"))
    changes = page[page.index('id="changes"'):]
    assert "待审批" in changes and "协商自治型" in changes and "同意变更" not in changes

    town = web(app, "qingyang_admin")
    assert "同意变更" not in text(town.get(f"/projects/{pid}"))  # only the city decides
    city = web(app, "jj_admin")
    cr = int(re.search(r'id="change-(\d+)"', page).group(1))
    r = city.post(f"/change-requests/{cr}/decide", {"outcome": "refused", "reason": "", "project_id": str(pid)})
    assert r.status_code == 422 and "必须写明理由" in text(r)
    assert city.post(f"/change-requests/{cr}/decide", {"outcome": "approved", "project_id": str(pid)}).status_code == 302
    page = text(applicant.get(f"/projects/{pid}"))
    assert "协商自治型" in page[:page.index('id="changes"')] and "已同意" in page


def test_the_district_overview_counts_the_city_programme_under_each_town(app, platform):
    jinjiang_project(platform, "qinghua", "jj-qingyang-a")
    jinjiang_project(platform, "andong", "jj-anhai-a")
    page = text(web(app, "jj_admin").get("/overview/district"))
    assert "2023年晋江市“共建共享”社区治理项目" in page
    table = page[page.index("各街道/镇"):]
    for town in ("青阳街道", "安海镇"):
        row = table[table.index(town):]
        row = row[:row.index("</tr>")]
        assert re.search(r"<strong>1</strong>", row), row


def _unit(platform, code: str) -> int:
    from tests.factories import unit_id
    return unit_id(platform, "jinjiang", code)


def _posted(key: str, data: dict, skip=()) -> dict:
    """A form's data as the browser posts it for an embedded (prefixed) form."""
    out = {}
    for name, value in data.items():
        if name in skip:
            continue
        out[f"{key}--{name}"] = "\n".join(value) if isinstance(value, list) and key == "plan" else value
    return out
