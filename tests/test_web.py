"""The web UI through Flask's test client: public pages, sign-in, CSRF, language, the project
page with forms rendered from the plugin's schemas, budget, attachments, submission problems,
review and decisions, administration, plugin pages and contained plugin failures."""
from __future__ import annotations

import io
import re
import types

import pytest
from sqlalchemy import select

from core.app import create_app
from core.models import PluginEnablement, PluginFault, Programme
from core.plugin_host.hookspecs import hookimpl
from core.plugin_host.manager import PluginHost
from core.services import projects
from tests.clients import Web, text
from tests.factories import PASSWORD, PDF, PNG, acting, application, programme_id, unit_id


def field_html(html: str, html_id: str) -> str:
    """The markup of the form field wrapping the control with this id (up to the next field)."""
    start = html.rfind('<div class="field', 0, html.index(f'id="{html_id}"'))
    start = max(start, html.rfind('<fieldset class="field', 0, html.index(f'id="{html_id}"') + 1))
    end = html.find('<div class="field', html.index(f'id="{html_id}"'))
    return html[start:end if end > 0 else None]


def new_project(web: Web, track: str, title: str) -> int:
    pid = programme_id_of(web)
    r = web.post(f"/programmes/{pid}/projects/new",
                 {"track": track, "applicant_unit_id": str(unit_id(web.platform, "jingan", "ghxl-luochuan")), "title": title})
    assert r.status_code == 302, text(r)
    return int(r.headers["Location"].rsplit("/", 1)[-1])


def programme_id_of(web: Web) -> int:
    return programme_id(web.platform)


def form_data(app_dict: dict) -> list[tuple[str, str]]:
    """A valid 申报表 as the browser posts it (lists as repeated keys)."""
    out = []
    for key, value in app_dict.items():
        if isinstance(value, list):
            out.extend((key, v) for v in value)
        else:
            out.append((key, value))
    return out


@pytest.fixture
def web(client, platform):
    w = Web(client)
    w.platform = platform
    return w


def _post_multi(web: Web, path: str, pairs: list[tuple[str, str]], **kw):
    from werkzeug.datastructures import MultiDict
    data = MultiDict(pairs)
    data.add("csrf_token", web.token())
    return web.client.post(web.url(path), data=data, **kw)


# -- public pages, language, sign-in ------------------------------------------------------------

def test_directory_and_tenant_home_are_public(client):
    home = text(client.get("/"))
    assert "静安区" in home and "晋江市" in home and 'lang="zh-CN"' in home
    tenant = client.get("/t/jingan/")
    assert tenant.status_code == 200 and "共和新路街道2023年度居民区自治项目" in text(tenant)
    assert "申报中" in text(tenant)  # the Q1 window is open on the pinned date


def test_unknown_tenant_is_a_chinese_404_page(client):
    r = client.get("/t/nowhere/")
    assert r.status_code == 404
    assert "没有名为「nowhere」的辖区" in text(r) and "Traceback" not in text(r)
    assert client.get("/no/such/page").status_code == 404
    assert "页面不存在" in text(client.get("/no/such/page"))


def test_english_switch_is_remembered_in_the_session(client):
    assert "Approved projects" in text(client.get("/t/jingan/?lang=en"))
    with client.session_transaction() as s:
        assert s["lang"] == "en"
    assert "Approved projects" in text(client.get("/t/jingan/"))
    assert "已立项项目" in text(client.get("/t/jingan/?lang=zh"))
    assert "已立项项目" in text(client.get("/t/jingan/"))


def test_sign_in_sends_each_role_to_its_desk_and_sign_out_forgets(web):
    r = web.post("/login", {"username": "luochuan", "password": "wrong-password"})
    assert r.status_code == 401 and "用户名或密码不正确" in text(r)
    assert web.login("luochuan").headers["Location"].endswith("/t/jingan/desk")
    assert web.get("/dashboard").headers["Location"].endswith("/t/jingan/desk")  # old links still lead there
    assert "洛川居民区" in text(web.get("/my"))
    web.logout()
    assert web.get("/desk").status_code == 302  # back to the login page
    for username, part in (("ghxl_admin", "共和新路街道 · 年度项目"), ("ghxl_expert", "我参加的评审小组"),
                           ("jingan_admin", "全区概览"), ("luochuan", "我的项目")):
        assert web.login(username).headers["Location"].endswith("/t/jingan/desk")
        assert part in text(web.get("/desk")), username
        web.logout()


