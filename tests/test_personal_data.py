"""Personal data (issue 14, part 6): reading the audit log is itself recorded, every export of the
people registry is recorded, and registries past their retention are anonymised by
`tongxin personal-data retention`, as long as the policies (or the deployment's setting) say.
Exports of every route are checked in tests/security/test_personal_exports.py."""
from __future__ import annotations

import datetime as dt
import types

from click.testing import CliRunner
from sqlalchemy import func, select

from core.cli import main
from core.config import Settings
from core.models import AuditEntry, RegistryPerson
from core.services import retention
from tests.clients import Web, login, url
from tests.commands import env_of
from tests.delivery_factories import id_number, person, project_with_plan
from tests.factories import acting

MOBILE = "13912345678"


def _entries(platform, action: str) -> list[AuditEntry]:
    with acting(platform, "jingan", None) as ctx:
        return list(ctx.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def test_reading_the_audit_log_is_recorded_on_the_api_and_the_web(app, client, platform):
    client.get(url("/audit?entity=projects&page_size=5"), headers=login(client, "jingan_admin"))
    web = Web(app.test_client())
    web.login("ghxl_admin")
    assert web.get("/admin/audit").status_code == 200
    reads = _entries(platform, "audit.read")
    assert len(reads) == 2
    assert reads[0].after["entity"] == "projects" and reads[0].after["limit"] == 5
    assert reads[0].actor_id != reads[1].actor_id and reads[0].org_unit_id is None
    # the district reads who read (a read carries no unit)
    listed = client.get(url("/audit?entity=audit_entries"), headers=login(client, "jingan_admin")).get_json()
    assert {e["action"] for e in listed["items"]} == {"audit.read"} and listed["total"] >= 2


def test_every_export_of_the_registry_is_recorded(app, client, platform):
    pid, _ = project_with_plan(platform)
    person(platform, pid, "王阿姨", id_number=id_number(), mobile=MOBILE)
    api = client.get(url(f"/projects/{pid}/people.xlsx"), headers=login(client, "ghxl_admin"))
    web = Web(app.test_client())
    web.login("luochuan")
    page = web.get(f"/projects/{pid}/people.xlsx")
    assert api.status_code == page.status_code == 200
    exports = _entries(platform, "person.export")
    assert [(e.after["project_id"], e.after["people"], e.after["format"]) for e in exports] == [(pid, 1, "xlsx")] * 2


def _run(settings: Settings, day: str, *args: str):
    result = CliRunner().invoke(main, ["personal-data", "retention", "--tenant", "jingan", *args],
                                env=env_of(settings, TONGXIN_TODAY=day))
    assert result.exit_code == 0, result.output
    return result.output


def test_registries_past_their_retention_are_anonymised(settings, platform):
    """共和新路 keeps a registry 3 years (its ``registry_retention_years``) after the year the
    project's period ends (2023-12-31): until 2026-12-31."""
    pid, _ = project_with_plan(platform)
    kept = person(platform, pid, "王阿姨", id_number=id_number(), mobile=MOBILE, address="12号楼", skills="园艺")
    assert "0 人" in _run(settings, "2026-12-31", "--dry-run")
    assert "0 人" in _run(settings, "2026-12-31")
    assert "保存至 2026-12-31（3年）" in _run(settings, "2027-01-01", "--dry-run")
    with acting(platform, "jingan", None) as ctx:
        assert ctx.session.get(RegistryPerson, kept).name == "王阿姨"  # a dry run changes nothing
    out = _run(settings, "2027-01-01")
    assert "已匿名化 / anonymised: 1 人" in out
    with acting(platform, "jingan", None) as ctx:
        p = ctx.session.get(RegistryPerson, kept)
        assert (p.name, p.id_number, p.mobile, p.address, p.skills) == (retention.ANONYMISED, None, None, "", "")
        assert "2027年1月1日" in p.consent_note
        count = ctx.session.scalar(select(func.count(RegistryPerson.id)).where(RegistryPerson.project_id == pid))
    assert count == 1  # the row stays: counts and hours still add up
    [entry] = _entries(platform, "person.anonymise")
    assert entry.before["name"] == "王阿姨" and MOBILE not in str(entry.before)  # the log keeps the masked number
    assert "0 人" in _run(settings, "2027-06-01")  # idempotent


def test_the_deployments_setting_holds_where_no_policy_declares_a_period(settings, platform, monkeypatch):
    pid, _ = project_with_plan(platform)
    silent = types.SimpleNamespace(retention_years=None, ends=dt.date(2023, 12, 31))
    monkeypatch.setattr(retention, "rules_of", lambda ctx, project: silent)
    with acting(platform, "jingan", None) as ctx:
        from core.models import Project
        project = ctx.session.get(Project, pid)
        assert retention.kept_until(ctx, project) is None  # unset: kept until the office decides
        ctx.settings.personal_data_retention_years = 5
        assert retention.kept_until(ctx, project) == (dt.date(2028, 12, 31), 5)


def test_the_setting_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("TONGXIN_PERSONAL_DATA_RETENTION_YEARS", "4")
    assert Settings.from_env(database_url="sqlite://").personal_data_retention_years == 4
    monkeypatch.setenv("TONGXIN_PERSONAL_DATA_RETENTION_YEARS", "forever")
    try:
        Settings.from_env(database_url="sqlite://")
    except ValueError as exc:
        assert "TONGXIN_PERSONAL_DATA_RETENTION_YEARS" in str(exc)
    else:
        raise AssertionError("a retention that is not a number was accepted")
