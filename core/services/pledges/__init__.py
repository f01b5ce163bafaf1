"""Sponsors (共建单位), their pledges (认捐) and claims (认领), and what the money paid for.

**Who.** A sponsor is registered with one org unit (the unit it twins with) by a street or
district administrator there or above; it may pledge to co-governance funds (kind
``sponsor_fund``) of that unit or of units below it. A pledge is recorded by the fund's
staff (a street or district administrator, or neighbourhood staff, at or above the fund's
unit: the council meeting is held offline and staff record what was promised there) or by the
sponsor's own login for itself. It promises money (yuan, whole fen), resources described in
words (``in_kind``), or both, and may claim one announced project of the fund's unit
(submitted or later; not a draft, not rejected or withdrawn). The year's pledges of a fund
may not promise more money than the fund's cap (its target, e.g. the plugin's 共治金): the
check runs under the fund's lock, so two pledges recorded at once cannot both slip under it.

**Received.** When money arrives, ``receive`` allocates it to the fund (a ledger allocation
naming the pledge); a pledge never receives more than it promised.

**A claim holds its amount — why claimed money is never taken by another project.** A claim
of a project that is not decided yet sets the claimed money aside in the fund from the moment
it is recorded (``core.services.holds``: a ledger ``hold``, released if the project is rejected
or withdrawn), whether or not the money has arrived: another project's approval cannot commit
it. A claim of a project already approved holds nothing; its money is earmarked as it arrives.

**Earmarking — why money is never committed twice for one project.** Commitments are what an
approval promises. Two paths can commit to a claimed project, and they share one bound, the
approved amount:

1. The approval (``review.decide`` → ``funding.commit_approval``) commits the policy's draws
   (less what the project's claims hold: the policy subtracts ``fund_committed``, which counts
   holds) and turns each claim's hold into a commitment naming the pledge, as far as the fund
   can pay it then. If a fund holds too little for a draw, the ledger refuses the approval
   ("资金不足"): nothing is trimmed silently.
2. A claimed receipt for a project that is *already approved* commits
   ``min(received amount, approved − committed to the project in all funds, fund available)``
   to the project (key ``<receive key>:commit``, naming the pledge), so money a sponsor sends
   for "its" project after the approval is earmarked for it without exceeding the approval. A
   receipt for a project not decided yet only allocates: the claim's hold already reserves it.

Both run under the fund's lock, so they see each other's commitments and the project's total
commitment never exceeds its approved amount.

**Derived state.** Nothing about a pledge's progress is stored; from the fund's ledger:
``received`` = its allocations (net of corrections); ``spent`` is attributed first-in,
first-out: the expenses a claimed project incurred from the fund are shared by the pledges
claiming it in pledge-id order (each up to what it brought in); the fund's remaining expenses
(other projects', and a claimed project's beyond its claims' money) are shared by the pledges
that claim nothing, in id order. ``committed`` (what of the received money is promised to
projects) is shared by the same rule from the fund's commitments, so a sponsor's page
reconciles: received = committed + not committed, committed >= spent, and each expense names
the part of it the pledge paid (``FundState.shares``). Status: ``promised`` (nothing received), ``received`` (some
or all received, not all of it spent), ``spent`` (all that was received is spent).

``sponsor_view`` shows a sponsor (its own login, or staff at or above its unit) each pledge with
its status, the project it claimed and what that project's money paid for: expenses with date,
memo, amount and voucher. For a pledge that claims nothing it lists the fund's expenses.

**Where things are.** ``sponsors``: registering and listing sponsors; ``funds``: the
co-governance funds that take pledges, opening one, the clause a fund cites; ``pledging``:
recording a pledge and its claim; ``receiving``: money arriving and its earmark; ``attribution``:
each pledge's derived state (received, spent); ``views``: pledge lists and the sponsor's page.
Claim holds are ``core.services.holds`` (the approval and the project's withdrawal use them too).
Callers use the names below, as ``pledges.pledge(...)``, ``pledges.PledgeRow``.

Services write in the caller's transaction; the caller commits.
"""
from __future__ import annotations

from core.services.pledges.attribution import STATUS_LABELS, Expense, FundState, PledgeState, fund_state
from core.services.pledges.funds import (
    FundOpening, fund_clause, fund_openings, get_sponsor_fund, may_record, open_fund, sponsor_funds, sponsor_funds_page,
)
from core.services.pledges.pledging import (
    ANNOUNCED, COMMIT_SUFFIX, IN_KIND_MAX, ISO_DATE, KEY_MAX, OCCASION_MAX, PLEDGE, claimable_projects, get_pledge, pledge,
)
from core.services.pledges.receiving import Receipt, approved_fen, receive
from core.services.pledges.sponsors import (
    CONTACT_MAX, NAME_MAX, SPONSOR, eligible_sponsors, get_sponsor, list_sponsors, may_see_sponsor, own_sponsors,
    register_sponsor, sponsors_page,
)
from core.services.pledges.views import (
    PledgeRow, PledgeView, SponsorView, claims_of, list_pledges, pledge_rows, pledges_page, sponsor_view,
)

__all__ = [
    "ANNOUNCED", "COMMIT_SUFFIX", "CONTACT_MAX", "IN_KIND_MAX", "ISO_DATE", "KEY_MAX", "NAME_MAX", "OCCASION_MAX",
    "PLEDGE", "SPONSOR", "STATUS_LABELS",
    "Expense", "FundOpening", "FundState", "PledgeRow", "PledgeState", "PledgeView", "Receipt", "SponsorView",
    "approved_fen", "claimable_projects", "claims_of", "eligible_sponsors", "fund_clause", "fund_openings", "fund_state",
    "get_pledge", "get_sponsor", "get_sponsor_fund", "list_pledges", "list_sponsors", "may_record", "may_see_sponsor",
    "open_fund", "own_sponsors", "pledge", "pledge_rows", "pledges_page", "receive", "register_sponsor",
    "sponsor_funds", "sponsor_funds_page", "sponsor_view", "sponsors_page",
]