def test_next_parameter_only_returns_inside_the_tenant(web):
    r = web.get("/my")
    assert "/t/jingan/login?next=/t/jingan/my" in r.headers["Location"]
    r = web.post("/login", {"username": "luochuan", "password": PASSWORD, "next": "https://evil.example/"})
    assert r.headers["Location"].endswith("/t/jingan/desk")
    web.logout()
    r = web.post("/login", {"username": "luochuan", "password": PASSWORD, "next": "/t/jingan/projects"})
    assert r.headers["Location"].endswith("/t/jingan/projects")


def test_a_session_of_one_tenant_is_anonymous_in_another(web, client):
    web.login("luochuan")
    r = client.get("/t/jinjiang/my")
    assert r.status_code == 302 and "/t/jinjiang/login" in r.headers["Location"]


def test_posts_without_the_csrf_token_are_refused_and_change_nothing(web, platform, client):
    r = client.post("/t/jingan/login", data={"username": "luochuan", "password": PASSWORD})
    assert r.status_code == 400 and "页面已过期" in text(r)
    web.login("luochuan")
    pid = new_project(web, "micro_venture", "口袋花园")
    r = client.post(f"/t/jingan/projects/{pid}/budget", data={"description": "物料", "amount": "100",
                                                             "csrf_token": "forged"})
    assert r.status_code == 400
    with acting(platform, "jingan", "luochuan") as ctx:
        assert projects.get_project(ctx, pid).requested_fen == 0


def test_pages_send_security_headers_and_no_external_assets(client):
    r = client.get("/t/jingan/")
    assert "default-src 'self'" in r.headers["Content-Security-Policy"]
    assert r.headers["X-Frame-Options"] == "DENY"
    html = text(r)
    assert "http://" not in html and "https://" not in html  # no CDN
    assert client.get("/static/css/site.css").status_code == 200
    assert "Noto Sans CJK SC" in text(client.get("/static/css/site.css"))


# -- the project page ---------------------------------------------------------------------------

def test_new_project_offers_only_the_actors_units(web):
    web.login("luochuan")
    page = text(web.get(f"/programmes/{programme_id_of(web)}/projects/new"))
    assert "洛川居民区" in page and "延长居民区" not in page
    assert "一居一品" in page and "七彩微创投" in page
    r = web.post(f"/programmes/{programme_id_of(web)}/projects/new",
                 {"track": "micro_venture", "applicant_unit_id": str(unit_id(web.platform, "jingan", "ghxl-yanchang")),
                  "title": "别人的项目"})
    assert r.status_code == 403 and "您不能代表「延长居民区」申报" in text(r)
    r = web.post(f"/programmes/{programme_id_of(web)}/projects/new",
                 {"track": "micro_venture", "applicant_unit_id": str(unit_id(web.platform, "jingan", "ghxl-luochuan")),
                  "title": "口"})
    assert r.status_code == 422 and "项目名称：应为2至60个字" in field_html(text(r), "title")


def test_forms_are_rendered_from_the_plugin_schema(web):
    web.login("luochuan")
    pid = new_project(web, "yiju_yipin", "楼组议事会")
    html = text(web.get(f"/projects/{pid}"))
    # both forms of the track, with labels and help from the schema's metadata
    assert "申报意向表" in html and "自治项目申报表" in html
    assert 'id="f-application-background"' in html and "<textarea" in field_html(html, "f-application-background")
    assert "可结合“社区分析”" in html  # help text
    assert 'type="date"' in field_html(html, "f-application-end_date")
    directions = field_html(html, "f-application-directions")
    assert 'type="checkbox"' in directions and 'value="carrier"' in directions and "搭建一个社区自治载体" in directions
    assert "公共空间营造" not in directions  # the other track's directions
    assert "协商议事平台建设" in field_html(html, "f-application-tags")
    assert 'name="csrf_token"' in html
    assert "请先填写「自治项目申报表」" in html  # submission problems are listed before submitting
    assert "工具清单 第3项" in html  # with the clause behind the required minutes


