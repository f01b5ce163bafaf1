"""The project page's actions for two-level calls and running projects:

- endorsement, where the programme's policy declares the step: the applicant's town or street
  stamps an application (with an optional scanned stamp page) or returns it with a reason; the
  history is shown to everyone who sees the project, a return prominently to the applicant;
- the decision's details (the policy's decision-stage forms, e.g. a subsidy tier), read-only;
- change requests on approved projects: the applicant files one (reason, proposed type and
  forms, on its own page), the programme's administrators approve or refuse it.

What the page shows of them is ``core.web.project_page.project_parts``; the POST routes here
re-render the project page with the refusal beside the field, as every other form of the page does.
"""
from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import select

from core.models import OrgUnit, Project, ProjectState
from core.services import projects as project_service
from core.services.projects import visible
from core.violations import RuleError, Violation
from core.web.context import ctx, forbid_unless, login_required
from core.web.forms import split_errors
from core.web.presenters import programme_view
from core.web.project_page import Failure, render
from core.web.subforms import prefix, read_subform, subform
from core.web.templating import _t
from core.door.applications import DECIDE_CHANGE, ENDORSE, REQUEST_CHANGE
from core.services.project_actions import project_offers

bp = Blueprint("endorsement", __name__, url_prefix="/t/<tenant>")
CHANGE_FIELDS = ("reason", "proposed_track")


def _rerender(project_id: int, section: str, err: RuleError, values: dict | None = None):
    return render(project_id, Failure(section, err.violations, values=values), err.status)


# -- endorsing ------------------------------------------------------------------------------------

@bp.post("/projects/<int:project_id>/endorse")
@login_required
def endorse(project_id: int):
    c = ctx()
    try:
        record = ENDORSE(c, project_id, **ENDORSE.from_form(request.form, request.files),
                         storage=current_app.extensions["tongxin"].storage)
        outcome = record.outcome
        c.commit()
    except RuleError as err:
        c.session.rollback()
        return _rerender(project_id, "endorsement", err, request.form)
    if outcome == "endorsed":
        flash(_t("已审核盖章，申报已报送市级评审。", "Endorsed: the application goes on to the panel."), "success")
    else:
        flash(_t("已退回修改，申报单位将看到退回理由。", "Returned: the applicant will read your reason."), "success")
    return redirect(url_for("web.projects.show", project_id=project_id) + "#endorsement")


def awaiting_endorsement(c, unit, programmes) -> list[Project]:
    """Applications from the units under ``unit`` that wait for its endorsement: submitted to
    one of ``programmes`` whose policy has a step at ``unit``'s level. At most one query (none
    when no programme has such a step)."""
    ids = []
    for p in programmes:
        view = programme_view(c, p)
        step = view.policy.endorsement(view.config)
        if step is not None and step.level == unit.kind:
            ids.append(p.id)
    if not ids:
        return []
    under = select(OrgUnit.id).where(OrgUnit.path.startswith(unit.path), OrgUnit.id != unit.id)
    stmt = (visible(c).where(Project.state == ProjectState.submitted.value, Project.programme_id.in_(ids),
                             Project.applicant_unit_id.in_(under))
            .order_by(Project.submitted_at, Project.id).limit(200))
    return list(c.session.scalars(stmt).unique())


# -- change requests --------------------------------------------------------------------------------

@bp.route("/projects/<int:project_id>/changes/new", methods=["GET", "POST"])
@login_required
def new_change(project_id: int):
    """The applicant's change request: the reason, a new type (choosing one re-renders the page
    with that type's forms) and the forms with the current content, to be edited."""
    c = ctx()
    project = project_service.get_project(c, project_id)
    filing = request.method == "POST" and request.form.get("action") != "choose_track"
    if not filing:  # showing the form: only to whom it is offered now; filing: the service decides
        offer = project_offers(c, project).request_change
        forbid_unless(offer.allowed, offer.reason)
    view = programme_view(c, project.programme)
    source = request.form if request.method == "POST" else request.args
    track = source.get("proposed_track") or project.track  # whose forms the page shows
    if track not in view.tracks:
        track = project.track
    specs = view.forms(track)
    stored = project.forms or {}
    reason = request.form.get("reason", "")
    violations: list[Violation] = []
    values = {spec.key: stored.get(spec.key) or {} for spec in specs}
    if request.method == "POST":  # choosing a type re-renders the page: what was typed comes back, not the stored
        posted = [key for key in request.form if key not in ("reason", "proposed_track", "action")]
        values.update({spec.key: read_subform(spec, request.form) for spec in specs
                       if any(key.startswith(prefix(spec)) for key in posted)})
    status = 200
    if filing:
        values = {spec.key: read_subform(spec, request.form) for spec in specs}
        # Only the forms the applicant actually changed are proposed.
        proposed = {key: data for key, data in values.items() if _changed(view, specs, key, data, stored.get(key))}
        try:
            # The schema reads the reason and the type as posted (an unknown type is refused, as by the API).
            REQUEST_CHANGE(c, project.id, **REQUEST_CHANGE.from_form(request.form, proposed_forms=proposed))
            c.commit()
        except RuleError as err:
            c.session.rollback()
            violations, status = err.violations, err.status
        else:
            flash(_t("变更申请已提交，经主管单位同意后生效。", "Change request filed; it takes effect once approved."), "success")
            return redirect(url_for("web.projects.show", project_id=project.id) + "#changes")
    form_keys = {spec.key for spec in specs}
    general = [v for v in violations if (v.field or "").split(".")[0] not in form_keys | set(CHANGE_FIELDS)]
    own = split_errors([v for v in violations if (v.field or "").split(".")[0] in CHANGE_FIELDS], "", CHANGE_FIELDS,
                       c.locale)
    # "proposed_forms" problems (a swap) belong to the request as a whole.
    return render_template("pages/change_request.html", project=project, view=view, track=track, reason=reason,
                           subforms=[subform(spec, values.get(spec.key), violations, c.locale, "cr") for spec in specs],
                           errors=own, general=general), status


def _changed(view, specs, key: str, data: dict, stored: dict | None) -> bool:
    spec = next(s for s in specs if s.key == key)
    try:
        return view.policy.validate_form(spec, data) != (stored or {})
    except RuleError:
        return True  # invalid input is proposed, so the refusal names its fields


@bp.post("/change-requests/<int:change_id>/decide")
@login_required
def decide_change(change_id: int):
    c = ctx()
    project_id = request.form.get("project_id", type=int)  # where to show a refusal (the page's own field)
    try:
        values = DECIDE_CHANGE.from_form(request.form)
        approve = values["approve"]
        cr = DECIDE_CHANGE(c, change_id, **values)
        project_id = cr.project_id
        c.commit()
    except RuleError as err:
        c.session.rollback()
        if project_id is None:
            raise
        return _rerender(project_id, f"change-{change_id}", err, request.form)
    flash(_t("已同意变更，项目内容已更新。", "Change approved; the project is updated.") if approve
          else _t("已不同意该变更，申报单位将看到理由。", "Change refused; the applicant will read why."), "success")
    return redirect(url_for("web.projects.show", project_id=project_id) + "#changes")
