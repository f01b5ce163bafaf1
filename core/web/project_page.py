"""The project page, as every view that changes a project renders it: its own routes
(``core.web.projects``), the endorsement and change-request routes (``core.web.endorsement``)
and the fund-request routes (``core.web.fund_requests``) re-render it after a refusal with the
problems beside the fields (``Failure``).

The page is the applicant's forms (rendered from the plugin's schemas), the budget and the
attachments, what still stands in the way of submission, the decisions; the endorsement,
decision-detail and change-request parts (``project_parts``); and the sections core and the
project's policy add through ``tongxin_project_panels`` (``panels``).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app, render_template

from core.forms import describe
from core.i18n import T
from core.models import ProjectState
from core.money import fen_to_yuan
from core.permissions import A
from core.plugin_host.contributions import FormSpec, Panel
from core.plugin_host.manager import PluginFailure
from core.services import changes as change_service
from core.services import endorsement as endorsement_service
from core.services import projects as project_service
from core.services import publication
from core.services import review as review_service
from core.services.context import Ctx
from core.services.faults import record_fault
from core.services.project_actions import project_offers
from core.services.projects import EDITABLE
from core.services.rule_facts import facts
from core.violations import Violation
from core.web import queries
from core.web.context import ctx
from core.web.forms import Control, FormErrors, budget_errors, controls, display, split_errors
from core.web.presenters import ProgrammeView, programme_view
from core.web.subforms import lines

BLANK_BUDGET_ROWS = 2
ENDORSE_FIELDS = ("outcome", "reason", "stamp", "override_reason")


@dataclass
class Failure:
    """A refused change, to show on the re-rendered page."""

    section: str  # a form key, "budget", "attachments", "submit" or "withdraw"
    violations: list[Violation]
    values: dict | None = None
    budget_rows: list[dict] | None = None


@dataclass
class FormView:
    spec: FormSpec
    controls: list[Control]
    errors: FormErrors
    saved: bool
    shown: list[tuple[str, object]] = field(default_factory=list)  # read-only (label, value)

    @property
    def required_inside(self) -> str:
        """"all", "some" or "" : which fields a form says 必填 — an optional form (not needed to
        submit) still says, as a whole, that once it is filled in those fields are."""
        marks = [c.spec.required for c in self.controls]
        return "all" if marks and all(marks) else ("some" if any(marks) else "")


def render(project_id: int, failure: Failure | None = None, status: int = 200):
    """The project page; with ``failure``, re-rendered after a refused change, the posted values
    and each problem beside its field, in the answer's ``status``."""
    c = ctx()
    project = project_service.get_project(c, project_id)
    view = programme_view(c, project.programme)
    locale = c.locale
    signed_in = c.actor.is_authenticated
    submit_errors = failure.violations if failure and failure.section in ("submit", "withdraw") else []
    problems = (project_service.submission_problems(c, project)
                if signed_in and project.state in EDITABLE and not submit_errors else None)
    # What this person may do now, as the API's ``actions`` says it and the services enforce it.
    offers = project_offers(c, project, problems=problems) if signed_in else None
    can_edit = bool(offers and offers.edit.allowed)
    section = failure.section if failure else None

    forms = []
    if signed_in:  # forms may hold contact details: the public sees the summary and budget only
        for spec in view.forms(project.track):
            names = [f.name for f in describe(spec.schema)]
            stored = (project.forms or {}).get(spec.key) or {}
            # A form not filled yet starts with the project's title (save_form keeps them in step).
            fresh = {"title": project.title} if spec.key not in (project.forms or {}) and "title" in names else {}
            if section == spec.key:
                values, errors = failure.values or {}, split_errors(failure.violations, spec.key, names, locale)
            elif section == "submit":
                values, errors = stored or fresh, split_errors(failure.violations, spec.key, names, locale)
                errors.general = []  # shown once, in the submission box
            else:
                values, errors = stored or fresh, FormErrors()
            fv = FormView(spec, controls(spec.schema, values, errors, f"f-{spec.key}"), errors, spec.key in (project.forms or {}))
            fv.shown = [(ctl.spec.label, display(ctl.spec, stored.get(ctl.name), locale)) for ctl in fv.controls]
            forms.append(fv)

    if section == "budget":
        rows = list(failure.budget_rows or [])
        row_errors, budget_general = budget_errors(failure.violations, locale)
    else:
        rows = [{"description": b.description, "amount": str(fen_to_yuan(b.amount_fen)), "category": b.category or ""}
                for b in project.budget_items]
        row_errors, budget_general = {}, []
    if can_edit:
        rows = rows + [{"description": "", "amount": "", "category": ""}] * BLANK_BUDGET_ROWS

    # The public sees the parts the project's policies mark public, as the anonymous API does.
    public: list[tuple] = []  # (form label, [(key, field label, shown)]) in form order
    for f in ([] if signed_in else publication.public_fields(c, project)):
        if not public or public[-1][0] is not f.form.label:
            public.append((f.form.label, []))
        public[-1][1].append((f"{f.form.key}.{f.name}", f.label, display_public(f, locale)))
    public_files = [] if signed_in else publication.public_attachments(c, project)
    attach_errors = (split_errors(failure.violations, "", ("kind", "file"), locale) if section == "attachments"
                     else FormErrors())
    problems = problems or []
    decisions = review_service.decisions(c, project.id) if signed_in else []
    approved = next((d for d in reversed(decisions) if d.outcome == "approved"), None)
    reviewer = c.can(A.review_score, project).allowed or c.can(A.review_decide, project).allowed
    return render_template(
        "pages/project.html", project=project, view=view, forms=forms, can_edit=can_edit, offers=offers,
        signed_in=signed_in, budget_rows=rows, row_errors=row_errors,
        budget_general=budget_general, attach_errors=attach_errors, submit_errors=submit_errors,
        problems=problems, blocking=project_service.blocking(problems), decisions=decisions, approved=approved,
        reviewer=reviewer, failure=failure, public=public, public_files=public_files,
        panels=panels(c, project, view), **project_parts(c, project, failure, offers),
    ), status