def test_a_refused_form_is_re_rendered_with_values_and_errors_beside_fields(web, platform):
    web.login("luochuan")
    pid = new_project(web, "micro_venture", "口袋花园")
    data = application("口袋花园改造", directions=("public_space",))
    data["background"] = "太短"
    del data["start_date"]
    r = _post_multi(web, f"/projects/{pid}/forms/application", form_data(data))
    assert r.status_code == 422
    html = text(r)
    assert 'value="口袋花园改造"' in html  # what was typed is still there
    assert "项目背景与居民需求：长度应在 20 到 2000 字之间" in field_html(html, "f-application-background")
    assert 'aria-invalid="true"' in field_html(html, "f-application-background")
    assert "必填项，不能为空" in field_html(html, "f-application-start_date")
    assert "未能保存" in html and "Traceback" not in html
    # a rule across fields ("application.end_date") lands beside the end date
    data = application("口袋花园改造", directions=("public_space",), start="2023-06-01", end="2023-05-01")
    r = _post_multi(web, f"/projects/{pid}/forms/application", form_data(data))
    assert r.status_code == 422
    assert "结束日期不能早于开始日期" in field_html(text(r), "f-application-end_date")
    with acting(platform, "jingan", "luochuan") as ctx:
        assert "application" not in projects.get_project(ctx, pid).forms  # nothing half-saved

    r = _post_multi(web, f"/projects/{pid}/forms/application", form_data(application("口袋花园改造", directions=("public_space",))))
    assert r.status_code == 302
    html = text(web.get(f"/projects/{pid}"))
    assert 'value="口袋花园改造"' in html and "已保存" in html
    assert re.search(r'value="public_space"\s+checked', html)


def test_budget_editor_names_the_bad_line_and_saves_in_fen(web, platform):
    web.login("luochuan")
    pid = new_project(web, "micro_venture", "口袋花园")
    r = _post_multi(web, f"/projects/{pid}/budget",
                    [("description", "花苗"), ("amount", "1200.50"), ("description", "工具"), ("amount", "12.345"),
                     ("description", ""), ("amount", "")])
    assert r.status_code == 422
    html = text(r)
    assert "第2行：金额应为以元为单位的金额" in field_html(html, "b-amount-2")
    assert 'value="12.345"' in html
    r = _post_multi(web, f"/projects/{pid}/budget",
                    [("description", "花苗"), ("amount", "1,200.50"), ("description", "工具"), ("amount", "3799.51")])
    assert r.status_code == 302
    assert "5,000.01" in text(web.get(f"/projects/{pid}"))
    with acting(platform, "jingan", "luochuan") as ctx:
        assert projects.get_project(ctx, pid).requested_fen == 500_001


def test_attachments_upload_download_and_refusals(web, platform):
    web.login("luochuan")
    pid = new_project(web, "micro_venture", "口袋花园")
    r = web.post(f"/projects/{pid}/attachments", {"kind": "residents_minutes", "file": (io.BytesIO(PDF), "会议记录.pdf")},
                 content_type="multipart/form-data")
    assert r.status_code == 302
    html = text(web.get(f"/projects/{pid}"))
    assert "会议记录.pdf" in html
    with acting(platform, "jingan", "luochuan") as ctx:
        att = projects.get_project(ctx, pid).attachments[0]
    download = web.get(f"/projects/{pid}/attachments/{att.id}")
    assert download.status_code == 200 and download.data == PDF and download.mimetype == "application/pdf"
    assert "attachment" in download.headers["Content-Disposition"]

    r = web.post(f"/projects/{pid}/attachments", {"kind": "residents_minutes", "file": (io.BytesIO(b"plain text"), "x.pdf")},
                 content_type="multipart/form-data")
    assert r.status_code == 415 and "文件类型不符，只接受" in text(r)
    r = web.post(f"/projects/{pid}/attachments", {"kind": "no_such_kind", "file": (io.BytesIO(PNG), "p.png")},
                 content_type="multipart/form-data")
    assert r.status_code == 422 and "附件类别无效" in text(r)
    r = web.post(f"/projects/{pid}/attachments", {"kind": "supporting"}, content_type="multipart/form-data")
    assert r.status_code == 422 and "请选择要上传的文件" in text(r)
    web.logout()
    assert web.get(f"/projects/{pid}/attachments/{att.id}").status_code == 302  # anonymous: sign in first


