"""晋江's city-wide call over HTTP: communities apply to the city's programme, their town endorses
(with a scanned stamp page) or returns them, the city's panel scores and selects pilots with a
subsidy tier, and approved pilots change only through a recorded change request.

Plus the issue's bad-input list, each refused in Chinese naming the field (and, where a rule of
the notice refuses, its clause): a submission after the deadline, one without the residents'
consultation record, one from a village outside 晋江, an unendorsed application reaching
selection, a pilot over the quota, a type change after selection. Both profiles."""
from __future__ import annotations

import io

from tests.clients import is_error, login, unit
from tests.factories import JINJIANG_APPLICATION, JINJIANG_PLAN, JINJIANG_SELECTION_DAY, PDF, PNG, on_day

T = "jinjiang"
API = "/api/v1"

APPLICATION = {**JINJIANG_APPLICATION, "directions": ["neighbour_station", "volunteering"]}
PLAN = JINJIANG_PLAN
SCORES = {"infrastructure": 8, "party_building": 8, "service_capacity": 7, "participation": 9, "feasibility": 8}


def url(path: str) -> str:
    return f"{API}/t/{T}{path}"


def programme_id(client, year: int = 2023) -> int:
    return next(p["id"] for p in client.get(url("/programmes")).get_json()["items"] if p["year"] == year)


def apply(client, headers, unit_code: str, *, track="mutual_aid", title="邻里驿站", consult=True, submit=True,
          year: int = 2023, plan=None) -> int:
    """A complete application of one community through the API; submitted unless told not to."""
    r = client.post(url("/projects"), headers=headers, json={
        "programme_id": programme_id(client, year), "applicant_unit_id": unit(client, unit_code, T),
        "track": track, "title": title})
    assert r.status_code == 201, r.get_json()
    pid = r.get_json()["id"]
    directions = {"mutual_aid": ["neighbour_station"], "service": ["needs_assessment"]}[track]
    r = client.put(url(f"/projects/{pid}/forms/application"), headers=headers,
                   json={**APPLICATION, "title": title, "directions": directions})
    assert r.status_code == 200, r.get_json()
    r = client.put(url(f"/projects/{pid}/forms/plan"), headers=headers, json=plan or PLAN)
    assert r.status_code == 200, r.get_json()
    r = client.put(url(f"/projects/{pid}/budget"), headers=headers,
                   json={"items": [{"description": "驿站场地改造", "amount": "80000"}]})
    assert r.status_code == 200, r.get_json()
    if consult:
        r = client.post(url(f"/projects/{pid}/attachments"), headers=headers,
                        data={"kind": "residents_consultation", "file": (io.BytesIO(PDF), "居民意见征集会议记录.pdf")})
        assert r.status_code == 201, r.get_json()
    if submit:
        r = client.post(url(f"/projects/{pid}/submit"), headers=headers)
        assert r.status_code == 200, r.get_json()
        assert r.get_json()["state"] == "submitted"
    return pid


def endorse(client, headers, pid: int) -> dict:
    r = client.post(url(f"/projects/{pid}/endorsement"), headers=headers, json={"outcome": "endorsed"})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def decide(client, chair, pid: int, body: dict, year: int = 2023):
    """The chair's decision, on a day of the selection phase: the city selects pilots once the
    call has closed (17 March)."""
    with on_day(f"{year}-{JINJIANG_SELECTION_DAY[5:]}"):
        return client.post(url(f"/projects/{pid}/decision"), headers=chair, json=body)


def select(client, chair, pid: int, tier: str = "city", year: int = 2023):
    return decide(client, chair, pid, {"outcome": "approved", "details": {"selection": {"tier": tier}}}, year)


def project(client, headers, pid: int) -> dict:
    r = client.get(url(f"/projects/{pid}"), headers=headers)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


# -- the call, over HTTP ----------------------------------------------------------------------------

