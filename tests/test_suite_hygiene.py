"""The suite keeps itself true: tests build their own world, share helpers through helper
modules (never through each other), and do not skip themselves quietly."""
from __future__ import annotations

import ast
import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
TEST_FILES = sorted(p for base in (TESTS, ROOT / "plugins") for p in base.rglob("*.py") if "__pycache__" not in p.parts)
# Ways of reaching the demo's tenant files from a test.
DEMO_TENANTS = [re.compile(p) for p in (r'/\s*["\']tenants["\']', r'["\']tenants/', r"demo_year")]


def _is_test_module(path: Path) -> bool:
    return path.name.startswith("test_") and ("tests" in path.parts)


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


def test_no_test_module_imports_another():
    """Shared helpers live in tests/factories.py, money_factories.py, clients.py, commands.py (and the
    browser kit), so a test module can change without breaking its neighbours."""
    offenders = {f"{p.relative_to(ROOT)} imports {m}" for p in TEST_FILES for m in _imported_modules(p)
                 if m.rsplit(".", 1)[-1].startswith("test_")}
    assert sorted(offenders) == []


def test_only_the_demo_smoke_tests_read_the_demo_tenants():
    """Logic tests load tests/world/; the demo's tenants/ is for tests/**/test_demo_*.py (and
    their fixtures, tests/demo_kit.py) only."""
    offenders = []
    for path in TEST_FILES:
        if path.name.startswith("test_demo_") or path.name == "demo_kit.py" or path == Path(__file__):
            continue
        text = path.read_text(encoding="utf-8")
        offenders += [f"{path.relative_to(ROOT)}: {rx.pattern}" for rx in DEMO_TENANTS if rx.search(text)]
    assert offenders == []


def test_no_test_skips_itself():
    """A test that skips when something is missing passes when it should fail: production-only
    tests are marked (`postgres`, `browser`, `celery`) and scripts/test installs what they need."""
    offenders = [f"{p.relative_to(ROOT)}" for p in TEST_FILES if p != Path(__file__)
                 and re.search(r"pytest\.(skip|importorskip)\(|mark\.skip", p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_the_scans_above_would_notice(tmp_path):
    # The patterns of these checks, on planted lines (guarding against checks that cannot fail).
    planted = tmp_path / "test_planted.py"
    planted.write_text("from tests.test_web import Web\nimport pytest\n", encoding="utf-8")
    assert "tests.test_web" in _imported_modules(planted)
    assert any(rx.search('ROOT / "tenants" / "jingan.yaml"') for rx in DEMO_TENANTS)
    assert re.search(r"pytest\.(skip|importorskip)\(", 'pytest.importorskip("playwright")')
