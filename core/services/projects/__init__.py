"""Projects from draft to decision: creating, filling the plugin's forms, budget, attachments,
submission and withdrawal. Review and decisions are in ``core.services.review``.

State machine (guards from core and from the programme's policy)::

    draft ──submit──▶ submitted ──score──▶ under_review ──decide──▶ approved | rejected | returned
      ▲                                                                          │
      └───────────────────────────── (returned: edit and submit again) ◀──────────┘
    draft / submitted / returned ──withdraw──▶ withdrawn

One package, one module per concept: ``visibility`` (who sees which projects, finding one),
``search`` (narrowing the list), ``drafting`` (a draft's forms, budget and attachments) and ``submission`` (submitting and
withdrawing). What a policy's rules see of a project is ``core.services.rule_facts``. Everything
is re-exported here, so callers keep saying ``projects.submit``.
"""
from __future__ import annotations

from core.services.projects.drafting import (  # noqa: F401
    BUDGET_DESCRIPTION_MAX,
    EDITABLE,
    MAX_BUDGET_ITEMS,
    MAX_PROJECT_FEN,
    TITLE_MAX,
    TITLE_MIN,
    TITLE_RULE,
    _editable,
    _require_applicant,
    _require_editable,
    attach,
    create_project,
    save_form,
    set_budget,
)
from core.services.projects.submission import (  # noqa: F401
    WITHDRAWABLE,
    _require_withdrawable,
    _transitioned,
    blocking,
    budget_warnings,
    notify_panel_after_commit,
    submission_problems,
    submit,
    withdraw,
)
from core.services.projects.visibility import PROJECT, get_attachment, get_project, visible  # noqa: F401
from core.services.projects.search import (  # noqa: F401
    ProjectSearch,
    list_projects,
    matching,
    search_projects,
    state_choices,
)
# What rules see of a project: its own module, re-exported for the callers that know it here.
from core.services.rule_facts import SessionRuleContext, facts  # noqa: F401
