"""Handing a role over to a successor (a staff change): GET .../handovers/roles (the roles the
caller may hand over), POST .../handovers (hand one over: the successor holds it at the same
unit, the predecessor's ends, the role's to-dos and panel seats go with it) and GET .../handovers
(what was handed over, newest first). See ``core.services.handover``."""
from __future__ import annotations

from flask.views import MethodView
from marshmallow import fields

from core.api.base import (
    TENANT,
    TOTAL_HEADER,
    ApiSchema,
    Blueprint,
    PageQuery,
    context,
    limit_offset,
    locale,
    login_required,
    page_schema,
    paged,
)
from core.api.refusals import refuses
from core.api.shapes import ActionsField, UnitRefSchema, UserRefSchema, actions, text, unit_ref, user_ref, yuan
from core.door.inbox import HAND_OVER
from core.models import User
from core.services import handover
from core.services.inbox_actions import ROLE_ACTIONS, role_offers

blp = Blueprint("handovers", __name__, url_prefix=f"{TENANT}/handovers",
                description="Roles handed over to a successor, with their to-dos (a staff change)")


class HandableRoleSchema(ApiSchema):
    id = fields.Integer(required=True, metadata={"description": "the membership: what POST .../handovers names"})
    role = fields.String(required=True)
    role_label = fields.String(required=True)
    unit = fields.Nested(UnitRefSchema, required=True)
    holder = fields.Nested(UserRefSchema, required=True)
    authority_limit = fields.String(allow_none=True, metadata={"description": "a leader's authority, yuan"})
    actions = ActionsField("RoleActionSchema", ROLE_ACTIONS)


class HandoverRecordSchema(ApiSchema):
    id = fields.Integer(required=True)
    role = fields.String(required=True)
    role_label = fields.String(required=True)
    unit = fields.Nested(UnitRefSchema, required=True)
    predecessor = fields.Nested(UserRefSchema, required=True)
    successor = fields.Nested(UserRefSchema, required=True)
    reason = fields.String(required=True)
    authority_limit = fields.String(allow_none=True)
    open_todos = fields.Integer(required=True, metadata={"description": "to-dos the role carried to the successor"})
    panel_seats = fields.Integer(required=True, metadata={"description": "review panel seats that moved with it"})
    handed_over_by = fields.Nested(UserRefSchema, allow_none=True)
    handed_over_at = fields.DateTime(required=True)


HandableRolePageSchema = page_schema(HandableRoleSchema, "HandableRolePageSchema")
HandoverRecordPageSchema = page_schema(HandoverRecordSchema, "HandoverRecordPageSchema")


def _role(ctx, m, lang: str) -> dict:
    return {"id": m.id, "role": m.role, "role_label": text(handover.role_label(m.role), lang),
            "unit": unit_ref(m.org_unit, lang), "holder": user_ref(m.user), "authority_limit": yuan(m.authority_limit_fen),
            "actions": actions(role_offers(ctx, m), lang)}


def _record(r, users: dict[int, User], lang: str) -> dict:
    return {"id": r.id, "role": r.role, "role_label": text(handover.role_label(r.role), lang),
            "unit": unit_ref(r.org_unit, lang), "predecessor": user_ref(users.get(r.from_user_id)),
            "successor": user_ref(users.get(r.to_user_id)), "reason": r.reason,
            "authority_limit": yuan(r.authority_limit_fen), "open_todos": r.open_todos, "panel_seats": r.panel_seats,
            "handed_over_by": user_ref(users.get(r.handed_over_by_id)), "handed_over_at": r.handed_over_at}


@blp.route("/roles")
class Roles(MethodView):
    @login_required
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, HandableRolePageSchema, headers=TOTAL_HEADER)
    def get(self, query):
        """The roles held at the caller's units and below, which the caller may hand over"""
        ctx = context(login=True)
        rows, total = handover.handable(ctx, **limit_offset(query))
        return paged([_role(ctx, m, locale()) for m in rows], total, query)


@blp.route("")
class Handovers(MethodView):
    @login_required
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, HandoverRecordPageSchema, headers=TOTAL_HEADER)
    def get(self, query):
        """Roles handed over at the caller's units and below, newest first"""
        ctx = context(login=True)
        rows, total = handover.handovers_page(ctx, **limit_offset(query))
        users = handover.people(ctx, [i for r in rows for i in (r.from_user_id, r.to_user_id, r.handed_over_by_id)])
        return paged([_record(r, users, locale()) for r in rows], total, query)

    @login_required
    @blp.arguments(HAND_OVER.schema)
    @blp.response(201, HandoverRecordSchema)
    @refuses({403: "forbidden", 404: "not_found", 409: "already_holds_role",
              422: "unknown_successor same_person reason_required"})
    def post(self, body):
        """Hand a role over to a successor at the same unit, with its to-dos (an administrator there or above)"""
        ctx = context(login=True)
        record = HAND_OVER(ctx, **body)
        ctx.commit()
        users = handover.people(ctx, [record.from_user_id, record.to_user_id, record.handed_over_by_id])
        return _record(record, users, locale())
