import pytest

from core.plugin_host.testing import load_policy
from plugins.jingan_fund import plugin


@pytest.fixture(scope="module")
def policy():
    """The plugin as core sees it: registered, its declaration and defaults validated."""
    return load_policy("jingan_fund", plugin)


@pytest.fixture
def config(policy):
    """The defaults: the plugin's own spending list, record required, no analysis part required."""
    return policy.config({})
