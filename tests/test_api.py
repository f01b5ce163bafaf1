"""The REST API over HTTP with bearer tokens: 共和新路's first quarter from application to
decision, tokens and the current user, cookies, languages, tenant isolation, contained plugin
failures. Bad input is in test_api_bad_input.py, OpenAPI in test_api_openapi.py, SQL
statement counts in test_api_queries.py. Every test runs on SQLite and on PostgreSQL (RLS on)."""
from __future__ import annotations

import io
import types

from sqlalchemy import select

from core.models import Project
from tests.clients import API, draft, is_error, login, programme, unit, url
from tests.factories import PDF, acting, application, tenant_id, unit_id


# -- the first quarter, over HTTP ------------------------------------------------------------------

def test_one_signature_and_two_micro_venture_projects_from_creation_to_decision(client):
    applicant = login(client, "luochuan")
    me = client.get(url("/me"), headers=applicant).get_json()
    assert me["username"] == "luochuan" and me["authenticated_by"] == "token"
    assert [r["role"] for r in me["roles"]] == ["neighbourhood_staff"]

    # The programme tells the client what to fill in: forms with their fields, files, rubric.
    pid = programme(client)
    prog = client.get(url(f"/programmes/{pid}")).get_json()
    assert {t["key"] for t in prog["tracks"]} == {"yiju_yipin", "micro_venture"}
    app_form = next(f for f in prog["forms"] if f["key"] == "application" and f["tracks"] == ["micro_venture"])
    assert {"title", "directions", "start_date"} <= {f["name"] for f in app_form["fields"]}
    assert next(k for k in prog["attachment_kinds"] if k["key"] == "residents_minutes")["required_for_submit"]
    assert [c["key"] for c in prog["rubric"]] == ["feasibility", "operability", "compliance"]
    assert next(p for p in prog["phases"] if "project.apply" in p["allows"])["is_open"]  # typed actions

    # A draft lists what still blocks submission.
    r = client.post(url("/projects"), headers=applicant, json={
        "programme_id": pid, "applicant_unit_id": unit(client, "ghxl-luochuan"), "track": "yiju_yipin", "title": "楼组议事会"})
    assert r.status_code == 201 and r.get_json()["state"] == "draft"
    sig = r.get_json()["id"]
    assert {"form_missing", "attachment_missing", "budget_missing"} <= {p["code"] for p in r.get_json()["problems"]}
    client.put(url(f"/projects/{sig}/forms/application"), headers=applicant, json=application("楼组议事会"))
    r = client.put(url(f"/projects/{sig}/budget"), headers=applicant,
                   json={"items": [{"description": "议事会场地布置", "amount": "7000"},
                                   {"description": "公约印制", "amount": 5000}]})
    budget = r.get_json()["budget"]
    ids = [line.pop("id") for line in budget["items"]]  # what a fund request names as budget_item_id
    assert all(isinstance(i, int) for i in ids) and len(set(ids)) == 2
    assert budget == {"items": [{"position": 0, "description": "议事会场地布置", "amount": "7000.00", "category": None},
                                {"position": 1, "description": "公约印制", "amount": "5000.00", "category": None}],
                      "total": "12000.00", "warnings": []}  # nothing submission would refuse
    r = client.post(url(f"/projects/{sig}/attachments"), headers=applicant,
                    data={"kind": "residents_minutes", "file": (io.BytesIO(PDF), "会议记录.pdf")})
    assert r.status_code == 201
    att = r.get_json()
    assert att["content_type"] == "application/pdf" and att["size"] == len(PDF) and att["kind_label"] == "居民代表大会会议记录"
    assert client.get(url(f"/projects/{sig}"), headers=applicant).get_json()["problems"] == []

    micro1 = draft(client, applicant, title="口袋花园", amount="4800.50")
    micro2 = draft(client, applicant, title="青年议事角", amount="5000")
    for p in (sig, micro1, micro2):
        r = client.post(url(f"/projects/{p}/submit"), headers=applicant)
        assert r.status_code == 200, r.get_json()
        assert r.get_json()["state"] == "submitted" and r.get_json()["problems"] is None

    # The panel was told (the in-process task), once per submission.
    chair, expert = login(client, "ghxl_chair"), login(client, "ghxl_expert")
    notes = client.get(url("/notifications"), headers=chair)
    assert notes.status_code == 200 and notes.get_json()["total"] == 3 and notes.headers["X-Total-Count"] == "3"
    assert {n["kind"] for n in notes.get_json()["items"]} == {"project_submitted"}

    # Review: scores by the rubric, then decisions.
    r = client.post(url(f"/projects/{sig}/scores"), headers=expert,
                    json={"points": {"feasibility": 8, "operability": 7, "compliance": 9}, "comment": "目标清楚"})
    assert r.status_code == 201 and r.get_json()["total"] == 24
    r = client.post(url(f"/projects/{sig}/scores"), headers=chair,
                    json={"points": {"feasibility": 9, "operability": 8, "compliance": 9}})
    assert r.status_code == 201
    scores = client.get(url(f"/projects/{sig}/scores"), headers=chair).get_json()["items"]
    assert sorted(s["total"] for s in scores) == [24, 26]
    assert client.get(url(f"/projects/{sig}"), headers=applicant).get_json()["state"] == "under_review"

    r = client.post(url(f"/projects/{sig}/decision"), headers=chair, json={"outcome": "approved", "approved_amount": "10000"})
    assert r.status_code == 201 and r.get_json()["approved_amount"] == "10000.00"
    r = client.post(url(f"/projects/{micro1}/decision"), headers=chair, json={"outcome": "approved"})
    assert r.status_code == 201 and r.get_json()["approved_amount"] == "4800.50"
    r = client.post(url(f"/projects/{micro2}/decision"), headers=chair,
                    json={"outcome": "rejected", "explanation": "与既有项目重复，建议合并申报"})
    assert r.status_code == 201 and r.get_json()["outcome_label"] == "未通过"

    # The applicant sees the outcomes and the reasons.
    mine = client.get(url("/projects"), headers=applicant).get_json()
    assert {p["id"]: p["state"] for p in mine["items"]} == {sig: "approved", micro1: "approved", micro2: "rejected"}
    rejected = client.get(url(f"/projects/{micro2}"), headers=applicant).get_json()
    assert rejected["decisions"][-1]["explanation"].startswith("与既有项目") and rejected["decisions"][-1]["decided_by"]["id"]
    approved = client.get(url(f"/projects/{sig}"), headers=applicant).get_json()
    assert approved["decisions"][-1]["approved_amount"] == "10000.00" and approved["requested_amount"] == "12000.00"

    # The stored file comes back as it was uploaded.
    download = client.get(approved["attachments"][0]["url"], headers=applicant)
    assert download.status_code == 200 and download.data == PDF and download.mimetype == "application/pdf"

    # The public sees the approved projects only; the admin sees every step in the audit log.
    public = client.get(url("/projects")).get_json()
    assert {p["id"] for p in public["items"]} == {sig, micro1}
    admin = login(client, "ghxl_admin")
    log = client.get(url(f"/audit?entity=projects&entity_id={sig}&page_size=50"), headers=admin).get_json()
    actions = {e["action"] for e in log["items"]}
    assert {"project.create", "project.form.application", "project.budget", "project.submit", "review.score",
            "review.decide"} <= actions
    assert all(e["entity_id"] == sig for e in log["items"])
    submitted = next(e for e in log["items"] if e["action"] == "project.submit")
    assert submitted["actor"]["display_name"].startswith("洛川") and submitted["after"]["state"] == "submitted"


