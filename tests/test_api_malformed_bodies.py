"""A malformed body of any shape is a 4xx naming the rule it breaks, in Chinese (English on request),
and never a 500: deep nesting, huge arrays, invalid UTF-8, constants JSON does not have, bodies over
the limit, and bodies that are not JSON at all. Nothing is saved."""
from __future__ import annotations

import json

import pytest

from core.api import json_body
from tests.clients import draft, is_error, login, programme, unit, url

NESTED_DEEP = b"[" * 100_000 + b"]" * 100_000  # Python's own reader gives up (RecursionError) on this


def _targets(client, headers) -> list[tuple[str, str]]:
    pid = draft(client, headers, attach=False)
    return [("post", url("/projects")), ("put", url(f"/projects/{pid}/budget")),
            ("put", url(f"/projects/{pid}/forms/application")), ("post", url("/auth/token"))]


CASES = [
    # (label, raw body, status, code, a word the Chinese message must hold)
    ("nested 100,000 deep", NESTED_DEEP, 400, "json_too_deep", "嵌套"),
    ("nested one level too deep", b'{"items": ' + b"[" * json_body.MAX_DEPTH + b"]" * json_body.MAX_DEPTH + b"}",
     400, "json_too_deep", f"{json_body.MAX_DEPTH}层"),
    ("a huge array", json.dumps({"items": [0] * (json_body.MAX_VALUES + 1)}).encode(), 400, "json_too_many_values", "过多"),
    ("invalid UTF-8", b'{"title": "\xff\xfe"}', 400, "malformed_json", "UTF-8"),
    ("a lone continuation byte", b'{"title": "\x80"}', 400, "malformed_json", "UTF-8"),
    ("NaN", b'{"amount": NaN}', 400, "malformed_json", "NaN"),
    ("Infinity", b'{"amount": -Infinity}', 400, "malformed_json", "NaN"),
    ("an integer of 5,000 digits", b'{"programme_id": ' + b"9" * 5000 + b"}", 400, "malformed_json", "数字"),
    ("truncated", b'{"title": ', 400, "malformed_json", "JSON"),
    ("over the size limit", b'{"title": "' + b"x" * (json_body.MAX_BYTES + 1) + b'"}', 413, "body_too_large", "KB"),
]


@pytest.mark.parametrize("label, raw, status, code, word", CASES, ids=[c[0] for c in CASES])
def test_a_malformed_json_body_is_refused_naming_the_rule(client, label, raw, status, code, word):
    applicant = login(client, "luochuan")
    for method, target in _targets(client, applicant):
        r = getattr(client, method)(target, headers=applicant, data=raw, content_type="application/json")
        body = is_error(r, status, code)
        assert body["errors"][0]["field"] == "body" and word in body["message"], (method, target, body)
        en = getattr(client, method)(target, headers={**applicant, "Accept-Language": "en"}, data=raw,
                                     content_type="application/json")
        assert en.status_code == status and en.get_json()["message"].isascii(), en.get_json()


def test_a_body_that_is_not_json_is_refused(client):
    applicant = login(client, "luochuan")
    for content_type, data in (("text/plain", b"title=x"), ("application/xml", b"<title/>"),
                               ("application/x-www-form-urlencoded", b"title=x")):
        r = client.post(url("/projects"), headers=applicant, data=data, content_type=content_type)
        body = is_error(r, 415, "unsupported_media_type")
        assert "JSON" in body["message"] and body["errors"][0]["field"] == "body"


def test_nothing_malformed_was_saved_and_good_bodies_still_pass(client):
    applicant = login(client, "luochuan")
    for _, raw, *_ in CASES:
        client.post(url("/projects"), headers=applicant, data=raw, content_type="application/json")
    assert client.get(url("/projects"), headers=applicant).get_json()["total"] == 0
    # Just inside every limit is fine.
    fine = {"programme_id": programme(client), "applicant_unit_id": unit(client, "ghxl-luochuan"),
            "track": "micro_venture", "title": "口袋花园"}
    r = client.post(url("/projects"), headers=applicant, data=json.dumps(fine).encode(), content_type="application/json")
    assert r.status_code == 201, r.get_json()
    pid = r.get_json()["id"]
    lines = {"items": [{"description": "物料", "amount": "1"}] * 50}
    assert client.put(url(f"/projects/{pid}/budget"), headers=applicant, json=lines).status_code == 200
    deep_enough = [[[[["x"]]]]]
    assert json_body.read_json(json.dumps({"a": deep_enough}).encode()) == {"a": deep_enough}
