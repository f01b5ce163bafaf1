"""An approved project's people registry (项目人员名册): ``GET/POST .../projects/<id>/people``,
``DELETE .../people/<id>``, ``GET .../projects/<id>/people.xlsx``. ID and mobile numbers are in
full only for the applicant's unit and the street office (``full_numbers``), masked for everyone
else who may see the registry; the public and sponsors do not see it; every export is written
to the audit log. Inputs are ``core.door.delivery``'s; see ``core.api.delivery`` for the plan and
the activities."""
from __future__ import annotations

import io

from flask import send_file
from flask.views import MethodView
from marshmallow import fields

from core.api.base import TENANT, ApiSchema, Blueprint, context, locale, login_required
from core.api.refusals import CALENDAR, refuses
from core.door import delivery as door
from core.documents import people_registry
from core.models import PersonRole
from core.permissions import A
from core.services.delivery import people
from core.services.delivery.common import hours_text, rules_of
from core.services.projects import get_project
from core.services.spreadsheets import XLSX_MIMETYPE

blp = Blueprint("people_registry", __name__, url_prefix=TENANT,
                description="An approved project's people registry: team members, volunteers, beneficiaries")
OPEN = "project_not_open"



class PersonSchema(ApiSchema):
    id = fields.Integer(required=True)
    role = fields.String(required=True, metadata={"enum": [r.value for r in PersonRole]})
    role_label = fields.String(required=True)
    name = fields.String(required=True)
    gender = fields.String(required=True)
    id_number = fields.String(allow_none=True, metadata={"description": "masked (3101**********1234) unless full_numbers"})
    mobile = fields.String(allow_none=True, metadata={"description": "masked (138****5678) unless full_numbers"})
    address = fields.String(required=True)
    duty = fields.String(required=True)
    skills = fields.String(required=True)
    consent = fields.Boolean(required=True)
    consent_on = fields.Date(allow_none=True)
    consent_note = fields.String(required=True)
    volunteer_hours = fields.String(required=True, metadata={"description": "across the project's activities"})
    activities = fields.Integer(required=True, metadata={"description": "activities taken part in"})


class RegistrySchema(ApiSchema):
    project_id = fields.Integer(required=True)
    full_numbers = fields.Boolean(required=True, metadata={"description": "the caller sees ID and mobile numbers in full"})
    retention = fields.String(required=True, metadata={"description": "how long the registry is kept, as the policies say"})
    consent_required = fields.Boolean(required=True)
    people = fields.List(fields.Nested(PersonSchema), required=True)


def person_shape(v, lang: str) -> dict:
    p = v.person
    return {"id": p.id, "role": p.role, "role_label": v.role_label.render(lang), "name": p.name, "gender": p.gender,
            "id_number": v.id_number, "mobile": v.mobile, "address": p.address, "duty": p.duty, "skills": p.skills,
            "consent": p.consent, "consent_on": p.consent_on, "consent_note": p.consent_note,
            "volunteer_hours": hours_text(v.hours_tenths), "activities": v.activities}


@blp.route("/projects/<id:project_id>/people")
class People(MethodView):
    @login_required
    @blp.response(200, RegistrySchema)
    @refuses({403: "forbidden"})
    def get(self, project_id):
        """The project's people registry (numbers in full for the applicant's unit and the street office, masked otherwise)"""
        ctx = context(login=True)
        lang = locale()
        project, rows, full = people.registry(ctx, project_id)
        return {"project_id": project.id, "full_numbers": full, "retention": people.retention_text(ctx, project).render(lang),
                "consent_required": rules_of(ctx, project).consent_required, "people": [person_shape(v, lang) for v in rows]}

    @login_required
    @blp.arguments(door.ADD_PERSON.schema)
    @blp.response(201, PersonSchema)
    @refuses({403: "forbidden", 409: OPEN, 422: "name_required invalid_id_number child_data duplicate_id_number "
                                                  f"invalid_mobile consent_in_future consent_required {CALENDAR}"})
    def post(self, body, project_id):
        """Register a person: a team member, volunteer or beneficiary (the team; consent where the policy requires it)"""
        ctx = context(login=True)
        person = door.ADD_PERSON(ctx, project_id, **body)
        ctx.commit()
        full = ctx.can(A.person_read_personal, get_project(ctx, person.project_id)).allowed
        return person_shape(people.view(person, full), locale())


@blp.route("/people/<id:person_id>")
class Person(MethodView):
    @login_required
    @blp.response(204)
    @refuses({403: "forbidden"})
    def delete(self, person_id):
        """Delete a person's data from the registry (the team); their name stays on the activities they signed"""
        ctx = context(login=True)
        door.REMOVE_PERSON(ctx, person_id)
        ctx.commit()


@blp.route("/projects/<id:project_id>/people.xlsx")
class PeopleWorkbook(MethodView):
    @login_required
    @blp.doc(responses={"200": {"description": "the registry as an Excel workbook (one sheet per list)", "content": {
        XLSX_MIMETYPE: {"schema": {"type": "string", "format": "binary"}}}}})
    @refuses({403: "forbidden"})
    def get(self, project_id):
        """The registry as an .xlsx: numbers as the caller may see them; the export is written to the audit log"""
        ctx = context(login=True)
        data, filename = people_registry.export(ctx, project_id)
        ctx.commit()
        return send_file(io.BytesIO(data), mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=filename)
