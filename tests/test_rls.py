"""Tenancy in PostgreSQL itself: row-level security under the runtime role.

The application filter (core.tenancy) is one wall; these tests prove the second one stands on
its own. They connect as the runtime role tongxin_app with plain psycopg and raw SQL, with two
tenants (静安区 and 晋江市) holding rows in every tenant-owned table, and show that the database
alone shows a session exactly its own tenant's rows, none without a tenant, refuses rows for
another tenant, and keeps the audit log append-only. PostgreSQL profile only.
"""
from __future__ import annotations

import io
from pathlib import Path

import psycopg
import pytest
import yaml
from psycopg import sql
from sqlalchemy import select

import core.models  # noqa: F401 - registers every table
from core.db import Base
from core.models import Project
from core.plugin_host.manager import PluginFailure
from core.services import projects, review
from core.services.auth import issue_token
from core.services.faults import record_fault
from core.services.tenant_definitions import load
from core.tenancy import ALL_TENANTS, TenantOwned
from core.violations import NotFound
from tests.factories import PDF, acting, application, programme_id, tenant_id, unit_id

ROOT = Path(__file__).resolve().parent.parent

TENANT_TABLES = sorted(m.local_table.name for m in Base.registry.mappers if issubclass(m.class_, TenantOwned))
# The tables the fixture below fills for both tenants through the services. Tables added later
# are still checked (same policy, rows equal to the owner's per-tenant count), and the first
# test proves their policy is the same predicate as everyone else's.
POPULATED = {"org_units", "users", "memberships", "api_tokens", "plugin_enablements", "plugin_faults",
             "programmes", "projects", "budget_items", "attachments", "panel_members", "scores",
             "decisions", "audit_entries", "notifications"}


# Row-level security is PostgreSQL's; the sqlite profile has only the application filter.
pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_settings(settings, profile):
    assert profile == "postgres", "mark the test postgres: it runs in the production profile only"
    return settings


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def _give_second_tenant_a_programme(platform) -> None:
    """晋江市 as in the test world's jinjiang.yaml, plus a programme with a panel and an applicant, so
    that it too has rows in every tenant-owned table."""
    data = yaml.safe_load((ROOT / "tests" / "world" / "jinjiang.yaml").read_text(encoding="utf-8"))
    street = next(u for u in data["units"] if u["code"] == "jj-qingyang")
    street["plugins"] = {"gonghexinlu": {"config": {}}}
    # Its neighbourhood's line pays for the approved 一居一品 (so it has funds and entries too).
    street["children"][0]["funds"] = [{"plugin": "gonghexinlu", "fund": "line", "year": 2023, "allocate_yuan": "30000"}]
    street["programmes"] = [{"plugin": "gonghexinlu", "year": 2023, "title": "青阳街道2023年度自治项目",
                             "panel": ["jj_chair", "jj_expert"], "chair": "jj_chair"}]
    data["users"] += [
        {"username": "jj_chair", "name": "评审组长", "password": "tongxin-test",
         "roles": [{"role": "reviewer", "unit": "jj-qingyang"}]},
        {"username": "jj_expert", "name": "评审专家", "password": "tongxin-test",
         "roles": [{"role": "reviewer", "unit": "jj-qingyang"}]},
        {"username": "jj_staff", "name": "青华社区", "password": "tongxin-test",
         "roles": [{"role": "neighbourhood_staff", "unit": "jj-qingyang-a"}]},
    ]
    load(platform, data)


def _project_through_review(platform, tenant: str, staff: str, unit_code: str, chair: str, expert: str,
                            title: str) -> int:
    pid = programme_id(platform, tenant, plugin="gonghexinlu")  # 晋江市 also has its own city-wide call
    with acting(platform, tenant, staff) as ctx:
        p = projects.create_project(ctx, pid, unit_id(platform, tenant, unit_code), "yiju_yipin", title)
        projects.save_form(ctx, p.id, "application", application(title))
        projects.set_budget(ctx, p.id, [{"description": "活动物料", "amount": "3000"}])
        projects.attach(ctx, p.id, "residents_minutes", "会议记录.pdf", io.BytesIO(PDF), platform.storage)
        issue_token(ctx.session, ctx.actor.user, "rls-test")
    with acting(platform, tenant, staff) as ctx:
        projects.submit(ctx, p.id)  # notifies the panel (in-process task)
    for reviewer in (expert, chair):
        with acting(platform, tenant, reviewer) as ctx:
            review.score(ctx, p.id, {"feasibility": 8, "operability": 8, "compliance": 8}, "可行")
    with acting(platform, tenant, chair) as ctx:
        review.decide(ctx, p.id, "approved", approved_amount="3000")
    record_fault(platform, tenant_id(platform, tenant), PluginFailure("gonghexinlu", "tongxin_check", "test fault"))
    return p.id


