"""Notification mails that could not be sent, for the tenant's administrator:
``GET .../mail/failures`` (who, which notification, when, the attempts and the SMTP server's last
answer, with what the caller may do), ``POST .../mail/failures/<id>/retry`` (send one again) and
``POST .../mail/failures/retry`` (all of them). A retry is sent once it is committed: in-process
at once in the embedded profile, by the Celery worker in production (``core.services.mail_failures``)."""
from __future__ import annotations

from flask.views import MethodView
from marshmallow import fields

from core.api.base import (TENANT, TOTAL_HEADER, ApiSchema, Blueprint, PageQuery, context, limit_offset, locale,
                           login_required, page_schema, paged)
from core.api.refusals import refuses
from core.api.shapes import ActionsField, actions, text
from core.door import mail as door
from core.models import DeliveryState
from core.services import mail_failures
from core.services.mail_actions import ACTIONS, mail_offers

blp = Blueprint("mail", __name__, url_prefix=f"{TENANT}/mail",
                description="Notification mails that could not be sent, and sending them again")


class FailedMailSchema(ApiSchema):
    id = fields.Integer(required=True, metadata={"description": "the delivery"})
    notification_id = fields.Integer(required=True)
    user_name = fields.String(required=True, metadata={"description": "who was to get it"})
    username = fields.String(required=True)
    address = fields.String(required=True)
    kind = fields.String(required=True, metadata={"description": "the notification's kind"})
    subject = fields.String(required=True)
    notified_at = fields.DateTime(required=True)
    last_attempt_at = fields.DateTime(allow_none=True)
    next_attempt_at = fields.DateTime(allow_none=True, metadata={"description": "null once given up"})
    state = fields.String(required=True, metadata={"enum": list(mail_failures.FAILED)})
    state_label = fields.String(required=True)
    attempts = fields.Integer(required=True)
    error = fields.String(required=True, metadata={"description": "the SMTP server's (or the connection's) last answer"})
    actions = ActionsField("FailedMailActionSchema", ACTIONS)


FailedMailPageSchema = page_schema(FailedMailSchema, "FailedMailPageSchema")


class RetriedSchema(ApiSchema):
    retried = fields.Integer(required=True, metadata={"description": "how many mails were sent again"})


def failed_shape(ctx, row, lang: str) -> dict:
    d = row.delivery
    return {"id": d.id, "notification_id": d.notification_id, "user_name": row.user_name, "username": row.username,
            "address": d.address, "kind": row.kind, "subject": row.subject, "notified_at": row.notified_at,
            "last_attempt_at": d.claimed_at, "next_attempt_at": d.next_attempt_at, "state": d.state,
            "state_label": text(DeliveryState(d.state).label, lang), "attempts": d.attempts, "error": d.last_error,
            "actions": actions(mail_offers(ctx, d), lang)}


@blp.route("/failures")
class Failures(MethodView):
    @login_required
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, FailedMailPageSchema, headers=TOTAL_HEADER)
    @refuses({403: "forbidden"})
    def get(self, query):
        """The mails that could not be sent, most recent attempt first (the district administrator)"""
        ctx = context(login=True)
        rows, total = mail_failures.failed_mail(ctx, **limit_offset(query))
        lang = locale()
        return paged([failed_shape(ctx, r, lang) for r in rows], total, query)


@blp.route("/failures/<id:delivery_id>/retry")
class Retry(MethodView):
    @login_required
    @blp.response(200, RetriedSchema)
    @refuses({403: "forbidden", 409: "mail_off mail_not_failed"})
    def post(self, delivery_id):
        """Send one failed mail again now (once the retry is committed)"""
        ctx = context(login=True)
        door.RETRY_MAIL(ctx, delivery_id)
        ctx.commit()
        return {"retried": 1}


@blp.route("/failures/retry")
class RetryAll(MethodView):
    @login_required
    @blp.response(200, RetriedSchema)
    @refuses({403: "forbidden", 409: "mail_off no_failed_mail"})
    def post(self):
        """Send every failed mail again now"""
        ctx = context(login=True)
        count = door.RETRY_ALL_MAIL(ctx)
        ctx.commit()
        return {"retried": count}
