"""Bad input over the API: each gets a clear Chinese error naming the field and the rule, a 4xx
and never a 5xx, and nothing is half-saved.

First the issue's list (unknown tenant, another tenant's ids, applying for another
neighbourhood, a second signature project, 5,000.01 yuan, a closed window, malformed JSON,
oversized and wrongly typed uploads), then garbage thrown at every write endpoint the
OpenAPI document lists: wrong types for every field, missing fields, malformed bodies,
non-numeric and out-of-range ids, and NUL characters."""
from __future__ import annotations

import io
import json
import re

import pytest
from sqlalchemy import func, select

from core.door.searches import ProjectFilterSchema
from core.forms import field_label
from core.models import AuditEntry, Project
from tests.clients import API, draft, is_error, login, programme, unit, url
from tests.factories import PASSWORD, PDF, PNG, acting, application, on_day


def _state(client, headers, pid) -> dict:
    return client.get(url(f"/projects/{pid}"), headers=headers).get_json()


# -- the list --------------------------------------------------------------------------------

def test_unknown_tenant_is_a_404_naming_the_tenant(client):
    for method, path in (("get", "/projects"), ("post", "/auth/token"), ("get", "/programmes/1"), ("get", "/org-units")):
        r = getattr(client, method)(f"{API}/t/no-such-district{path}", json={})
        body = is_error(r, 404, "unknown_tenant")
        assert "no-such-district" in body["message"] and body["errors"][0]["field"] == "tenant"
    # A slug that could never exist never reaches the database.
    for slug in ("%00", "a%00b", "x" * 65, "%E5%85%B1"):
        is_error(client.get(f"{API}/t/{slug}/projects"), 404)


def test_another_tenants_project_id_is_a_404_without_its_data(client, platform):
    applicant = login(client, "luochuan")
    pid = draft(client, applicant, title="洛川的口袋花园")
    outsider = login(client, "jj_admin", "jinjiang")
    for headers in (outsider, {}):
        r = client.get(url(f"/projects/{pid}", "jinjiang"), headers=headers)
        is_error(r, 404, "not_found")
        assert "口袋花园" not in r.get_data(as_text=True)
    # The jinjiang token presented to jingan is nobody there.
    is_error(client.get(url(f"/projects/{pid}"), headers=outsider), 401)
    is_error(client.post(url(f"/projects/{pid}/submit", "jinjiang"), headers=outsider), 404)
    assert _state(client, applicant, pid)["state"] == "draft"


def test_a_neighbourhood_cannot_apply_for_another(client):
    applicant = login(client, "luochuan")
    r = client.post(url("/projects"), headers=applicant, json={
        "programme_id": programme(client), "applicant_unit_id": unit(client, "ghxl-yanchang"),
        "track": "micro_venture", "title": "别人的项目"})
    body = is_error(r, 403, "forbidden")
    assert body["errors"][0]["field"] == "applicant_unit_id" and "延长居民区" in body["message"]
    # Nor for a unit of another tenant (it does not exist here).
    r = client.post(url("/projects"), headers=applicant, json={
        "programme_id": programme(client), "applicant_unit_id": unit(client, "jj-qingyang-a", "jinjiang"),
        "track": "micro_venture", "title": "别人的项目"})
    assert is_error(r, 404)["errors"][0]["field"] == "applicant_unit_id"
    assert client.get(url("/projects"), headers=applicant).get_json()["total"] == 0


def test_a_second_signature_project_is_refused_when_it_is_started_citing_the_clause(client):
    applicant = login(client, "luochuan")
    draft(client, applicant, track="yiju_yipin", title="楼组议事会")  # a draft counts: refused at once, not at submit
    body = is_error(client.post(url("/projects"), headers=applicant, json={
        "programme_id": programme(client), "applicant_unit_id": unit(client, "ghxl-luochuan"),
        "track": "yiju_yipin", "title": "自治公约"}), 422, "signature_one_per_neighbourhood")
    v = next(e for e in body["errors"] if e["code"] == "signature_one_per_neighbourhood")
    assert v["field"] == "track" and "四（一）" in v["clause"] and "一居一品" in v["message"]
    assert client.get(url("/projects"), headers=applicant).get_json()["total"] == 1  # nothing was written


