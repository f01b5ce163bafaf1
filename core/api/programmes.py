"""Programmes: one policy's year at one street (or city), with the config it froze.

GET .../programmes (paginated), GET .../programmes/<id> (phases, tracks, forms with their
fields, attachment kinds, tags, rubric, panel, the decision-stage forms and the endorsement
step — all from the frozen config — and ``policies``: every policy that applies to it, its own
and those it inherits from the units above, each with the version and config it froze; forms,
attachment kinds, rubric and budget categories are those of all of them together),
POST .../programmes (open one), PUT .../programmes/<id>/panel."""
from __future__ import annotations

from flask.views import MethodView
from marshmallow import fields, validate
from sqlalchemy import select

from core.api.base import (
    TENANT,
    TOTAL_HEADER,
    ApiSchema,
    Blueprint,
    Id,
    PageQuery,
    QueryId,
    QueryWhole,
    Whole,
    context,
    limit_offset,
    locale,
    login_required,
    page_schema,
    paged,
)
from core.api.endorsements import EndorsementStepSchema
from core.api.endorsements import step as endorsement_step
from core.api.shapes import (
    ChoiceSchema,
    FieldSpecSchema,
    UnitRefSchema,
    UserRefSchema,
    choices,
    field_specs,
    text,
    unit_ref,
    user_ref,
)
from core.api.refusals import refuses
from core.models import OrgUnit
from core.services import programmes

blp = Blueprint("programmes", __name__, url_prefix=f"{TENANT}/programmes",
                description="A policy's year at a street or city, with its frozen rules and calendar")


class PhaseRuleSchema(ApiSchema):
    action = fields.String(required=True, metadata={"description": "a typed action, e.g. fund_request.file"})
    clause = fields.String(required=True, metadata={"description": "the clause of the policy's source that allows it"})
    firmness = fields.String(required=True, metadata={"enum": ["block", "needs_approval"], "description":
                             "outside the phase: refused, or refused unless the approver acts giving a reason"})
    approver = fields.String(allow_none=True, metadata={"description": "the role that may act outside the phase"})
    correction_days = fields.Integer(required=True, metadata={
        "description": "days a returned application may still take the action after the phase (补正)"})


class PhaseSchema(ApiSchema):
    key = fields.String(required=True)
    label = fields.String(required=True)
    starts = fields.Date(required=True)
    ends = fields.Date(required=True)
    allows = fields.List(fields.String(), required=True, metadata={
        "description": "the typed actions it allows (e.g. project.apply); an action no phase names is allowed all year"})
    rules = fields.List(fields.Nested(PhaseRuleSchema), required=True, metadata={
        "description": "each allowed action with its clause and firmness"})
    is_open = fields.Boolean(required=True, metadata={"description": "today lies within it"})


class AppliedPolicySchema(ApiSchema):
    name = fields.String(required=True, metadata={"description": "the policy plugin's name"})
    title = fields.String(allow_none=True, metadata={"description": "null: the plugin is no longer installed"})
    own = fields.Boolean(required=True, metadata={
        "description": "the programme's own policy (true) or one inherited from a unit above (false)"})
    version = fields.String(required=True, metadata={"description": "the policy's version frozen when the programme opened"})
    installed_version = fields.String(allow_none=True, metadata={"description": "the version installed now"})
    distribution = fields.String(required=True, metadata={
        "description": "the installed distribution and its version at opening ('' if unknown)"})
    org_unit = fields.Nested(UnitRefSchema, allow_none=True, metadata={"description": "where the policy is enabled"})
    source = fields.String(allow_none=True, metadata={"description": "the policy document its refusals cite"})


class AppliedPolicyDetailSchema(AppliedPolicySchema):
    config = fields.Dict(required=True, metadata={"description": "the settings frozen when the programme opened"})
    phases = fields.List(fields.Nested(PhaseSchema), required=True, metadata={
        "description": "its frozen calendar: an action must lie inside a window of every policy that names it"})


