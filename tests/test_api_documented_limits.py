"""The OpenAPI document states the limits that are enforced, because it is generated from them: the
input schemas read the services' constants, the money syntax is ``core.money``'s one pattern, and each
operation lists the codes it refuses with."""
from __future__ import annotations

import re

import pytest

from core.money import MAX_FEN, MoneyError, yuan_to_fen
from core.services import fund_requests, ledger, pledges, projects, review
from tests.clients import is_error, login, programme, unit, url


@pytest.fixture
def spec(client) -> dict:
    return client.get("/api/openapi.json").get_json()


def _props(spec, name: str) -> dict:
    return spec["components"]["schemas"][name]["properties"]


def test_text_limits_are_the_services(spec):
    create = _props(spec, "CreateProject")["title"]
    assert (create["minLength"], create["maxLength"]) == (projects.TITLE_MIN, projects.TITLE_MAX) == (2, 60)
    line = _props(spec, "BudgetItemInput")["description"]
    assert line["maxLength"] == projects.BUDGET_DESCRIPTION_MAX
    assert _props(spec, "BudgetInput")["items"]["maxItems"] == projects.MAX_BUDGET_ITEMS
    request = _props(spec, "FundRequestInput")
    assert request["purpose"]["maxLength"] == request["beneficiaries"]["maxLength"] == fund_requests.TEXT_MAX == 500
    assert request["month"]["pattern"] == fund_requests.MONTH_PATTERN
    assert _props(spec, "FundRequestRefusalInput")["reason"]["maxLength"] == fund_requests.TEXT_MAX
    assert _props(spec, "AllocationInput")["key"]["maxLength"] == ledger.KEY_MAX
    assert _props(spec, "AllocationInput")["memo"]["maxLength"] == ledger.MEMO_MAX
    sponsor = _props(spec, "SponsorInput")
    assert (sponsor["name"]["maxLength"], sponsor["contact"]["maxLength"]) == (pledges.NAME_MAX, pledges.CONTACT_MAX)
    pledge = _props(spec, "PledgeInput")
    assert (pledge["in_kind"]["maxLength"], pledge["occasion"]["maxLength"], pledge["key"]["maxLength"]) == \
        (pledges.IN_KIND_MAX, pledges.OCCASION_MAX, pledges.KEY_MAX)
    assert pledge["pledged_on"]["format"] == "date"
    assert _props(spec, "ScoreInput")["comment"]["maxLength"] == review.COMMENT_MAX


def test_the_documented_limits_hold_at_the_api(client):
    applicant = login(client, "luochuan")
    base = {"programme_id": programme(client), "applicant_unit_id": unit(client, "ghxl-luochuan"), "track": "micro_venture"}
    assert client.post(url("/projects"), headers=applicant, json={**base, "title": "长" * 60}).status_code == 201
    body = is_error(client.post(url("/projects"), headers=applicant, json={**base, "title": "长" * 61}), 422)
    assert body["errors"][0]["field"] == "title" and "60" in body["message"]
    body = is_error(client.post(url("/fund-requests"), headers=applicant, json={
        "project_id": 1, "amount": "100", "purpose": "用" * 501, "key": "limits-1"}), 422)
    assert body["errors"][0]["field"] == "purpose" and "500" in body["message"]


AMOUNTS = ["0", "5000", "5000.5", "5000.50", "5,000", "1,000.50", "999,999,999.99", "999999999", "007",
           " 100", "100 ", "100\n", "１００", "５，０００．５", "5000元", "5000 元", "0.5万", "1.2万元", "99999.999999万",
           "1,000,0", "5000.505", "1.2345678万", "5000.", ".5", "-1", "-0", "+5", "1e3", "NaN", "伍仟", "五千", "5000元元",
           "0x10", "1,0000", "1000000000", "1,000,000,000", "100000万", "100000000000000000000", "", " "]


def test_the_documented_money_pattern_is_what_the_reader_accepts(spec):
    amount = _props(spec, "BudgetItemInput")["amount"]
    [text, whole] = amount["anyOf"]
    pattern = re.compile(text["pattern"])
    for given in AMOUNTS:
        try:
            yuan_to_fen(given)
            accepted = True
        except MoneyError:
            accepted = False
        assert bool(pattern.fullmatch(given)) == accepted, given
    assert whole == {"type": "integer", "minimum": 0, "maximum": MAX_FEN // 100}
    assert yuan_to_fen(whole["maximum"]) <= MAX_FEN
    with pytest.raises(MoneyError):
        yuan_to_fen(whole["maximum"] + 1)
    with pytest.raises(MoneyError):
        yuan_to_fen(10**20)


def test_every_operation_lists_what_it_refuses_with(spec):
    checked = 0
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method == "parameters":
                continue
            for status, response in op["responses"].items():
                if not status.startswith("4"):
                    continue
                schema = response["content"]["application/json"]["schema"]
                codes = schema["allOf"][1]["properties"]["errors"]["items"]["properties"]["code"]["enum"]
                assert codes and all(f"`{c}`" in response["description"] for c in codes), (method, path, status)
                checked += 1
            if "{tenant}" in path:
                assert "unauthenticated" in _codes(op, "401") and "unknown_tenant" in _codes(op, "404"), (method, path)
            if "requestBody" in op and "application/json" in op["requestBody"]["content"]:
                assert {"malformed_json", "json_too_deep", "json_too_many_values"} <= _codes(op, "400"), (method, path)
    assert checked > 100
    create = spec["paths"]["/api/v1/t/{tenant}/projects"]["post"]
    assert {"invalid_title", "unknown_track", "outside_programme"} <= _codes(create, "422")
    submit = spec["paths"]["/api/v1/t/{tenant}/projects/{project_id}/submit"]["post"]
    # The installed policies' rule codes are listed where their rules apply.
    assert {"window_closed", "micro_over_limit", "signature_one_per_neighbourhood"} <= _codes(submit, "422")
    assert "not_editable" in _codes(submit, "409")


def _codes(op: dict, status: str) -> set[str]:
    response = op["responses"].get(status)
    if response is None:
        return set()
    return set(response["content"]["application/json"]["schema"]["allOf"][1]["properties"]["errors"]["items"]
               ["properties"]["code"]["enum"])
