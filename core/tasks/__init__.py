"""Background work. Every task takes the tenant explicitly and is idempotent."""
