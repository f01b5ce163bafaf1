"""Every file of the demo downloads, as `scripts/demo` runs it: from the checkout's folder with
the default, relative settings (``sqlite:///instance/tongxin.db``, ``instance/files``). A
relative storage path once resolved against the package's folder, and every download of the
embedded demo answered 500."""
from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

from sqlalchemy import select

from core.app import create_app
from core.config import Settings
from core.models import ActivityFile, ActivityRecord, Attachment, Membership, Project, Tenant, User
from tests.clients import Web
from tests.demo_kit import DEMO_PASSWORD, DEMO_TODAY

pytest_plugins = ["tests.demo_kit"]  # the demo fixtures: prepared_demo, demo
OFFICES = ("district_admin", "street_admin")


def _as_scripts_demo_runs_it(demo: Settings, folder: Path, monkeypatch) -> Settings:
    """The demo's database and files under ``folder/instance``, the process started in
    ``folder`` with scripts/demo's relative defaults."""
    (folder / "instance").mkdir(parents=True)
    with sqlite3.connect(demo.database_url.removeprefix("sqlite:///")) as src, \
            sqlite3.connect(folder / "instance" / "tongxin.db") as copy:
        src.backup(copy)  # (a file copy could miss pages still in the write-ahead log)
    shutil.copytree(demo.storage_dir, folder / "instance" / "files")
    monkeypatch.chdir(folder)
    defaults = Settings()
    assert not Path(defaults.storage_dir).is_absolute()  # what this test is about
    return Settings(database_url=defaults.database_url, storage_dir=defaults.storage_dir, today=DEMO_TODAY,
                    tenants_dir=demo.tenants_dir, password_hashing="cheapest")


def test_demo_every_attachment_and_activity_file_downloads(demo, tmp_path, monkeypatch):
    settings = _as_scripts_demo_runs_it(demo, tmp_path / "checkout", monkeypatch)
    app = create_app(settings)
    platform = app.extensions["tongxin"]
    try:
        with platform.db.session() as s:
            tenants = dict(s.execute(select(Tenant.id, Tenant.slug)).all())
        admins, attachments, files = {}, [], []
        for tid in tenants:
            with platform.db.session(tenant_id=tid) as s:
                admins[tid] = list(s.scalars(select(User.username).join(Membership, Membership.user_id == User.id)
                                             .where(Membership.role.in_(OFFICES)).order_by(User.id).distinct()))
                attachments += [(a.tenant_id, a.project_id, a.id, a.kind, a.sha256) for a in s.scalars(
                    select(Attachment).join(Project, Project.id == Attachment.project_id))]
                files += [(f.tenant_id, f.activity_id, f.id, f.kind, f.sha256, f.thumb_key is not None) for f in
                          s.scalars(select(ActivityFile).join(ActivityRecord,
                                                              ActivityRecord.id == ActivityFile.activity_id))]
        kinds = {kind for *_, kind, _ in attachments}
        assert len(kinds) >= 3 and files, (kinds, len(files))  # the demo really has files of several kinds

        webs = {}
        for tid in {t for t, *_ in attachments + files}:
            webs[tid] = [Web(app.test_client(), tenants[tid]) for _ in admins[tid]]
            for web, username in zip(webs[tid], admins[tid]):
                web.login(username, DEMO_PASSWORD)

        def downloads(tid: int, path: str, sha: str | None) -> bool:
            """Whether an office entitled to the file gets it, byte for byte (a sign-in sheet,
            with residents' names, is the street's and not the district's to read)."""
            for web in webs[tid]:
                r = web.get(path)
                if r.status_code == 200:
                    return sha is None or hashlib.sha256(r.get_data()).hexdigest() == sha
            return False

        failed = [("attachment", tenants[tid], kind, att_id) for tid, project_id, att_id, kind, sha in attachments
                  if not downloads(tid, f"/projects/{project_id}/attachments/{att_id}", sha)]
        for tid, activity_id, file_id, kind, sha, has_thumb in files:
            path = f"/activities/{activity_id}/files/{file_id}"
            if not downloads(tid, path, sha) or (has_thumb and not downloads(tid, path + "/thumbnail", None)):
                failed.append(("activity file", tenants[tid], kind, file_id))
        assert failed == []
    finally:
        platform.db.dispose()
