"""What the caller may do with a due item now (``core.services.actions``): write its report, hand it
in, accept or return it, issue a 通报. Each answer asks the very guards the services raise with
(``core.services.obligations.items``), so the page's buttons, the API's ``actions`` and the
services agree."""
from __future__ import annotations

from typing import Callable

from core.i18n import T, Text
from core.models import DueItem
from core.models.obligation import OWED_STATES, ItemState, ReportState
from core.permissions import A
from core.services.actions import Offer, Offers
from core.services.context import Ctx
from core.services.obligations import items, reports
from core.violations import RuleError

ITEM_ACTIONS = ("save", "submit", "accept", "return", "notice")


def _refusal(guard: Callable[[], object]) -> Text | None:
    try:
        guard()
    except RuleError as err:
        return err.violations[0].message
    return None


def item_offers(ctx: Ctx, item: DueItem) -> Offers:
    """The item's offers: the writers' (save, submit) where the caller's unit owes it, the
    accepting level's (accept, return, notice) where the caller administers that level."""
    writer = _refusal(lambda: items.require_writer(ctx, item)) is None
    reviewer_refusal = _refusal(lambda: items.require_reviewer(ctx, item))
    reviewer = reviewer_refusal is None
    owed = item.state in OWED_STATES
    last = reports.latest(ctx, item) if writer or reviewer else None
    has_draft = last is not None and last.state == ReportState.draft.value

    def writing(key: str, handing_in: bool) -> Offer:
        if not writer:
            return Offer(key, A.obligation_report, False, T("不是本单位应交的报告", "Not your unit's report"), False)
        if not owed:
            return Offer(key, A.obligation_report, False, item.state_enum.label, False)
        blocked = _refusal(lambda: items.require_open(ctx, item, handing_in=handing_in))
        if blocked is None and handing_in and not has_draft:
            blocked = T("请先填写并保存报告", "Write and save the report first")
        return Offer(key, A.obligation_report, blocked is None, blocked, True)

    def reviewing(key: str, now: bool, blocked: Text | None = None) -> Offer:
        if not reviewer:
            return Offer(key, A.obligation_review, False, reviewer_refusal, False)
        if not now:
            return Offer(key, A.obligation_review, False, item.state_enum.label, False)
        return Offer(key, A.obligation_review, blocked is None, blocked, True)

    awaiting = item.state == ItemState.submitted.value
    late = item.overdue_since is not None and owed
    notice_blocked = T("本期已通报", "Already named in a notice") if item.noticed_at is not None else None
    return Offers([
        writing("save", False), writing("submit", True),
        reviewing("accept", awaiting), reviewing("return", awaiting),
        reviewing("notice", late, notice_blocked),
    ])