def test_uploads_over_the_limit_get_a_chinese_413(settings, tmp_path):
    settings.max_upload_bytes = 1024
    app = create_app(settings)
    app.config["TESTING"] = True
    web = Web(app.test_client())
    from tests.factories import programme_id as pid_of
    web.platform = app.extensions["tongxin"]
    web.login("luochuan")
    pid = new_project(web, "micro_venture", "口袋花园")
    big_pdf = PDF + b"0" * 2000
    r = web.post(f"/projects/{pid}/attachments", {"kind": "residents_minutes", "file": (io.BytesIO(big_pdf), "big.pdf")},
                 content_type="multipart/form-data")
    assert r.status_code == 413 and "文件不能超过" in text(r)
    huge = PDF + b"0" * (2 * 1024 * 1024)  # beyond the request limit itself
    r = web.post(f"/projects/{pid}/attachments", {"kind": "residents_minutes", "file": (io.BytesIO(huge), "huge.pdf")},
                 content_type="multipart/form-data")
    assert r.status_code == 413 and "文件过大" in text(r)
    assert pid_of(web.platform)  # the database is untouched by either refusal
    app.extensions["tongxin"].db.dispose()


def _ready_project(platform, track: str, title: str, amount: str, *, directions=None) -> int:
    directions = directions or (("carrier",) if track == "yiju_yipin" else ("public_space",))
    with acting(platform, "jingan", "luochuan") as ctx:
        p = projects.create_project(ctx, programme_id(platform), unit_id(platform, "jingan", "ghxl-luochuan"), track, title)
        projects.save_form(ctx, p.id, "application", application(title, directions=directions))
        projects.set_budget(ctx, p.id, [{"description": "活动物料", "amount": amount}])
        projects.attach(ctx, p.id, "residents_minutes", "会议记录.pdf", io.BytesIO(PDF), platform.storage)
        return p.id


def test_micro_budget_over_the_limit_is_refused_with_the_clause(web, platform):
    pid = _ready_project(platform, "micro_venture", "口袋花园", "5000.01")
    web.login("luochuan")
    page = text(web.get(f"/projects/{pid}"))
    assert "“七彩微创投”单个项目申请资金不能超过5,000.00元（本项目5,000.01元）" in page
    assert "实施方案 七：单个项目一次申请资金一般不超过5000元" in page
    r = web.post(f"/projects/{pid}/submit")
    assert r.status_code == 422
    assert "未能提交" in text(r) and "实施方案 七" in text(r)
    with acting(platform, "jingan", "luochuan") as ctx:
        assert projects.get_project(ctx, pid).state == "draft"


def test_rule_violation_naming_a_form_field_appears_beside_it(web, platform):
    with acting(platform, "jingan", "luochuan") as ctx:
        p = projects.create_project(ctx, programme_id(platform), unit_id(platform, "jingan", "ghxl-luochuan"), "micro_venture", "长项目")
        projects.save_form(ctx, p.id, "application", application("长项目", directions=("care",), start="2023-04-01", end="2024-06-01"))
        projects.set_budget(ctx, p.id, [{"description": "物料", "amount": "100"}])
        projects.attach(ctx, p.id, "residents_minutes", "m.pdf", io.BytesIO(PDF), platform.storage)
        pid = p.id
    web.login("luochuan")
    r = web.post(f"/projects/{pid}/submit")
    assert r.status_code == 422
    assert "项目周期一般不超过12个月" in field_html(text(r), "f-application-end_date")


