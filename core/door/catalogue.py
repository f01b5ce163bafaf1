"""Every area's operations (``operations()``), read from the area modules that declare them.

One module per area declares its operations beside their input schemas; add a new area to
``AREAS``."""
from core.door import applications, money  # noqa: F401
from core.door import inbox  # noqa: F401  (inbox: notifications read, roles handed over)
from core.door import delivery  # noqa: F401  (delivery: plan tasks, activity records, people)
from core.door import supervision  # noqa: F401  (supervision, the archive and the close-out)
from core.door import reporting  # noqa: F401  (reporting: obligations and their reports)
from core.door import accounts  # noqa: F401  (accounts: passwords, second factor, the offices' accounts)
from core.door import mail  # noqa: F401  (mail: failed notification mails sent again)
from core.door import tokens  # noqa: F401  (tokens: one's own API tokens issued and revoked)
from core.door.operations import Operation

AREAS = (applications, money, inbox, delivery, supervision, reporting, accounts, mail, tokens)


def operations() -> list[Operation]:
    """Every declared operation, area by area in declaration order. Two operations with one key
    are a mistake that fails here (and in ``tests/test_door.py``)."""
    found: dict[str, Operation] = {}
    for area in AREAS:
        for value in vars(area).values():
            if isinstance(value, Operation) and value.key not in found:
                found[value.key] = value
            elif isinstance(value, Operation) and found[value.key] is not value:
                raise ValueError(f"operation {value.key!r} is declared twice")
    return list(found.values())
