"""GET .../notifications: the current user's in-app notifications."""
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
    login_required,
    page_schema,
    paged,
)
from core.services import notifications

blp = Blueprint("notifications", __name__, url_prefix=f"{TENANT}/notifications",
                description="Messages to the current user")


class NotificationSchema(ApiSchema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    subject = fields.String(required=True)
    body = fields.String(required=True)
    link = fields.String(allow_none=True)
    created_at = fields.DateTime(required=True)
    read_at = fields.DateTime(allow_none=True)


NotificationPageSchema = page_schema(NotificationSchema, "NotificationPageSchema")


@blp.route("")
class Notifications(MethodView):
    @login_required
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, NotificationPageSchema, headers=TOTAL_HEADER)
    def get(self, query):
        """My notifications, newest first"""
        ctx = context(login=True)
        rows, total = notifications.mine(ctx, **limit_offset(query))
        return paged([{"id": n.id, "kind": n.kind, "subject": n.subject, "body": n.body or "", "link": n.link,
                       "created_at": n.created_at, "read_at": n.read_at} for n in rows], total, query)