class ProgrammeSummarySchema(ApiSchema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    year = fields.Integer(required=True)
    plugin_name = fields.String(required=True)
    plugin_version = fields.String(required=True)
    org_unit = fields.Nested(UnitRefSchema, required=True)
    phases = fields.List(fields.Nested(PhaseSchema), required=True)
    policies = fields.List(fields.Nested(AppliedPolicySchema), required=True, metadata={
        "description": "every policy that applies (policies stack): the own first, then the inherited from the top down"})


class TrackSchema(ApiSchema):
    key = fields.String(required=True)
    label = fields.String(required=True)
    description = fields.String(required=True)
    applicant_kinds = fields.List(fields.String(), required=True)
    directions = fields.List(fields.Nested(ChoiceSchema), required=True)


class FormSchema(ApiSchema):
    key = fields.String(required=True, metadata={"description": "PUT .../projects/<id>/forms/<key>"})
    label = fields.String(required=True)
    tracks = fields.List(fields.String(), allow_none=True, metadata={"description": "null: every track"})
    required_for_submit = fields.Boolean(required=True)
    fields_ = fields.List(fields.Nested(FieldSpecSchema), required=True, data_key="fields")


class AttachmentKindSchema(ApiSchema):
    key = fields.String(required=True)
    label = fields.String(required=True)
    required_for_submit = fields.Boolean(required=True)
    content_types = fields.List(fields.String(), required=True)
    clause = fields.String(allow_none=True)


class CriterionSchema(ApiSchema):
    key = fields.String(required=True)
    label = fields.String(required=True)
    max_points = fields.Integer(required=True)
    description = fields.String(required=True)
    weight = fields.Integer(required=True)


class PanelMemberSchema(ApiSchema):
    user = fields.Nested(UserRefSchema, required=True)
    chair = fields.Boolean(required=True)


class PanelSchema(ApiSchema):
    members = fields.List(fields.Nested(PanelMemberSchema), required=True)


class ProgrammeDetailSchema(ProgrammeSummarySchema):
    config = fields.Dict(required=True, metadata={"description": "the settings frozen when the programme opened"})
    tracks = fields.List(fields.Nested(TrackSchema), required=True)
    forms = fields.List(fields.Nested(FormSchema), required=True)
    attachment_kinds = fields.List(fields.Nested(AttachmentKindSchema), required=True)
    tags = fields.List(fields.Nested(ChoiceSchema), required=True)
    rubric = fields.List(fields.Nested(CriterionSchema), required=True)
    panel = fields.List(fields.Nested(PanelMemberSchema), required=True)
    policies = fields.List(fields.Nested(AppliedPolicyDetailSchema), required=True, metadata={
        "description": "every policy that applies, with its frozen config and calendar"})
    budget_categories = fields.List(fields.Nested(ChoiceSchema), required=True, metadata={
        "description": "the categories a budget row may take under every policy that lists them ([]: no list)"})
    decision_forms = fields.List(fields.Nested(FormSchema), required=True, metadata={
        "description": "forms filled by whoever decides, with an approval (POST .../decision's details)"})
    endorsement = fields.Nested(EndorsementStepSchema, allow_none=True, metadata={
        "description": "the level that endorses applications before the panel (null: none)"})


ProgrammePageSchema = page_schema(ProgrammeSummarySchema, "ProgrammePageSchema")


class ProgrammeQuerySchema(PageQuery):
    org_unit_id = QueryId(metadata={"description": "only this unit's programmes"})
    year = QueryWhole(validate=validate.Range(min=2000, max=2100))


class OpenProgrammeSchema(ApiSchema):
    org_unit_id = Id(required=True, metadata={"description": "the street (or city) that runs it"})
    plugin_name = fields.String(required=True, validate=validate.Length(min=1, max=64))
    year = Whole(required=True, validate=validate.Range(min=2000, max=2100))
    title = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=2, max=200))


class PanelInputSchema(ApiSchema):
    user_ids = fields.List(Id(), required=True, validate=validate.Length(min=1, max=50))
    chair_id = Id(load_default=None, allow_none=True)


def rule(allow, lang: str) -> dict:
    return {"action": allow.key, "clause": allow.clause.render(lang), "firmness": allow.firmness,
            "approver": allow.approver, "correction_days": allow.correction_days}


def phases(programme, lang: str, of=None) -> list[dict]:
    """The own policy's frozen calendar, or ``of`` (another policy's frozen phases)."""
    day = context().clock.today()  # the request's day, on the platform's clock
    return [{"key": p.key, "label": p.label.render(lang), "starts": p.starts, "ends": p.ends,
             "allows": p.action_keys, "rules": [rule(a, lang) for a in p.allows], "is_open": p.is_open(day)}
            for p in (programmes.phases_of(programme) if of is None else of)]


def policy_units(ctx, rows) -> dict[int, OrgUnit]:
    """The units where the programmes' policies are enabled, in one query for a page of them."""
    ids = {p.org_unit_id for p in rows} | {e.get("org_unit_id") for p in rows for e in p.inherited_policies or []}
    ids.discard(None)
    return {u.id: u for u in ctx.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(sorted(ids))))} if ids else {}


def applied_policy(frozen, units: dict, lang: str) -> dict:
    info = frozen.policy.info if frozen.policy is not None else None
    return {"name": frozen.name, "title": info.title.render(lang) if info else None, "own": frozen.own,
            "version": frozen.version, "installed_version": frozen.installed_version,
            "distribution": frozen.distribution, "source": info.source.render(lang) if info else None,
            "org_unit": unit_ref(units.get(frozen.org_unit_id), lang)}


