"""The README and the plugin guide say what the code is: the built-in plugins they name are the
ones pyproject.toml installs, the README's layout names every package of core/ and nothing that is
not there, and every file they name exists."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
GUIDE = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
TOP = ("core", "plugins", "tests", "tenants", "migrations", "scripts", "docs", ".ci")


def entry_points() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return dict(project["entry-points"]["tongxin.plugins"])


def plugin_dirs_named(text: str) -> set[str]:
    """The plugin packages a text names as ``plugins/<name>/``."""
    return set(re.findall(r"`plugins/([a-z_][a-z0-9_]*)/`", text))


def layout(text: str) -> dict[str, list[str]]:
    """The README's layout block: each top-level entry with the entries indented under it."""
    block = re.search(r"^## Layout\n+```\n(.*?)\n```", text, re.M | re.S).group(1)
    tree: dict[str, list[str]] = {}
    top = None
    for line in block.splitlines():
        if not line.startswith(" "):
            top = line.split()[0]
            tree[top] = []
        elif line.startswith("  ") and not line.startswith("   ") and top is not None:
            tree[top].append(line.split()[0].rstrip(","))
    return tree


def named_files(text: str) -> set[str]:
    """Repository paths a text names in backticks: under a top-level folder, or a root file."""
    found = set()
    for quoted in re.findall(r"`([^`\s<>]+)`", text):
        if quoted.split("/")[0] in TOP and "/" in quoted:
            found.add(quoted.rstrip("/"))
        elif re.fullmatch(r"[\w.-]+\.(ini|toml|yml)|Dockerfile", quoted):
            found.add(quoted)
    return found


def missing(paths: set[str]) -> list[str]:
    return sorted(p for p in paths if not any(ROOT.glob(p)))


def test_the_readme_and_the_guide_name_the_plugins_pyproject_installs():
    installed = entry_points()
    assert installed == {name: f"plugins.{name}.plugin" for name in installed}
    packages = {p.parent.name for p in (ROOT / "plugins").glob("*/__init__.py")}
    assert packages == set(installed)  # every plugin package is installed, and only those
    assert plugin_dirs_named(README) == set(installed)
    assert set(layout(README)["plugins/"]) == {f"{name}/" for name in installed}
    intro = GUIDE.split("\n## ", 1)[0]  # the guide's worked examples, before "The model"
    assert plugin_dirs_named(intro) == set(installed)


def test_the_readme_layout_names_every_package_of_core_and_nothing_else():
    named = layout(README)["core/"]
    packages = {f"{p.parent.name}/" for p in (ROOT / "core").glob("*/__init__.py")}
    assert packages <= set(named), f"the README's layout misses {sorted(packages - set(named))}"
    assert [n for n in named if not (ROOT / "core" / n).exists()] == []


def test_every_file_the_readme_and_the_guide_name_exists():
    assert {"alembic.ini", "core/plugin_host/hookspecs", "plugins/haiyuan", "tests/world/*.yaml"} <= \
        named_files(README) | named_files(GUIDE)  # the scan sees what it should
    assert missing(named_files(README)) == []
    assert missing(named_files(GUIDE)) == []


def test_the_checks_can_fail():
    assert plugin_dirs_named("`plugins/alpha/` and `plugins/beta/config.py`") == {"alpha"}
    assert layout("## Layout\n\n```\ncore/  x\n  a/   y\n     more\nplugins/\n  p/\n```") == \
        {"core/": ["a/"], "plugins/": ["p/"]}
    assert missing({"core/no_such_module.py", "core/app.py", "tests/world/*.nothing"}) == [
        "core/no_such_module.py", "tests/world/*.nothing"]