def test_a_micro_venture_project_of_5000_01_yuan_is_refused(client):
    applicant = login(client, "luochuan")
    pid = draft(client, applicant, amount="5000.01")
    body = is_error(client.post(url(f"/projects/{pid}/submit"), headers=applicant), 422, "micro_over_limit")
    v = next(e for e in body["errors"] if e["code"] == "micro_over_limit")
    assert v["field"] == "budget" and "5,000.00" in v["message"] and "5,000.01" in v["message"] and "七" in v["clause"]
    assert _state(client, applicant, pid)["state"] == "draft"
    # Exactly 5,000 is fine.
    client.put(url(f"/projects/{pid}/budget"), headers=applicant, json={"items": [{"description": "物料", "amount": "5000"}]})
    assert client.post(url(f"/projects/{pid}/submit"), headers=applicant).status_code == 200


def test_money_is_never_a_float(client):
    applicant = login(client, "luochuan")
    pid = draft(client, applicant)
    for amount in (4800.5, "4800.505", "-1", "五千", "NaN", "Infinity", True):
        r = client.put(url(f"/projects/{pid}/budget"), headers=applicant,
                       json={"items": [{"description": "物料", "amount": amount}]})
        body = is_error(r, 422)
        assert body["errors"][0]["field"] in ("budget.0.amount", "items.0.amount"), body
    assert _state(client, applicant, pid)["budget"]["total"] == "3000.00"


def test_a_closed_window_refuses_submission(client):
    applicant = login(client, "luochuan")
    pid = draft(client, applicant)
    with on_day("2023-04-01"):
        body = is_error(client.post(url(f"/projects/{pid}/submit"), headers=applicant), 422, "window_closed")
    v = next(e for e in body["errors"] if e["code"] == "window_closed")
    assert "至3月31日" in v["message"] and "申报" in v["message"] and "第一个季度" in v["clause"]
    assert _state(client, applicant, pid)["state"] == "draft"


def test_malformed_json_is_a_400_naming_the_body(client):
    applicant = login(client, "luochuan")
    pid = draft(client, applicant)
    for method, path in (("post", "/projects"), ("put", f"/projects/{pid}/budget"),
                         ("put", f"/projects/{pid}/forms/application"), ("post", "/auth/token")):
        for raw in ('{"title": ', "{'single': 'quotes'}", "\xff\xfe", "[1, 2,]"):
            r = getattr(client, method)(url(path), headers=applicant, data=raw.encode("latin-1"),
                                        content_type="application/json")
            body = is_error(r, 400, "malformed_json")
            assert body["errors"][0]["field"] == "body" and "JSON" in body["message"]
    # A body that is not JSON at all, sent as something else.
    r = client.put(url(f"/projects/{pid}/budget"), headers=applicant, data="items=1", content_type="text/plain")
    assert is_error(r, 415)["errors"][0]["field"] == "body"
    assert _state(client, applicant, pid)["budget"]["total"] == "3000.00"


@pytest.fixture
def small_uploads(settings):
    """An app whose upload limit is 4 KiB."""
    from core.app import create_app
    settings.max_upload_bytes = 4096
    app = create_app(settings)
    yield app.test_client()
    app.extensions["tongxin"].db.dispose()


def test_oversized_uploads_are_refused(small_uploads):
    client = small_uploads
    applicant = login(client, "luochuan")
    pid = draft(client, applicant, attach=False)
    big = PDF + b"0" * 5000
    r = client.post(url(f"/projects/{pid}/attachments"), headers=applicant,
                    data={"kind": "residents_minutes", "file": (io.BytesIO(big), "会议记录.pdf")})
    body = is_error(r, 413, "file_too_large")
    assert body["errors"][0]["field"] == "file" and "MB" in body["message"]
    # A body beyond the request limit is refused before it is read.
    huge = PDF + b"0" * (2 * 1024 * 1024)
    r = client.post(url(f"/projects/{pid}/attachments"), headers=applicant,
                    data={"kind": "residents_minutes", "file": (io.BytesIO(huge), "会议记录.pdf")})
    is_error(r, 413, "too_large")
    assert _state(client, applicant, pid)["attachments"] == []


