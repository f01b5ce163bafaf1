"""Test-only policy plugins. None of them is installed as an entry point: tests inject them
with ``PluginHost(plugins=[(name, plugin)])`` (or pass an ``importlib.metadata.EntryPoint``
pointing here, to exercise loading)."""