def test_the_programme_describes_the_endorsement_step_and_the_selection_form(client):
    prog = client.get(url(f"/programmes/{programme_id(client)}")).get_json()
    assert prog["org_unit"]["kind"] == "district"  # the city owns the call, not a town
    assert [t["label"] for t in prog["tracks"]] == ["党建引领型", "邻里互助型", "协商自治型", "服务促进型", "社会参与型"]
    assert all(t["directions"] for t in prog["tracks"])  # each type offers the notice's content items
    assert {f["key"] for f in prog["forms"]} == {"application", "plan"}
    assert prog["endorsement"] == {"level": "street", "label": "镇（街道）审核盖章", "stamp_attachment_kind": "stamp_page",
                                   "stamp_required": False, "clause": prog["endorsement"]["clause"]}
    assert "加盖公章" in prog["endorsement"]["clause"]
    [selection] = prog["decision_forms"]
    [tier] = selection["fields"]
    assert selection["key"] == "selection" and tier["name"] == "tier" and tier["widget"] == "select" and tier["required"]
    assert [c["label"] for c in tier["choices"]] == ["晋江市级试点", "推荐为泉州市级项目"]
    english = client.get(url(f"/programmes/{programme_id(client)}?lang=en")).get_json()
    assert english["decision_forms"][0]["fields"][0]["choices"][1]["label"] == "Recommended to Quanzhou's programme"
    assert [c["key"] for c in prog["rubric"]] == ["infrastructure", "party_building", "service_capacity",
                                                 "participation", "feasibility"]


def test_two_towns_endorse_or_return_and_the_city_selects_a_quanzhou_pilot(client):
    qinghua, andong = login(client, "qinghua", T), login(client, "andong", T)
    qingyang, anhai = login(client, "qingyang_admin", T), login(client, "anhai_admin", T)
    chair, expert = login(client, "jj_chair", T), login(client, "jj_expert", T)
    a = apply(client, qinghua, "jj-qingyang-a", title="青华邻里驿站")
    b = apply(client, andong, "jj-anhai-a", title="安东邻里互助")

    # Submitted is not yet at the city: the panel may neither score nor decide, and is told why.
    body = is_error(client.post(url(f"/projects/{a}/scores"), headers=expert, json={"points": SCORES}), 409, "not_reviewable")
    assert "审核盖章" in body["errors"][0]["message"] and "加盖公章" in body["errors"][0]["clause"]
    before = project(client, qinghua, a)
    assert before["endorsement_step"]["label"] == "镇（街道）审核盖章" and before["endorsements"] == []

    # Each town sees its own communities' applications, not the other town's.
    seen = {p["id"] for p in client.get(url("/projects"), headers=qingyang).get_json()["items"]}
    assert a in seen and b not in seen
    is_error(client.post(url(f"/projects/{a}/endorsement"), headers=anhai, json={"outcome": "endorsed"}), 404, "not_found")

    # 青阳 stamps 青华's application and uploads the scanned stamp page (multipart); a file that
    # is not a PDF or an image, whatever its name, is refused and nothing is recorded.
    body = is_error(client.post(url(f"/projects/{a}/endorsement"), headers=qingyang,
                                data={"outcome": "endorsed", "stamp": (io.BytesIO(b"MZ\x90\x00 not a scan"), "盖章页.pdf")}), 415, "file_type")
    assert body["errors"][0]["field"] == "stamp"
    assert project(client, qinghua, a)["state"] == "submitted"
    r = client.post(url(f"/projects/{a}/endorsement"), headers=qingyang,
                    data={"outcome": "endorsed", "stamp": (io.BytesIO(PNG), "盖章页.png")})
    assert r.status_code == 201, r.get_json()
    stamped = r.get_json()
    assert stamped["outcome"] == "endorsed" and stamped["outcome_label"] == "审核通过并盖章"
    assert stamped["unit"]["name"] == "青阳街道" and stamped["endorsed_by"]["display_name"].startswith("青阳")
    assert stamped["stamp"]["filename"] == "盖章页.png"
    download = client.get(stamped["stamp"]["url"], headers=qinghua)
    assert download.status_code == 200 and download.data == PNG
    is_error(client.post(url(f"/projects/{a}/endorsement"), headers=qingyang, json={"outcome": "endorsed"}),
             409, "not_awaiting_endorsement")

    # 安海 returns 安东's: a reason is required, and 安东 reads it.
    body = is_error(client.post(url(f"/projects/{b}/endorsement"), headers=anhai, json={"outcome": "returned"}),
                    422, "reason_required")
    assert body["errors"][0]["field"] == "reason" and "理由" in body["errors"][0]["message"]
    body = is_error(client.post(url(f"/projects/{b}/endorsement"), headers=anhai, json={"outcome": "stamped"}), 422)
    assert body["errors"][0]["field"] == "outcome"
    r = client.post(url(f"/projects/{b}/endorsement"), headers=anhai,
                    json={"outcome": "returned", "reason": "目标不够具体，请补充志愿服务次数"})
    assert r.status_code == 201 and r.get_json()["stamp"] is None
    returned = project(client, andong, b)
    assert returned["state"] == "returned" and returned["endorsements"][-1]["reason"] == "目标不够具体，请补充志愿服务次数"
    assert client.get(url(f"/projects/{b}/endorsements"), headers=andong).get_json()["items"][0]["outcome"] == "returned"

    # The city's panel scores the endorsed one; the chair must choose a tier to select it.
    for headers in (expert, chair):
        r = client.post(url(f"/projects/{a}/scores"), headers=headers, json={"points": SCORES, "comment": "基础扎实"})
        assert r.status_code == 201, r.get_json()
    body = is_error(decide(client, chair, a, {"outcome": "approved"}), 422)
    tier_error = next(e for e in body["errors"] if e["field"] == "selection.tier")
    assert tier_error["message"].startswith("试点层级")
    body = is_error(select(client, chair, a, tier="provincial"), 422)
    assert body["errors"][0]["field"] == "selection.tier"
    is_error(decide(client, chair, a, {"outcome": "approved", "details": {"selection": "quanzhou"}}), 422)
    r = select(client, chair, a, tier="quanzhou")
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["details"] == {"selection": {"tier": "quanzhou"}}

    # 青华 sees its project selected and recommended to 泉州.
    mine = project(client, qinghua, a)
    assert mine["state"] == "approved"
    [line] = mine["decisions"][-1]["details_shown"]
    assert line == {"key": "selection.tier", "form": "试点确定", "label": "试点层级", "value": "quanzhou",
                    "text": "推荐为泉州市级项目"}
    english = client.get(url(f"/projects/{a}?lang=en"), headers=qinghua).get_json()
    assert english["decisions"][-1]["details_shown"][0]["text"] == "Recommended to Quanzhou's programme"

    # The audit log has the town's stamp, by whom.
    admin = login(client, "jj_admin", T)
    log = client.get(url(f"/audit?entity=projects&entity_id={a}&page_size=50"), headers=admin).get_json()
    assert {"project.submit", "project.endorsed", "review.score", "review.decide"} <= {e["action"] for e in log["items"]}


