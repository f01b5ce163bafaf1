"""Review: GET/POST .../projects/<id>/scores (the programme's panel scores by the policy's
rubric) and POST .../projects/<id>/decision (the chair or a street administrator decides;
a rejection or a return needs an explanation the applicant will read)."""
from __future__ import annotations

from flask.views import MethodView
from marshmallow import fields

from core.api.base import (
    TENANT,
    TOTAL_HEADER,
    ApiSchema,
    Blueprint,
    PageQuery,
    Whole,
    context,
    limit_offset,
    locale,
    login_required,
    page_schema,
    paged,
)
from core.api.projects import DecisionSchema, decision
from core.api.shapes import UserRefSchema, user_ref
from core.api.refusals import CALENDAR, LEDGER, POLICY, refuses
from core.door.applications import DECIDE, SCORE
from core.services import projects, review
from core.services.programmes import policy_of

blp = Blueprint("review", __name__, url_prefix=f"{TENANT}/projects",
                description="The review panel's scores and the decision")


class ScoreSchema(ApiSchema):
    id = fields.Integer(required=True)
    reviewer = fields.Nested(UserRefSchema, required=True)
    points = fields.Dict(keys=fields.String(), values=Whole(), required=True)
    total = fields.Integer(required=True)
    comment = fields.String(required=True)
    scored_at = fields.DateTime(required=True)


ScorePageSchema = page_schema(ScoreSchema, "ScorePageSchema")


def score(s) -> dict:
    points = dict(s.points or {})
    return {"id": s.id, "reviewer": user_ref(s.reviewer), "points": points,
            "total": sum(v for v in points.values() if isinstance(v, int)), "comment": s.comment or "",
            "scored_at": s.scored_at}


@blp.route("/<id:project_id>/scores")
class Scores(MethodView):
    @login_required
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, ScorePageSchema, headers=TOTAL_HEADER)
    @refuses({403: "forbidden"})
    def get(self, query, project_id):
        """Every reviewer's scores, oldest first (the panel and those who may decide)"""
        ctx = context(login=True)
        rows, total = review.scores_page(ctx, project_id, **limit_offset(query))
        return paged([score(s) for s in rows], total, query)

    @login_required
    @blp.arguments(SCORE.schema)
    @blp.response(201, ScoreSchema)
    @refuses({403: "forbidden", 409: "not_reviewable", 422: "invalid_points unknown_criterion comment_too_long"})
    def post(self, body, project_id):
        """Score by the rubric (panel members; scoring again replaces one's own score)"""
        ctx = context(login=True)
        s = SCORE(ctx, project_id, **body)
        ctx.commit()
        return score(s)


@blp.route("/<id:project_id>/decision")
class Decide(MethodView):
    @login_required
    @blp.arguments(DECIDE.schema)
    @blp.response(201, DecisionSchema)
    @refuses({403: "forbidden", 409: f"not_reviewable fund_exists {LEDGER} " + POLICY,
              422: "invalid_outcome explanation_required invalid_amount approved_over_requested invalid_field "
                   f"scores_missing scores_missing_unconfirmed {CALENDAR} " + POLICY})
    def post(self, body, project_id):
        """Decide: approved (with the approved amount and the policy's decision forms), rejected or returned (with an explanation)"""
        ctx = context(login=True)
        d = DECIDE(ctx, project_id, **body)
        ctx.commit()
        project = projects.get_project(ctx, project_id)
        policy, config = policy_of(ctx, project.programme)
        return decision(ctx, d, locale(), policy.forms(config, project.track, stage="decide"))
