"""Accounts (issue 14, part 1): the password policy, changing one's own password, the offices'
accounts (create, disable, re-enable, reset, bulk import with a per-row report), one-time
passwords changed first, everything in the audit log, through the services, the web and the API."""
from __future__ import annotations

import csv
import io

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from core.models import AuditEntry, User
from core.services import accounts, password_policy
from core.violations import RuleError
from tests.clients import API, Web, login, text, url
from tests.factories import PASSWORD, acting, unit_id

STRONG = "晴天去公园散步-2023"


# -- the policy -----------------------------------------------------------------------------------

@pytest.mark.parametrize("password, code", [
    ("short-pw", "password_too_short"),
    ("1qaz2wsx3edc", "password_common"),
    ("password1234", "password_common"),
    ("aaaaaaaaaaaaaaaa", "password_common"),
    ("luochuan-is-my-home", "password_contains_username"),
])
def test_the_policy_refuses_with_a_chinese_reason(password, code):
    found = password_policy.violations(password, "luochuan")
    assert code in {v.code for v in found}
    assert all(v.field == "new_password" and v.message.zh for v in found)


def test_the_common_list_ships_with_the_package_and_a_one_time_password_meets_the_policy():
    assert len(password_policy.common_passwords()) >= 10_000
    assert "123456789012" not in password_policy.common_passwords() or password_policy.violations("123456789012")
    for _ in range(20):
        assert password_policy.violations(password_policy.one_time_password(), "someone") == []
    assert password_policy.violations(STRONG, "luochuan") == []


# -- services -------------------------------------------------------------------------------------

def test_change_password_needs_the_current_one_and_the_policy(platform):
    with acting(platform, "jingan", "luochuan") as ctx:
        with pytest.raises(RuleError) as err:
            accounts.change_password(ctx, "wrong", STRONG)
        assert err.value.violations[0].field == "current_password"
        with pytest.raises(RuleError) as err:
            accounts.change_password(ctx, PASSWORD, "short")
        assert {v.code for v in err.value.violations} == {"password_too_short"}
        accounts.change_password(ctx, PASSWORD, STRONG)
    with acting(platform, "jingan", "jingan_admin") as ctx:
        logged = ctx.session.scalars(select(AuditEntry).where(AuditEntry.action == "password.change")).all()
        assert logged and all("***" == e.after.get("password_hash") for e in logged if e.after and "password_hash" in e.after)


def test_a_street_office_manages_its_own_units_accounts_only(platform):
    luochuan = unit_id(platform, "jingan", "ghxl-luochuan")
    haiyuan = unit_id(platform, "jingan", "jas-haiyuan")
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        user, password = accounts.create_user(ctx, "luochuan_wang", "王小明", luochuan, "neighbourhood_staff")
        assert user.must_change_password and not password_policy.violations(password, user.username)
        with pytest.raises(RuleError) as err:  # a sibling street's neighbourhood
            accounts.create_user(ctx, "haiyuan_li", "李", haiyuan, "neighbourhood_staff")
        assert err.value.violations[0].field == "unit_id"
        with pytest.raises(RuleError) as err:  # a district role given at a neighbourhood
            accounts.create_user(ctx, "sneaky", "某", luochuan, "district_admin")
        assert err.value.violations[0].code == "role_unit_mismatch"
        haiyuan_user = ctx.session.scalars(select(User).where(User.username == "haiyuan")).one()
        with pytest.raises(RuleError) as err:
            accounts.reset_password(ctx, haiyuan_user.id)
        assert err.value.status == 403
        district = ctx.session.scalars(select(User).where(User.username == "jingan_admin")).one()
        with pytest.raises(RuleError):
            accounts.disable(ctx, district.id)
        names = {u.username for u in accounts.users_page(ctx, limit=200)[0]}
        assert "luochuan" in names and "haiyuan" not in names and "jingan_admin" not in names


def test_disable_reenable_reset_are_audited_and_a_disabled_account_cannot_sign_in(platform, client):
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        target = ctx.session.scalars(select(User).where(User.username == "yanchang")).one().id
        accounts.disable(ctx, target)
    assert client.post(f"{API}/t/jingan/auth/token", json={"username": "yanchang", "password": PASSWORD}).status_code == 401
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        accounts.enable(ctx, target)
        _, one_time = accounts.reset_password(ctx, target)
    assert client.post(f"{API}/t/jingan/auth/token", json={"username": "yanchang", "password": PASSWORD}).status_code == 401
    assert client.post(f"{API}/t/jingan/auth/token", json={"username": "yanchang", "password": one_time}).status_code == 201
    with acting(platform, "jingan", "jingan_admin") as ctx:
        actions = [e.action for e in ctx.session.scalars(select(AuditEntry).where(
            AuditEntry.entity == "users", AuditEntry.entity_id == target).order_by(AuditEntry.id))]
    assert actions.count("user.disable") >= 1 and "user.enable" in actions and "user.reset_password" in actions


