"""What a rule sees: read-only facts about a project and a narrow way to ask about others.

Plugins never get the ORM session: ``RuleContext`` offers the questions rules actually ask,
answered by core within the current tenant. That keeps plugins independent of the schema and
keeps every query tenant-filtered.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class BudgetRow:
    """One row of the project's budget as rules see it: what it is for, its amount in fen and
    the category (from a policy's spending list, ``tongxin_budget_categories``) the applicant
    put it in, or None."""

    description: str
    amount_fen: int
    category: str | None = None


@dataclass(frozen=True)
class ProjectFacts:
    id: int | None
    programme_id: int
    programme_year: int
    track: str
    title: str
    state: str
    applicant_unit_id: int
    applicant_unit_kind: str
    forms: dict
    tags: tuple[str, ...]
    requested_fen: int
    attachment_kinds: frozenset[str] = field(default_factory=frozenset)
    # Set when the action is "approve": the amount the panel is approving and its decision form.
    approved_fen: int | None = None
    decision_details: dict = field(default_factory=dict)
    # Set when the action is "change": the project as it stands (these facts are the proposal).
    previous: "ProjectFacts | None" = None
    # The budget's rows, in order (their amounts add up to ``requested_fen``).
    budget: tuple[BudgetRow, ...] = ()
    # The version of the policy being asked (``PolicyInfo.version``) that the programme froze
    # when it opened: a plugin keeps last year's rules for last year's programmes by reading it.
    # Set by core for each policy it asks; None where no programme froze one (plugin unit tests).
    policy_version: str | None = None


class RuleContext(Protocol):
    def count_projects(self, *, programme_id: int, applicant_unit_id: int | None = None,
                       track: str | None = None, states: tuple[str, ...] | None = None,
                       exclude_project_id: int | None = None) -> int:
        """How many projects of this programme match (within the current tenant)."""
        ...

    def unit_is_within(self, unit_id: int, ancestor_id: int) -> bool:
        """True when ``unit_id`` is ``ancestor_id`` or lies below it."""
        ...

    def fund_available(self, project: ProjectFacts, fund: str) -> int:
        """Fen still available in the project's fund named ``fund`` (a ``FundSpec.key`` of the
        programme's policy): what was allocated, at most the cap, less what is committed and
        what the fund holds for other projects' claims (认领). 0 for a fund that has not been
        set up yet. Inside ``tongxin_funding`` the funds are locked, so the answer holds until
        the commitments are written."""
        ...

    def fund_committed(self, project: ProjectFacts, fund: str) -> int:
        """Fen already promised to this project from its fund named ``fund``: committed (net of
        releases), or held for it by sponsors' claims made before the approval (which the
        approval turns into its commitment). 0 if none."""
        ...