def test_submit_score_and_decide_through_the_pages(web, platform):
    sig = _ready_project(platform, "yiju_yipin", "楼组议事会", "12000")
    micro = _ready_project(platform, "micro_venture", "口袋花园", "4800")
    web.login("luochuan")
    for pid in (sig, micro):
        assert web.post(f"/projects/{pid}/submit").status_code == 302
    assert "已提交" in text(web.get(f"/projects/{sig}"))
    web.logout()

    web.login("ghxl_expert")
    queue = text(web.get("/review"))
    assert "楼组议事会" in queue and "待评分" in queue
    page = text(web.get(f"/projects/{sig}/review"))
    assert "可行性" in page and 'max="10"' in page and "目标与居民需求相符" in page
    assert "评审决定" not in page.split("决定记录")[0] or "确认决定" not in page  # experts do not decide
    r = web.post(f"/projects/{sig}/score", {"points.feasibility": "11", "points.operability": "7", "points.compliance": ""})
    assert r.status_code == 422
    assert "「可行性」应为0至10的整数" in field_html(text(r), "points-feasibility")
    assert 'value="7"' in text(r)
    assert web.post(f"/projects/{sig}/score", {"points.feasibility": "8", "points.operability": "7",
                                                "points.compliance": "9", "comment": "目标清楚"}).status_code == 302
    assert web.post(f"/projects/{sig}/decide", {"outcome": "approved"}).status_code == 403
    web.logout()

    web.login("ghxl_chair")
    web.post(f"/projects/{sig}/score", {"points.feasibility": "9", "points.operability": "8", "points.compliance": "9"})
    page = text(web.get(f"/projects/{sig}/review"))
    assert "评审专家（演示）" in page and "目标清楚" in page
    assert "8.5" in page and "25.0" in page  # feasibility average (8, 9) and average total (24, 26)
    r = web.post(f"/projects/{micro}/decide", {"outcome": "rejected", "explanation": ""})
    assert r.status_code == 422 and "必须写明理由" in field_html(text(r), "explanation")
    r = web.post(f"/projects/{sig}/decide", {"outcome": "approved", "approved_amount": "20000"})
    assert r.status_code == 422 and "核定金额不能超过申请金额" in field_html(text(r), "approved_amount")
    assert web.post(f"/projects/{sig}/decide", {"outcome": "approved", "approved_amount": "10000"}).status_code == 302
    assert web.post(f"/projects/{micro}/decide", {"outcome": "rejected",
                                                  "explanation": "与既有项目重复，建议合并申报"}).status_code == 302
    web.logout()

    web.login("luochuan")
    page = text(web.get(f"/projects/{micro}"))
    assert "不通过" in page and "与既有项目重复，建议合并申报" in page
    page = text(web.get(f"/projects/{sig}"))
    assert "10,000.00" in page and "已立项" in page
    web.logout()
    public = text(web.get("/"))
    assert "楼组议事会" in public and "口袋花园" not in public  # the public sees approved projects only
    assert "8.5" not in text(web.get(f"/projects/{sig}"))  # nor the scores


def test_withdraw(web, platform):
    pid = _ready_project(platform, "micro_venture", "口袋花园", "100")
    web.login("luochuan")
    assert web.post(f"/projects/{pid}/withdraw").status_code == 302
    assert "已撤回" in text(web.get(f"/projects/{pid}"))
    r = web.post(f"/projects/{pid}/withdraw")
    assert r.status_code == 409 and "不能撤回" in text(r)


def test_neighbourhoods_cannot_see_each_others_projects(web, platform):
    pid = _ready_project(platform, "micro_venture", "口袋花园", "100")
    web.login("yanchang")
    r = web.get(f"/projects/{pid}")
    assert r.status_code == 404 and "未找到项目，或您无权查看" in text(r)
    assert web.post(f"/projects/{pid}/budget", {"description": "x", "amount": "1"}).status_code == 404
    assert web.get("/admin/").status_code == 403 and "管理员" in text(web.get("/admin/"))


# -- overviews --------------------------------------------------------------------------------

def test_overviews_count_projects_by_state(web, platform):
    a = _ready_project(platform, "micro_venture", "口袋花园", "100")
    _ready_project(platform, "micro_venture", "青年议事角", "100")
    with acting(platform, "jingan", "luochuan") as ctx:
        projects.submit(ctx, a)
    web.login("jingan_admin")
    page = text(web.get("/overview/district"))
    assert "共和新路街道" in page and "静安寺街道" in page
    row = page[page.index("共和新路街道</a>"):].split("</tr>")[0]
    assert re.search(r'<td class="num">4</td>', row)  # four neighbourhoods
    assert "<strong>1</strong>" in row  # drafts are not counted; one submitted
    web.logout()
    web.login("ghxl_admin")
    street = unit_id(platform, "jingan", "gonghexinlu")
    page = text(web.get(f"/overview/street/{street}"))
    assert "进行中" in page and "评审小组组长（演示）" in page and "口袋花园" in page
    web.logout()
    web.login("jas_admin")
    assert web.get(f"/overview/street/{street}").status_code == 403