# -- bad input --------------------------------------------------------------------------------------

def test_a_submission_after_the_deadline_is_refused_citing_the_notice(client):
    qinghua = login(client, "qinghua", T)
    pid = apply(client, qinghua, "jj-qingyang-a", submit=False)
    with on_day("2023-03-18"):
        body = is_error(client.post(url(f"/projects/{pid}/submit"), headers=qinghua), 422, "window_closed")
    v = next(e for e in body["errors"] if e["code"] == "window_closed")
    assert "至3月17日" in v["message"] and "3月17日前" in v["clause"]  # the notice's own words (§4.1)
    assert project(client, qinghua, pid)["state"] == "draft"


def test_a_submission_without_the_consultation_record_is_refused(client):
    qinghua = login(client, "qinghua", T)
    pid = apply(client, qinghua, "jj-qingyang-a", consult=False, submit=False)
    missing = next(p for p in project(client, qinghua, pid)["problems"] if p["code"] == "attachment_missing")
    assert missing["field"] == "attachments.residents_consultation"
    body = is_error(client.post(url(f"/projects/{pid}/submit"), headers=qinghua), 422, "attachment_missing")
    v = next(e for e in body["errors"] if e["code"] == "attachment_missing")
    assert "征求村（居）民意见" in v["message"] and "征求村（居）民意见建议" in v["clause"]
    assert project(client, qinghua, pid)["state"] == "draft"


