"""The demo as `scripts/demo` prepares it, for the demo's own smoke tests (tests/test_demo_*.py,
tests/browser/test_demo_*.py): the only helpers that read the shipped tenants/ folder.

``prepared_demo`` plays `tongxin demo --no-serve` once per module and variant: as shipped, and
with a made-up street's tenant file (tests/demo_additions/) dropped in beside the demo's files,
as an outside plugin author or a district adding a street would do. ``demo`` is a private copy
of it for one test.
"""
from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from core.config import Settings
from tests.commands import tongxin

ROOT = Path(__file__).resolve().parent.parent
DEMO_TENANTS = ROOT / "tenants"
ADDITIONS = Path(__file__).resolve().parent / "demo_additions"
# The demo's "today" is scripts/demo's default, read from the script so that there is one truth.
DEMO_TODAY = re.search(r'TONGXIN_TODAY="\$\{TONGXIN_TODAY-([0-9-]+)\}"',
                       (ROOT / "scripts" / "demo").read_text(encoding="utf-8")).group(1)
DEMO_PASSWORD = "tongxin-demo"


def _demo_settings(folder: Path, tenants_dir: Path) -> Settings:
    return Settings(database_url=f"sqlite:///{folder / 'demo.db'}", storage_dir=str(folder / "files"),
                    today=DEMO_TODAY, tenants_dir=str(tenants_dir),
                    # a setting, not the point here: the demo's own logins are checked below
                    password_hashing="cheapest")


@pytest.fixture(scope="module", params=["shipped", "with-new-street"])
def prepared_demo(request, tmp_path_factory) -> Settings:
    """`tongxin demo --no-serve` on a fresh SQLite database, once per variant."""
    folder = tmp_path_factory.mktemp(f"demo-{request.param}")
    tenants = folder / "tenants"
    shutil.copytree(DEMO_TENANTS, tenants, ignore=shutil.ignore_patterns("__pycache__"))
    if request.param == "with-new-street":
        for extra in ADDITIONS.glob("*.yaml"):
            shutil.copy(extra, tenants / extra.name)
    settings = _demo_settings(folder, tenants)
    out = tongxin(settings, "demo", "--no-serve").output
    assert DEMO_PASSWORD in out and "demo year played" in out
    settings.extra["variant"] = request.param
    return settings


@pytest.fixture
def demo(prepared_demo, tmp_path) -> Settings:
    """A private copy of the prepared demo for one test."""
    source = Path(prepared_demo.database_url.removeprefix("sqlite:///"))
    with sqlite3.connect(source) as src, sqlite3.connect(tmp_path / "demo.db") as copy:
        src.backup(copy)  # (a file copy could miss pages still in the write-ahead log)
    shutil.copytree(prepared_demo.storage_dir, tmp_path / "files", dirs_exist_ok=True)
    settings = _demo_settings(tmp_path, Path(prepared_demo.tenants_dir))
    settings.extra["variant"] = prepared_demo.extra["variant"]
    return settings


