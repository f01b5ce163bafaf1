"""A plugin module that cannot even be imported (a missing dependency, a syntax slip...)."""
raise RuntimeError("fixture plugin fails while importing")
