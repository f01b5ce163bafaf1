"""What the caller may do now with a fund (see ``core.services.actions``): move money into or
out of it, and, for a co-governance fund, record pledges and claims, record money received and
register sponsors. The API's ``actions`` fields (``FundSchema``, ``FundSummarySchema``) and the
funds' pages' forms both come from here, asking the permission table (and, for money received,
whether any pledge still waits for money) as the services' guards do when the action is taken.
"""
from __future__ import annotations

from core.i18n import T
from core.models import Fund
from core.permissions import A
from core.services.actions import Offers, offer
from core.services.context import Ctx
from core.services.pledges import FundState

# Each is an operation of core.door.money (allocate: fund.allocate, transfer: fund.transfer).
FUND_ACTIONS = ("allocate", "transfer")
# record_pledge: pledge.record, claim: a pledge naming a project, receive: pledge.receive,
# register_sponsor: sponsor.register.
SPONSOR_FUND_ACTIONS = ("record_pledge", "claim", "receive", "register_sponsor")

NOTHING_OUTSTANDING = T("没有待到账的认捐。", "No pledge is waiting for money.")


def fund_offers(ctx: Ctx, fund: Fund) -> Offers:
    """The caller's offers on ``fund``: administrators at or above its unit allocate money into
    it and transfer its uncommitted money to another fund."""
    return Offers([offer(ctx, key, A.fund_manage, fund, now=True) for key in FUND_ACTIONS])


def sponsor_fund_offers(ctx: Ctx, state: FundState) -> Offers:
    """The caller's offers on a co-governance fund (``state``: ``pledges.fund_state``) as its
    staff: record a pledge, claim a project with one, record money received (while some pledge
    still waits for money; else shown disabled with why) and register a further sponsor with the
    fund's unit. (A sponsor pledging for itself is asked by ``core.services.pledges`` for that
    sponsor.)"""
    fund = state.fund
    outstanding = any(s.outstanding > 0 for s in state.states.values())
    return Offers([
        offer(ctx, "record_pledge", A.pledge_record, fund, now=True),
        offer(ctx, "claim", A.pledge_claim, fund, now=True),
        offer(ctx, "receive", A.pledge_record, fund, now=True, blocked=None if outstanding else NOTHING_OUTSTANDING),
        offer(ctx, "register_sponsor", A.sponsor_register, fund.org_unit, now=True),
    ])
