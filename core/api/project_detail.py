"""What the API says about a project: the response schemas (summary, detail, budget,
attachments, decisions with where their money comes from) and the functions that fill them.
The project endpoints (``core.api.projects``) answer with these, and the review endpoints
(``core.api.review``) with their decisions.

Money leaves as yuan strings ("4800.50"); the services keep integer fen."""
from __future__ import annotations

from flask import url_for
from marshmallow import fields

from core.api.base import ApiSchema
from core.api.changes import ChangeRequestSchema, change_requests
from core.api.endorsements import (
    EndorsementSchema,
    EndorsementStepSchema,
    endorsements,
    step,
)
from core.api.shapes import (
    ActionsField,
    UnitRefSchema,
    UserRefSchema,
    ViolationSchema,
    actions,
    unit_ref,
    user_ref,
    violations,
    yuan,
)
from core.forms import describe
from core.models import FundKind, ProjectState
from core.services import changes as change_service
from core.services import approval_sources, funding, project_actions, projects, publication, review
from core.services.programmes import policy_of


class ProgrammeRefSchema(ApiSchema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    year = fields.Integer(required=True)
    plugin_name = fields.String(required=True)


class ProjectSummarySchema(ApiSchema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    track = fields.String(required=True)
    state = fields.String(required=True, metadata={"enum": [s.value for s in ProjectState]})
    state_label = fields.String(required=True)
    programme_id = fields.Integer(required=True)
    applicant_unit = fields.Nested(UnitRefSchema, required=True)
    requested_amount = fields.String(required=True, metadata={"description": "yuan, e.g. '4800.50'"})
    created_at = fields.DateTime(required=True)
    submitted_at = fields.DateTime(allow_none=True)


class BudgetItemSchema(ApiSchema):
    id = fields.Integer(required=True, metadata={
        "description": "the budget item's id: what a fund request names as budget_item_id"})
    position = fields.Integer(required=True)
    description = fields.String(required=True)
    amount = fields.String(required=True, metadata={"description": "yuan"})
    category = fields.String(allow_none=True, metadata={"description": "the row's category (null: none)"})


class BudgetSchema(ApiSchema):
    items = fields.List(fields.Nested(BudgetItemSchema), required=True)
    total = fields.String(required=True, metadata={"description": "yuan"})
    warnings = fields.List(fields.Nested(ViolationSchema), required=True, metadata={
        "description": "what the policy's submission rules will say about this budget (e.g. over a cap), "
                       "with their clauses: the budget is saved, submission will refuse it"})


class AttachmentSchema(ApiSchema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    kind_label = fields.String(required=True)
    filename = fields.String(required=True)
    content_type = fields.String(required=True, metadata={"description": "as sniffed from the content, not as sent"})
    size = fields.Integer(required=True)
    sha256 = fields.String(required=True)
    uploaded_at = fields.DateTime(required=True)
    url = fields.String(required=True, metadata={"description": "download"})


class DetailLineSchema(ApiSchema):
    key = fields.String(required=True, metadata={"description": "<form key>.<field>, e.g. selection.tier"})
    form = fields.String(required=True, metadata={"description": "the form's label"})
    label = fields.String(required=True, metadata={"description": "the field's label"})
    value = fields.Raw(allow_none=True, metadata={"description": "as stored"})
    text = fields.String(required=True, metadata={"description": "as shown (a choice's label)"})


class SourceFundSchema(ApiSchema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True, metadata={"enum": [k.value for k in FundKind]})
    kind_label = fields.String(required=True)
    tier = fields.String(allow_none=True, metadata={"description": "a subsidy's level (e.g. city-level)"})
    org_unit = fields.Nested(UnitRefSchema, required=True, metadata={"description": "whose fund it is"})


class FundingSourceSchema(ApiSchema):
    source = fields.String(required=True, metadata={"enum": list(funding.SOURCES), "description": (
        "fund: drawn by the policy from one of its funds, committed with the decision; claim: a sponsor's claim "
        "of the project (its hold), committed as far as its fund could pay then and the rest as the money arrives; "
        "other: the part neither covers, named after the policy's co-governance fund (e.g. the town's share and "
        "donations) or 'other sources' when money the platform does not hold")})
    label = fields.String(required=True, metadata={"description": "what the source is, in the client's language"})
    fund_id = fields.Integer(allow_none=True, metadata={"description": "null: a source outside the platform's funds"})
    fund = fields.Nested(SourceFundSchema, allow_none=True)
    pledge_id = fields.Integer(allow_none=True, metadata={"description": "the claiming pledge (source claim)"})
    amount = fields.String(required=True, metadata={
        "description": "yuan: this source's share of approved_amount; the shares add up to approved_amount exactly"})
    committed_on_decision = fields.String(required=True, metadata={
        "description": "yuan: what the decision itself committed from this source"})
    committed = fields.String(required=True, metadata={"description": (
        "yuan: what the fund has committed to the project for this source now (the ledger's, as the funds view "
        "shows it: a fund's commitment to the project is shared among its sources in this list's order)")})


class DecisionSchema(ApiSchema):
    id = fields.Integer(required=True)
    outcome = fields.String(required=True, metadata={"enum": ["approved", "rejected", "returned"]})
    outcome_label = fields.String(required=True)
    explanation = fields.String(required=True)
    approved_amount = fields.String(allow_none=True, metadata={"description": "yuan"})
    funding = fields.List(fields.Nested(FundingSourceSchema), required=True, metadata={
        "description": "where the approved amount comes from, source by source, adding up to approved_amount "
                       "(empty unless approved)"})
    approvals = fields.List(fields.String(), required=True)
    decided_by = fields.Nested(UserRefSchema, required=True)
    decided_at = fields.DateTime(required=True)
    details = fields.Dict(required=True, metadata={
        "description": "the policy's decision forms by key, as filled in with an approval (e.g. a subsidy tier)"})
    details_shown = fields.List(fields.Nested(DetailLineSchema), required=True, metadata={
        "description": "the same, field by field, with labels and chosen options in the client's language"})


class ProjectDetailSchema(ProjectSummarySchema):
    programme = fields.Nested(ProgrammeRefSchema, required=True)
    track_label = fields.String(required=True)
    tags = fields.List(fields.String(), required=True)
    forms = fields.Dict(required=True, metadata={"description": (
        "the policy's forms by key, as saved; for the public only the fields its policies mark public "
        "(tongxin_public_parts), phone and ID numbers masked")})
    budget = fields.Nested(BudgetSchema, required=True)
    attachments = fields.List(fields.Nested(AttachmentSchema), required=True, metadata={
        "description": "for the public only the kinds its policies mark public"})
    decisions = fields.List(fields.Nested(DecisionSchema), required=True, metadata={
        "description": "oldest first; the last stands (signed-in callers only)"})
    endorsement_step = fields.Nested(EndorsementStepSchema, allow_none=True, metadata={
        "description": "the level that endorses before the panel, if the policy has one"})
    endorsements = fields.List(fields.Nested(EndorsementSchema), required=True, metadata={"description": "oldest first; the last stands"})
    change_requests = fields.List(fields.Nested(ChangeRequestSchema), required=True, metadata={
        "description": "recorded change requests (signed-in callers only)"})
    problems = fields.List(fields.Nested(ViolationSchema), allow_none=True, metadata={
        "description": "what stands between this project and submission (only while it can be edited)"})
    actions = ActionsField("ProjectActionSchema", project_actions.ACTIONS, metadata={"description": (
        "what the caller may do with the project now: edit (its forms, budget and attachments), submit, withdraw, "
        "endorse, score, decide, request_change, file_fund_request; computed as the services' guards decide")})


# -- rendering -----------------------------------------------------------------------------------

def state_label(state: str, lang: str) -> str:
    try:
        return ProjectState(state).label.render(lang)
    except ValueError:
        return state


def summary(project, lang: str) -> dict:
    return {"id": project.id, "title": project.title, "track": project.track, "state": project.state,
            "state_label": state_label(project.state, lang), "programme_id": project.programme_id,
            "applicant_unit": unit_ref(project.applicant_unit, lang), "requested_amount": yuan(project.requested_fen),
            "created_at": project.created_at, "submitted_at": project.submitted_at}


def attachment(att, kinds: dict, lang: str) -> dict:
    kind = kinds.get(att.kind)
    return {"id": att.id, "kind": att.kind, "kind_label": kind.label.render(lang) if kind else att.kind,
            "filename": att.filename, "content_type": att.content_type, "size": att.size, "sha256": att.sha256,
            "uploaded_at": att.uploaded_at,
            "url": url_for("projects.AttachmentFile", project_id=att.project_id, attachment_id=att.id)}


def detail_lines(specs, details: dict, lang: str) -> list[dict]:
    """A decision's forms field by field, labelled from the decision-stage ``FormSpec``s."""
    out = []
    for spec in specs:
        data = details.get(spec.key) or {}
        for f in describe(spec.schema):
            if f.name not in data:
                continue
            value = data[f.name]
            labels = {c.value: c.label.render(lang) for c in f.choices}
            shown = [labels.get(str(v), str(v)) for v in value] if isinstance(value, list) else [labels.get(str(value), str(value))]
            out.append({"key": f"{spec.key}.{f.name}", "form": spec.label.render(lang), "label": f.label.render(lang),
                        "value": value, "text": "、".join(shown) if lang != "en" else ", ".join(shown)})
    return out


def fund_ref(f, lang: str) -> dict | None:
    if f is None:
        return None
    return {"id": f.id, "name": f.name, "kind": f.kind, "kind_label": f.kind_enum.label.render(lang), "tier": f.tier,
            "org_unit": unit_ref(f.org_unit, lang)}


def funding_source(s: approval_sources.Source, lang: str) -> dict:
    line = s.line
    return {"source": line.source, "label": line.label.render(lang), "fund_id": line.fund_id,
            "fund": fund_ref(s.fund, lang), "pledge_id": line.pledge_id, "amount": yuan(line.amount_fen),
            "committed_on_decision": yuan(line.committed_fen), "committed": yuan(s.committed_fen)}


def decision(ctx, d, lang: str, specs=()) -> dict:
    """``specs``: the policy's decision-stage forms, to label ``details`` (see ``detail_lines``)."""
    details = dict(d.details or {})
    return {"id": d.id, "outcome": d.outcome, "outcome_label": state_label(d.outcome, lang),
            "explanation": d.explanation, "approved_amount": yuan(d.approved_fen),
            "funding": [funding_source(s, lang) for s in approval_sources.sources(ctx, d)], "approvals": list(d.approvals or []),
            "decided_by": user_ref(d.decided_by), "decided_at": d.decided_at,
            "details": details, "details_shown": detail_lines(specs, details, lang)}


def detail(ctx, project, lang: str) -> dict:
    programme = project.programme
    policy, config = policy_of(ctx, programme)
    track = policy.track(config, project.track)
    kinds = {k.key: k for k in policy.attachment_kinds(config)}
    problems, warnings = None, []
    if project.state in projects.EDITABLE:
        problems = projects.submission_problems(ctx, project)
        warnings = violations(projects.budget_warnings(ctx, project), lang)
    signed_in = ctx.actor.is_authenticated
    changes = change_service.change_requests(ctx, project.id) if signed_in else []
    decision_forms = policy.forms(config, project.track, stage="decide")
    # The public sees what the anonymous web page shows (core.services.publication): the marked
    # form fields and attachment kinds, and no decisions (a reviewer's words, who decided).
    forms = dict(project.forms or {}) if signed_in else publication.public_forms(ctx, project)
    decisions = review.decisions(ctx, project.id) if signed_in else []
    return {
        **summary(project, lang),
        "programme": {"id": programme.id, "title": programme.title, "year": programme.year,
                      "plugin_name": programme.plugin_name},
        "track_label": track.label.render(lang) if track else project.track,
        "tags": list(project.tags or []),
        "forms": forms,
        "budget": {"items": [{"id": b.id, "position": b.position, "description": b.description,
                              "amount": yuan(b.amount_fen), "category": b.category}
                             for b in project.budget_items],
                   "total": yuan(project.requested_fen), "warnings": warnings},
        "attachments": [attachment(a, kinds, lang) for a in publication.visible_attachments(ctx, project)],
        "decisions": [decision(ctx, d, lang, decision_forms) for d in decisions],
        "problems": violations(problems, lang) if problems is not None else None,
        "endorsement_step": step(policy.endorsement(config), lang),
        "endorsements": endorsements(ctx, project, lang),
        "change_requests": change_requests(ctx, project, lang, changes),
        "actions": actions(project_actions.project_offers(ctx, project, problems=problems, change_requests=changes), lang),
    }
