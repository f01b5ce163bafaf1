"""The co-governance fund in the web UI, without a browser: the staff's fund page (pledges with
their derived status, recording a pledge and claim at the council meeting, money received,
registering a sponsor), each refusal beside its field with nothing written, the sponsor's own
page "我的认捐" with what its pledge paid for, and the project page's list of who claimed it.
(tests/browser/test_pledges_walk.py walks the same in Chromium.) Both profiles."""
from __future__ import annotations

import pytest

import re

from core.services import review
from tests.clients import Web, text
from tests.factories import COUNCIL_DAY, T, acting, approve, haiyuan_project, on_day, unit_id
from tests.money_factories import counts, fund_id, receive, record, sponsor_id, spend


@pytest.fixture(autouse=True)
def at_the_council(app):
    """The seed's year: sponsors pledge and claim projects at the council meeting (海园's phase
    for claims), so these tests act on its day; the factories apply on the application day."""
    with on_day(COUNCIL_DAY):
        yield


def web(app, username: str | None = None) -> Web:
    w = Web(app.test_client(), tenant=T)
    if username:
        w.login(username)
    return w


def error_beside(html: str, html_id: str) -> str:
    match = re.search(rf'id="{html_id}-err1"[^>]*>([^<]+)<', html)
    assert match, f"no error beside {html_id}"
    return match.group(1)


def test_staff_record_a_pledge_and_claim_then_the_money_and_see_the_status(app, platform):
    pid, _ = haiyuan_project(platform, "爱心小水表", amount="50000")
    fid = fund_id(platform)
    staff = web(app, "haiyuan")
    listing = text(staff.get("/co-funds"))
    assert "社区共治金" in listing and "海园居民区" in listing and f"/co-funds/{fid}" in listing

    page = text(staff.get(f"/co-funds/{fid}"))
    assert "登记认捐 / 认领（理事会）" in page and "300,000.00" in page and "30万的社区共治金" in page
    assert "上海宾馆" in page and "平安养老保险" in page and "爱心小水表（已提交）" in page
    assert "登记共建单位" not in page  # only a street administrator registers sponsors
    key = re.search(r'name="key" value="([0-9a-f]+)"', page).group(1)
    r = staff.post(f"/co-funds/{fid}/pledges", {"sponsor_id": str(sponsor_id(platform, "上海宾馆")), "amount": "100000",
                                                 "project_id": str(pid), "occasion": "2023年共建理事会海园分会", "key": key})
    assert r.status_code == 302, text(r)
    page = text(staff.get(f"/co-funds/{fid}"))
    row = page[page.index('id="pledge-'):]
    assert "上海宾馆" in row and "爱心小水表" in row and "已认捐，未到账" in row and "100,000.00" in row

    pledge = re.search(r'id="pledge-(\d+)"', page).group(1)
    r = staff.post(f"/co-funds/{fid}/receipts", {"pledge_id": pledge, "amount": "60000", "memo": "银行转账",
                                                  "key": re.findall(r'name="key" value="([0-9a-f]+)"', page)[1]})
    assert r.status_code == 302, text(r)
    page = text(staff.get(f"/co-funds/{fid}"))
    assert "已到账" in page[page.index('id="pledge-'):] and "60,000.00" in page
    assert "待到账 40,000.00" in page  # what is still outstanding is offered for the next receipt

    english = text(staff.get(f"/co-funds/{fid}?lang=en"))
    assert "Pledges and claims" in english and "Record the pledge" in english


def test_refusals_are_shown_beside_their_fields_and_nothing_is_written(app, platform):
    fid = fund_id(platform)
    staff = web(app, "haiyuan")
    hotel = str(sponsor_id(platform, "上海宾馆"))
    before = counts(platform)

    r = staff.post(f"/co-funds/{fid}/pledges", {"sponsor_id": hotel, "amount": "-5", "in_kind": "", "key": "w1"})
    assert r.status_code == 422
    assert "认捐金额应为以元为单位的金额" in error_beside(text(r), "pledge-amount")
    assert 'value="-5"' in text(r)  # what was typed stays in the form

    r = staff.post(f"/co-funds/{fid}/pledges", {"sponsor_id": hotel, "amount": "300000.01", "key": "w2"})
    assert r.status_code == 422
    assert "超出「社区共治金」（2023年）的认捐上限" in error_beside(text(r), "pledge-amount")

    r = staff.post(f"/co-funds/{fid}/pledges", {"sponsor_id": "", "amount": "100", "key": "w3"})
    assert r.status_code == 422 and "共建单位：必填项" in error_beside(text(r), "pledge-sponsor")
    r = staff.post(f"/co-funds/{fid}/pledges", {"sponsor_id": "99999", "amount": "100", "key": "w4"})
    assert r.status_code == 422 and "不是登记的共建单位" in error_beside(text(r), "pledge-sponsor")

    rejected, _ = haiyuan_project(platform, "被否决的项目")
    with acting(platform, T, "jas_chair") as ctx:
        review.decide(ctx, rejected, "rejected", "与共治金用途不符，请调整")
    before = counts(platform)
    r = staff.post(f"/co-funds/{fid}/pledges", {"sponsor_id": hotel, "amount": "100", "project_id": str(rejected), "key": "w5"})
    assert r.status_code == 422 and "未通过，不能再认领" in error_beside(text(r), "pledge-project")
    assert counts(platform) == before

    pledge = record(platform, "haiyuan", "平安养老保险", "1000")
    before = counts(platform)
    r = staff.post(f"/co-funds/{fid}/receipts", {"pledge_id": str(pledge), "amount": "1000.01", "key": "w6"})
    assert r.status_code == 422 and "最多还可到账 1,000.00元" in error_beside(text(r), "receipt-amount")
    r = staff.post(f"/co-funds/{fid}/receipts", {"pledge_id": "", "amount": "1", "key": "w7"})
    assert r.status_code == 422 and "认捐：必填项" in error_beside(text(r), "receipt-pledge")
    assert counts(platform) == before

    english = web(app, "haiyuan")
    english.get("/?lang=en")
    r = english.post(f"/co-funds/{fid}/pledges", {"sponsor_id": hotel, "amount": "abc", "key": "w8"})
    assert r.status_code == 422
    assert error_beside(text(r), "pledge-amount") == "The amount pledged must be an amount of yuan such as 5000, 5,000.50, 5000元 or 0.5万, with at most two decimals; not negative, a float or capital numerals (伍仟)"


