"""The permission table (core.permissions): every row proven, the docs generated from it, no
role check outside it, plugins extend it by registration, and two places that used to leak
(the audit log, funds) now follow it. The row walk runs in memory; the rest on each profile."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from core.i18n import T
from core.models import AuditEntry, Fund, FundKind, OrgUnit, Role, User
from core.permissions import A, Action, PermissionTable, Scope, Subject, can
from core.permissions.docs import render
from core.plugin_host.contributions import PermissionRule, Permissions
from core.plugin_host.manager import PluginHost
from core.services import audit_log, funds, pledges
from core.services.context import Actor, Grant
from core.violations import Forbidden, NotFound
from tests.fixture_plugins.sample import SamplePolicy
from tests.clients import login, url
from tests.factories import acting, tenant_id

ROOT = Path(__file__).resolve().parent.parent
TABLE = PluginHost().permissions

# -- the row walk, in memory -----------------------------------------------------------------------
# A district with two streets, each with one neighbourhood. "A" is where the object lives,
# "B" is the other street: the same role held there must not reach the object.
DISTRICT = OrgUnit(id=1, path="/1/", kind="district", name="区", name_en="District")
STREET_A = OrgUnit(id=2, path="/1/2/", kind="street", name="甲街道", name_en="Street A")
HOOD_A = OrgUnit(id=3, path="/1/2/3/", kind="neighbourhood", name="甲一居", name_en="Hood A1")
STREET_B = OrgUnit(id=4, path="/1/4/", kind="street", name="乙街道", name_en="Street B")
HOOD_B = OrgUnit(id=5, path="/1/4/5/", kind="neighbourhood", name="乙一居", name_en="Hood B1")
PROGRAMME, OTHER_PROGRAMME, ME, SOMEONE_ELSE = 10, 20, 7, 8
ASSIGNED_PROJECT = 30  # the project every actor below is assigned to supervise (scope "assigned")

# scope: (the object, where the role is held in scope, out of scope, panel seats in/out, the object's user)
CASES = {
    Scope.below: (Subject(unit=HOOD_A), STREET_A, STREET_B),
    Scope.above: (Subject(unit=STREET_A), HOOD_A, HOOD_B),
    Scope.own_unit: (Subject(unit=HOOD_A), HOOD_A, HOOD_B),
    Scope.programme: (Subject(unit=HOOD_A, programme_id=PROGRAMME, programme_unit=STREET_A), STREET_A, STREET_B),
    Scope.panel: (Subject(unit=HOOD_A, programme_id=PROGRAMME, programme_unit=STREET_A), STREET_A, STREET_B),
    Scope.panel_chair: (Subject(unit=HOOD_A, programme_id=PROGRAMME, programme_unit=STREET_A), STREET_A, STREET_B),
    Scope.sponsor_of: (Subject(unit=HOOD_A, sponsor_user_id=ME), HOOD_A, HOOD_B),
    Scope.self: (Subject(unit=HOOD_A, user_id=ME), HOOD_A, HOOD_B),
    Scope.anywhere: (Subject(unit=HOOD_A), STREET_B, None),
    # Assigned to the actor, but a role held in another street does not reach it.
    Scope.assigned: (Subject(unit=HOOD_A, programme_id=PROGRAMME, programme_unit=STREET_A, project_id=ASSIGNED_PROJECT),
                     STREET_A, STREET_B),
}


def actor(role: Role, unit: OrgUnit, *, seats: dict[int, bool] | None = None, user_id: int = ME) -> Actor:
    a = Actor(User(id=user_id, username=f"u{user_id}"), (Grant(role.value, unit.id, unit.path, unit.kind),))
    a._panel_seats = seats or {}
    a._assigned = {ASSIGNED_PROJECT}
    return a


def in_scope(row) -> Actor:
    _, where, _ = CASES[row.scope]
    seats = {PROGRAMME: row.scope is Scope.panel_chair} if row.scope in (Scope.panel, Scope.panel_chair) else None
    return actor(row.role, where, seats=seats)


def out_of_scope(row) -> Actor | None:
    _, _, where = CASES[row.scope]
    if where is None:
        return None
    if row.scope in (Scope.panel, Scope.panel_chair):  # on another programme's panel
        return actor(row.role, where, seats={OTHER_PROGRAMME: True})
    if row.scope in (Scope.sponsor_of, Scope.self):  # somebody else
        return actor(row.role, where, user_id=SOMEONE_ELSE)
    return actor(row.role, where)


def _id(row) -> str:
    return f"{row.action.key}-{row.role.value}-{row.scope.value}"


@pytest.mark.parametrize("row", TABLE.rows, ids=_id)
def test_each_row_allows_its_role_in_scope_and_refuses_it_out_of_scope(row):
    subject = CASES[row.scope][0]
    decision = can(in_scope(row), row.action, subject, table=TABLE)
    assert decision.allowed, decision.reason.zh
    assert decision.reason.zh and decision.reason.en
    outsider = out_of_scope(row)
    if outsider is not None:
        refused = can(outsider, row.action, subject, table=TABLE)
        assert not refused.allowed, f"{row.role.value} out of scope may {row.action.key}: {refused.reason.en}"
        assert re.search(r"[\u4e00-\u9fff]", refused.reason.zh) and refused.reason.en


@pytest.mark.parametrize("action", list(TABLE.registry), ids=lambda a: a.key)
def test_a_role_without_a_row_is_refused_even_at_the_root(action):
    allowed_roles = set(TABLE.roles_for(action))
    for role in Role:
        if role in allowed_roles:
            continue
        # At the root, on the programme's panel as its chair, the object's sponsor and owner:
        # every relation holds, only the row is missing.
        everything = actor(role, DISTRICT, seats={PROGRAMME: True})
        for subject, _, _ in CASES.values():
            assert not can(everything, action, subject, table=TABLE).allowed, (role.value, action.key)


def test_anonymous_and_roleless_people_are_refused_with_a_reason():
    for action in TABLE.registry:
        decision = can(Actor.anonymous(), action, Subject(unit=HOOD_A), table=TABLE)
        assert not decision.allowed and "登录" in decision.reason.zh


# -- the docs, generated ----------------------------------------------------------------------------

def test_docs_permissions_md_is_generated_from_the_table():
    committed = (ROOT / "docs" / "permissions.md").read_text(encoding="utf-8")
    assert committed == render(TABLE), "docs/permissions.md is stale: run `tongxin permissions doc`"
    for action in TABLE.registry:
        assert f"`{action.key}`" in committed


# -- no role check outside the table ----------------------------------------------------------------
ALLOWED = {Path("core/models/people.py")}  # where the roles and their labels are defined
FORBIDDEN = [
    (re.compile(r"\b[A-Z_]*_ROLES\b"), "a role tuple"),
    (re.compile(r"\bhas_role\("), "Actor.has_role"),
    (re.compile(r"\.is_admin\b"), "Actor.is_admin"),
    (re.compile(r"\bRole\.[a-z][a-z_]*"), "a comparison with a named role"),
    (re.compile(r"\.paths\(\s*[A-Za-z(]"), "unit paths of some roles"),
    (re.compile(r"\bin roles\b|roles\.intersection|g\.role\s*=="), "a role test in a template"),
]


def test_no_role_check_outside_the_permission_table():
    problems = []
    for base in ("core", "plugins"):
        for path in sorted((ROOT / base).rglob("*")):
            rel = path.relative_to(ROOT)
            if path.suffix not in (".py", ".html") or rel.parts[:2] == ("core", "permissions") or rel in ALLOWED:
                continue
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                for pattern, what in FORBIDDEN:
                    if pattern.search(line):
                        problems.append(f"{rel}:{n}: {what}: {line.strip()}")
    assert not problems, "ask core.permissions instead:\n" + "\n".join(problems)


# -- plugins extend the table by registration -------------------------------------------------------
VISIT = Action("fixture_perm.visit", T("走访记录", "record a home visit"))


class PermittingPolicy(SamplePolicy):
    def __init__(self, name: str, permissions: Permissions):
        super().__init__(name)
        self._permissions = permissions

    from core.plugin_host.hookspecs import hookimpl as _hookimpl

    @_hookimpl
    def tongxin_permissions(self):
        return self._permissions


def test_a_plugin_registers_actions_and_rows():
    permissions = Permissions(actions=(VISIT,), rules=(
        PermissionRule("neighbourhood_staff", VISIT, "below"),
        PermissionRule("supervisor", "fund_request.accept", "below", T("监督委员会也可审核", "supervisors accept too"))))
    host = PluginHost(entry_points=False, plugins=[("fixture_perm", PermittingPolicy("fixture_perm", permissions))])
    assert host.load_errors == {}
    assert can(actor(Role.neighbourhood_staff, STREET_A), VISIT, Subject(unit=HOOD_A), table=host.permissions).allowed
    assert can(actor(Role.supervisor, STREET_A), A.fund_request_accept, Subject(unit=HOOD_A), table=host.permissions).allowed
    assert not can(actor(Role.supervisor, STREET_A), A.fund_request_accept, Subject(unit=HOOD_A)).allowed  # core's alone
    assert "fixture_perm.visit" in render(host.permissions)


@pytest.mark.parametrize("rules, actions, reason", [
    ((PermissionRule("neighbourhood_staff", "fund_request.fiel", "below"),), (), "unknown action 'fund_request.fiel'"),
    ((PermissionRule("street_boss", "fund_request.file", "below"),), (), "unknown role 'street_boss'"),
    ((PermissionRule("street_admin", "fund_request.file", "downstairs"),), (), "unknown scope 'downstairs'"),
    ((), (Action("other.visit", T("走访", "visit")),), "must start with the plugin's name"),
])
def test_a_misspelt_permission_keeps_the_plugin_out(rules, actions, reason):
    host = PluginHost(entry_points=False, plugins=[("fixture_perm", PermittingPolicy(
        "fixture_perm", Permissions(actions=actions, rules=rules)))])
    assert "fixture_perm" not in host.policies
    assert reason in host.load_errors["fixture_perm"]
    assert host.permissions.rows == PermissionTable.core().rows  # nothing half-registered


# -- the audit log, scoped by unit ------------------------------------------------------------------

def _paths(platform, tenant: str = "jingan") -> dict[int, str]:
    with platform.db.session(tenant_id=tenant_id(platform, tenant)) as s:
        return dict(s.execute(select(OrgUnit.id, OrgUnit.path)).all())


def _code_path(platform, code: str) -> str:
    with platform.db.session(tenant_id=tenant_id(platform, "jingan")) as s:
        return s.scalars(select(OrgUnit.path).where(OrgUnit.code == code)).one()


def test_a_street_reads_its_own_units_audit_entries_and_the_district_reads_all(platform):
    paths = _paths(platform)
    jingansi, gonghexinlu = _code_path(platform, "jingansi"), _code_path(platform, "gonghexinlu")
    with acting(platform, "jingan", "jas_admin") as ctx:
        rows, total = audit_log.entries(ctx, limit=200)
        street_total = total
        assert rows and all(e.org_unit_id is not None and paths[e.org_unit_id].startswith(jingansi) for e, _ in rows)
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        rows, _ = audit_log.entries(ctx, limit=200)
        assert rows and all(paths[e.org_unit_id].startswith(gonghexinlu) for e, _ in rows)
    with acting(platform, "jingan", "jingan_admin") as ctx:
        rows, district_total = audit_log.entries(ctx, limit=200)
        everything = ctx.session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))
        assert rows[0][0].id == everything
        assert district_total > street_total
        units = {e.org_unit_id for e, _ in audit_log.entries(ctx, limit=200, entity="users")[0]}
        assert units == {None}  # people are tenant-wide: the district's alone
    with acting(platform, "jingan", "luochuan") as ctx, pytest.raises(Forbidden):
        audit_log.entries(ctx)


def test_new_entries_carry_the_unit_of_what_they_describe(platform):
    with acting(platform, "jingan", "jas_admin") as ctx:
        unit = ctx.session.scalars(select(OrgUnit).where(OrgUnit.code == "jas-haiyuan")).one()
        sponsor = pledges.register_sponsor(ctx, unit.id, "审计测试共建单位", "enterprise")
        sponsor_id, unit_id = sponsor.id, unit.id
    with acting(platform, "jingan", "jas_admin") as ctx:
        rows, _ = audit_log.entries(ctx, entity="sponsors", entity_id=sponsor_id)
        assert [e.org_unit_id for e, _ in rows] == [unit_id]
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        assert audit_log.entries(ctx, entity="sponsors", entity_id=sponsor_id) == ([], 0)


def test_the_api_audit_log_is_scoped_too(client, platform):
    gonghexinlu = _code_path(platform, "gonghexinlu")
    paths = _paths(platform)
    r = client.get(url("/audit?limit=200"), headers=login(client, "ghxl_admin"))
    assert r.status_code == 200
    with platform.db.session(tenant_id=tenant_id(platform, "jingan")) as s:
        units = dict(s.execute(select(AuditEntry.id, AuditEntry.org_unit_id)).all())
    assert r.get_json()["items"]
    assert all(paths[units[item["id"]]].startswith(gonghexinlu) for item in r.get_json()["items"])


# -- funds: the table decides who sees which ---------------------------------------------------------

def test_a_neighbourhood_sees_its_own_and_its_streets_funds_but_not_another_streets(client, platform):
    paths = _paths(platform)
    luochuan = _code_path(platform, "ghxl-luochuan")
    with acting(platform, "jingan", "luochuan") as ctx:
        seen = funds.visible_funds(ctx)
        assert seen, "a neighbourhood still sees its own line and its street's pool"
        assert all(luochuan.startswith(paths[f.org_unit_id]) for f, _ in seen)
    with acting(platform, "jingan", "jingan_admin") as ctx:
        other = ctx.session.scalars(select(Fund).join(OrgUnit, OrgUnit.id == Fund.org_unit_id)
                                    .where(OrgUnit.path.startswith(_code_path(platform, "jingansi")))
                                    .order_by(Fund.kind == FundKind.sponsor_fund.value, Fund.id)).all()
        assert other
        other_ids = [f.id for f in other]
        all_ids = {f.id for f, _ in funds.visible_funds(ctx)}
        assert set(other_ids) <= all_ids
    with acting(platform, "jingan", "luochuan") as ctx:
        for fid in other_ids:
            with pytest.raises(NotFound):
                funds.fund_with_balance(ctx, fid)
            with pytest.raises(NotFound):
                funds.entries(ctx, fid)
    headers = login(client, "luochuan")
    listed = {f["id"] for f in client.get(url("/funds"), headers=headers).get_json()["items"]}
    assert listed and not listed & set(other_ids)
    assert client.get(url(f"/funds/{other_ids[-1]}"), headers=headers).status_code == 404
    assert client.get(url(f"/funds/{other_ids[-1]}/entries"), headers=headers).status_code == 404


def test_migration_0005_backfills_the_units_of_older_entries_once(settings, platform):
    from core import migrate
    tid = tenant_id(platform, "jingan")
    with platform.db.session(tenant_id=tid) as s:
        before = dict(s.execute(select(AuditEntry.id, AuditEntry.org_unit_id)).all())
    platform.db.dispose()
    assert before and sum(u is not None for u in before.values()) > len(before) // 2
    migrate.downgrade(settings, "0004_money")   # the column goes: entries as they were before 0005
    migrate.upgrade(settings)                   # ... and comes back, backfilled by the migration
    with platform.db.session(tenant_id=tid) as s:
        after = dict(s.execute(select(AuditEntry.id, AuditEntry.org_unit_id)).all())
    assert after == before  # the backfill and the writer follow the same rules
