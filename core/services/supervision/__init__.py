"""Supervision of approved projects: who supervises which project (``assignments``: the street
office, and the professional organisations it commissions for the projects it assigns them),
the visits with their checklists (``visits``) and the rectifications they open, reported by the
owner and accepted by the office (``rectifications``). ``common`` holds what they share.

The close-out and the archive are beside it (``core.services.closeout``, ``core.services.archive``).
Everything is re-exported here, so callers say ``supervision.record_visit``.
"""
from __future__ import annotations

from core.services.supervision.assignments import (  # noqa: F401
    UNDER_SUPERVISION, Progress, assign, assignees, candidates, progress, supervised_projects, unassign,
)
from core.services.supervision.common import (  # noqa: F401
    DUE_WITHIN_DAYS, MAX_ITEMS, MIN_TEXT, NOTE_MAX, TEXT_MAX, VISITORS_MAX, approved_on, checklists,
    project_for_supervision, supervision_clause,
)
from core.services.supervision.rectifications import (  # noqa: F401
    OPEN_STATES, accept, get_rectification, is_overdue, open_count, rectifications, report,
)
from core.services.supervision.visits import record_visit, visits  # noqa: F401