def test_wrong_file_types_are_refused_by_content(client):
    applicant = login(client, "luochuan")
    pid = draft(client, applicant, attach=False)
    for data, name in ((b"MZ\x90\x00\x03" + b"\x00" * 60, "setup.exe"), (b"just some text, honestly", "会议记录.pdf"),
                       (b"MZ\x90\x00\x03" + b"\x00" * 60, "会议记录.pdf"), (b"", "empty.pdf")):
        r = client.post(url(f"/projects/{pid}/attachments"), headers=applicant,
                        data={"kind": "residents_minutes", "file": (io.BytesIO(data), name)})
        body = is_error(r)
        assert r.status_code in (415, 422) and body["errors"][0]["field"] == "file", body
    assert "PDF" in is_error(client.post(url(f"/projects/{pid}/attachments"), headers=applicant,
                                         data={"kind": "residents_minutes", "file": (io.BytesIO(b"text"), "x.pdf")}), 415)["message"]
    # A PNG is a real image: accepted under either kind.
    r = client.post(url(f"/projects/{pid}/attachments"), headers=applicant,
                    data={"kind": "supporting", "file": (io.BytesIO(PNG), "photo.png")})
    assert r.status_code == 201 and r.get_json()["content_type"] == "image/png"
    is_error(client.post(url(f"/projects/{pid}/attachments"), headers=applicant,
                         data={"kind": "passport", "file": (io.BytesIO(PDF), "x.pdf")}), 422, "unknown_attachment_kind")
    is_error(client.post(url(f"/projects/{pid}/attachments"), headers=applicant, data={"kind": "supporting", "file": "not a file"}), 422)
    is_error(client.post(url(f"/projects/{pid}/attachments"), headers=applicant, data={"kind": "supporting"}), 422)
    assert [a["kind"] for a in _state(client, applicant, pid)["attachments"]] == ["supporting"]


def test_form_errors_name_every_field_in_chinese(client):
    applicant = login(client, "luochuan")
    pid = draft(client, applicant, form=False)
    bad = {**application("口袋花园"), "directions": ["nowhere"], "start_date": "2023-13-01", "goals": "短", "extra": 1}
    del bad["team"]
    body = is_error(client.put(url(f"/projects/{pid}/forms/application"), headers=applicant, json=bad), 422)
    fields = {e["field"] for e in body["errors"]}
    assert {"application.directions.0", "application.start_date", "application.goals", "application.team",
            "application.extra"} <= fields
    assert any(e["message"].startswith("开始日期") for e in body["errors"])
    assert _state(client, applicant, pid)["forms"] == {}
    is_error(client.put(url(f"/projects/{pid}/forms/nonexistent"), headers=applicant, json={}), 404)
    is_error(client.put(url(f"/projects/{pid}/forms/application"), headers=applicant, json=["a", "list"]), 422)


# -- garbage at every write endpoint ------------------------------------------------------------------

WRONG = {
    "integer": ["abc", 1.5, True, [], {}, "", 10**20, -1, 0],
    "string": [123, 1.5, True, [], {}, "\x00", "a\x00b"],
    "boolean": ["maybe", 3, [], {}],
    "array": ["x", 5, {}, [None], [{}], [[1]]],
    "object": ["x", 5, [], True],
}