def test_a_street_administrator_registers_sponsors_and_sets_up_funds(app, platform):
    street = web(app, "jas_admin")
    fid = fund_id(platform)
    page = text(street.get(f"/co-funds/{fid}"))
    assert "登记共建单位" in page
    r = street.post(f"/co-funds/{fid}/sponsors", {"name": "静安社区基金会", "kind": "foundation", "contact": "王老师"})
    assert r.status_code == 302, text(r)
    assert "静安社区基金会" in text(street.get(f"/co-funds/{fid}"))
    r = street.post(f"/co-funds/{fid}/sponsors", {"name": "静安社区基金会", "kind": "", "contact": ""})
    assert r.status_code == 422
    assert "单位类型：必填项" in error_beside(text(r), "sponsor-kind")
    r = street.post(f"/co-funds/{fid}/sponsors", {"name": "静安社区基金会", "kind": "shop", "contact": ""})
    assert r.status_code == 422
    assert "单位类型：应为以下之一：企业" in error_beside(text(r), "sponsor-kind")
    r = street.post(f"/co-funds/{fid}/sponsors", {"name": "静安社区基金会", "kind": "foundation"})
    assert r.status_code == 409 and "不能重复登记" in error_beside(text(r), "sponsor-name")

    # 愚园's fund is declared by the programme's policy but not set up: one button does it.
    listing = text(street.get("/co-funds"))
    opening = listing[listing.index('id="openings"'):]
    assert "愚园居民区" in opening and "海园居民区" not in opening
    r = street.post("/co-funds/open", {"programme_id": re.search(r'name="programme_id" value="(\d+)"', opening).group(1),
                                        "org_unit_id": str(unit_id(platform, T, "jas-yuyuan"))})
    assert r.status_code == 302
    page = text(street.get(r.headers["Location"].split(f"/t/{T}")[1]))
    assert "社区共治金（2023）" in page and "愚园居民区" in page
    listing = text(street.get("/co-funds"))
    opening = listing[listing.index('id="openings"'):]
    opening = opening[:opening.index("</section>")]
    # What is left is the district's (静安区's fund stacks on the street's programme): the street's
    # own community foundation, set up when the street is ready.
    assert "愚园居民区" not in opening and "社区基金会" in opening and "静安寺街道" in opening


def test_the_sponsor_sees_what_its_pledge_paid_for_and_nothing_else(app, platform):
    pid, voucher = haiyuan_project(platform, "爱心小水表", amount="50000", voucher=True)
    claim = record(platform, "haiyuan", "上海宾馆", "100000", project=pid)
    receive(platform, claim, "60000", "bank-1")
    approve(platform, pid, "50000")
    spend(platform, pid, 30000, "更换水表40只", "w1", voucher=voucher)

    hotel = web(app, "shbg")
    page = text(hotel.get("/my-pledges"))
    assert "我的认捐" in page and "上海宾馆" in page and "爱心小水表" in page and "已到账" in page
    paid = page[page.index("这笔钱用在了哪里"):]
    assert "更换水表40只" in paid and "30,000.00" in paid and "发票.pdf" in paid
    link = re.search(r'href="(/t/jingan/projects/\d+/attachments/\d+)"', paid).group(1)
    assert hotel.client.get(link).status_code == 200
    assert "What it paid for" in text(hotel.get("/my-pledges?lang=en"))

    fid = fund_id(platform)
    assert hotel.get(f"/co-funds/{fid}").status_code == 404  # the fund's page is the staff's
    assert hotel.get(f"/sponsors/{sponsor_id(platform, '平安养老保险')}").status_code == 403
    assert "没有关联共建单位" in text(web(app, "haiyuan").get("/my-pledges"))
    # staff open the same page per sponsor
    assert "更换水表40只" in text(web(app, "haiyuan_jd").get(f"/sponsors/{sponsor_id(platform, '上海宾馆')}"))

    # The project page lists who claimed it, for whoever may see the project.
    for viewer in (hotel, web(app, "haiyuan"), web(app)):
        project_page = text(viewer.get(f"/projects/{pid}?lang=zh"))
        claims = project_page[project_page.index('id="claims"'):]
        assert "共建单位认领" in claims and "上海宾馆" in claims and "100,000.00" in claims
    unclaimed, _ = haiyuan_project(platform, "无人认领")
    assert 'id="claims"' not in text(web(app, "haiyuan").get(f"/projects/{unclaimed}"))