def summary(programme, lang: str, units: dict | None = None) -> dict:
    ctx = context()
    units = policy_units(ctx, [programme]) if units is None else units
    return {"id": programme.id, "title": programme.title, "year": programme.year, "plugin_name": programme.plugin_name,
            "plugin_version": programme.plugin_version, "org_unit": unit_ref(programme.org_unit, lang),
            "phases": phases(programme, lang),
            "policies": [applied_policy(f, units, lang) for f in programmes.frozen_policies(ctx, programme)]}


def panel(ctx, programme_id: int) -> list[dict]:
    return [{"user": user_ref(m.user), "chair": m.chair} for m in programmes.panel(ctx, programme_id)]


def form(f, lang: str) -> dict:
    return {"key": f.key, "label": f.label.render(lang), "tracks": list(f.tracks) if f.tracks is not None else None,
            "required_for_submit": f.required_for_submit, "fields_": field_specs(f.schema, lang)}


def detail(ctx, programme, lang: str) -> dict:
    policy, config = programmes.policy_of(ctx, programme)
    units = policy_units(ctx, [programme])
    return {
        **summary(programme, lang, units),
        "config": programme.config,
        "tracks": [{"key": t.key, "label": t.label.render(lang), "description": t.description.render(lang),
                    "applicant_kinds": list(t.applicant_kinds), "directions": choices(t.directions, lang)}
                   for t in policy.tracks(config)],
        "forms": [form(f, lang) for f in policy.forms(config)],
        "attachment_kinds": [{"key": k.key, "label": k.label.render(lang), "required_for_submit": k.required_for_submit,
                              "content_types": list(k.content_types), "clause": text(k.clause, lang)}
                             for k in policy.attachment_kinds(config)],
        "tags": choices(policy.tags(config), lang),
        "rubric": [{"key": c.key, "label": c.label.render(lang), "max_points": c.max_points,
                    "description": c.description.render(lang), "weight": c.weight} for c in policy.rubric(config)],
        "panel": panel(ctx, programme.id),
        "policies": [{**applied_policy(f, units, lang), "config": f.config, "phases": phases(programme, lang, of=calendar)}
                     for f, (_, calendar) in zip(programmes.frozen_policies(ctx, programme),
                                                 programmes.policy_phases(programme))],
        "budget_categories": choices(policy.budget_categories(config), lang),
        "decision_forms": [form(f, lang) for f in policy.forms(config, stage="decide")],
        "endorsement": endorsement_step(policy.endorsement(config), lang),
    }


@blp.route("")
class Programmes(MethodView):
    @blp.arguments(ProgrammeQuerySchema, location="query")
    @blp.response(200, ProgrammePageSchema, headers=TOTAL_HEADER)
    def get(self, query):
        """List programmes, newest year first (public)"""
        ctx = context()
        lang = locale()
        rows, total = programmes.page_programmes(ctx, unit_id=query.get("org_unit_id"), year=query.get("year"),
                                                 **limit_offset(query))
        units = policy_units(ctx, rows)
        return paged([summary(p, lang, units) for p in rows], total, query)

    @login_required
    @blp.arguments(OpenProgrammeSchema)
    @blp.response(201, ProgrammeDetailSchema)
    @refuses({403: "forbidden", 404: "not_found", 409: "programme_exists", 422: "invalid_year plugin_not_enabled plugin_not_installed policy_without_tracks"})
    def post(self, body):
        """Open a programme: freezes the unit's current settings of the plugin (administrators)"""
        ctx = context(login=True)
        programme = programmes.open_programme(ctx, body["org_unit_id"], body["plugin_name"], body["year"], body["title"])
        ctx.commit()
        return detail(ctx, programme, locale())


@blp.route("/<id:programme_id>")
class ProgrammeItem(MethodView):
    @blp.response(200, ProgrammeDetailSchema)
    def get(self, programme_id):
        """A programme with its calendar, tracks, forms, attachment kinds, tags, rubric and panel (public)"""
        ctx = context()
        return detail(ctx, programmes.get_programme(ctx, programme_id), locale())


@blp.route("/<id:programme_id>/panel")
class Panel(MethodView):
    @login_required
    @blp.arguments(PanelInputSchema)
    @blp.response(200, PanelSchema)
    @refuses({403: "forbidden", 422: "panel_empty chair_not_member not_a_reviewer reviewer_out_of_scope"})
    def put(self, body, programme_id):
        """Name the review panel and its chair (administrators); members need the reviewer role at the programme's unit, below it or above it"""
        ctx = context(login=True)
        programmes.set_panel(ctx, programme_id, body["user_ids"], body["chair_id"])
        ctx.commit()
        return {"members": panel(ctx, programme_id)}