# -- administration ---------------------------------------------------------------------------

def test_plugin_config_form_is_rendered_from_the_config_schema(web, platform):
    web.login("ghxl_admin")
    street = unit_id(platform, "jingan", "gonghexinlu")
    html = text(web.get(f"/admin/units/{street}/plugins/gonghexinlu"))
    assert 'value="5000.00"' in field_html(html, "cfg-micro_max_yuan")  # a decimal, as the schema dumps it
    assert 'inputmode="decimal"' in field_html(html, "cfg-micro_max_yuan")
    assert 'type="number"' in field_html(html, "cfg-micro_max_months")
    assert "协商议事平台建设\n支持" in field_html(html, "cfg-focus_areas")  # a list, one per line
    assert 'type="checkbox"' in html and "提交前须填写申报意向表" in html
    assert "实施方案 七：一般不超过5000元" in html  # help from the schema's metadata

    r = web.post(f"/admin/units/{street}/plugins/gonghexinlu",
                 {"micro_max_yuan": "abc", "micro_max_months": "40", "focus_areas": "甲\n乙", "action": "enable"})
    assert r.status_code == 422
    assert "七彩微创投单个项目申请上限（元）：不是有效的金额" in field_html(text(r), "cfg-micro_max_yuan")
    assert "不能大于 36" in field_html(text(r), "cfg-micro_max_months") or "应在 1 到 36 之间" in field_html(text(r), "cfg-micro_max_months")
    assert "甲\n乙" in text(r)

    r = web.post(f"/admin/units/{street}/plugins/gonghexinlu",
                 {"micro_max_yuan": "4000.50", "micro_max_months": "6", "focus_areas": "楼组建设\n睦邻互助\n",
                  "intent_form_required": "true", "action": "enable"})
    assert r.status_code == 302
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        row = ctx.session.scalars(select(PluginEnablement).where(PluginEnablement.org_unit_id == street)).one()
        assert row.config["micro_max_yuan"] == "4000.50" and row.config["focus_areas"] == ["楼组建设", "睦邻互助"]
        assert row.config["intent_form_required"] is True
        frozen = ctx.session.get(Programme, programme_id(platform)).config
        assert frozen.get("micro_max_yuan", "5000.00") == "5000.00"  # the 2023 programme keeps its rules
    # the plugin's own page now reads the street's new settings
    assert "4,000.50" in text(web.get("/p/gonghexinlu/guide"))


def test_admin_opens_a_programme_and_names_its_panel(web, platform):
    web.login("ghxl_admin")
    street = unit_id(platform, "jingan", "gonghexinlu")
    r = web.post("/admin/programmes", {"unit_id": str(street), "plugin_name": "gonghexinlu", "year": "2023"})
    assert r.status_code == 409 and "2023年度项目已开设" in text(r)
    r = web.post("/admin/programmes", {"unit_id": str(street), "plugin_name": "gonghexinlu", "year": ""})
    assert r.status_code == 422 and "请填写年度" in field_html(text(r), "open-year")
    r = web.post("/admin/programmes", {"unit_id": str(street), "plugin_name": "gonghexinlu", "year": "2024"})
    assert r.status_code == 302 and "/panel" in r.headers["Location"]
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        new = ctx.session.scalars(select(Programme).where(Programme.year == 2024)).one()
        from core.models import User
        ids = {u.username: u.id for u in ctx.session.scalars(select(User))}
    page = text(web.get(f"/admin/programmes/{new.id}/panel"))
    assert "评审专家（演示）" in page and "洛川居委会" not in page  # only reviewers are candidates
    r = web.post(f"/admin/programmes/{new.id}/panel", {"user_ids": str(ids["ghxl_expert"]), "chair_id": str(ids["ghxl_chair"])})
    assert r.status_code == 422 and "组长须是评审小组成员" in text(r)
    r = _post_multi(web, f"/admin/programmes/{new.id}/panel",
                    [("user_ids", str(ids["ghxl_expert"])), ("user_ids", str(ids["ghxl_chair"])), ("chair_id", str(ids["ghxl_chair"]))])
    assert r.status_code == 302
    assert "评审小组组长（演示）（组长）" in text(web.get("/admin/"))


