"""The inbox: marking notifications read, and handing a role over to a successor with its
to-dos (a staff change).

The schema here is what both the API (``core.api.inbox``, ``core.api.handovers``) and the web
(``core.web.inbox``) parse their input with; each operation calls its service
(``core.services.inbox``, ``core.services.handover``)."""
from __future__ import annotations

from marshmallow import fields, validate

from core.door.fields import Id, InputSchema
from core.door.operations import declare
from core.i18n import T
from core.permissions import A
from core.services import handover, inbox


class HandoverSchema(InputSchema):
    membership_id = Id(required=True, metadata={
        "description": "the role being handed over (one of GET .../handovers/roles)", "label": T("交接的角色", "Role")})
    successor_id = Id(required=True, metadata={
        "description": "the user taking the role over, at the same unit", "label": T("接任人", "Successor")})
    reason = fields.String(required=True, validate=validate.Length(min=handover.REASON_MIN, max=handover.REASON_MAX),
                           metadata={"description": "why (a staff change, a move ...), kept in the record",
                                     "label": T("交接原因", "Reason")})


MARK_READ = declare("notification.read", A.notification_read, None, inbox.mark_read,
                    T("将一条消息标为已读", "Mark a notification read"))
MARK_ALL_READ = declare("notification.read_all", A.notification_read, None, inbox.mark_all_read,
                        T("将全部消息标为已读", "Mark every notification read"))
HAND_OVER = declare("role.hand_over", A.role_hand_over, HandoverSchema, handover.hand_over,
                    T("将角色及其待办交接给接任人", "Hand a role and its to-dos over to a successor"))
