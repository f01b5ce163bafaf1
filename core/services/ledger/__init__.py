"""The money ledger: funds, postings and the balances derived from them.

Money moves only by appending ``LedgerEntry`` rows; nothing here updates or deletes one. Each
posting function checks the fund's rules and writes the entry in the caller's transaction
(the caller commits with ``ctx.commit()``), so a refusal leaves nothing behind.

**The rules every posting keeps**, per fund and, for entries that name a project, per
(fund, project)::

    0 ≤ spent ≤ disbursed ≤ committed ≤ allocated          and  committed ≤ cap (when set)

where allocated = allocations + transfers in − transfers out, committed = commitments −
releases, disbursed = disbursements − refunds, spent = expenses, each net of corrections. A
correction reverses (part of) the entry it names, in that entry's column. A posting is refused
when it would break one of these rules (a rule already broken by older data does not block
postings that do not make it worse); the refusal names the rule, the numbers and the request.

**Holds.** A sponsor's claim (认领) sets money aside for the project it claims until that
project is decided: a ``hold`` entry naming the pledge and the project, ended by a
``hold_release`` (held = holds − releases of holds, never below zero, per fund and per
project). A hold moves no money and needs none to have arrived: a claim is a promise made at
the council meeting, often before the sponsor pays. What it changes is what *other* postings
may take: the fund's ``available`` is ``min(allocated, cap) − committed − held``, and a
commitment, a transfer out or a correction of an allocation is refused when it would leave
less than the fund holds for other projects' claims::

    committed + held for other projects ≤ min(allocated, cap)

(a commitment to the claimed project itself may use its own hold; see ``core.services.holds``
for when holds are made, released and turned into commitments). ``available`` is therefore
below zero while a fund holds more for claims than it has received: the claimed money is on
its way, and nothing else may be committed from the fund meanwhile.

**Caps hold under concurrency.** The check and the insert happen in one transaction that first
takes the fund's write lock, so two approvals can never both see the same headroom:

- PostgreSQL: ``SELECT ... FOR UPDATE`` on the fund row(s) (funds in id order, so a transfer
  cannot deadlock against another). Under READ COMMITTED every later statement in the
  transaction sees all entries committed before the lock was granted.
- SQLite (embedded, one process or a few): SQLite has one writer per database. pysqlite opens
  its transaction lazily at the first write, so a read-then-insert would read outside the write
  lock. Before reading, a ledger posting therefore starts the transaction with
  ``BEGIN IMMEDIATE`` (the pysqlite "take control of BEGIN" recipe, applied only to ledger
  writes rather than engine-wide): the write lock is taken before the balance is read, and other
  writers wait (busy_timeout) until this transaction ends. If the transaction already wrote
  something, pysqlite has already begun it and SQLite's write lock is already ours.

**Retries cannot post twice.** Every request carries an idempotency key, unique per tenant;
posting again with the same key and the same content returns the entry already written, and the
same key with different content is refused.

The ledger records; it does not decide who may. Callers (review decisions, fund requests,
API views) authorise the actor before they post.

**Where things are.** ``inputs``: the ledger's words, limits and input checks; ``sums``: the
``Balance`` of a fund or a fund-and-project, summed from the entries; ``locking``: the fund's
write lock and the state a posting reads under it; ``funds``: finding, creating and capping
funds, a fund's balance and entries; ``rules``: the rules above and their refusals;
``posting``: allocations, commitments, holds, releases, disbursements, expenses, refunds and
transfers; ``corrections``: reversing an entry. Callers use the names below, as
``ledger.commit(...)``, ``ledger.Balance``.
"""
from __future__ import annotations

from core.services.ledger.corrections import NOT_CORRECTABLE, correct
from core.services.ledger.funds import (
    balance, create_fund, entries, entries_query, find_fund, funds_by_id, funds_query, get_fund, list_funds, set_cap,
)
from core.services.ledger.inputs import ENTRY, FUND, KEY_MAX, MEMO_MAX, MIN_CORRECTION_REASON, NAME_MAX, TIER_MAX, YEARS
from core.services.ledger.locking import lock_funds
from core.services.ledger.posting import (
    allocate, commit, disburse, expense, hold, refund, release, release_hold, transfer,
)
from core.services.ledger.rules import CLAIMS_RULE, HOLD_RULE, PROJECT_RULES, RULES
from core.services.ledger.sums import COLUMNS, Balance, balances, balances_by_project, project_balances

__all__ = [
    "CLAIMS_RULE", "COLUMNS", "ENTRY", "FUND", "HOLD_RULE", "KEY_MAX", "MEMO_MAX", "MIN_CORRECTION_REASON", "NAME_MAX",
    "NOT_CORRECTABLE", "PROJECT_RULES", "RULES", "TIER_MAX", "YEARS",
    "Balance", "allocate", "balance", "balances", "balances_by_project", "commit", "correct", "create_fund",
    "disburse", "entries", "entries_query", "expense", "find_fund", "funds_by_id", "funds_query", "get_fund", "hold",
    "list_funds", "lock_funds", "project_balances", "refund", "release", "release_hold", "set_cap", "transfer",
]
