"""Public disclosure (村(居)务公开): where a unit's project money came from and where it went.

For an org unit (a neighbourhood, or a street with everything below it) and a year, and for
one project, this module gathers what residents and their congress are shown:

- every approved project of the unit with its **sources** (each fund it draws on, with what
  was committed, disbursed and spent from it; the sponsors' pledges that claimed it, promised
  and received; in-kind resources), its **approval** (date, approved amount and where the
  decision said it comes from, source by source, each beside what its fund has committed so
  far: the same lines as the project page, ``core.services.approval_sources``), its
  **disbursements** (with the purpose and month of the fund request each answers) and its
  **spending** (date, memo, amount, and whether a voucher exists);
- the unit's own funds with allocated, committed, disbursed, spent and remaining.

What is public, and what is not: only projects in ``DISCLOSED_STATES``; no reviewer's scores,
comments or name; no voucher file (only the fact that one exists); no fund request's
beneficiaries; an individual donor appears by kind, not by name. Everything here is read-only.

All figures are the ledger's (``core.services.ledger``): fund balances from
``ledger.balances``, each project's balance per fund from one aggregate over the projects'
entries (the same net-of-corrections sums ``ledger.project_balances`` makes for one project).
Listed movements are signed as they move their column (a refund or a correction is negative),
so each list adds up to the balance shown above it. However many projects a unit has, a
disclosure costs a fixed number of queries.

One package, one module per concept: ``contents`` (what is shown), ``reading`` (the entry
points) and ``gathering`` (the queries). The congress report's workbook is a document, built
with the others in ``core.documents.disclosure_report``.
"""
from __future__ import annotations

from core.services.disclosure.contents import (  # noqa: F401
    Approval,
    FundLine,
    Movement,
    PledgeLine,
    ProjectDisclosure,
    Source,
    UnitChoice,
    UnitDisclosure,
)
from core.services.disclosure.gathering import local_date  # noqa: F401
from core.services.disclosure.reading import (  # noqa: F401
    DISCLOSED_STATES,
    PROJECT,
    choose_year,
    default_year,
    is_disclosed,
    project_disclosure,
    unit_choices,
    unit_disclosure,
    years,
)
