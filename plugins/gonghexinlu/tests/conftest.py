import pytest

from core.plugin_host.testing import load_policy
from plugins.gonghexinlu import plugin


@pytest.fixture(scope="module")
def policy():
    """The plugin as core sees it: registered, its declaration and defaults validated."""
    return load_policy("gonghexinlu", plugin)


@pytest.fixture
def config(policy):
    """The 2023 plan's own numbers (the defaults)."""
    return policy.config({})
