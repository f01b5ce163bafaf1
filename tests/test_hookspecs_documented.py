"""Every hook is documented with an example, in its docstring and in docs/plugins.md, and the
built-in plugin implements only hooks that exist (datasette's tests/test_docs.py, for Tongxin)."""
from __future__ import annotations

import dataclasses
import inspect
import re
from pathlib import Path

import pluggy
import pytest

from core.plugin_host import contributions, hookspecs, toolkit
from core.plugin_host.manager import PluginHost
from tests.fixture_plugins import misdeclared

ROOT = Path(__file__).resolve().parent.parent
GUIDE = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")


def hookspec_names() -> list[str]:
    marker = f"{hookspecs.PROJECT_NAME}_spec"
    return sorted(name for name, obj in vars(hookspecs).items() if callable(obj) and hasattr(obj, marker))


def spec_arguments(name: str) -> set[str]:
    return set(inspect.signature(getattr(hookspecs, name)).parameters)


def guide_section(name: str) -> str | None:
    """The text of the guide's ``### `name` `` section, up to the next heading of that level or above."""
    match = re.search(rf"^### `{re.escape(name)}`\s*$(.*?)(?=^##? |^### |\Z)", GUIDE, re.M | re.S)
    return match.group(1) if match else None


def example_arguments(text: str, name: str) -> set[str] | None:
    match = re.search(rf"def {re.escape(name)}\(([^)]*)\)", text)
    if match is None:
        return None
    return {a.split(":")[0].split("=")[0].strip() for a in match.group(1).split(",") if a.strip()}


HOOKS = hookspec_names()


def test_the_scan_finds_the_hookspecs():
    # guard against a scan that finds nothing and so checks nothing
    assert {"tongxin_policy", "tongxin_project_rules", "tongxin_migration_dirs"} <= set(HOOKS)
    relay = PluginHost(entry_points=False).pm.hook
    assert len(HOOKS) >= 11 and all(getattr(relay, name).has_spec() for name in HOOKS)


@pytest.mark.parametrize("name", HOOKS)
def test_every_hookspec_has_a_docstring_with_an_example_that_implements_it(name):
    doc = inspect.getdoc(getattr(hookspecs, name))
    assert doc, f"{name} has no docstring"
    summary, _, example = doc.partition("Example::")
    assert len(summary.split()) >= 10, f"{name}: say what the hook is for"
    assert example, f"{name}: the docstring needs an 'Example::' block"
    assert "@hookimpl" in example
    arguments = example_arguments(example, name)
    assert arguments is not None, f"{name}: the example should implement the hook itself"
    assert arguments <= spec_arguments(name), f"{name}: the example takes arguments the hook does not have"


@pytest.mark.parametrize("name", HOOKS)
def test_every_hookspec_is_documented_in_the_guide_with_an_example(name):
    section = guide_section(name)
    assert section is not None, f"docs/plugins.md has no '### `{name}`' section"
    assert "```python" in section, f"docs/plugins.md: {name} needs a code example"
    arguments = example_arguments(section, name)
    assert arguments is not None and arguments <= spec_arguments(name), name
    for argument in spec_arguments(name):
        assert argument in section, f"docs/plugins.md: {name} should explain its argument {argument!r}"


def test_the_guide_documents_no_hook_that_does_not_exist():
    documented = set(re.findall(r"^### `(tongxin_\w+)`", GUIDE, re.M))
    assert documented == set(HOOKS)


def test_the_section_finder_can_fail():
    assert guide_section("tongxin_no_such_hook") is None
    assert example_arguments("def other(x): ...", "tongxin_policy") is None


def test_the_guide_names_every_toolkit_export_and_policyinfo_field():
    for name in toolkit.__all__:
        assert f"`{name}`" in GUIDE, f"docs/plugins.md does not mention toolkit.{name}"
    for field in dataclasses.fields(contributions.PolicyInfo):
        assert f"| `{field.name}` |" in GUIDE, f"docs/plugins.md's PolicyInfo table lacks {field.name}"


# -- the built-in plugin ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def installed() -> PluginHost:
    host = PluginHost()
    assert host.load_errors == {}
    return host


def test_gonghexinlu_implements_only_hooks_that_exist(installed):
    installed.pm.check_pending()  # pluggy: raises for any hookimpl without a hookspec
    policy = installed.policies["gonghexinlu"]
    implemented = policy.hooks()
    assert set(implemented) <= set(HOOKS)
    assert "tongxin_project_rules" in implemented and "tongxin_policy" in implemented
    for caller in installed.pm.get_hookcallers(policy.plugin):
        for impl in caller.get_hookimpls():
            if impl.plugin is policy.plugin:
                assert set(impl.argnames) <= spec_arguments(caller.name), (caller.name, impl.argnames)


def test_every_hook_gonghexinlu_implements_is_documented(installed):
    for name in installed.policies["gonghexinlu"].hooks():
        assert guide_section(name), f"{name} is implemented by gonghexinlu but not documented"


def test_every_installed_plugin_implements_only_documented_hooks_with_known_arguments(installed):
    for policy in installed.policies.values():
        for caller in installed.pm.get_hookcallers(policy.plugin):
            assert guide_section(caller.name), f"{policy.name} implements {caller.name}, which is not documented"
            for impl in caller.get_hookimpls():
                if impl.plugin is policy.plugin:
                    assert set(impl.argnames) <= spec_arguments(caller.name), (policy.name, caller.name)


def test_check_pending_would_notice_a_hook_that_does_not_exist():
    pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    pm.register(misdeclared.TypoHook(), name="fixture_typo_hook")
    with pytest.raises(pluggy.PluginValidationError, match="tongxin_trakcs"):
        pm.check_pending()
