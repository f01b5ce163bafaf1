"""docs/security.md names the test behind each promise: every test it names exists, so a renamed or
deleted test cannot leave a promise standing without its proof (the pattern of
tests/test_docs_match_the_code.py)."""
from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
CHAPTERS = [f"V{n}" for n in range(1, 15)]


def named_tests(text: str) -> set[tuple[str, str]]:
    return set(re.findall(r"`(tests/[\w/]+\.py)::(test_\w+)`", text))


def defined_tests(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
            and n.name.startswith("test_")}


def missing(text: str) -> list[str]:
    out = []
    for path, name in sorted(named_tests(text)):
        file = ROOT / path
        if not file.is_file() or name not in defined_tests(file):
            out.append(f"{path}::{name}")
    return out


def test_every_test_the_security_page_names_exists():
    assert len(named_tests(DOC)) > 40
    assert missing(DOC) == []


def test_the_check_notices_a_test_that_does_not_exist():
    assert missing("`tests/test_rls.py::test_no_such_test` `tests/nowhere.py::test_x`") == [
        "tests/nowhere.py::test_x", "tests/test_rls.py::test_no_such_test"]


def test_the_page_has_every_asvs_chapter_in_order():
    found = re.findall(r"^## (V\d+) ", DOC, re.M)
    assert found == CHAPTERS
