"""What the schema-driven fuzzer (tests/test_api_fuzz.py) found, pinned down in both profiles:

- text with control characters (a pasted form may carry them) broke every .xlsx export that
  showed it: a 500 for the final accounts and the residents' congress report;
- an expense or a refund sent again under a key already used answered 201 with the first
  recording, whatever the new body said: an invalid amount was "accepted", and another amount was
  silently ignored instead of being a conflict."""
from __future__ import annotations

import io

from openpyxl import load_workbook

from tests.clients import is_error, login, url
from tests.factories import unit_id
from tests.money_factories import approved_project, build


def test_control_characters_do_not_break_the_exports(client, platform):
    pid = approved_project(platform, title="口袋\x1f花园", budget=[("活动\x0b物料", "3000")])
    luochuan = login(client, "luochuan")
    r = client.get(url(f"/fund-requests/projects/{pid}/final-accounts.xlsx"), headers=luochuan)
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    book = load_workbook(io.BytesIO(r.data))
    cells = [c for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row if c]
    assert "活动物料" in cells and "口袋花园" in cells  # the characters xlsx cannot hold are dropped
    assert book.active.oddHeader.center.text.endswith("：口袋花园")  # the printed title too
    r = client.get(url(f"/disclosure/units/{unit_id(platform, 'jingan', 'ghxl-luochuan')}/report.xlsx?year=2023"))
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    load_workbook(io.BytesIO(r.data))


def test_a_retry_under_the_same_key_must_ask_the_same(client, platform):
    scenario = build(platform)
    luochuan = login(client, "luochuan")
    refunds = url(f"/fund-requests/{scenario.request}/refunds")
    first = client.post(refunds, headers=luochuan, json={"amount": "10", "memo": "结余", "key": "refund-1"})
    assert first.status_code == 201, first.get_json()
    again = client.post(refunds, headers=luochuan, json={"amount": "10", "memo": "结余", "key": "refund-1"})
    assert again.status_code == 201 and again.get_json()["entries"] == first.get_json()["entries"]
    body = is_error(client.post(refunds, headers=luochuan, json={"amount": "20", "key": "refund-1"}), 409,
                    "idempotency_conflict")
    assert body["errors"][0]["field"] == "key" and "refund-1" in body["message"]
    body = is_error(client.post(refunds, headers=luochuan, json={"amount": "-1", "key": "refund-1"}), 422,
                    "invalid_amount")
    assert body["errors"][0]["field"] == "amount"
    request = client.get(url(f"/fund-requests/{scenario.request}"), headers=luochuan).get_json()
    assert request["disbursed"] == "5990.00"  # one refund of 10 recorded, however often it was sent
