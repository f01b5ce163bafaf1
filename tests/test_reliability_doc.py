"""docs/reliability.md says which test proves each promise of issue 15: every test it names
must exist, as a function (or a class's method) of the file it names — a renamed or deleted
test fails here, not silently in the document."""
from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "reliability.md"
NAMED = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")


def named_tests(text: str) -> set[tuple[str, str]]:
    return set(NAMED.findall(text))


def defined(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}


def missing(pairs: set[tuple[str, str]]) -> list[str]:
    return sorted(f"{file}::{name}" for file, name in pairs
                  if not (ROOT / file).is_file() or name not in defined(ROOT / file))


def test_every_test_the_reliability_doc_names_exists():
    pairs = named_tests(DOC.read_text(encoding="utf-8"))
    assert len(pairs) >= 3  # the scan sees the document's tests
    assert missing(pairs) == []


def test_each_promise_of_the_doc_names_a_test():
    sections = re.split(r"^## ", DOC.read_text(encoding="utf-8"), flags=re.M)[1:]
    assert len(sections) >= 6
    for section in sections:
        title = section.splitlines()[0]
        assert named_tests(section), f"«{title}» names no test"


def test_the_check_can_fail():
    assert missing({("tests/test_reliability_doc.py", "no_such_test"), ("tests/no_such_file.py", "test_x"),
                    ("tests/test_reliability_doc.py", "test_the_check_can_fail")}) == [
        "tests/no_such_file.py::test_x", "tests/test_reliability_doc.py::no_such_test"]
