"""The plugin host: hookspecs (the contract), the manager (discovery, routing, containment),
the toolkit (the stable surface plugins import), helpers for plugins' migrations and a kit for
testing plugins. The plugin author's guide is docs/plugins.md."""
