"""A programme's public page: the policies it runs under (its own and those it inherits from the
units above, each with the version it froze), its calendar (the phase open today is
highlighted), tracks, focus areas, review rubric, panel and the projects the visitor may see."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template

from core.services import programmes as programme_service
from core.services.projects import list_projects
from core.web import queries
from core.web.context import ctx, int_arg
from core.web.presenters import programme_view

bp = Blueprint("programmes", __name__, url_prefix="/t/<tenant>")
PAGE = 25


@bp.get("/programmes/<int:programme_id>")
def show(programme_id: int):
    c = ctx()
    programme = programme_service.get_programme(c, programme_id)
    view = programme_view(c, programme)
    page = int_arg("page", 1, minimum=1)
    rows, total = list_projects(c, programme_id=programme.id, limit=PAGE, offset=(page - 1) * PAGE)
    counts = queries.state_counts(c, "programme", programme_ids=[programme.id]).get(programme.id, {})
    panel = queries.panels(c, [programme.id]).get(programme.id, []) if c.actor.is_authenticated else []
    can_apply = bool(queries.applicant_units(c, within=programme.org_unit))
    pages_of_plugin = current_app.extensions["tongxin.web"]["plugin_pages"].get(programme.plugin_name, [])
    policies = programme_service.frozen_policies(c, programme)
    units = {u.id: u for u in queries.units_by_id(c, [f.org_unit_id for f in policies])}
    return render_template("pages/programme.html", programme=programme, view=view, projects=rows, total=total,
                           page=page, pages=max(1, -(-total // PAGE)), counts=counts, panel=panel,
                           can_apply=can_apply, plugin_pages=pages_of_plugin, states=queries.STATES,
                           policies=policies, policy_units=units)
