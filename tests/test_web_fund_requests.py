"""Monthly fund requests in the web UI, without a browser: the project page's section (the form,
each refusal beside its field, the requests with their states), the street office's page, a
batch's page with the total against the leader's authority, the disbursement and an expense
with its voucher, and the final accounts' .xlsx download. (tests/browser/test_fund_requests_walk.py
walks the same in Chromium.) Both profiles."""
from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from tests.clients import Web, form_key, text
from tests.factories import PNG
from tests.money_factories import approved_project, item_ids, leaders, snapshot


# Fund requests are filed in 共和新路's implementation phase (from April).
pytestmark = pytest.mark.usefixtures("in_implementation")


def web(app, username: str) -> Web:
    w = Web(app.test_client())
    w.login(username)
    return w


def error_beside(html: str, html_id: str) -> str:
    match = re.search(rf'<span class="error-text" id="{html_id}-err1">([^<]+)</span>', html)
    assert match, f"no error beside #{html_id}"
    return match.group(1)


def test_a_request_through_the_pages_from_the_form_to_the_final_accounts(app, platform):
    pid = approved_project(platform)
    materials, posters = item_ids(platform, pid)
    leaders(platform)
    luochuan = web(app, "luochuan")

    page = text(luochuan.get(f"/projects/{pid}"))
    section = page[page.index('id="fund-requests"'):]
    assert "申请本月资金" in section and "尚可申请" in section and "4,000.00" in section
    assert "活动物料（预算 3,000.00元，尚可申请 3,000.00元）" in section
    assert "项目经费决算表" in section and "下载决算表（Excel）" in section
    key = form_key(section)  # the form's idempotency key: kept while the form is refused and sent again

    # Bad input is refused beside its field; nothing is written and what was typed stays. The
    # form is read by the operation's schema first (a missing purpose), then the service's rules.
    before = snapshot(platform)
    r = luochuan.post(f"/projects/{pid}/fund-requests", {"amount": "10.001", "purpose": "", "month": "2023-04",
                                                         "budget_item_id": str(posters), "back": "project", "key": key})
    assert r.status_code == 422
    html = text(r)
    assert "用途：必填项，不能为空" in error_beside(html, "fr-purpose")
    assert 'value="10.001"' in html and form_key(html[html.index('id="fund-requests"'):]) == key
    r = luochuan.post(f"/projects/{pid}/fund-requests", {"amount": "10.001", "purpose": "印制海报", "month": "2023-04",
                                                         "budget_item_id": str(posters), "back": "project", "key": key})
    assert r.status_code == 422
    assert "金额应为以元为单位的金额" in error_beside(text(r), "fr-amount")
    # The page's notice at the top links to the refused form.
    assert "未能保存。" in html and 'href="#form-fund-requests"' in html and 'id="form-fund-requests"' in html
    r = luochuan.post(f"/projects/{pid}/fund-requests", {"amount": "1000.01", "purpose": "印制海报", "month": "2023-04",
                                                         "budget_item_id": str(posters), "back": "project", "key": key})
    assert r.status_code == 422
    assert "超出预算明细「宣传海报」的剩余额度" in error_beside(text(r), "fr-amount")
    r = luochuan.post(f"/projects/{pid}/fund-requests", {"amount": "5000", "purpose": "物料", "month": "2023-04",
                                                         "budget_item_id": "", "back": "project", "key": key})
    assert "尚可申请 4,000.00元" in error_beside(text(r), "fr-amount")
    assert snapshot(platform) == before

    r = luochuan.post(f"/projects/{pid}/fund-requests", {"amount": "1500", "purpose": "购买活动物料", "month": "2023-04",
                                                         "beneficiaries": "楼组居民", "budget_item_id": str(materials),
                                                         "back": "project", "key": key})
    assert r.status_code == 302, text(r)
    rid = int(r.headers["Location"].rsplit("#fr-", 1)[1])
    page = text(luochuan.get(f"/projects/{pid}"))
    card = page[page.index(f'id="fr-{rid}"'):]
    assert "已提交" in card[:600] and "购买活动物料" in card and "撤回申请" in card

    # The street office's page: the request waits for acceptance.
    office = web(app, "ghxl_admin")
    page = text(office.get("/fund-requests?month=2023-04"))
    waiting = page[page.index('id="waiting"'):page.index('id="batches"')]
    assert "购买活动物料" in waiting and "审核通过，编入月度汇总" in waiting and "洛川居民区" in waiting
    r = office.post(f"/fund-requests/{rid}/refuse", {"reason": "不行", "back": "office", "page_month": "2023-04"})
    assert r.status_code == 422
    assert "必须写明理由" in error_beside(text(r), f"fr-{rid}-reason")
    r = office.post(f"/fund-requests/{rid}/accept", {"month": "2023-04", "back": "office", "page_month": "2023-04"})
    assert r.status_code == 302
    page = text(office.get("/fund-requests?month=2023-04"))
    batch_id = int(re.search(r"/fund-requests/batches/(\d+)", page).group(1))
    batches = page[page.index('id="batches"'):page.index('id="to-pay"')]
    assert "共和新路街道" in batches and "1,500.00" in batches and "待领导审批" in batches

    # The leader sees the total against their authority and approves it; the small leader cannot.
    small = web(app, "fr_small_leader")
    page = text(small.get(f"/fund-requests/batches/{batch_id}"))
    assert "1,500.00" in page and "1,000.00" in page and "超出权限" in page
    # The approval is theirs but not now: a disabled button, the reason beside it and announced with it.
    button = re.search(r'<button class="btn btn-success btn-big" type="button" disabled title="([^"]+)" '
                       r'aria-describedby="approve-why">审批通过本月汇总</button>', page)
    assert button and "超出您的审批权限（1,000.00元）" in button.group(1)
    assert re.search(r'id="approve-why">[^<]*超出您的审批权限（1,000.00元）', page)
    # The office, whose step it is not, does not see the leader's button at all.
    assert "审批通过本月汇总" not in text(office.get(f"/fund-requests/batches/{batch_id}"))
    r = small.post(f"/fund-requests/batches/{batch_id}/approve")
    assert r.status_code == 403 and "超出您的审批权限" in text(r)
    leader = web(app, "fr_leader")
    page = text(leader.get(f"/fund-requests/batches/{batch_id}"))
    assert "50,000.00" in page and "在权限内" in page
    r = leader.post(f"/fund-requests/batches/{batch_id}/approve")
    assert r.status_code == 302
    assert "已审批2023年4月资金申请汇总，合计 1,500.00元" in text(leader.get(f"/fund-requests/batches/{batch_id}"))

    # The office records the disbursement of the batch; a second press is refused.
    page = text(office.get(f"/fund-requests/batches/{batch_id}"))
    assert "登记本月全部拨付" in page
    assert office.post(f"/fund-requests/batches/{batch_id}/disburse").status_code == 302
    r = office.post(f"/fund-requests/{rid}/disburse", {"back": "batch", "batch_id": str(batch_id)})
    assert r.status_code == 409 and "不能重复拨付" in text(r)

    # The neighbourhood records spending with the voucher; more than was paid is refused beside the amount.
    page = text(luochuan.get(f"/projects/{pid}"))
    key = form_key(page[page.index(f'id="fr-{rid}"'):])  # the spending form's own
    r = luochuan.post(f"/fund-requests/{rid}/expenses", {"amount": "1500.01", "memo": "绿植", "back": "project", "key": key,
                                                         "voucher": (io.BytesIO(PNG), "发票.png")},
                      content_type="multipart/form-data")
    assert r.status_code == 422 and "尚可支出 1,500.00元" in error_beside(text(r), f"fr-{rid}-spend-amount")
    r = luochuan.post(f"/fund-requests/{rid}/expenses", {"amount": "1200", "memo": "绿植和工具", "back": "project", "key": key},
                      content_type="multipart/form-data")
    assert r.status_code == 422 and "凭证/发票：请上传 PDF、JPG 或 PNG 文件" in error_beside(text(r), f"fr-{rid}-voucher")
    r = luochuan.post(f"/fund-requests/{rid}/expenses", {"amount": "1200", "memo": "绿植和工具", "back": "project",
                                                         "key": key, "voucher": (io.BytesIO(PNG), "发票.png")},
                      content_type="multipart/form-data")
    assert r.status_code == 302, text(r)
    page = text(luochuan.get(f"/projects/{pid}"))
    card = page[page.index(f'id="fr-{rid}"'):]
    assert "已拨付" in card and "凭证：发票.png" in card and "尚余 300.00" in card
    accounts = page[page.index('id="final-accounts"'):]
    assert re.search(r"活动物料</td>\s*<td class=\"num\">3,000.00</td><td class=\"num\">1,500.00</td>"
                     r"<td class=\"num\">1,500.00</td>\s*<td class=\"num\">1,200.00</td><td class=\"num\">1,800.00</td>", accounts)

    r = luochuan.get(f"/projects/{pid}/final-accounts.xlsx")
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    rows = list(load_workbook(io.BytesIO(r.data)).active.iter_rows(values_only=True))
    assert any(row[1] == "活动物料" and row[5] == 1200 for row in rows)


