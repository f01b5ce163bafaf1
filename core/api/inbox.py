"""The inbox of the caller: GET .../inbox (how many to-dos of each kind, how many unread
notifications), GET .../inbox/todos (the things to do, a page at a time, oldest first, each with
the web page where it is done), GET .../inbox/notifications (the things that happened, newest
first) and POST .../inbox/notifications/<id>/read, .../inbox/notifications/read (mark read).

A to-do is computed from the state of its object and the permission table: it leaves the list
as soon as the work is done, whoever did it (``core.services.inbox``)."""
from __future__ import annotations

from flask.views import MethodView
from marshmallow import fields, validate

from core.api.base import (
    TENANT,
    TOTAL_HEADER,
    ApiSchema,
    Blueprint,
    PageQuery,
    Pattern,
    context,
    limit_offset,
    locale,
    login_required,
    page_schema,
    paged,
)
from core.api.refusals import refuses
from core.api.shapes import ActionsField, actions, text
from core.door.inbox import MARK_ALL_READ, MARK_READ
from core.plugin_host.todo import KIND_KEY
from core.services import inbox
from core.services.inbox_actions import NOTIFICATION_ACTIONS, notification_offers

blp = Blueprint("inbox", __name__, url_prefix=f"{TENANT}/inbox",
                description="The caller's inbox: things to do and things that happened")

KIND_ERROR = "类别应为以点分隔的小写英文，如 review.decide | The kind is dotted lower-case words, e.g. review.decide"
LINK = "the web page where it is done (or read), relative to the tenant's root /t/{tenant}"


class KindCountSchema(ApiSchema):
    kind = fields.String(required=True, metadata={"description": "the kind of to-do, e.g. review.decide"})
    label = fields.String(required=True)
    count = fields.Integer(required=True)


class InboxSchema(ApiSchema):
    todos = fields.Integer(required=True, metadata={"description": "things to do in all"})
    unread = fields.Integer(required=True, metadata={"description": "notifications not yet read"})
    kinds = fields.List(fields.Nested(KindCountSchema), required=True,
                        metadata={"description": "the kinds with something to do, in the inbox's order"})


class TodoSchema(ApiSchema):
    kind = fields.String(required=True)
    kind_label = fields.String(required=True)
    object_id = fields.Integer(required=True, metadata={"description": "the object the work is on (of the kind's type)"})
    project_id = fields.Integer(allow_none=True)
    title = fields.String(required=True)
    unit_name = fields.String(allow_none=True, metadata={"description": "whose it is"})
    since = fields.DateTime(allow_none=True, metadata={"description": "waiting since"})
    link = fields.String(required=True, metadata={"description": LINK})


class TodoQuery(PageQuery):
    kind = fields.String(validate=[validate.Length(min=3, max=80), Pattern(KIND_KEY.pattern, error=KIND_ERROR)],
                         metadata={"description": "only this kind (one of GET .../inbox's kinds)"})


class NotificationQuery(PageQuery):
    unread = fields.Boolean(load_default=False, metadata={"description": "only those not yet read"})


class InboxNotificationSchema(ApiSchema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    subject = fields.String(required=True)
    body = fields.String(required=True)
    link = fields.String(allow_none=True, metadata={"description": LINK})
    created_at = fields.DateTime(required=True)
    read_at = fields.DateTime(allow_none=True)
    actions = ActionsField("NotificationActionSchema", NOTIFICATION_ACTIONS)


class MarkedSchema(ApiSchema):
    marked = fields.Integer(required=True, metadata={"description": "notifications marked read now"})


TodoPageSchema = page_schema(TodoSchema, "TodoPageSchema")
InboxNotificationPageSchema = page_schema(InboxNotificationSchema, "InboxNotificationPageSchema")


def _todo(t: inbox.Todo, lang: str) -> dict:
    return {"kind": t.kind.key, "kind_label": text(t.kind.label, lang), "object_id": t.object_id,
            "project_id": t.project_id, "title": t.title, "unit_name": t.unit_name, "since": t.since, "link": t.link}


def notification(ctx, n, lang: str) -> dict:
    return {"id": n.id, "kind": n.kind, "subject": n.subject, "body": n.body or "", "link": n.link,
            "created_at": n.created_at, "read_at": n.read_at, "actions": actions(notification_offers(ctx, n), lang)}


@blp.route("")
class Inbox(MethodView):
    @login_required
    @blp.response(200, InboxSchema)
    @refuses({403: "forbidden"})
    def get(self):
        """How many things the caller has to do, by kind, and how many notifications are unread"""
        ctx = context(login=True)
        counted = inbox.summary(ctx)
        return {"todos": counted.todos, "unread": counted.unread,
                "kinds": [{"kind": k.key, "label": text(k.label, locale()), "count": n} for k, n in counted.by_kind]}


@blp.route("/todos")
class Todos(MethodView):
    @login_required
    @blp.arguments(TodoQuery, location="query")
    @blp.response(200, TodoPageSchema, headers=TOTAL_HEADER)
    @refuses({403: "forbidden"})
    def get(self, query):
        """The things waiting for the caller, oldest first; each disappears once it is done"""
        ctx = context(login=True)
        rows, total = inbox.todos_page(ctx, kind=query.get("kind"), **limit_offset(query))
        return paged([_todo(t, locale()) for t in rows], total, query)


@blp.route("/notifications")
class Notifications(MethodView):
    @login_required
    @blp.arguments(NotificationQuery, location="query")
    @blp.response(200, InboxNotificationPageSchema, headers=TOTAL_HEADER)
    @refuses({403: "forbidden"})
    def get(self, query):
        """What happened: the caller's notifications, newest first"""
        ctx = context(login=True)
        rows, total = inbox.notifications_page(ctx, unread=query["unread"], **limit_offset(query))
        return paged([notification(ctx, n, locale()) for n in rows], total, query)


@blp.route("/notifications/<id:notification_id>/read")
class NotificationRead(MethodView):
    @login_required
    @blp.response(200, InboxNotificationSchema)
    @refuses({403: "forbidden"})
    def post(self, notification_id):
        """Mark one of the caller's notifications read (again: nothing changes)"""
        ctx = context(login=True)
        n = MARK_READ(ctx, notification_id)
        ctx.commit()
        return notification(ctx, n, locale())


@blp.route("/notifications/read")
class NotificationsRead(MethodView):
    @login_required
    @blp.response(200, MarkedSchema)
    @refuses({403: "forbidden"})
    def post(self):
        """Mark every unread notification of the caller read"""
        ctx = context(login=True)
        marked = MARK_ALL_READ(ctx)
        ctx.commit()
        return {"marked": marked}