@pytest.fixture
def two_tenants(pg_settings, platform):
    """Both tenants with rows in every tenant-owned table. Returns (ids by slug, project ids)."""
    _give_second_tenant_a_programme(platform)
    pids = {
        "jingan": _project_through_review(platform, "jingan", "luochuan", "ghxl-luochuan", "ghxl_chair",
                                          "ghxl_expert", "楼组议事会"),
        "jinjiang": _project_through_review(platform, "jinjiang", "jj_staff", "jj-qingyang-a", "jj_chair",
                                            "jj_expert", "邻里互助站"),
    }
    ids = {slug: tenant_id(platform, slug) for slug in ("jingan", "jinjiang")}
    return ids, pids


@pytest.fixture
def runtime(pg_settings):
    """A raw connection as the runtime role, one transaction per test step."""
    with psycopg.connect(_libpq(pg_settings.database_url)) as conn:
        yield conn


@pytest.fixture
def owner(pg_settings):
    with psycopg.connect(_libpq(pg_settings.admin_database_url), autocommit=True) as conn:
        yield conn


def _set_tenant(conn, value: str | None) -> None:
    if value is not None:
        conn.execute("SELECT set_config('tongxin.tenant_id', %s, true)", (value,))


def _counts(conn, table: str) -> dict[int, int]:
    rows = conn.execute(sql.SQL("SELECT tenant_id, count(*) FROM {} GROUP BY tenant_id").format(sql.Identifier(table)))
    return dict(rows.fetchall())


def test_every_table_with_a_tenant_column_is_under_forced_rls(owner):
    tables_with_tenant = {r[0] for r in owner.execute(
        "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'tenant_id'")}
    assert set(TENANT_TABLES) <= tables_with_tenant
    rows = owner.execute("""
        SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
               (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid)
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relname = ANY(%s)""", (sorted(tables_with_tenant),)).fetchall()
    unprotected = [r[0] for r in rows if not (r[1] and r[2] and r[3] > 0)]
    assert len(rows) == len(tables_with_tenant) and unprotected == []
    # One predicate everywhere, for reading (USING) and writing (WITH CHECK) alike, so the
    # behaviour proven on the populated tables below holds for every table.
    policies = owner.execute("""
        SELECT tablename, cmd, qual, with_check FROM pg_policies
         WHERE schemaname = 'public' AND tablename = ANY(%s)""", (sorted(tables_with_tenant),)).fetchall()
    reference = next((r[2] for r in policies if r[0] == "projects"), None)
    assert reference and "tongxin.tenant_id" in reference and "tenant_id" in reference
    assert {(r[1], r[2], r[3]) for r in policies} == {("ALL", reference, reference)}
    assert {r[0] for r in policies} == tables_with_tenant


def test_the_runtime_role_cannot_bypass_rls_and_owns_nothing(runtime, owner):
    me, is_super, bypass = runtime.execute(
        "SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user").fetchone()
    assert me == "tongxin_app" and not is_super and not bypass
    owned = owner.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tableowner = %s",
                          (me,)).fetchall()
    assert owned == []


def test_a_tenant_sees_only_its_own_rows_in_every_table(two_tenants, runtime, owner):
    ids, _ = two_tenants
    for table in TENANT_TABLES:
        # The owner (a superuser, so not subject to RLS) sees both tenants: the data is there.
        everything = _counts(owner, table)
        if table in POPULATED:
            assert everything.get(ids["jingan"], 0) > 0 and everything.get(ids["jinjiang"], 0) > 0, table
        for slug in ("jingan", "jinjiang"):
            own = {ids[slug]: everything[ids[slug]]} if everything.get(ids[slug]) else {}
            with runtime.transaction():
                _set_tenant(runtime, str(ids[slug]))
                assert _counts(runtime, table) == own, table


@pytest.mark.parametrize("setting", [None, ""], ids=["unset", "empty"])
def test_without_a_tenant_no_rows_at_all(two_tenants, runtime, setting):
    for table in TENANT_TABLES:
        with runtime.transaction():
            _set_tenant(runtime, setting)
            assert _counts(runtime, table) == {}, table


def test_the_setting_is_transaction_local(two_tenants, runtime):
    ids, _ = two_tenants
    with runtime.transaction():
        _set_tenant(runtime, str(ids["jingan"]))
        assert _counts(runtime, "projects")
    # A pooled connection's next transaction does not inherit the tenant.
    with runtime.transaction():
        assert _counts(runtime, "projects") == {}


