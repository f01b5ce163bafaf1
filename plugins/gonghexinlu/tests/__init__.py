"""Unit tests of the 共和新路 plugin: its config and rules, through core's plugin host but
without a database (see core.plugin_host.testing). The workflow through the services is in
tests/test_workflow.py."""
