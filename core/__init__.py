"""Tongxin (同心) core: the mechanisms every jurisdiction's policy plugs into.

Nothing in this package knows any one street's or city's rules; those arrive as plugins
(see ``core.plugin_host.hookspecs``).
"""