# -- bulk import ----------------------------------------------------------------------------------

def _xlsx(rows) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _csv(rows, encoding="utf-8-sig") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


HEADER = ["用户名", "姓名", "角色", "单位代码", "邮箱"]


def test_import_creates_every_row_or_none_with_a_chinese_report_by_row_and_column(client, platform):
    headers = login(client, "ghxl_admin")
    street = unit_id(platform, "jingan", "gonghexinlu")
    bad = _xlsx([HEADER, ["zhonghua_1", "张三", "居委会工作人员", "ghxl-zhonghua", ""],
                 ["zhonghua_2", "", "居委会工作人员", "ghxl-zhonghua", ""],
                 ["zhonghua_1", "李四", "居委会工作人员", "jas-haiyuan", ""],
                 ["x", "王五", "厨师", "", ""]])
    r = client.post(url("/users/import"), headers=headers,
                    data={"unit_id": str(street), "file": (io.BytesIO(bad), "名单.xlsx")})
    assert r.status_code == 422
    messages = [e["message"] for e in r.get_json()["errors"]]
    assert any(m.startswith("第3行「姓名」列") for m in messages), messages
    assert any(m.startswith("第4行「用户名」列") and "已被使用" in m for m in messages), messages
    assert any(m.startswith("第4行「单位代码」列") for m in messages), messages
    assert any(m.startswith("第5行「用户名」列") for m in messages) and any(m.startswith("第5行「角色」列") for m in messages)
    with acting(platform, "jingan", "jingan_admin") as ctx:
        assert ctx.session.scalars(select(User).where(User.username == "zhonghua_1")).first() is None  # nothing half-imported

    good = _csv([HEADER, ["zhonghua_1", "张三", "居委会工作人员", "ghxl-zhonghua", "z1@example.cn"],
                 ["guangyan_1", "赵六", "neighbourhood_staff", "ghxl-guangyan", ""]], encoding="gb18030")
    r = client.post(url("/users/import"), headers=headers,
                    data={"unit_id": str(street), "file": (io.BytesIO(good), "名单.csv")})
    assert r.status_code == 201, r.get_json()
    items = r.get_json()["items"]
    assert [i["user"]["username"] for i in items] == ["zhonghua_1", "guangyan_1"]
    assert all(i["user"]["must_change_password"] and len(i["one_time_password"]) == 16 for i in items)
    assert items[0]["user"]["roles"][0]["unit"]["code"] == "ghxl-zhonghua"


# -- API ------------------------------------------------------------------------------------------

def test_api_change_password_and_the_one_time_password_comes_first(client, platform):
    admin = login(client, "ghxl_admin")
    r = client.post(url("/users"), headers=admin, json={
        "username": "luochuan_2", "display_name": "新同事", "unit_id": unit_id(platform, "jingan", "ghxl-luochuan"),
        "role": "neighbourhood_staff"})
    assert r.status_code == 201, r.get_json()
    one_time = r.get_json()["one_time_password"]
    r = client.post(f"{API}/t/jingan/auth/token", json={"username": "luochuan_2", "password": one_time})
    token = {"Authorization": f"Bearer {r.get_json()['token']}"}
    r = client.get(url("/projects"), headers=token)
    assert r.status_code == 403 and r.get_json()["code"] == "password_change_required"
    r = client.post(url("/me/password"), headers=token, json={"current_password": one_time, "new_password": "12345678"})
    assert r.status_code == 422 and {e["code"] for e in r.get_json()["errors"]} >= {"password_too_short"}
    r = client.post(url("/me/password"), headers=token, json={"current_password": one_time, "new_password": STRONG})
    assert r.status_code == 204
    # The change ended every credential made with the old password, this token too; a new one works.
    assert client.get(url("/projects"), headers=token).status_code == 401
    r = client.post(f"{API}/t/jingan/auth/token", json={"username": "luochuan_2", "password": STRONG})
    assert client.get(url("/projects"), headers={"Authorization": f"Bearer {r.get_json()['token']}"}).status_code == 200