def test_audit_log_lists_changes_with_before_and_after(web, platform):
    pid = _ready_project(platform, "micro_venture", "口袋花园", "100")
    with acting(platform, "jingan", "luochuan") as ctx:
        projects.set_budget(ctx, pid, [{"description": "物料", "amount": "250"}])
    web.login("ghxl_admin")
    page = text(web.get("/admin/audit"))
    assert "修改预算" in page and "洛川居委会（演示）" in page  # the action in words, who did it
    assert "<del>100.00元</del> → <ins>250.00元</ins>" in page  # the amount requested before and after, in yuan
    assert "填写申报表" in text(web.get("/admin/audit?kind=projects"))
    assert web.get("/admin/audit?page=2").status_code == 200
    web.logout()
    web.login("luochuan")
    assert web.get("/admin/audit").status_code == 403


# -- plugins: their pages, failures and load errors ---------------------------------------------

def test_plugin_pages_are_mounted_only_where_enabled(client, web):
    page = client.get("/t/jingan/p/gonghexinlu/guide")
    assert page.status_code == 200 and "居民区自治项目申报导则" in text(page) and "5,000.00" in text(page)
    assert client.get("/t/jingan/p/gonghexinlu/guide?unit=gonghexinlu").status_code == 200
    assert client.get("/t/jingan/p/gonghexinlu/guide?unit=999999").status_code == 404
    r = client.get("/t/jinjiang/p/gonghexinlu/guide")
    assert r.status_code == 404 and "本辖区没有采用「共和新路街道居民区自治项目" in text(r) and "gonghexinlu」" not in text(r)
    assert "Application guide" in text(client.get("/t/jingan/p/gonghexinlu/guide?lang=en"))
    # the programme page links to it
    assert "/t/jingan/p/gonghexinlu/guide" in text(client.get(f"/t/jingan/programmes/{programme_id_of(web)}"))


def _host_with_broken_rubric() -> PluginHost:
    import plugins.gonghexinlu.plugin as real
    broken = types.ModuleType("broken_gonghexinlu")
    for name in dir(real):
        if name.startswith("tongxin_"):
            setattr(broken, name, getattr(real, name))

    @hookimpl
    def tongxin_review_rubric(config):
        raise ZeroDivisionError("rubric exploded")

    broken.tongxin_review_rubric = tongxin_review_rubric

    class NotAPolicy:
        @hookimpl
        def tongxin_policy(self):
            return "not a PolicyInfo"

    import plugins.jingan_fund.plugin as district  # the test world's district policy applies too (policies stack)
    return PluginHost(entry_points=False, plugins=[("gonghexinlu", broken), ("jingan_fund", district),
                                                   ("halfbaked", NotAPolicy())])


def test_a_failing_plugin_is_contained_recorded_and_shown_to_admins(settings, platform):
    app = create_app(settings, host=_host_with_broken_rubric())
    app.config["TESTING"] = True
    web = Web(app.test_client())
    web.platform = platform
    r = web.get(f"/programmes/{programme_id(platform)}")
    assert r.status_code == 503
    assert "政策规则暂时出错（gonghexinlu），已通知管理员" in text(r) and "rubric exploded" not in text(r)
    assert web.get("/").status_code == 200  # the rest of the site keeps working
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        fault = ctx.session.scalars(select(PluginFault)).one()
        assert fault.hook == "tongxin_review_rubric" and "rubric exploded" in fault.error
    web.login("ghxl_admin")
    page = text(web.get("/admin/faults"))
    assert "tongxin_review_rubric" in page and "rubric exploded" in page
    assert "halfbaked" in page and "PolicyInfo" in page  # a plugin that failed to load
    app.extensions["tongxin"].db.dispose()