def test_a_village_outside_the_city_cannot_apply(client):
    qinghua = login(client, "qinghua", T)
    outsider = unit(client, "ghxl-luochuan", "jingan")  # a neighbourhood of another tenant
    assert outsider
    r = client.post(url("/projects"), headers=qinghua, json={
        "programme_id": programme_id(client), "applicant_unit_id": outsider, "track": "service", "title": "外地项目"})
    body = is_error(r, 404, "not_found")
    assert body["errors"][0]["field"] == "applicant_unit_id"
    # Nor may a community apply for a village of the city that is not its own.
    r = client.post(url("/projects"), headers=qinghua, json={
        "programme_id": programme_id(client), "applicant_unit_id": unit(client, "jj-anhai-b", T), "track": "service",
        "title": "代别村申报"})
    assert is_error(r, 403)["errors"][0]["field"] == "applicant_unit_id"
    assert client.get(url("/projects"), headers=qinghua).get_json()["total"] == 0


def test_an_unendorsed_application_cannot_be_selected(client):
    qinghua, chair = login(client, "qinghua", T), login(client, "jj_chair", T)
    pid = apply(client, qinghua, "jj-qingyang-a")
    body = is_error(select(client, chair, pid, "quanzhou"), 409, "not_reviewable")
    v = body["errors"][0]
    assert v["field"] == "state" and "尚未经镇（街道）审核盖章" in v["message"] and "加盖公章" in v["clause"]
    # Nor after the town returned it.
    anhai_free = login(client, "qingyang_admin", T)
    client.post(url(f"/projects/{pid}/endorsement"), headers=anhai_free, json={"outcome": "returned", "reason": "请补充目标数量"})
    is_error(select(client, chair, pid, "quanzhou"), 409, "not_reviewable")
    assert project(client, qinghua, pid)["decisions"] == []


def test_a_pilot_over_the_quota_is_refused(client):
    """The city lowers the quota to two, opens 2024's call, and the third selection is refused."""
    admin = login(client, "jj_admin", T)
    city = client.get(url("/programmes")).get_json()["items"][0]["org_unit"]["id"]
    r = client.put(url(f"/org-units/{city}/plugins/jinjiang"), headers=admin, json={"config": {"pilot_quota": 2}})
    assert r.status_code == 200 and r.get_json()["config"]["pilot_quota"] == 2, r.get_json()
    r = client.post(url("/programmes"), headers=admin, json={"org_unit_id": city, "plugin_name": "jinjiang", "year": 2024})
    assert r.status_code == 201, r.get_json()
    new = r.get_json()
    assert new["config"]["pilot_quota"] == 2
    chair_id = next(m["user"]["id"] for m in client.get(url(f"/programmes/{programme_id(client)}")).get_json()["panel"] if m["chair"])
    r = client.put(url(f"/programmes/{new['id']}/panel"), headers=admin, json={"user_ids": [chair_id], "chair_id": chair_id})
    assert r.status_code == 200, r.get_json()
    # 2024 has no money until the city allocates its subsidy.
    r = client.post(url("/funds/policy-funds"), headers=admin, json={"programme_id": new["id"], "org_unit_id": city, "fund": "subsidy_city"})
    assert r.status_code == 200, r.get_json()
    r = client.post(url(f"/funds/{r.get_json()['id']}/allocations"), headers=admin,
                    json={"amount": "300000", "key": "2024-city-subsidy", "memo": "2024年度市级补助"})
    assert r.status_code == 201 and r.get_json()["amount"] == "300000.00", r.get_json()
    with on_day("2024-03-15"):
        plan = {**PLAN, "schedule": ["2024-04-30 完成场地改造", "2024-09-30 运行"]}
        towns = {"qinghua": "qingyang_admin", "andong": "anhai_admin", "xingta": "anhai_admin"}
        units = {"qinghua": "jj-qingyang-a", "andong": "jj-anhai-a", "xingta": "jj-anhai-b"}
        ids = []
        for community, town in towns.items():
            pid = apply(client, login(client, community, T), units[community], track="service", year=2024, plan=plan,
                        title=f"{community}便民服务")
            endorse(client, login(client, town, T), pid)
            ids.append(pid)
        chair = login(client, "jj_chair", T)
        for pid in ids[:2]:
            assert select(client, chair, pid, year=2024).status_code == 201
        body = is_error(select(client, chair, ids[2], year=2024), 422, "pilot_quota_full")
        v = body["errors"][0]
        assert v["field"] == "outcome" and "上限2个" in v["message"] and "12个" in v["clause"]
        assert project(client, chair, ids[2])["state"] == "endorsed"
        # The 2023 programme kept the quota it froze.
        assert client.get(url(f"/programmes/{programme_id(client)}")).get_json()["config"]["pilot_quota"] == 12


