"""The plugin host: hookspecs (the contract), the manager (discovery, routing, containment)
and the toolkit (the stable surface plugins import)."""
