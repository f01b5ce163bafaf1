"""Every area's operations, imported so that the registry holds them all (``operations()``).

One module per area declares its operations beside their input schemas; add a new area here."""
from core.door import applications, money  # noqa: F401
from core.door import inbox  # noqa: F401  (inbox: notifications read, roles handed over)
from core.door import delivery  # noqa: F401  (delivery: plan tasks, activity records, people)
from core.door import supervision  # noqa: F401  (supervision, the archive and the close-out)
from core.door import reporting  # noqa: F401  (reporting: obligations and their reports)
from core.door.operations import Operation, declared


def operations() -> list[Operation]:
    """Every declared operation: the areas above are imported, so each has declared its own."""
    return declared()
