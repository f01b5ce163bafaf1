"""The desk (工作台): the page each person lands on after signing in.

One page for every role, made of the parts the person's rights call for, never of role names:
what waits for them (the inbox's to-dos, read once for the header and reused here, never
recounted), what they are responsible for (their projects, the programmes their street runs,
the panels they sit on, the district's streets, their pledges, the projects assigned to them to
supervise, the approved projects whose spending they sign off as a supervision committee) and the one or two things they do most, as buttons the permission table offers.

Each part is a bounded number of statements (a page of rows, grouped counts), so the desk costs
the same however many projects the tenant has (``tests/test_web_queries.py``). The district and
street overviews stay pages of their own; the desk links to them.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, render_template, url_for

from core.i18n import T, Text
from core.permissions import A, holder_grants
from core.permissions.table import Scope
from core.models.fund_request import BatchState
from core.models import ProjectState
from core.services import fund_requests, inbox, pledges
from core.services.projects.search import list_projects
from core.services.supervision import supervised_projects
from core.web import queries
from core.web.context import ctx, login_required
from core.web.inbox import counted
from core.web.presenters import programme_view

bp = Blueprint("desk", __name__, url_prefix="/t/<tenant>")
TODOS_SHOWN = 8  # the oldest first; the inbox has the rest
ROWS = 8  # rows of each "responsible for" list; its own page has the rest


@dataclass(frozen=True)
class Button:
    """One of the person's most frequent actions, as the desk offers it."""

    label: Text
    url: str
    primary: bool = False


@bp.get("/desk")
@login_required
def page():
    c = ctx()
    summary = counted()
    todos = inbox.todos_page(c, counted=summary, limit=TODOS_SHOWN)[0] if summary and summary.todos else []
    programmes = queries.all_programmes(c)
    parts = {
        "sponsors": _pledges(c),
        "applicant": _applicant(c, programmes),
        "streets": _streets(c, programmes),
        "panels": _panels(c, programmes),
        "district": c.can(A.district_overview).allowed,
        "batches": _batches(c),
        "signoff": _signoff(c),
    }
    parts["supervised"] = _supervised(c, other_jobs=any(parts.values()))
    return render_template("pages/desk/desk.html", summary=summary, todos=todos, parts=parts,
                           buttons=_buttons(c, parts), states=queries.STATES, base=url_for("web.public.home").rstrip("/"))


# -- what the person is responsible for -------------------------------------------------------------

def _applicant(c, programmes):
    """Projects of the units the person applies for, and the calls they may apply to now."""
    if not c.can(A.project_apply).allowed:
        return None
    units = queries.applicant_units(c)
    if not units:
        return None
    open_calls = []
    for p in programmes:
        if any(u.path.startswith(p.org_unit.path) and u.id != p.org_unit_id for u in units):
            view = programme_view(c, p)
            if view.submit_phase:
                open_calls.append(p)
    projects = queries.my_projects(c, limit=ROWS)
    if not projects and not open_calls:
        return None  # an office that could apply for its own unit but has nothing to apply to
    views = {p.programme_id: programme_view(c, p.programme) for p in projects}
    return {"units": units, "projects": projects, "views": views, "open_calls": open_calls}


def _streets(c, programmes):
    """Each street the person runs: its programmes with their projects counted by state."""
    grants = [g for g in holder_grants(c.actor, A.programme_manage, table=c.permissions) if g.unit_kind == "street"]
    if not grants:
        return []
    units = {u.id: u for u in queries.units_by_id(c, [g.unit_id for g in grants])}
    ids = [p.id for p in programmes]
    counts = queries.state_counts(c, "programme", programme_ids=ids) if ids else {}
    out = []
    for unit in sorted(units.values(), key=lambda u: u.path):
        own = [p for p in programmes if unit.path.startswith(p.org_unit.path)]
        out.append({"unit": unit, "programmes": [(p, counts.get(p.id, {})) for p in own]})
    return out


def _panels(c, programmes):
    """The programmes on whose review panel the person sits, and whether they chair it."""
    seats = queries.panel_programme_ids(c)
    if not seats or not c.can(A.review_score).allowed:
        return []
    members = queries.panels(c, sorted(seats))
    chairs = {pid for pid, ms in members.items() if any(m.user_id == c.actor.id and m.chair for m in ms)}
    return [(p, p.id in chairs) for p in programmes if p.id in seats]