def display_public(f, locale: str) -> str:
    """A public field's value as the page shows it (a choice by its label)."""
    spec = next((x for x in describe(f.form.schema) if x.name == f.name), None)
    shown = display(spec, f.value, locale) if spec is not None else str(f.value)
    return ("、" if locale != "en" else ", ").join(shown) if isinstance(shown, list) else shown


# -- the endorsement, decision-detail and change-request parts --------------------------------------

def project_parts(c, project, failure=None, offers=None) -> dict:
    """Context for the project page's endorsement, decision-detail and change-request parts.
    ``offers``: the caller's ``project_offers`` (None for the public), which say which of the
    parts' forms and buttons are theirs now."""
    view = programme_view(c, project.programme)
    locale = c.locale
    signed_in = c.actor.is_authenticated
    section = failure.section if failure else None
    step = view.policy.endorsement(view.config)
    history = endorsement_service.endorsements(c, project.id) if step else []
    endorse_values = (failure.values or {}) if section == "endorsement" else {"outcome": "", "reason": ""}
    endorse_errors = (split_errors(failure.violations, "", ENDORSE_FIELDS, locale) if section == "endorsement"
                      else FormErrors())

    decisions = review_service.decisions(c, project.id) if signed_in else []
    decide_specs = view.policy.forms(view.config, project.track, stage="decide")
    detail_lines = {d.id: lines(decide_specs, d.details or {}, locale) for d in decisions}
    latest_decision = decisions[-1] if decisions else None
    latest_endorsement = history[-1] if history else None
    # A return by the town is what the applicant must act on when it is the latest word.
    town_return = None
    if (project.state == ProjectState.returned.value and latest_endorsement is not None
            and latest_endorsement.outcome == "returned"
            and (latest_decision is None or latest_endorsement.endorsed_at >= latest_decision.decided_at)):
        town_return = latest_endorsement

    requests = change_service.change_requests(c, project.id) if signed_in else []
    people = queries.users_by_id(c, [r.requested_by_id for r in requests] + [r.decided_by_id for r in requests])
    change_rows = []
    for r in requests:
        track = r.proposed_track or project.track
        change_rows.append({
            "request": r, "requested_by": people.get(r.requested_by_id), "decided_by": people.get(r.decided_by_id),
            "status_label": change_service.STATUS_LABELS.get(r.status, T(r.status, r.status)),
            "track_label": view.track_label(r.proposed_track) if r.proposed_track else None,
            "forms": [(spec.label, lines([spec], r.proposed_forms or {}, locale))
                      for spec in view.forms(track) if spec.key in (r.proposed_forms or {})],
            "errors": (split_errors(failure.violations, "", ("reason",), locale)
                       if section == f"change-{r.id}" else FormErrors()),
            "reason_value": (failure.values or {}).get("reason", "") if section == f"change-{r.id}" else "",
        })
    return {
        "step": step, "endorsements": history, "endorse_values": endorse_values,
        "endorse_errors": endorse_errors, "town_return": town_return, "detail_lines": detail_lines,
        "change_rows": change_rows, "stamps": {a.id: a for a in project.attachments},
    }


# -- sections from core and from the policy ------------------------------------------------------------

def panels(c: Ctx, project, view: ProgrammeView) -> list[Panel]:
    """The page's sections: core's own (built-in plugins, ``core.web.project_panels``) and those
    of the project's policy, by ``order``. A policy's failing section is left out and recorded
    for the tenant's administrators; the rest of the page is shown."""
    answers = {"project": facts(project), "config": view.config, "ctx": c, "record": project}
    found = c.host.builtins.project_panels(**answers)
    try:
        found += view.policy.project_panels(**answers)
    except PluginFailure as failure:
        record_fault(current_app.extensions["tongxin"], c.tenant_id, failure)
    return sorted(found, key=lambda p: p.order)