def test_api_users_are_refused_to_a_neighbourhood_and_listed_for_an_office(client):
    r = client.get(url("/users"), headers=login(client, "luochuan"))
    assert r.status_code == 403
    r = client.get(url("/users?q=luochuan"), headers=login(client, "ghxl_admin"))
    assert r.status_code == 200 and [u["username"] for u in r.get_json()["items"]] == ["luochuan"]
    assert {a["action"] for a in r.get_json()["items"][0]["actions"] if a["allowed"]} == {"reset_password", "disable"}


# -- web ------------------------------------------------------------------------------------------

def test_web_change_password_page(client):
    web = Web(client)
    web.login("luochuan")
    page = text(web.get("/account/password"))
    assert "修改密码" in page and "至少12个字符" in page
    r = web.post("/account/password", {"current_password": PASSWORD, "new_password": "password1234",
                                       "confirm_password": "password1234"})
    assert r.status_code == 422 and "常见密码" in text(r)
    r = web.post("/account/password", {"current_password": PASSWORD, "new_password": STRONG, "confirm_password": STRONG})
    assert r.status_code == 302
    web.logout()
    assert web.post("/login", {"username": "luochuan", "password": STRONG}).status_code == 302


def test_web_admin_creates_an_account_whose_owner_must_change_the_password_first(client, app, platform):
    web = Web(client)
    web.login("ghxl_admin")
    page = web.get("/admin/users/")
    assert page.status_code == 200 and "luochuan" in text(page) and "haiyuan" not in text(page)
    r = web.post("/admin/users/", {"username": "yanchang_2", "display_name": "新人", "role": "neighbourhood_staff",
                                   "unit_id": str(unit_id(platform, "jingan", "ghxl-yanchang")), "email": ""})
    assert r.status_code == 200 and "一次性密码" in text(r)
    import re
    one_time = re.search(r'class="one-time-password">([^<]+)<', text(r)).group(1)
    r = web.post("/admin/users/", {"username": "yanchang_2", "display_name": "又一人", "role": "neighbourhood_staff",
                                   "unit_id": str(unit_id(platform, "jingan", "ghxl-yanchang"))})
    assert r.status_code == 422 and "用户名「yanchang_2」已被使用" in text(r)
    r = web.post("/admin/users/", {"username": "y", "display_name": "", "role": "neighbourhood_staff", "unit_id": ""})
    assert r.status_code == 422 and 'id="cu-username-err1"' in text(r) and 'id="cu-unit-err1"' in text(r)
    web.logout()
    other = Web(app.test_client())
    other.login("yanchang_2", one_time)
    r = other.get("/inbox")
    assert r.status_code == 302 and r.headers["Location"].endswith("/account/password")
    page = text(other.get("/account/password"))  # the one page open to it, with the form
    assert "一次性密码" in page and 'id="forced-change"' in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = other.client.post(other.url("/account/password"), data={"current_password": one_time, "new_password": STRONG, "confirm_password": STRONG,
                                         "csrf_token": token})
    assert r.status_code == 302
    assert other.get("/inbox").status_code == 200


def test_web_users_page_statements_do_not_grow_with_the_accounts(client, app, platform):
    from tests.clients import counting
    web = Web(client)
    web.login("jingan_admin")
    engine = app.extensions["tongxin"].db.engine
    with counting(engine) as few:
        assert web.get("/admin/users/").status_code == 200
    with acting(platform, "jingan", "jingan_admin") as ctx:
        for n in range(12):
            accounts.create_user(ctx, f"bulk_{n:02d}", f"批量{n}", unit_id(platform, "jingan", "ghxl-zhonghua"),
                                 "neighbourhood_staff")
    with counting(engine) as many:
        assert web.get("/admin/users/").status_code == 200
    assert len(many) == len(few) <= 14, many


# -- CLI ------------------------------------------------------------------------------------------

def test_cli_create_admin_refuses_a_weak_password_and_creates_a_working_admin(settings, client):
    from tests.commands import invoke
    r = invoke(settings, "users", "create-admin", "--tenant", "jingan", "--username", "first_admin", "--password", "tongxin123")
    assert r.exit_code != 0 and "密码至少需要12个字符" in r.output
    r = invoke(settings, "users", "create-admin", "--tenant", "jingan", "--username", "first_admin", "--password", STRONG)
    assert r.exit_code == 0, r.output
    assert client.post(f"{API}/t/jingan/auth/token", json={"username": "first_admin", "password": STRONG}).status_code == 201
    r = invoke(settings, "users", "create-admin", "--tenant", "nowhere", "--username", "x_admin", "--password", STRONG)
    assert r.exit_code != 0 and "没有辖区" in r.output