def test_a_returned_project_shows_the_reason_and_can_be_edited_again(web, platform):
    pid = _ready_project(platform, "micro_venture", "口袋花园", "100")
    with acting(platform, "jingan", "luochuan") as ctx:
        projects.submit(ctx, pid)
    web.login("ghxl_chair")
    assert web.post(f"/projects/{pid}/decide", {"outcome": "returned", "explanation": "预算请细化到单项。"}).status_code == 302
    web.logout()
    web.login("luochuan")
    html = text(web.get(f"/projects/{pid}"))
    top = html[html.index('id="latest-decision"'):][:600]
    assert "退回修改" in top and "预算请细化到单项。" in top and "请按意见修改后再次提交" in top
    assert "保存预算" in html and "提交申报" in html  # editable again
    assert _post_multi(web, f"/projects/{pid}/budget", [("description", "桌椅"), ("amount", "80"),
                                                         ("description", "海报"), ("amount", "20")]).status_code == 302
    assert web.post(f"/projects/{pid}/submit").status_code == 302


# -- the schema-driven form machinery on its own ---------------------------------------------

def test_every_widget_renders_reads_back_and_takes_its_errors(app):
    from marshmallow import Schema, fields, validate
    from werkzeug.datastructures import MultiDict

    from core.forms import describe
    from core.i18n import T
    from core.plugin_host.contributions import Choice
    from core.violations import Violation
    from core.web.forms import controls, read, split_errors

    class Everything(Schema):
        kind = fields.String(required=True, validate=validate.OneOf(["a", "b"]),
                             metadata={"label": T("类别", "Kind"), "choices": (Choice("a", T("甲", "A")), Choice("b", T("乙", "B")))})
        names = fields.List(fields.String(), metadata={"label": T("名单", "Names")})
        count = fields.Integer(metadata={"label": T("数量", "Count")})
        ratio = fields.Decimal(as_string=True, metadata={"label": T("比例", "Ratio"), "help": T("两位小数", "2 dp")})
        active = fields.Boolean(metadata={"label": T("启用", "Active")})
        day = fields.Date(metadata={"label": T("日期", "Day")})
        note = fields.String(metadata={"label": T("备注", "Note"), "widget": "textarea"})

    assert [s.widget for s in describe(Everything)] == ["select", "lines", "number", "number", "checkbox", "date", "textarea"]
    posted = MultiDict([("kind", "b"), ("names", "张三\n\n李四 \n"), ("count", "3"), ("ratio", "0.25"),
                        ("active", "true"), ("day", "2023-03-01"), ("note", "")])
    data = read(Everything, posted)
    assert data == {"kind": "b", "names": ["张三", "李四"], "count": "3", "ratio": "0.25", "active": True, "day": "2023-03-01"}
    assert read(Everything, MultiDict())["active"] is False  # an unticked box is "no", not missing

    errors = split_errors([Violation("x", T("比例不对", "bad ratio"), field="cfg.ratio"),
                           Violation("y", T("整体不对", "bad form"), field="cfg._schema"),
                           Violation("z", T("别的表", "other form"), field="other.ratio")],
                          "cfg", [s.name for s in describe(Everything)], "zh")
    assert errors.by_field == {"ratio": ["比例不对"]} and [v.code for v in errors.general] == ["y", "z"]

    with app.test_request_context("/t/jingan/"):
        template = app.jinja_env.from_string(
            '{% import "macros.html" as m with context %}{% for c in cs %}{{ m.field(c) }}{% endfor %}')
        html = template.render(cs=controls(Everything, data, errors, "cfg"))
    assert '<select id="cfg-kind" name="kind"' in html and '<option value="b" selected>乙</option>' in html
    assert "张三\n李四</textarea>" in html
    assert 'id="cfg-count" name="count" type="number" value="3"' in html
    assert 'id="cfg-ratio" name="ratio" type="text" value="0.25" inputmode="decimal"' in html
    assert 'aria-describedby="cfg-ratio-help cfg-ratio-err1" aria-invalid="true"' in html and "比例不对" in html
    assert 'id="cfg-active" name="active" value="true" checked' in html
    assert 'id="cfg-day" name="day" type="date" value="2023-03-01"' in html
    assert '<textarea id="cfg-note" name="note" rows="4"' in html