def _resolve(spec: dict, schema: dict) -> dict:
    while "$ref" in schema or len(schema.get("allOf", ())) == 1:
        ref = schema["$ref"] if "$ref" in schema else schema["allOf"][0]["$ref"]
        schema = spec["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return schema


def _wrong_values(spec: dict, prop: dict) -> list:
    prop = _resolve(spec, prop)
    kind = prop.get("type")
    if kind == "string" and prop.get("pattern", "").startswith("^\\d"):  # yuan: 123 would be a fine amount
        values = ["abc", 1.5, -1, "1.001", "NaN", True, [], {}, "\x00"]
    else:
        values = list(WRONG.get(kind, ["\x00", [], {}, 1.5, "1.001", "-5", True]))
    if prop.get("nullable"):
        values = [v for v in values if v is not None]
    else:
        values.append(None)
    return values


def _valid_bodies(client, platform) -> dict:
    """A valid body for each write endpoint; the garbage is this with one part spoiled."""
    pid = programme(client)
    ids = {}
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        from core.models import User
        for name in ("ghxl_chair", "ghxl_expert"):
            ids[name] = ctx.session.scalars(select(User.id).where(User.username == name)).one()
    return {
        ("post", "/auth/token"): {"username": "luochuan", "password": PASSWORD, "name": "garbage"},
        ("put", "/org-units/{unit_id}/plugins/{plugin_name}"): {"enabled": True, "config": {"micro_max_yuan": "5000"}},
        ("post", "/programmes"): {"org_unit_id": unit(client, "gonghexinlu"), "plugin_name": "gonghexinlu", "year": 2030},
        ("put", "/programmes/{programme_id}/panel"): {"user_ids": [ids["ghxl_chair"], ids["ghxl_expert"]], "chair_id": ids["ghxl_chair"]},
        ("post", "/projects"): {"programme_id": pid, "applicant_unit_id": unit(client, "ghxl-luochuan"),
                                "track": "micro_venture", "title": "口袋花园"},
        ("put", "/projects/{project_id}/forms/{form_key}"): application("口袋花园"),
        ("put", "/projects/{project_id}/budget"): {"items": [{"description": "物料", "amount": "100"}]},
        ("post", "/projects/{project_id}/attachments"): {"kind": "residents_minutes"},
        ("post", "/projects/{project_id}/scores"): {"points": {"feasibility": 1, "operability": 1, "compliance": 1}, "comment": ""},
        # approved: then a spoilt approved_amount is read, not ignored
        ("post", "/projects/{project_id}/decision"): {"outcome": "approved", "explanation": "同意立项"},
        # 共和新路 has no endorsement step and the draft is not approved: valid bodies are refused
        # by the services (409), spoilt ones by the schemas (422) — either way nothing is saved.
        ("post", "/projects/{project_id}/endorsement"): {"outcome": "returned", "reason": "请补充居民意见"},
        ("post", "/projects/{project_id}/change-requests"): {"reason": "调整项目内容", "proposed_track": "micro_venture",
                                                              "proposed_forms": {}},
        ("post", "/change-requests/{change_id}/decision"): {"outcome": "refused", "reason": "不符合要求"},
        # money: the valid bodies are refused by the services for this caller (or the ids are
        # not there), the spoilt ones by the schemas; either way nothing is written
        ("post", "/funds/policy-funds"): {"programme_id": pid, "org_unit_id": unit(client, "gonghexinlu"), "fund": "pool"},
        ("post", "/funds/{fund_id}/allocations"): {"amount": "100", "key": "garbage-1", "memo": "拨入"},
        ("post", "/funds/transfers"): {"from_fund_id": 1, "to_fund_id": 2, "amount": "100", "key": "garbage-2", "memo": ""},
        ("post", "/funds/entries/{entry_id}/corrections"): {"key": "garbage-3", "memo": "录错了", "amount": "1"},
        ("post", "/fund-requests"): {"project_id": 1, "amount": "100", "purpose": "活动物料", "beneficiaries": "居民",
                                     "month": "2023-04"},
        ("post", "/fund-requests/{request_id}/supervision"): {"outcome": "approved", "note": "同意"},
        ("post", "/fund-requests/{request_id}/acceptance"): {"month": "2023-04"},
        ("post", "/fund-requests/{request_id}/refusal"): {"reason": "与预算不符"},
        ("post", "/fund-requests/{request_id}/refunds"): {"amount": "100", "memo": "结余", "key": "garbage-4"},
        # inbox: the applicant may hand no role over (403); spoilt bodies are refused by the schema
        ("post", "/handovers"): {"membership_id": 1, "successor_id": 2, "reason": "人员调动"},
        ("post", "/sponsors"): {"org_unit_id": unit(client, "gonghexinlu"), "name": "某单位", "kind": "enterprise"},
        ("post", "/sponsors/funds"): {"programme_id": pid, "org_unit_id": unit(client, "ghxl-luochuan")},
        ("post", "/sponsors/pledges"): {"sponsor_id": 1, "fund_id": 1, "amount": "100", "key": "garbage-5"},
        ("post", "/sponsors/pledges/{pledge_id}/receipts"): {"amount": "100", "key": "garbage-6", "memo": ""},
        # delivery: the draft is not approved, so valid bodies are refused by the services (409)
        ("post", "/projects/{project_id}/plan"): {"tasks": [TASK]},
        ("post", "/plan-tasks/{task_id}/status"): {"status": "done"},
        ("post", "/projects/{project_id}/plan/revisions"): {"reason": "调整任务负责人", "tasks": [TASK]},
        ("post", "/plan-revisions/{revision_id}/decision"): {"outcome": "refused", "reason": "请说明调整原因"},
        ("post", "/projects/{project_id}/people"): {"role": "volunteer", "name": "王阿姨", "mobile": "13812345678",
                                                    "consent": True},
        # supervision and the close-out, on the draft: refused by the services (not approved, not
        # the caller's), spoilt bodies by the schemas
        ("post", "/projects/{project_id}/supervision/assignments"): {"user_id": 1},
        ("post", "/projects/{project_id}/supervision/assignments/end"): {"user_id": 1},
        ("post", "/projects/{project_id}/supervision/visits"): {
            "visited_on": "2023-03-15", "kind": "mid_term", "method": "visit", "visitors": "王老师", "observed": "花园施工中",
            "checklist": [{"item": "budget_kept", "answer": "met", "note": ""}],
            "rectifications": [{"description": "补齐签到表", "due_on": "2023-04-15", "item": None}]},
        ("post", "/rectifications/{rectification_id}/report"): {"report": "已补齐签到表"},
        ("post", "/rectifications/{rectification_id}/acceptance"): {"outcome": "accepted", "note": ""},
        ("post", "/projects/{project_id}/closeout"): {"summary": "项目按计划完成"},
        # reporting: no due item is open in this world (the daily task has not run), so valid
        # bodies meet a 404 and spoilt ones the schemas (422); either way nothing is written
        ("put", "/obligations/{item_id}/report"): {"body": {"progress": "本季度进展"}},
        ("post", "/obligations/{item_id}/submission"): {"body": {"progress": "本季度进展"}},
        ("post", "/obligations/{item_id}/return"): {"reason": "请补充统计口径"},
        ("post", "/obligations/{item_id}/acceptance"): {"note": "已阅"},
        ("post", "/obligations/{item_id}/notice"): {"text": "逾期未报，予以通报"},
        # correcting activity records: there is no activity 1 in this world (404)
        ("put", "/activities/{activity_id}"): {"held_on": "2023-03-15", "place": "活动室", "content": "居民议事会",
                                               "participant_count": 10},
        ("post", "/activities/{activity_id}/deletion"): {"reason": "同一活动登记了两次"},
        # accounts: the applicant is no office (403), has no second factor to confirm or remove
        # (409); a spoilt current password is a wrong one
        ("post", "/me/password"): {"current_password": PASSWORD, "new_password": "晴天去公园散步-2023"},
        ("post", "/me/second-factor/confirm"): {"code": "123456"},
        ("post", "/me/second-factor/remove"): {"current_password": PASSWORD},
        ("post", "/users"): {"username": "new_person", "display_name": "新同事", "unit_id": unit(client, "ghxl-luochuan"),
                             "role": "neighbourhood_staff"},
    }


TASK = {"title": "组建志愿者团队", "owner": "居委会主任", "starts_on": "2023-04-01", "ends_on": "2023-04-30"}


def _spoiled(spec, schema: dict, body: dict):
    """(description, body) pairs: each property given each wrong type, each required one left
    out, and the same one level down (list items, nested objects)."""
    schema = _resolve(spec, schema)
    props = schema.get("properties", {})
    for name, prop in props.items():
        for value in _wrong_values(spec, prop):
            yield f"{name}={value!r}", {**body, name: value}
        inner = _resolve(spec, prop)
        if inner.get("type") == "array" and isinstance(body.get(name), list) and body[name]:
            item_schema = _resolve(spec, inner.get("items", {}))
            for label, item in _spoiled(spec, item_schema, body[name][0]) if isinstance(body[name][0], dict) else ():
                yield f"{name}[0].{label}", {**body, name: [item]}
        if isinstance(body.get(name), dict) and body[name]:
            for key in body[name]:
                for value in ("abc", -1, None, [], {"x": 1}, "\x00"):
                    yield f"{name}.{key}={value!r}", {**body, name: {**body[name], key: value}}
    if not props and isinstance(body, dict):  # a plugin's form: its fields are the plugin's schema's
        for key, good in body.items():
            wrong = ["x", 5, {}, [None], [123]] if isinstance(good, list) else [123, None, [], {}, True, "\x00"]
            for value in wrong:
                yield f"{key}={value!r}", {**body, key: value}
    for name in schema.get("required", []):
        yield f"without {name}", {k: v for k, v in body.items() if k != name}


def _user_for(path: str) -> str:
    if path.endswith(("/scores", "/decision")):
        return "ghxl_chair"
    if path.startswith(("/programmes", "/org-units")):
        return "ghxl_admin"
    return "luochuan"


def _fill(template: str, values: dict, **override) -> str:
    """A concrete URL from an OpenAPI path (without its /api/v1/t/{tenant} prefix)."""
    merged = {**values, **override}
    return url(re.sub(r"\{(\w+)\}", lambda m: str(merged[m.group(1)]), template))


def test_garbage_at_every_write_endpoint_is_a_4xx_in_chinese(client, platform):
    spec = client.get("/api/openapi.json").get_json()
    applicant = login(client, "luochuan")
    submitted = draft(client, applicant, title="评审中的项目")
    assert client.post(url(f"/projects/{submitted}/submit"), headers=applicant).status_code == 200
    draft_id = draft(client, applicant, title="草稿项目", attach=False, form=False)
    tokens = {u: login(client, u) for u in ("luochuan", "ghxl_admin", "ghxl_chair")}
    token_id = client.get(url("/auth/tokens"), headers=tokens["luochuan"]).get_json()["items"][0]["id"]
    bodies = _valid_bodies(client, platform)
    values = {"unit_id": unit(client, "gonghexinlu"), "plugin_name": "gonghexinlu", "programme_id": programme(client),
              "form_key": "application", "token_id": token_id, "attachment_id": 1, "change_id": 1,
              "fund_id": 1, "entry_id": 1, "request_id": 1, "batch_id": 1, "pledge_id": 1,
              "notification_id": 1,  # inbox
              "task_id": 1, "revision_id": 1, "person_id": 1, "activity_id": 1,
              "rectification_id": 1, "item_id": 1,
              "file_id": 1, "user_id": 1, "delivery_id": 1}  # activity files, accounts, failed mail
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        audit_before = ctx.session.scalar(select(func.count(AuditEntry.id)))

    checked = 0
    prefix = f"{API}/t/{{tenant}}"
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method not in ("post", "put", "delete", "patch"):
                continue
            short = path.removeprefix(prefix)
            vals = {**values, "project_id": submitted if short.endswith(("/scores", "/decision")) else draft_id}
            target = _fill(short, vals) if path.startswith(prefix) else path
            headers = tokens[_user_for(short)]

            # Ids that are not ids, in every id position of the URL.
            for name in re.findall(r"\{(\w+_id)\}", short):
                for bad in ("abc", "0", "-1", "1.5", "99999999999999999999", "%00", "2147483648"):
                    spoilt = _fill(short, vals, **{name: bad})
                    is_error(getattr(client, method)(spoilt, headers=headers, json={}), 404)
                    checked += 1

            body_schema = (op.get("requestBody") or {}).get("content", {})
            if "application/json" in body_schema:
                schema = body_schema["application/json"]["schema"]
                valid = bodies[(method, short)]
                cases = list(_spoiled(spec, schema, valid))
                cases += [("a list", ["x"]), ("a string", "x"), ("a number", 5), ("null", None),
                          ("unknown field", {**valid, "is_admin": True})]
                resolved = _resolve(spec, schema)
                if resolved.get("required") or not resolved.get("properties"):  # else {} is a fine body
                    cases.append(("empty", {}))
                for label, body in cases:
                    data = json.dumps(body)
                    r = getattr(client, method)(target, headers=headers, data=data, content_type="application/json")
                    assert 400 <= r.status_code < 500, (method, path, label, r.status_code, r.get_data(as_text=True)[:300])
                    is_error(r)
                    checked += 1
                for raw in (b"{", b"{\"a\":", b"\xff", b"[1,]", b"nul"):
                    is_error(getattr(client, method)(target, headers=headers, data=raw, content_type="application/json"), 400)
                    checked += 1
            elif "multipart/form-data" in body_schema:
                for label, data in (("no file", {"kind": "residents_minutes"}), ("no kind", {"file": (io.BytesIO(PDF), "a.pdf")}),
                                    ("file as text", {"kind": "residents_minutes", "file": "PDF"}),
                                    ("NUL kind", {"kind": "a\x00b", "file": (io.BytesIO(PDF), "a.pdf")}),
                                    ("NUL filename", {"kind": "supporting", "file": (io.BytesIO(PDF), "a\x00.pdf")}),
                                    ("long kind", {"kind": "k" * 500, "file": (io.BytesIO(PDF), "a.pdf")})):
                    r = client.post(target, headers=headers, data=data)
                    assert 400 <= r.status_code < 500, (path, label, r.status_code, r.get_data(as_text=True)[:300])
                    is_error(r)
                    checked += 1
                r = client.post(target, headers=headers, data=b'{"kind": "x"}', content_type="application/json")
                is_error(r)
                checked += 1

    assert checked > 400  # the loop really walked the endpoints
    # Nothing was half-saved: no garbage changed a row (every change is audited).
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        assert ctx.session.scalar(select(func.count(AuditEntry.id))) == audit_before
        assert ctx.session.get(Project, draft_id).requested_fen == 300_000


def test_garbage_in_list_queries_is_a_422_naming_the_parameter(client):
    admin = login(client, "ghxl_admin")
    for path, param, value in (("/projects", "page", "abc"), ("/projects", "page", "0"), ("/projects", "page_size", "1000"),
                               ("/projects", "programme_id", "x"), ("/projects", "state", "done"),
                               ("/projects", "applicant_unit_id", "99999999999"), ("/projects", "track", "a\x00"),
                               ("/programmes", "year", "1999"), ("/programmes", "org_unit_id", "-3"),
                               ("/audit", "entity_id", "abc"), ("/audit", "page", "999999999999"),
                               ("/notifications", "page_size", "-1")):
        r = client.get(url(path), headers=admin, query_string={param: value})
        body = is_error(r, 422)
        # named by its key, and in the words by the key or the label the query's schema gives it
        label = field_label(ProjectFilterSchema(), param) if path == "/projects" else None
        names = {param} | ({label.zh} if label is not None else set())
        assert body["errors"][0]["field"] == param and body["message"].split("：", 1)[0] in names, body


def test_errors_are_english_on_request_and_never_a_stack_trace(client):
    applicant = login(client, "luochuan")
    r = client.post(url("/projects"), headers={**applicant, "Accept-Language": "en"}, json={"programme_id": "x"})
    body = r.get_json()
    assert r.status_code == 422 and not re.search(r"[\u4e00-\u9fff]", json.dumps(body, ensure_ascii=False)), body
    assert "programme_id: Not a valid integer." in {e["message"] for e in body["errors"]}
    r = client.post(url("/projects"), headers=applicant, data="{", content_type="application/json")
    assert "Traceback" not in r.get_data(as_text=True)
