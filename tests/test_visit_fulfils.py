"""共和新路's July mid-term supervision is an obligation of the street office and a visit record:
recording the project's mid-term visit meets the due item (its report is the visit record), a
visit of another kind does not, and the due item's page links to the visit form
(core.services.obligations.fulfilment)."""
from __future__ import annotations

import datetime as dt

import pytest

from core.models import DueItem
from core.services import supervision
from core.services.obligations import reports
from tests.clients import Web, text
from tests.factories import acting, on_day
from tests.obligation_factories import item_id, items, micro, run
from tests.test_supervision import visit

pytestmark = pytest.mark.usefixtures("settings")


def _july(platform, pid: int) -> int:
    return item_id(platform, "jingan", "mid_term_supervision", "2023-07-31", project_id=pid)


def test_the_mid_term_visit_meets_the_july_obligation_and_a_tracking_visit_does_not(platform):
    pid = micro(platform)
    other = micro(platform, title="楼道微更新", unit_code="ghxl-yanchang", username="yanchang")
    run(platform, "jingan", "2023-07-03")
    july, theirs = _july(platform, pid), _july(platform, other)
    with on_day("2023-07-10"), acting(platform, "jingan", "ghxl_admin") as ctx:
        supervision.record_visit(ctx, pid, **visit(visited_on=dt.date(2023, 7, 10), kind="tracking"))
        assert ctx.session.get(DueItem, july).state == "open"     # a tracking visit is not the July supervision
        supervision.record_visit(ctx, pid, **visit(visited_on=dt.date(2023, 7, 10), advice="加强台账"))
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        item = ctx.session.get(DueItem, july)
        assert item.state == "accepted"
        [record] = reports.versions(ctx, july)
        assert record.state == "accepted" and record.body == {
            "visited_on": "2023-07-10", "visitors": "社区自治办 王老师", "findings": "楼组议事会已召开两次，花园已完成一半。",
            "advice": "加强台账"}
        assert record.facts["visit"]["kind"] == "mid_term"
        assert ctx.session.get(DueItem, theirs).state == "open"   # the other project's is still owed
    # Met: the daily task neither reminds nor escalates it any more.
    assert ("mid_term_supervision", "2023-07-31", f"project:{pid}", "accepted") in items(platform, "jingan")


def test_the_due_item_links_to_the_visit_form(platform, app):
    pid = micro(platform)
    run(platform, "jingan", "2023-07-03")
    july = _july(platform, pid)
    web = Web(app.test_client())
    web.login("ghxl_admin")
    with on_day("2023-07-05"):
        page = text(web.get(f"/obligations/{july}"))
    assert 'id="visit-form-link"' in page and f'href="/t/jingan/projects/{pid}/supervision#new-visit"' in page
    assert "记录本项目的中期督导即完成此项" in page
