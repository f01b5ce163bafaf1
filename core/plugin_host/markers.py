"""pluggy's markers for Tongxin's hooks: ``hookspec`` marks a hook's specification (in
``core.plugin_host.hookspecs``), ``hookimpl`` a plugin's implementation (the toolkit exports it)."""
from __future__ import annotations

import pluggy

PROJECT_NAME = "tongxin"
hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)