def test_only_those_concerned_see_the_section_and_the_pages(app, platform):
    pid = approved_project(platform)
    # Another neighbourhood sees the public project page, without its money section.
    page = text(web(app, "yanchang").get(f"/projects/{pid}"))
    assert "口袋花园" in page and 'id="fund-requests"' not in page
    assert web(app, "yanchang").get("/fund-requests").status_code == 403
    assert web(app, "yanchang").get(f"/projects/{pid}/final-accounts.xlsx").status_code == 403
    # The street office sees the section, without the applicant's form.
    page = text(web(app, "ghxl_admin").get(f"/projects/{pid}"))
    assert 'id="fund-requests"' in page and "提交资金申请" not in page


def test_the_pages_speak_english_when_asked(app, platform):
    pid = approved_project(platform)
    leaders(platform)
    luochuan = web(app, "luochuan")
    page = text(luochuan.get(f"/projects/{pid}?lang=en"))
    section = page[page.index('id="fund-requests"'):]
    assert "Fund requests" in section and "File the request" in section and "Final accounts" in section
    r = luochuan.post(f"/projects/{pid}/fund-requests", {"amount": "-1", "purpose": "x", "back": "project",
                                                         "key": form_key(section)})
    assert "The amount must be an amount of yuan such as 5000" in error_beside(text(r), "fr-amount")
    office = text(web(app, "ghxl_admin").get("/fund-requests?lang=en"))
    assert "Waiting for acceptance" in office and "Monthly batches" in office