def test_rows_for_another_tenant_are_refused(two_tenants, runtime):
    ids, pids = two_tenants
    jingan, jinjiang = ids["jingan"], ids["jinjiang"]
    user_id = None
    with runtime.transaction():
        _set_tenant(runtime, str(jingan))
        user_id = runtime.execute("SELECT id FROM users WHERE username = 'luochuan'").fetchone()[0]
        # Its own tenant: allowed (the same statement, so the refusals below are about the tenant).
        runtime.execute("INSERT INTO notifications (tenant_id, user_id, kind, subject, body, dedupe_key, created_at)"
                        " VALUES (%s, %s, 'test', 's', '', 'rls-own', now())", (jingan, user_id))
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
        with runtime.transaction():
            _set_tenant(runtime, str(jingan))
            runtime.execute("INSERT INTO notifications (tenant_id, user_id, kind, subject, body, dedupe_key, created_at)"
                            " VALUES (%s, %s, 'test', 's', '', 'rls-foreign', now())", (jinjiang, user_id))
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
        with runtime.transaction():
            _set_tenant(runtime, str(jingan))  # moving an own row into another tenant
            runtime.execute("UPDATE projects SET tenant_id = %s WHERE id = %s", (jinjiang, pids["jingan"]))
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
        with runtime.transaction():  # no tenant at all: nothing may be written
            runtime.execute("INSERT INTO notifications (tenant_id, user_id, kind, subject, body, dedupe_key, created_at)"
                            " VALUES (%s, %s, 'test', 's', '', 'rls-none', now())", (jingan, user_id))
    with runtime.transaction():
        _set_tenant(runtime, str(jinjiang))  # another tenant's rows cannot even be aimed at
        assert runtime.execute("UPDATE projects SET title = 'x' WHERE id = %s", (pids["jingan"],)).rowcount == 0
        assert runtime.execute("DELETE FROM projects WHERE id = %s", (pids["jingan"],)).rowcount == 0


@pytest.mark.parametrize("statement", ["UPDATE audit_entries SET action = 'forged'", "DELETE FROM audit_entries",
                                       "TRUNCATE audit_entries"])
def test_the_audit_log_is_append_only_for_the_runtime_role(two_tenants, runtime, statement):
    ids, _ = two_tenants
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        with runtime.transaction():
            _set_tenant(runtime, str(ids["jingan"]))
            runtime.execute(statement)


@pytest.mark.parametrize("statement", ["UPDATE audit_entries SET action = 'forged'", "DELETE FROM audit_entries"])
def test_the_audit_log_is_append_only_even_for_the_owner(two_tenants, owner, statement):
    before = owner.execute("SELECT count(*), count(*) FILTER (WHERE action = 'forged') FROM audit_entries").fetchone()
    assert before[0] > 0
    with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
        owner.execute(statement)
    assert owner.execute("SELECT count(*), count(*) FILTER (WHERE action = 'forged') FROM audit_entries"
                         ).fetchone() == before


def test_the_orm_bound_to_one_tenant_cannot_get_anothers_project(two_tenants, platform):
    ids, pids = two_tenants
    with platform.db.session(tenant_id=ids["jinjiang"]) as s:
        assert s.get(Project, pids["jingan"]) is None
        assert s.get(Project, pids["jinjiang"]) is not None
        # Even with the application's own filter switched off, PostgreSQL still says no.
        unfiltered = select(Project).where(Project.id == pids["jingan"]).execution_options(**{ALL_TENANTS: True})
        assert s.scalars(unfiltered).first() is None
    with platform.db.session(tenant_id=ids["jingan"]) as s:  # the control: its own tenant finds it
        assert s.scalars(select(Project).where(Project.id == pids["jingan"])
                         .execution_options(**{ALL_TENANTS: True})).first() is not None
    with pytest.raises(NotFound), acting(platform, "jinjiang", "jj_admin") as ctx:
        projects.get_project(ctx, pids["jingan"])


# Tables whose rows are records (they change state, never vanish): the runtime role may not
# DELETE or TRUNCATE them (core.plugin_host.migration_helpers.enable_tenant_rls(records=True)).
RECORDS = ("fund_request_batches", "sponsors", "pledges", "fund_requests", "plan_tasks", "plan_revisions",
           "supervision_assignments", "supervision_visits", "rectifications", "project_closeouts", "obligations",
           "obligation_periods", "due_items", "obligation_alerts", "obligation_reports", "login_sessions")
# An activity record may be deleted, with its files and participants, by who recorded it (the
# audit log keeps why and what it said: core.services.delivery.activity_changes).
DELETABLE = ("registry_people", "mail_deliveries", "role_handovers", "projects", "outbox_messages",
             "activity_records", "activity_files", "activity_participants")


def test_records_cannot_be_deleted_by_the_runtime_role_and_the_rest_can(owner, pg_settings):
    role = psycopg.conninfo.conninfo_to_dict(_libpq(pg_settings.database_url))["user"]

    def may(table: str, privilege: str) -> bool:
        return owner.execute("SELECT has_table_privilege(%s, %s, %s)", (role, table, privilege)).fetchone()[0]

    for table in RECORDS:
        assert may(table, "SELECT") and may(table, "INSERT") and may(table, "UPDATE"), table
        assert not may(table, "DELETE") and not may(table, "TRUNCATE"), table
    for table in DELETABLE:
        assert may(table, "DELETE"), table
