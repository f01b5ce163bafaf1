"""Review: a panel member's queue and score form (from the programme's rubric), and for the
chair or a street administrator every score with the averages and the decision form
(approve with an amount; reject or return with the explanation the applicant will read)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from core.i18n import T
from core.permissions import A
from core.models import Decision
from core.money import MoneyError, fen_to_yuan, yuan_to_fen
from core.plugin_host.manager import PluginFailure
from core.services import funding
from core.services import programmes as programme_service
from core.services import projects as project_service
from core.services import review as review_service
from core.violations import RuleError
from core.web import queries, review_desk
from core.web.context import ctx, forbid_unless, login_required
from core.web.forms import FormErrors, split_errors
from core.web.presenters import programme_view
from core.web.subforms import lines, read_subform, subform
from core.web.templating import _t
from core.door.applications import DECIDE, SCORE
from core.services.project_actions import project_offers

bp = Blueprint("review", __name__, url_prefix="/t/<tenant>")
# "endorsed" only occurs where the policy has an endorsement step; "submitted" then waits for
# the town, not the panel (see ``_for_panel``).
OPEN_STATES = ("submitted", "endorsed", "under_review")
DONE_STATES = ("approved", "rejected", "returned")


@bp.get("/review")
@login_required
def queue():
    c = ctx()
    return render_template("pages/review_queue.html", **queue_view(c, sort_arg()))


def sort_arg() -> str:
    """?sort=average: best average first, so the chair can choose within the policy's cap; any
    other value is the default order (as submitted), not an error."""
    return request.args.get("sort", "") if request.args.get("sort", "") in review_desk.SORTS else ""


def queue_view(c, sort: str) -> dict:
    """What the queue shows (the page, and its export in ``core.web.lists``, read through this):
    the programmes the reader sits on the panel of or manages, the waiting rows with the scores
    the reader may read (``A.review_read``), the decided ones and the caps. Refused (403) for
    whoever is on no panel and manages no programme."""
    member_of = queries.panel_programme_ids(c)
    programmes = [p for p in queries.all_programmes(c)
                  if p.id in member_of or c.can(A.programme_manage, p.org_unit)]
    forbid_unless(bool(programmes) or c.can(A.programme_manage).allowed,
                  T("您不是任何年度项目的评审小组成员", "You are not on any programme's review panel"))
    ids = [p.id for p in programmes]
    views = {p.id: programme_view(c, p) for p in programmes}
    waiting = [p for p in queries.review_queue(c, ids, OPEN_STATES)
               if p.state in _for_panel(views[p.programme_id])]
    done = queries.review_queue(c, ids, DONE_STATES)
    if any(v.policy.endorsement(v.config) is not None for v in views.values()):
        # A town may have returned an application before the panel saw it: "decided" lists
        # only what the panel decided.
        decided = set(c.session.scalars(select(Decision.project_id).where(Decision.project_id.in_([p.id for p in done] or [-1]))))
        done = [p for p in done if p.id in decided]
    return dict(programmes=programmes, waiting=waiting, done=done, views=views, member_of=member_of, sort=sort,
                rows=review_desk.queue_rows(c, waiting, views, sort), caps=review_desk.caps(c, programmes, views))


def _for_panel(view) -> tuple[str, ...]:
    """The states in which the panel may score and decide a project of this programme."""
    if view.policy.endorsement(view.config) is not None:
        return review_service.REVIEWABLE_AFTER_ENDORSEMENT
    return review_service.REVIEWABLE


def _render(project_id: int, *, score_failure=None, decide_failure=None, status: int = 200):
    c = ctx()
    project = project_service.get_project(c, project_id)
    view = programme_view(c, project.programme)
    # The panel, once: whether this person sits on it, and who has not scored yet.
    panel = programme_service.panel(c, project.programme_id)
    member = next((m for m in panel if m.user_id == c.actor.id), None)
    decider = c.can(A.review_decide, project).allowed
    offers = project_offers(c, project)  # which forms are theirs now, as the services will judge them
    # The desk is for whom the permission table lets read the scores (A.review_read: the panel and
    # those who decide); anyone else is refused here by the service, as before.
    all_scores = review_service.scores(c, project)
    rubric = view.rubric
    # Who has not scored yet: listed with the scores, and the decider is warned (or, where the
    # policy requires every score, told to wait).
    missing = review_service.missing_scorers(c, project, scores=all_scores, panel=panel)
    mine = next((s for s in all_scores if s.reviewer_id == c.actor.id), None)
    score_values = (score_failure or {}).get("values") or {
        "points": dict(mine.points) if mine else {}, "comment": mine.comment if mine else ""}
    score_errors = split_errors((score_failure or {}).get("violations", []), "points",
                                [cr.key for cr in rubric], c.locale) if score_failure else FormErrors()
    score_violations = (score_failure or {}).get("violations", [])
    comment_errors = split_errors(score_violations, "", ("comment",), c.locale).by_field.get("comment", [])
    score_general = [v for v in score_violations
                     if not (v.field or "").startswith("points.") and (v.field or "").split(".")[0] != "comment"]
    # As posted (to correct it), or as a new decision starts: approving the amount requested.
    decide_values = (decide_failure or {}).get("values") or MultiDict(
        {"approved_amount": str(fen_to_yuan(project.requested_fen))})
    decide_violations = (decide_failure or {}).get("violations", [])
    # The policy's decision-stage forms (e.g. a subsidy tier), rendered from their schemas.
    decide_specs = view.policy.forms(view.config, project.track, stage="decide")
    details = (decide_failure or {}).get("details") or {}
    decide_forms = [subform(spec, details.get(spec.key), decide_violations, c.locale, "decide") for spec in decide_specs]
    form_keys = {spec.key for spec in decide_specs}
    decisions = review_service.decisions(c, project.id)
    # A policy's refusal is listed above the form, where its clause is shown with it.
    decide_errors = split_errors([v for v in decide_violations
                                  if (v.field or "").split(".")[0] not in form_keys and not v.clause], "",
                                 ("outcome", "approved_amount", "explanation", "approvals", "override_reason",
                                  "confirm_missing_scores"),
                                 c.locale)
    decide_errors.general += [v for v in decide_violations if v.clause and v.field != "approvals"
                              and (v.field or "").split(".")[0] not in form_keys]
    # "Needs approval" problems the decider may approve explicitly, by code.
    approvable = [v for v in decide_violations if v.field == "approvals"]
    return render_template(
        "pages/review.html", funding_plan=_funding_plan(c, project, decide_values, details) if decider else [],
        project=project, view=view, member=member, decider=decider, rubric=rubric,
        table=review_desk.score_table(all_scores, rubric, missing), mine=mine,
        rules=view.policy.review_rules(view.config), missing=missing,
        application=review_desk.application(c, project, view),
        score_values=score_values, score_errors=score_errors, score_general=score_general, comment_errors=comment_errors,
        decide_values=decide_values, decide_errors=decide_errors, approvable=approvable,
        offers=offers, decisions=decisions, decide_forms=decide_forms,
        detail_lines={d.id: lines(decide_specs, d.details or {}, c.locale) for d in decisions},
    ), status


@bp.get("/projects/<int:project_id>/review")
@login_required
def page(project_id: int):
    return _render(project_id)


@bp.post("/projects/<int:project_id>/score")
@login_required
def score(project_id: int):
    c = ctx()
    try:
        SCORE(c, project_id, **SCORE.from_form(request.form))  # the rubric's inputs are points.<criterion>
        c.commit()
    except RuleError as err:
        c.session.rollback()
        return _render(project_id, score_failure={"violations": err.violations, "values": {
            "points": _prefixed(request.form, "points."), "comment": request.form.get("comment")}},
            status=err.status)
    flash(_t("评分已保存。", "Your score was saved."), "success")
    # A refused form comes back at its own place (the forms post to #score, #decide); a saved one
    # at the top of the page, where the message is.
    return redirect(url_for("web.review.page", project_id=project_id, _anchor="main"))


@bp.post("/projects/<int:project_id>/decide")
@login_required
def decide(project_id: int):
    c = ctx()
    project = project_service.get_project(c, project_id)
    view = programme_view(c, project.programme)
    # The policy's decision forms are read by their own schemas (validated by the service).
    details = {spec.key: read_subform(spec, request.form)
               for spec in view.policy.forms(view.config, project.track, stage="decide")}
    try:
        # The form carries ``missing_scores_warned`` where it warned of missing scores: its box
        # unticked is then a "no" the service refuses; without the warning it asks nothing.
        confirm = ("confirm_missing_scores" in request.form) if "missing_scores_warned" in request.form else None
        decision = DECIDE(c, project_id, **DECIDE.from_form(request.form, details=details,
                                                            confirm_missing_scores=confirm))
        outcome = decision.outcome
        c.commit()
    except RuleError as err:
        c.session.rollback()
        return _render(project_id, decide_failure={"violations": err.violations, "values": request.form,
                                                   "details": details}, status=err.status)
    label = {"approved": ("已通过立项", "approved"), "rejected": ("已作出不通过决定", "rejected"),
             "returned": ("已退回修改", "returned for changes")}[outcome]
    flash(_t(f"评审决定已记录：{label[0]}。", f"Decision recorded: {label[1]}."), "success")
    return redirect(url_for("web.review.page", project_id=project_id, _anchor="main"))


def _prefixed(form, prefix: str) -> dict:
    """The posted inputs named ``<prefix><key>``, by key, as typed (to show them again)."""
    return {k[len(prefix):]: v for k, v in form.items() if k.startswith(prefix)}


def _funding_plan(c, project, values: dict, details: dict) -> list:
    """Where the money would come from if approved at the amount in the form (the decider sees
    it before deciding; the funds check it again, under their locks, when the decision is made).
    Nothing to show for an amount that does not parse or a policy that fails."""
    try:
        amount = yuan_to_fen(values.get("approved_amount") or str(fen_to_yuan(project.requested_fen)))
        return funding.plan(c, project, amount, details)
    except (MoneyError, PluginFailure, RuleError):
        return []
