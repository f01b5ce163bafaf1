"""Core's own answers to the plugins' hooks, as datasette's default plugins are.

Some hooks gather contributions from core as well as from the policy: the project page's
sections (``tongxin_project_panels``) are core's money, sponsors' claims and disclosure sections
plus whatever the project's policy adds. Core gives its own through the very same hook, as a
built-in plugin, so the page has one way of finding its sections and a policy's section is a
peer of core's, not a special case.

Built-in plugins sit on a pluggy manager of their own (``PluginHost.builtins``): they are not
policies (no ``tongxin_policy``, nothing to enable), they answer for every project where a policy
answers only for its own programmes' projects, and no policy's routing can reach them. Whoever
owns a built-in registers it when it is set up (the web UI registers the project page's
sections in ``core.web.init_app``); registering the same plugin again changes nothing, so a host
shared by several apps keeps one of each.
"""
from __future__ import annotations

import pluggy

from core.plugin_host import hookspecs
from core.plugin_host.contributions import Panel


class BuiltinPlugins:
    def __init__(self) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        self.pm.add_hookspecs(hookspecs)

    def register(self, name: str, plugin: object) -> None:
        """Register core's ``plugin`` under ``name`` (once). Its hookimpls must match the specs:
        a typo in core's own hook is a bug to fail on at once, not a plugin to keep out."""
        if self.pm.get_plugin(name) is plugin:
            return
        self.pm.register(plugin, name=name)
        self.pm.check_pending()

    def names(self) -> list[str]:
        return sorted(name for name, _ in self.pm.list_name_plugin())

    def project_panels(self, **kwargs) -> list[Panel]:
        """Core's sections of a project's page (keywords as ``tongxin_project_panels`` takes them),
        in the order of the built-ins' answers."""
        return [panel for answer in self.pm.hook.tongxin_project_panels(**kwargs) for panel in answer or ()]
