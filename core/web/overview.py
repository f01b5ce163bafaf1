"""The overviews a desk (``core.web.desk``) links to: the district overview (streets,
programmes, projects by state per street), the street overview (programmes, phases, panel, projects by state per neighbourhood)
and "my projects" for neighbourhood staff. Each page issues a bounded number of statements
(grouped counts, batched loads) however many projects there are."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from sqlalchemy import select

from core.i18n import T
from core.models import OrgUnit
from core.permissions import A
from core.services import programmes as programme_service
from core.services.org import get_unit
from core.web import place, queries
from core.web.context import ctx, forbid_unless, login_required
from core.web.endorsement import awaiting_endorsement
from core.web.presenters import programme_view

bp = Blueprint("overview", __name__, url_prefix="/t/<tenant>")


@bp.get("/dashboard")
@login_required
def dashboard():
    """Where sign-in used to send each role (kept for old links and bookmarks): the desk now
    (``core.web.desk``), which every role lands on."""
    return redirect(url_for("web.desk.page"))


@bp.get("/overview/district")
@login_required
def district():
    c = ctx()
    return render_template("pages/overview_district.html", **district_view(c))


def district_view(c) -> dict:
    """What the district overview shows (the page, and its export in ``core.web.lists``, read
    through this): each street's neighbourhoods, programmes and projects by state, the
    programmes above the streets and the district's totals."""
    forbid_unless(c.can(A.district_overview).allowed, T("只有区级管理员可以查看全区概览", "Only district administrators see the district overview"))
    streets = queries.units_administered(c, kinds=("street",))
    neighbourhoods = queries.children_counts(c, [s.id for s in streets])
    programmes = programme_service.list_programmes(c)
    by_programme = queries.state_counts(c, "programme")
    per_street: dict[int, dict[str, int]] = {s.id: {} for s in streets}
    programmes_per_street: dict[int, list] = {s.id: [] for s in streets}
    # Programmes owned above the streets (a city-wide call): their projects count for the
    # street each applicant belongs to.
    wide = [p for p in programmes if p.org_unit_id not in per_street and p.org_unit.kind != "street"]
    for p in programmes:
        street_id = p.org_unit_id if p.org_unit_id in per_street else None
        if street_id is None:
            continue
        programmes_per_street[street_id].append(p)
        queries.add_counts(per_street[street_id], by_programme.get(p.id, {}))
    if wide:
        street_of = _street_of_units(c, streets)
        for unit_id, counts in queries.state_counts(c, "applicant_unit", programme_ids=[p.id for p in wide]).items():
            if street_of.get(unit_id) is not None:
                queries.add_counts(per_street[street_of[unit_id]], counts)
    totals: dict[str, int] = {}
    for counts in per_street.values():
        queries.add_counts(totals, counts)
    return dict(streets=streets, neighbourhoods=neighbourhoods, per_street=per_street,
                programmes_per_street=programmes_per_street, totals=totals, states=queries.STATES, wide=wide,
                by_programme=by_programme, wide_views={p.id: programme_view(c, p) for p in wide},
                words=place.words(c, programmes), columns=place.shown_states(c, programmes, queries.STATES))


def _street_of_units(c, streets) -> dict[int, int]:
    """Unit id → the id of the street it lies in (one query, whatever the number of units)."""
    by_path = sorted(((s.path, s.id) for s in streets), key=lambda x: -len(x[0]))
    out = {}
    for unit_id, path in c.session.execute(select(OrgUnit.id, OrgUnit.path)):
        out[unit_id] = next((sid for spath, sid in by_path if path.startswith(spath)), None)
    return out


@bp.get("/overview/street/<int:unit_id>")
@login_required
def street(unit_id: int):
    c = ctx()
    unit = get_unit(c, unit_id, field="unit_id")
    forbid_unless(c.can(A.programme_manage, unit).allowed and unit.kind == "street",
                  T(f"您不是「{unit.name}」的管理员", f"You do not administer {unit.name_en or unit.name}"))
    # The street's own programmes and those of the levels above it that its units apply to
    # (a city-wide call, where the street endorses its communities' applications).
    programmes = [p for p in programme_service.list_programmes(c) if unit.path.startswith(p.org_unit.path)]
    views = {p.id: programme_view(c, p) for p in programmes}
    ids = [p.id for p in programmes]
    by_programme = queries.state_counts(c, "programme", programme_ids=ids)
    by_unit = queries.state_counts(c, "applicant_unit", programme_ids=ids)
    neighbourhoods = queries.children(c, unit)
    return render_template("pages/overview_street.html", unit=unit, programmes=programmes, views=views,
                           by_programme=by_programme, by_unit=by_unit, neighbourhoods=neighbourhoods,
                           panels=queries.panels(c, ids), recent=queries.recent_projects(c, programme_ids=ids),
                           states=queries.STATES, awaiting=awaiting_endorsement(c, unit, programmes),
                           words=place.words(c, programmes), columns=place.shown_states(c, programmes, queries.STATES))


@bp.get("/my")
@login_required
def mine():
    c = ctx()
    units = queries.applicant_units(c)
    forbid_unless(bool(units), T("只有申报单位的工作人员或项目团队成员有“我的项目”", "Only the applying units' staff and project members have projects"))
    projects = queries.my_projects(c)
    # Programmes the actor's units may apply to: those owned by a unit above one of them.
    programmes = [p for p in programme_service.list_programmes(c)
                  if any(u.path.startswith(p.org_unit.path) and u.id != p.org_unit_id for u in units)]
    views = {p.id: programme_view(c, p) for p in programmes}
    for p in projects:
        views.setdefault(p.programme_id, programme_view(c, p.programme))
    return render_template("pages/my_projects.html", projects=projects, programmes=programmes, views=views, units=units)
