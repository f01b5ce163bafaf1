"""Built-in jurisdiction plugins. Each is a package registered under the ``tongxin.plugins``
entry-point group in pyproject.toml, exactly like a third-party plugin would be."""