def test_a_returned_project_is_edited_and_submitted_again(client):
    applicant, chair = login(client, "luochuan"), login(client, "ghxl_chair")
    pid = draft(client, applicant)
    client.post(url(f"/projects/{pid}/submit"), headers=applicant)
    r = client.post(url(f"/projects/{pid}/decision"), headers=chair, json={"outcome": "returned", "explanation": "预算明细请细化到单项"})
    assert r.status_code == 201
    r = client.put(url(f"/projects/{pid}/budget"), headers=applicant,
                   json={"items": [{"description": "桌椅", "amount": "2000"}, {"description": "海报", "amount": "500"}]})
    assert r.status_code == 200 and r.get_json()["state"] == "returned"
    r = client.post(url(f"/projects/{pid}/submit"), headers=applicant)
    assert r.status_code == 200 and r.get_json()["state"] == "submitted"
    r = client.post(url(f"/projects/{pid}/withdraw"), headers=applicant)
    assert r.status_code == 200 and r.get_json()["state"] == "withdrawn"
    is_error(client.post(url(f"/projects/{pid}/withdraw"), headers=applicant), 409, "not_withdrawable")


# -- tokens, the current user, cookies ---------------------------------------------------------------

def test_wrong_password_and_unknown_user_get_the_same_answer(client):
    wrong = client.post(url("/auth/token"), json={"username": "luochuan", "password": "not-the-password"})
    unknown = client.post(url("/auth/token"), json={"username": "nobody-here", "password": "not-the-password"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json() == unknown.get_json()
    assert is_error(wrong, 401, "invalid_credentials")["message"] == "用户名或密码不正确"


def test_tokens_are_listed_and_revoked(client):
    headers = login(client, "luochuan")
    other = login(client, "luochuan")
    tokens = client.get(url("/auth/tokens"), headers=headers).get_json()["items"]
    assert len(tokens) == 2 and all(t["revoked_at"] is None for t in tokens) and "token" not in tokens[0]
    r = client.delete(url(f"/auth/tokens/{tokens[0]['id']}"), headers=headers)
    assert r.status_code == 204
    # One of the two no longer works; the other still does.
    answers = sorted(client.get(url("/me"), headers=h).status_code for h in (headers, other))
    assert answers == [200, 401]
    # Someone else's token id is not found.
    yanchang = login(client, "yanchang")
    is_error(client.delete(url(f"/auth/tokens/{tokens[1]['id']}"), headers=yanchang), 404)


def test_unauthenticated_writes_are_401_and_forbidden_ones_403(client):
    pid = programme(client)
    r = client.post(url("/projects"), json={"programme_id": pid, "applicant_unit_id": 1, "track": "micro_venture", "title": "口袋花园"})
    body = is_error(r, 401, "unauthenticated")
    assert "登录" in body["message"] and r.headers["WWW-Authenticate"].startswith("Bearer")
    is_error(client.get(url("/me")), 401)
    is_error(client.get(url("/me"), headers={"Authorization": "Bearer txn_not-a-token"}), 401)
    applicant = login(client, "luochuan")
    is_error(client.get(url("/audit"), headers=applicant), 403, "forbidden")
    is_error(client.put(url(f"/programmes/{pid}/panel"), headers=applicant, json={"user_ids": [1]}), 403)
    is_error(client.put(url(f"/org-units/{unit(client, 'gonghexinlu')}/plugins/gonghexinlu"), headers=applicant,
                        json={"enabled": False}), 403)
    # Only the panel (and those who decide) see the scores.
    pid = draft(client, applicant)
    client.post(url(f"/projects/{pid}/submit"), headers=applicant)
    is_error(client.get(url(f"/projects/{pid}/scores"), headers=applicant), 403)
    is_error(client.post(url(f"/projects/{pid}/decision"), headers=login(client, "ghxl_expert"),
                         json={"outcome": "approved"}), 403)


def test_the_web_session_cookie_works_through_the_same_resolver(client, platform):
    from core.services import login_sessions
    with acting(platform, "jingan", "luochuan") as ctx:
        key = login_sessions.start(ctx.session, ctx.actor.user, "127.0.0.1")
    with client.session_transaction() as s:
        s["sid"], s["tenant_id"] = key, tenant_id(platform, "jingan")
    r = client.get(url("/me"))
    assert r.status_code == 200 and r.get_json()["authenticated_by"] == "cookie"
    # The cookie is bound to its tenant: elsewhere it is nobody.
    is_error(client.get(url("/me", "jinjiang")), 401)


def test_english_when_the_client_asks(client):
    r = client.post(url("/auth/token"), json={"username": "x", "password": "y"}, headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert r.status_code == 401 and r.get_json()["message"] == "Wrong username or password"
    r = client.post(url("/projects?lang=en"), json={"title": 5})
    assert r.status_code == 401 and r.get_json()["message"].startswith("Log in")
    r = client.get(url(f"/programmes/{programme(client)}?lang=en"))
    assert r.get_json()["tracks"][0]["label"] == "One neighbourhood, one brand"
    r = client.get(f"{API}/t/nowhere/projects?lang=en")
    assert r.status_code == 404 and r.get_json()["message"] == "There is no tenant 'nowhere'"


def test_org_tree_unit_and_plugin_settings(client):
    tree = client.get(url("/org-units")).get_json()
    assert [n["code"] for n in tree["items"]] == ["jingan"] and tree["total"] == 9
    street = unit(client, "gonghexinlu")
    detail = client.get(url(f"/org-units/{street}")).get_json()
    assert [a["code"] for a in detail["ancestors"]] == ["jingan"]
    assert len(detail["children"]) == 4 and detail["plugins"] == [{"plugin_name": "gonghexinlu", "enabled": True}]

    settings = client.get(url(f"/org-units/{street}/plugins/gonghexinlu")).get_json()
    assert settings["enabled"] and settings["config"]["micro_max_yuan"] == "5000.00"
    assert "micro_max_yuan" in {f["name"] for f in settings["config_fields"]}
    admin = login(client, "ghxl_admin")
    r = client.put(url(f"/org-units/{street}/plugins/gonghexinlu"), headers=admin,
                   json={"config": {"micro_max_yuan": "6000", "application_closes": "04-15"}})
    assert r.status_code == 200 and r.get_json()["config"]["micro_max_yuan"] == "6000.00"
    # The plugin's own schema validates the settings, naming the field.
    bad = is_error(client.put(url(f"/org-units/{street}/plugins/gonghexinlu"), headers=admin,
                              json={"config": {"micro_max_yuan": "lots", "application_closes": "13-45"}}), 422)
    assert {e["field"] for e in bad["errors"]} == {"config.micro_max_yuan", "config.application_closes"}
    # The open programme keeps the config it froze; a new one takes the new settings.
    assert client.get(url(f"/programmes/{programme(client)}")).get_json()["config"]["micro_max_yuan"] == "5000.00"
    r = client.post(url("/programmes"), headers=admin, json={"org_unit_id": street, "plugin_name": "gonghexinlu", "year": 2024})
    assert r.status_code == 201 and r.get_json()["config"]["micro_max_yuan"] == "6000.00"
    is_error(client.post(url("/programmes"), headers=admin,
                         json={"org_unit_id": street, "plugin_name": "gonghexinlu", "year": 2024}), 409, "programme_exists")
    is_error(client.get(url(f"/org-units/{street}/plugins/not-installed")), 404)
    # The panel is named by an administrator; members need the reviewer role.
    members = {u: _user_id(client, u) for u in ("ghxl_chair", "ghxl_expert", "luochuan")}
    new = r.get_json()["id"]
    r = client.put(url(f"/programmes/{new}/panel"), headers=admin,
                   json={"user_ids": [members["ghxl_chair"], members["ghxl_expert"]], "chair_id": members["ghxl_expert"]})
    assert r.status_code == 200 and {m["user"]["id"]: m["chair"] for m in r.get_json()["members"]} == {
        members["ghxl_chair"]: False, members["ghxl_expert"]: True}
    is_error(client.put(url(f"/programmes/{new}/panel"), headers=admin, json={"user_ids": [members["luochuan"]]}),
             422, "not_a_reviewer")


def _user_id(client, username: str) -> int:
    return client.get(url("/me"), headers=login(client, username)).get_json()["id"]


def test_directory_and_installed_plugins_are_public(client):
    tenants = client.get(f"{API}/tenants").get_json()["items"]
    assert {"jingan", "jinjiang", "putuo"} <= {t["slug"] for t in tenants}
    plugins = client.get(f"{API}/-/plugins.json").get_json()
    assert plugins["load_errors"] == []
    described = next(p for p in plugins["plugins"] if p["name"] == "gonghexinlu")
    assert "tongxin_project_rules" in described["hooks"] and described["config_defaults"]["micro_max_yuan"] == "5000.00"


# -- tenants are apart ---------------------------------------------------------------------------

def test_another_tenants_ids_and_tokens_find_nothing(client, platform):
    applicant = login(client, "luochuan")
    pid = draft(client, applicant, title="静安的秘密项目")
    att = client.get(url(f"/projects/{pid}"), headers=applicant).get_json()["attachments"][0]["id"]
    outsider = login(client, "jj_admin", "jinjiang")
    for path in (f"/projects/{pid}", f"/projects/{pid}/attachments/{att}", f"/programmes/{programme(client)}",
                 f"/org-units/{unit(client, 'gonghexinlu')}"):
        for headers in (outsider, {}):
            r = client.get(url(path, "jinjiang"), headers=headers)
            is_error(r, 404)
            assert "秘密" not in r.get_data(as_text=True) and "%PDF" not in r.get_data(as_text=True)
    assert client.get(url("/projects", "jinjiang"), headers=outsider).get_json()["total"] == 0
    # Writing to it through the other tenant is a 404 too, and changes nothing.
    is_error(client.put(url(f"/projects/{pid}/budget", "jinjiang"), headers=outsider,
                        json={"items": [{"description": "x", "amount": "1"}]}), 404)
    # A token is only good in its own tenant.
    is_error(client.get(url(f"/projects/{pid}"), headers=outsider), 401)
    with acting(platform, "jingan", "luochuan") as ctx:
        assert ctx.session.get(Project, pid).requested_fen == 300_000


# -- contained plugin failures ----------------------------------------------------------------------

def test_a_failing_plugin_is_a_503_recorded_for_administrators(settings, platform):
    from core.app import create_app
    from core.plugin_host.hookspecs import hookimpl
    from core.plugin_host.manager import PluginHost
    from core.services.faults import recent_faults
    from plugins.gonghexinlu import plugin as real

    broken = types.ModuleType("broken_policy")
    for name in dir(real):
        if name.startswith("tongxin_"):
            setattr(broken, name, getattr(real, name))

    @hookimpl
    def tongxin_review_rubric(config):
        raise ZeroDivisionError("the rubric divided by zero")

    broken.tongxin_review_rubric = tongxin_review_rubric
    # The test world's district policy applies to the street's programme too (policies stack).
    import plugins.jingan_fund.plugin as district
    app = create_app(settings, host=PluginHost(entry_points=False, plugins=[("gonghexinlu", broken), ("jingan_fund", district)]))
    client = app.test_client()
    r = client.get(url(f"/programmes/{programme(client)}"))
    body = is_error(r, 503, "plugin_failure")
    assert "ZeroDivisionError" not in r.get_data(as_text=True)
    # Other endpoints of the same tenant keep working.
    assert client.get(url("/programmes")).status_code == 200
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        faults = recent_faults(ctx)
    assert faults and faults[0].hook == "tongxin_review_rubric" and "divided by zero" in faults[0].error
    assert body["errors"][0]["message"].startswith("这一步用到的政策规则")
    app.extensions["tongxin"].db.dispose()


def test_projects_list_filters_and_paginates(client):
    applicant = login(client, "luochuan")
    ids = [draft(client, applicant, title=f"项目{i:02d}", attach=False, form=False) for i in range(3)]
    sig = draft(client, applicant, track="yiju_yipin", title="楼组议事会", attach=False, form=False)
    page = client.get(url("/projects?page=1&page_size=2"), headers=applicant)
    assert page.headers["X-Total-Count"] == "4"
    assert page.get_json()["pages"] == 2 and [p["id"] for p in page.get_json()["items"]] == [sig, ids[2]]
    second = client.get(url("/projects?page=2&page_size=2"), headers=applicant).get_json()
    assert [p["id"] for p in second["items"]] == [ids[1], ids[0]]
    only = client.get(url(f"/projects?track=yiju_yipin&state=draft&programme_id={programme(client)}"
                          f"&applicant_unit_id={unit(client, 'ghxl-luochuan')}"), headers=applicant).get_json()
    assert [p["id"] for p in only["items"]] == [sig]
    assert client.get(url("/projects?state=approved"), headers=applicant).get_json()["total"] == 0


def test_nothing_is_stored_for_another_units_project(client, platform):
    yanchang = login(client, "yanchang")
    theirs = draft(client, yanchang, unit_code="ghxl-yanchang", title="延长的项目")
    luochuan = login(client, "luochuan")
    for method, path, kwargs in (
            ("get", f"/projects/{theirs}", {}),
            ("put", f"/projects/{theirs}/budget", {"json": {"items": [{"description": "x", "amount": "1"}]}}),
            ("put", f"/projects/{theirs}/forms/application", {"json": application("改名了")}),
            ("post", f"/projects/{theirs}/submit", {}),
            ("post", f"/projects/{theirs}/attachments", {"data": {"kind": "supporting", "file": (io.BytesIO(PDF), "a.pdf")}})):
        is_error(getattr(client, method)(url(path), headers=luochuan, **kwargs), 404)
    with acting(platform, "jingan", "yanchang") as ctx:
        project = ctx.session.scalars(select(Project).where(Project.id == theirs)).one()
        assert project.title == "延长的项目" and project.state == "draft" and len(project.attachments) == 1
    assert unit_id(platform, "jingan", "ghxl-yanchang") == project.applicant_unit_id


def test_an_unexpected_error_is_a_json_500_without_a_trace(app, client, monkeypatch):
    from core.services import tenants

    def crash(ctx):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(tenants, "directory", crash)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the handler answers
    r = client.get(f"{API}/tenants")
    body = is_error(r, 500, "server_error")
    assert "secret internals" not in r.get_data(as_text=True) and "Traceback" not in r.get_data(as_text=True)
    assert body["message"].startswith("服务器内部错误")
