"""Correcting and deleting activity records, and their files:

- ``PUT .../activities/<id>``: the record as it should read (JSON: every field but the files,
  which stay); the named participants are replaced, so each volunteer's hours follow;
- ``POST .../activities/<id>/deletion``: delete it, with the reason (kept in the audit log; its
  files are removed once the deletion is committed);
- ``POST .../activities/<id>/files`` (multipart): more photos and a sign-in sheet, checked as on
  recording; ``DELETE .../activities/<id>/files/<id>``: remove one.

Who may: the recording team while the project runs and the street office (``activity.edit``);
each input is its operation's schema in ``core.door.delivery``, as the web's forms are read with.
The record's own ``GET`` and its files' are ``core.api.delivery``'s."""
from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from marshmallow import fields

from core.api.base import TENANT, ApiSchema, Blueprint, context, login_required
from core.api.delivery import ACTIVITY_CODES, OPEN, ActivitySchema, activity_shape
from core.api.refusals import CALENDAR, refuses
from core.door import delivery as door

blp = Blueprint("activity_changes", __name__, url_prefix=TENANT,
                description="Correcting and deleting activity records, adding and removing their photos")
CLOSED = f"{OPEN} project_closed"


class DeletedSchema(ApiSchema):
    project_id = fields.Integer(required=True, metadata={"description": "the project the record belonged to"})


def _storage():
    return current_app.extensions["tongxin"].storage


@blp.route("/activities/<id:activity_id>")
class ActivityChange(MethodView):
    @login_required
    @blp.arguments(door.EDIT_ACTIVITY.schema)
    @blp.response(200, ActivitySchema)
    @refuses({403: "forbidden", 409: CLOSED, 422: f"{ACTIVITY_CODES} {CALENDAR}"})
    def put(self, body, activity_id):
        """Correct an activity record: every field as it should read (the team while the project runs, the street office)"""
        ctx = context(login=True)
        record = door.EDIT_ACTIVITY(ctx, activity_id, **body)
        ctx.commit()
        return activity_shape(ctx, record, insider=True)


@blp.route("/activities/<id:activity_id>/deletion")
class ActivityDeletion(MethodView):
    @login_required
    @blp.arguments(door.DELETE_ACTIVITY.schema)
    @blp.response(200, DeletedSchema)
    @refuses({403: "forbidden", 409: CLOSED, 422: f"reason_required {CALENDAR}"})
    def post(self, body, activity_id):
        """Delete an activity record with the reason why (kept in the audit log; its photos and sign-in sheets go too)"""
        ctx = context(login=True)
        project_id = door.DELETE_ACTIVITY(ctx, activity_id, storage=_storage(), **body)
        ctx.commit()
        return {"project_id": project_id}


@blp.route("/activities/<id:activity_id>/files")
class ActivityFiles(MethodView):
    @login_required
    @blp.arguments(door.ADD_ACTIVITY_FILES.schema, location="multipart")
    @blp.response(201, ActivitySchema)
    @refuses({403: "forbidden", 409: CLOSED, 413: "file_too_large image_too_large", 415: "file_type image_unreadable",
              422: f"files_required too_many_photos file_empty {CALENDAR}"})
    def post(self, body, activity_id):
        """Add photos and a sign-in sheet to an activity record (multipart; checked and stripped as on recording)"""
        ctx = context(login=True)
        record = door.ADD_ACTIVITY_FILES(ctx, activity_id, storage=_storage(), **body)
        ctx.commit()
        return activity_shape(ctx, record, insider=True)


@blp.route("/activities/<id:activity_id>/files/<id:file_id>")
class ActivityFileRemoval(MethodView):
    @login_required
    @blp.response(200, ActivitySchema)
    @refuses({403: "forbidden", 409: f"{CLOSED} sign_in_required", 422: CALENDAR})
    def delete(self, activity_id, file_id):
        """Remove one photo or sign-in sheet of an activity record (not the last sheet of a record that names no one)"""
        ctx = context(login=True)
        record = door.REMOVE_ACTIVITY_FILE(ctx, activity_id, file_id, storage=_storage())
        ctx.commit()
        return activity_shape(ctx, record, insider=True)
