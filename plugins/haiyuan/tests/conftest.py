import pytest

from core.plugin_host.testing import load_policy
from plugins.haiyuan import plugin


@pytest.fixture(scope="module")
def policy():
    """The plugin as core sees it: registered, its declaration and defaults validated."""
    return load_policy("haiyuan", plugin)


@pytest.fixture
def config(policy):
    """The seed's own numbers (the defaults)."""
    return policy.config({})
