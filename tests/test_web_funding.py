"""The money a decider and a street office see: the decision form shows where an approval's
money would come from (the line first, the excess from the pool), the needs-approval box for
a 一居一品 over its line, and the funds page shows balances and takes allocations once."""
from __future__ import annotations

import re

from tests.clients import Web, text
from tests.factories import submitted_project


def signed_in(app, username: str) -> Web:
    w = Web(app.test_client())
    w.login(username)
    return w


def test_the_decision_form_shows_the_funding_plan_and_asks_for_the_panels_approval_of_the_excess(app, platform):
    pid = submitted_project(platform, "luochuan", "ghxl-luochuan", "yiju_yipin", "楼组议事会", amount="45000")
    chair = signed_in(app, "ghxl_chair")
    html = text(chair.get(f"/projects/{pid}/review"))
    plan = html[html.index('id="funding-plan"'):html.index("</table>", html.index('id="funding-plan"'))]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", plan, re.S)[1:]
    assert "居民自治经费" in rows[0] and "30,000.00" in rows[0]
    assert "自治项目资金池" in rows[1] and "15,000.00" in rows[1] and "200,000.00" in rows[1]

    r = chair.post(f"/projects/{pid}/decide", {"outcome": "approved", "approved_amount": "45000", "explanation": ""})
    assert r.status_code == 422
    page = text(r)
    assert 'name="approvals" value="signature_over_line"' in page and "15,000.00元将从资金池补充" in page

    r = chair.post(f"/projects/{pid}/decide", {"outcome": "approved", "approved_amount": "45000", "explanation": "",
                                                 "approvals": "signature_over_line"})
    assert r.status_code == 302, text(r)
    html = text(chair.get("/funds?year=2023"))
    luochuan = next(row for row in re.findall(r"<tr>(.*?)</tr>", html, re.S) if "洛川居民区" in row)
    assert "30,000.00" in luochuan and re.search(r">0\.00<", luochuan)  # the line fully committed, nothing left


def test_a_street_office_allocates_once_even_when_the_form_is_sent_twice(app, platform):
    admin = signed_in(app, "ghxl_admin")
    html = text(admin.get("/funds?year=2023"))
    fund_path = re.search(r'href="/t/jingan(/funds/\d+)">居民自治经费', html).group(1)
    page = text(admin.get(fund_path))
    key = re.search(r'name="key" value="([^"]+)"', page).group(1)
    for _ in range(2):
        r = admin.post(f"{fund_path}/allocations", {"amount": "1200.50", "memo": "追加", "key": key})
        assert r.status_code == 302, text(r)
    page = text(admin.get(fund_path))
    entries = page[page.index('id="entries"'):]
    assert [a for a in re.findall(r'<td class="num">([\d,.]+)</td>', entries)] == ["30,000.00", "1,200.50"]
    assert "31,200.50" in page[page.index('id="balance"'):page.index('id="entries"')]

    r = admin.post(f"{fund_path}/allocations", {"amount": "-5", "memo": "", "key": "another"})
    assert r.status_code == 422 and "不能为负数" in text(r)
    r = admin.post(f"{fund_path}/allocations", {"amount": "0.001", "memo": "", "key": "another"})
    assert r.status_code == 422 and 'aria-invalid="true"' in text(r)

    staff = signed_in(app, "luochuan")
    assert 'id="allocate"' not in text(staff.get(fund_path))
    assert staff.post(f"{fund_path}/allocations", {"amount": "100", "memo": "", "key": "k3"}).status_code == 403
