"""Unit tests of the 海园 plugin: its config, tracks, forms, calendar and money rules, through
core's plugin host but without a database (see core.plugin_host.testing). Pledges, claims and
the approval drawing on the fund are tested through the services in tests/test_pledges.py."""