def _pledges(c):
    """The pledges of the sponsors the person represents (a sponsor's desk leads with them)."""
    if not holder_grants(c.actor, A.sponsor_view, table=c.permissions, scopes=frozenset({Scope.sponsor_of})):
        return []
    return [(s, pledges.pledges_page(c, sponsor_id=s.id, limit=ROWS)) for s in pledges.own_sponsors(c)]


def _batches(c):
    """The latest monthly batches of the streets whose money the person approves (a leader's),
    those waiting for approval first; the to-dos above already lead with the ones within reach."""
    if not c.can(A.batch_approve).allowed:
        return None
    rows, total = fund_requests.list_batches(c, limit=ROWS)
    rows.sort(key=lambda b: b.state != BatchState.open.value)  # stable: newest month first within each
    return {"rows": rows, "total": total, "labels": {s.value: s.label for s in BatchState}}


def _signoff(c):
    """The units whose spending the person signs off (a supervision committee's), each with its
    approved projects, the ones fund requests are filed on; two statements a unit, and a
    committee watches one unit."""
    grants = holder_grants(c.actor, A.fund_request_supervise, table=c.permissions)
    if not grants:
        return []
    out, programmes = [], queries.programmes_by_id(c)
    for unit in sorted(queries.units_by_id(c, [g.unit_id for g in grants]), key=lambda u: u.path):
        rows, total = list_projects(c, unit_id=unit.id, state=ProjectState.approved.value, limit=ROWS, parts=False)
        out.append({"unit": unit, "total": total, "projects": [(p, programmes.get(p.programme_id)) for p in rows]})
    return out


def _supervised(c, *, other_jobs: bool):
    """The projects the person visits for supervision (a commissioned organisation: those
    assigned to it); shown empty only where supervising is the person's one job."""
    if not c.can(A.supervision_visit).allowed:
        return None
    rows, total = supervised_projects(c, limit=ROWS, parts=False)
    return {"projects": rows, "total": total} if total or not other_jobs else None


# -- the actions taken most -------------------------------------------------------------------------

def _buttons(c, parts) -> list[Button]:
    """The one or two actions each of the person's jobs takes most, each offered only where the
    permission table gives the person the right (the menu has the rest)."""
    out: list[Button] = []
    if parts["sponsors"]:
        out.append(Button(T("认捐与资金去向", "Pledges and where the money went"), url_for("web.sponsors.mine"), True))
    applicant = parts["applicant"]
    if applicant:
        for p in applicant["open_calls"][:2]:
            out.append(Button(T(f"申报「{p.title}」", f"Apply to {p.title}"),
                              url_for("web.projects.new", programme_id=p.id), True))
        out.append(Button(T("我的全部项目", "All my projects"), url_for("web.overview.mine")))
    if parts["panels"]:
        out.append(Button(T("评审队列", "Review queue"), url_for("web.review.queue"), True))
    if parts["signoff"]:  # the committee's one job: the month's requests, those waiting for it first
        out.append(Button(T("审核本月资金申请", "Check this month's fund requests"),
                          url_for("web.fund_requests.office", _anchor="waiting"), True))
    elif c.can(A.batch_approve).allowed or c.can(A.fund_request_summary).allowed:
        out.append(Button(T("资金申请与月度汇总", "Fund requests and batches"), url_for("web.fund_requests.office"),
                          not parts["streets"]))
    if parts["signoff"] and c.can(A.fund_view).allowed:
        out.append(Button(T("资金与流水", "Funds and their entries"), url_for("web.money.index")))
    for street in parts["streets"]:
        out.append(Button(T(f"{street['unit'].name}概览", f"{street['unit'].name_en or street['unit'].name} overview"),
                          url_for("web.overview.street", unit_id=street["unit"].id), True))
    if parts["district"]:
        out.append(Button(T("全区概览", "District overview"), url_for("web.overview.district"), True))
    if parts["supervised"] is not None:
        out.append(Button(T("我督导的项目", "Projects I supervise"), url_for("web.supervision.index"),
                          not parts["streets"]))
    return out
