"""What the caller may do with an object now: one ``Offer`` per action of the object's kind.

Why here, in one place per kind: the API's ``actions`` field and the web's buttons must give the
same answer, and the answer has two halves, who may (the permission table, ``ctx.can``) and
whether the object's state allows it now (a request already accepted cannot be withdrawn, a batch
above the leader's authority cannot be approved by them). Each kind's module
(``core.services.project_actions``, ``core.services.fund_request_actions``) combines the two
once; views and API resources only render what it says.

An offer is ``allowed`` or not, with the ``reason`` when not, and ``shown``: whether a page
shows it to this person at all. A button the person could take but not now (the office's check
while the supervision committee has not looked yet; a leader's approval above their authority)
is shown disabled with its reason, because knowing why helps; a button that is not theirs (a
neighbourhood never sees the leader's approval) or not part of the object's present step (a
disbursed request's withdrawal) is hidden, because it would only confuse.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Iterator

from core.i18n import Text
from core.permissions import Action
from core.services.context import Ctx


@dataclass(frozen=True)
class Offer:
    """One action on one object for the caller: ``key`` names the operation (e.g. "accept"),
    ``permission`` the permission table's action it needs."""

    key: str
    permission: Action
    allowed: bool
    reason: Text | None = None  # why not, when not allowed
    shown: bool = False
    # Allowed only with a reason: outside the phase for it, which the caller's role may override
    # (``core.services.calendar``); the calendar's words, for the page to show beside the
    # reason's field. None: no reason needed.
    override: Text | None = None

    def __bool__(self) -> bool:
        return self.allowed


class Offers:
    """An object's offers by key, in a fixed order: ``offers.accept`` (or ``offers["accept"]``)."""

    def __init__(self, offers: Iterable[Offer]):
        self._by_key = {o.key: o for o in offers}

    def __getitem__(self, key: str) -> Offer:
        return self._by_key[key]

    def __getattr__(self, key: str) -> Offer:
        try:
            return self.__dict__["_by_key"][key]
        except KeyError:
            raise AttributeError(key) from None

    def __iter__(self) -> Iterator[Offer]:
        return iter(self._by_key.values())

    @property
    def any_shown(self) -> bool:
        return any(o.shown for o in self)


def offer(ctx: Ctx, key: str, permission: Action, subject: Any, *, now: bool,
          not_now: Text | None = None, blocked: Text | None = None, override: Text | None = None) -> Offer:
    """The offer of ``key``: refused by the permission table (hidden); not part of the object's
    present step (``now`` false: hidden, ``not_now`` says why); part of it but ``blocked`` for a
    reason the person can act on or should know (shown disabled); or allowed (with ``override``
    when only a reason lets it through the calendar)."""
    decision = ctx.can(permission, subject)
    if not decision.allowed:
        return Offer(key, permission, False, decision.reason, False)
    if not now:
        return Offer(key, permission, False, not_now, False)
    if blocked is not None:
        return Offer(key, permission, False, blocked, True)
    return Offer(key, permission, True, None, True, override)
