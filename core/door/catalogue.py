"""Every area's operations, imported so that the registry holds them all (``operations()``).

One module per area declares its operations beside their input schemas; add a new area here."""
from core.door import applications, money  # noqa: F401