def test_a_type_change_after_selection_needs_an_approved_change_request(client):
    qinghua, chair = login(client, "qinghua", T), login(client, "jj_chair", T)
    qingyang, admin = login(client, "qingyang_admin", T), login(client, "jj_admin", T)
    pid = apply(client, qinghua, "jj-qingyang-a")
    endorse(client, qingyang, pid)
    assert select(client, chair, pid).status_code == 201

    # The selected project's forms are frozen.
    body = is_error(client.put(url(f"/projects/{pid}/forms/plan"), headers=qinghua, json=PLAN), 409, "not_editable")
    assert body["errors"][0]["field"] == "state" and "变更申请" in body["errors"][0]["message"]

    # Swapping it for another project (new name and new type) is refused outright, citing the notice.
    swap = {"reason": "换一个项目做", "proposed_track": "service",
            "proposed_forms": {"application": {**APPLICATION, "title": "智慧社区", "directions": ["smart_services"]}}}
    body = is_error(client.post(url(f"/projects/{pid}/change-requests"), headers=qinghua, json=swap), 422, "project_swap")
    assert body["errors"][0]["field"] == "proposed_forms" and "中途更换项目" in body["errors"][0]["clause"]
    # A request must say why, and change something valid.
    body = is_error(client.post(url(f"/projects/{pid}/change-requests"), headers=qinghua,
                                json={"reason": "", "proposed_track": "nonsense"}), 422)
    assert {"reason", "proposed_track"} <= {e["field"] for e in body["errors"]}
    body = is_error(client.post(url(f"/projects/{pid}/change-requests"), headers=qinghua,
                                json={"reason": "调整方向", "proposed_forms": {"plan": {**PLAN, "schedule": ["尽快"]}}}), 422)
    assert any(e["field"].startswith("plan.schedule") for e in body["errors"])

    # A recorded type change: nothing changes until the city approves it.
    r = client.post(url(f"/projects/{pid}/change-requests"), headers=qinghua, json={
        "reason": "居民议事后调整为协商自治方向", "proposed_track": "consultation",
        "proposed_forms": {"application": {**APPLICATION, "directions": ["four_levels"]}}})
    assert r.status_code == 201, r.get_json()
    cr = r.get_json()
    assert cr["status"] == "pending" and cr["status_label"] == "待审批" and cr["proposed_track_label"] == "协商自治型"
    assert project(client, qinghua, pid)["track"] == "mutual_aid"
    is_error(client.post(url(f"/projects/{pid}/change-requests"), headers=qinghua, json={
        "reason": "再申请一次", "proposed_track": "service"}), 409, "change_pending")
    is_error(client.post(url(f"/change-requests/{cr['id']}/decision"), headers=qingyang, json={"outcome": "approved"}), 403)
    body = is_error(client.post(url(f"/change-requests/{cr['id']}/decision"), headers=admin, json={"outcome": "refused"}),
                    422, "reason_required")
    assert body["errors"][0]["field"] == "reason"
    r = client.post(url(f"/change-requests/{cr['id']}/decision"), headers=admin, json={"outcome": "approved"})
    assert r.status_code == 201 and r.get_json()["status"] == "approved" and r.get_json()["decided_by"]["id"]
    after = project(client, qinghua, pid)
    assert after["track"] == "consultation" and after["track_label"] == "协商自治型"
    assert after["forms"]["application"]["directions"] == ["four_levels"]
    assert [c["status"] for c in after["change_requests"]] == ["approved"]
    is_error(client.post(url(f"/change-requests/{cr['id']}/decision"), headers=admin, json={"outcome": "approved"}),
             409, "change_decided")
    is_error(client.post(url("/change-requests/999999/decision"), headers=admin, json={"outcome": "approved"}), 404)


def test_english_refusals_when_asked(client):
    qinghua = login(client, "qinghua", T)
    pid = apply(client, qinghua, "jj-qingyang-a", consult=False, submit=False)
    r = client.post(url(f"/projects/{pid}/submit?lang=en"), headers=qinghua)
    assert r.status_code == 422
    v = next(e for e in r.get_json()["errors"] if e["code"] == "attachment_missing")
    assert v["message"].startswith("Upload the") and "consult residents" in v["clause"]
