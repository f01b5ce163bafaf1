"""What the reviewer's desk shows beside the forms: the application as the panel reads it (the
policy's forms read-only, the budget, the attachments), everyone's scores with their averages,
and on the queue each reviewer's total, the average and the rank, with the policy's cap on how
many projects a programme approves.

Scores are shown only where the permission table lets the reader see them (``A.review_read``);
a member who has not scored appears as missing, not as zero. Averages are of the totals the
members gave; a project nobody scored has no average and ranks last."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, lazyload

from core.models import PanelMember, Project, Score, User
from core.permissions import A
from core.web.subforms import lines

SELECTED_STATES = ("approved", "closed")  # a closed project was approved: it still counts
SORTS = ("", "average")  # the queue's orders: as submitted, or by average score (best first)


def average(values) -> Decimal | None:
    values = list(values)
    if not values:
        return None
    return (Decimal(sum(values)) / len(values)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def total(score: Score, rubric) -> int:
    return sum(int(score.points.get(cr.key, 0)) for cr in rubric)


@dataclass
class ScoreTable:
    """Everyone's scores side by side, with the average per criterion and of the totals, and the
    panel members who have not scored yet."""

    rows: list
    averages: dict[str, Decimal]
    average_total: Decimal | None
    max_total: int
    missing: list = field(default_factory=list)


def score_table(scores, rubric, missing=()) -> ScoreTable:
    rows = [(s, total(s, rubric)) for s in scores]
    averages = {cr.key: average(int(s.points.get(cr.key, 0)) for s in scores) for cr in rubric}
    return ScoreTable(rows, averages, average(t for _, t in rows), sum(cr.max_points for cr in rubric), list(missing))


@dataclass
class Application:
    """The application as the panel reads it: each form's fields (label, shown value), the
    budget items and the attachments, each with its kind's label."""

    forms: list
    attachments: list


def application(c, project, view) -> Application:
    forms = [(spec.label, lines([spec], project.forms or {}, c.locale)) for spec in view.forms(project.track)]
    kinds = {k.key: k.label for k in view.attachment_kinds}
    files = [(a, kinds.get(a.kind)) for a in sorted(project.attachments, key=lambda a: a.id)]
    return Application(forms, files)


# -- the queue -------------------------------------------------------------------------------------

@dataclass
class QueueRow:
    project: Project
    scores: list  # (panel member's user, total or None) in panel order; empty where not readable
    average: Decimal | None
    rank: int | None
    readable: bool
    count: int = 0  # how many have scored (shown where the scores themselves are not readable)
    mine: bool = False  # whether the reader has scored it


@dataclass
class Cap:
    """A programme's cap on approvals, as its policy states it, and how many it has approved."""

    programme: object
    cap: int
    selected: int
    label: object
    clause: object


def queue_rows(c, projects: list[Project], views: dict, sort: str) -> list[QueueRow]:
    """The waiting projects with each panel member's total (where the reader may see the
    project's scores), the average and the rank within its programme, how many have scored and
    whether the reader has: two statements for any number of rows."""
    ids = [p.id for p in projects]
    programme_ids = sorted({p.programme_id for p in projects})
    members: dict[int, list] = {}
    # names are all the queue shows of people: their memberships (loaded with a user) are not read
    for m in c.session.scalars(select(PanelMember).where(PanelMember.programme_id.in_(programme_ids or [-1]))
                               .options(joinedload(PanelMember.user).lazyload(User.memberships))
                               .order_by(PanelMember.id)):
        members.setdefault(m.programme_id, []).append(m.user)
    scores: dict[int, dict[int, Score]] = {}
    for s in c.session.scalars(select(Score).where(Score.project_id.in_(ids or [-1])).options(lazyload(Score.reviewer))):
        scores.setdefault(s.project_id, {})[s.reviewer_id] = s
    rows = []
    for p in projects:
        readable = c.can(A.review_read, p).allowed
        rubric = views[p.programme_id].rubric
        mine = scores.get(p.id, {})
        shown = [(u, total(mine[u.id], rubric) if u.id in mine else None) for u in members.get(p.programme_id, [])]
        rows.append(QueueRow(p, shown if readable else [],
                             average(total(s, rubric) for s in mine.values()) if readable else None, None, readable,
                             len(mine), c.actor.id in mine))
    _rank(rows)
    if sort == "average":
        # Best first; unscored (and unreadable) last, in the order they came (as submitted).
        rows.sort(key=lambda r: (r.average is None, -(r.average or 0)))
    return rows


def _rank(rows: list[QueueRow]) -> None:
    """Competition ranking (1, 2, 2, 4) by average within each programme."""
    by_programme: dict[int, list[QueueRow]] = {}
    for r in rows:
        if r.average is not None:
            by_programme.setdefault(r.project.programme_id, []).append(r)
    for group in by_programme.values():
        group.sort(key=lambda r: -r.average)
        for i, r in enumerate(group):
            r.rank = group[i - 1].rank if i and group[i - 1].average == r.average else i + 1


def caps(c, programmes: list, views: dict) -> list[Cap]:
    """Each programme whose policy caps its approvals, with how many it has approved (one
    grouped count for all of them)."""
    rules = {p.id: views[p.id].policy.review_rules(views[p.id].config) for p in programmes}
    capped = [p for p in programmes if rules[p.id].selection_cap is not None]
    if not capped:
        return []
    counts = dict(c.session.execute(
        select(Project.programme_id, func.count()).where(Project.programme_id.in_([p.id for p in capped]),
                                                         Project.state.in_(SELECTED_STATES))
        .group_by(Project.programme_id)).all())
    return [Cap(p, rules[p.id].selection_cap, counts.get(p.id, 0), rules[p.id].selection_label,
                rules[p.id].selection_clause or views[p.id].policy.info.source) for p in capped]
