"""Monthly fund requests (资金申请): filing, supervision, the street office's acceptance, the
month's batch per street, the leader's approval within their authority, disbursement, and the
spending (with vouchers) and refunds of the money a request brought.

The flow (states in ``core.models.fund_request``)::

    applicant files ─▶ submitted ─(supervisor, where the policy wants it)─▶ supervised
                           │                                                    │
                           └─────────────── street office accepts ◀─────────────┘
                                                   │ measured again against the committed budget
                                                   ▼
                         accepted, in the open batch of its street and month
                                                   │ a street leader approves the batch
                                                   ▼ (total ≤ their authority limit)
                                               approved ─▶ disbursed (ledger entries naming it)

**What a request may ask for.** A project's money is what its approval committed (the sum of
``Balance.committed`` over ``funding.approved_funding``). What is still free to request is
that, less what was disbursed, less the amounts of the project's other open requests: an open
request holds its money from filing until it is disbursed, refused or withdrawn, so two
requests can never both be promised the same yuan. A request on a budget item is also bounded
by the item's amount less the item's other open and disbursed requests. The office measures
both again when it accepts, because the numbers may have moved (a release, a correction).

**Serialised writers.** Every writing function first takes the database's write lock on what
it decides about: on PostgreSQL ``SELECT ... FOR UPDATE`` of the project, request or batch row
(a filing locks its project, so two filings cannot both see the same headroom; the office's
acceptance and the leader's approval both lock the batch, so no request joins a batch between the
leader reading its total and approving it); on SQLite, which has one writer per database, the
transaction is begun with ``BEGIN IMMEDIATE`` before anything is read (as the ledger does).

**Money moves only through the ledger**, under its fund locks, with idempotency keys
``fund_request:<id>:<fund id>`` for disbursements, so a retry posts nothing twice. Each
function writes in the caller's transaction; a refusal leaves nothing behind once the caller
rolls back, and the caller commits with ``ctx.commit()``.

**Where things are** (one concept per module; callers use the names below, from this package):

- ``common``: labels, the limits of what people type, months, the guards every writer runs first;
- ``reading``: requests and batches as the actor may see them, a street's batches, a leader's authority;
- ``money``: what the ledger holds per request, a project's headroom, a budget item's room;
- ``filing``: filing and withdrawing a request;
- ``acceptance``: the supervision committee's sign-off, the street office's acceptance, and refusals;
- ``batches``: the leader's approval of a month's batch, and disbursement;
- ``spending``: expenses with vouchers, and refunds.
"""
from core.services.fund_requests.batches import (
    approve_batch,
    disburse,
    disburse_batch,
    disbursement_entries,
    disbursement_key,
)
from core.services.fund_requests.acceptance import accept, find_batch, refuse, supervise
from core.services.fund_requests.common import (
    BATCH,
    HOLDING_STATES,
    KEY_PATTERN,
    MIN_REASON,
    MONTH,
    MONTH_PATTERN,
    VOUCHER_KIND,
    VOUCHER_TYPES,
    REQUEST,
    TEXT_MAX,
    YEARS,
    next_month,
    this_month,
)
from core.services.fund_requests.filing import file_request, withdraw
from core.services.fund_requests.money import (
    Headroom,
    BudgetItemRoom,
    RequestMoney,
    entry_sums,
    headroom,
    budget_item_room,
    request_money,
)
from core.services.fund_requests.reading import (
    authority_fen,
    batch_requests,
    batch_total,
    batches_requests,
    get_batch,
    get_request,
    list_batches,
    list_requests,
    project_requests,
    rules_of,
    street_of,
)
from core.services.fund_requests.spending import record_expense, record_refund, vouchers

__all__ = [
    # common
    "REQUEST", "BATCH", "MIN_REASON", "TEXT_MAX", "MONTH_PATTERN", "MONTH", "YEARS", "KEY_PATTERN",
    "VOUCHER_KIND", "VOUCHER_TYPES", "HOLDING_STATES", "this_month", "next_month",
    # reading
    "rules_of", "get_request", "list_requests", "project_requests", "get_batch", "list_batches",
    "batch_requests", "batches_requests", "batch_total", "street_of", "authority_fen",
    # money
    "RequestMoney", "entry_sums", "request_money", "Headroom", "headroom", "BudgetItemRoom", "budget_item_room",
    # filing
    "file_request", "withdraw",
    # acceptance
    "supervise", "accept", "find_batch", "refuse",
    # batches
    "approve_batch", "disbursement_key", "disburse", "disburse_batch", "disbursement_entries",
    # spending
    "record_expense", "record_refund", "vouchers",
]
