"""Searches: what a list may be narrowed by, one schema per list, read by the API from its query
string (``core.api.projects``) and by the web from the same query string (``core.web.projects``,
through ``form_values`` and ``load``), so both refuse the same input with the same message and
the OpenAPI document states the limits that are enforced. A search is a read, not an operation:
no permission of its own, since every list starts from what the actor may see."""
from __future__ import annotations

from marshmallow import fields, validate

from core.door.fields import InputSchema, QueryId, QueryWhole, Text
from core.i18n import T
from core.models import ProjectState
from core.services.projects.search import QUERY_MAX

YEAR_MIN, YEAR_MAX = 2000, 2100


class ProjectFilterSchema(InputSchema):
    """The project list's narrowing (``core.services.projects.ProjectSearch``)."""

    q = Text(QUERY_MAX, metadata={"label": T("项目名称", "Title"),
                                  "description": "words of the title, as typed (% and _ are letters; Latin letters in either case)"})
    unit_id = QueryId(metadata={"label": T("申报单位", "Applicant unit"),
                                "description": "projects of this unit and the units below it"})
    applicant_unit_id = QueryId(metadata={"label": T("申报单位", "Applicant unit"),
                                          "description": "projects of exactly this unit"})
    state = fields.String(validate=validate.OneOf([s.value for s in ProjectState]),
                          metadata={"label": T("状态", "State")})
    year = QueryWhole(validate=validate.Range(min=YEAR_MIN, max=YEAR_MAX),
                      metadata={"label": T("年度", "Year"), "description": "the programme's year"})
    programme_id = QueryId(metadata={"label": T("年度项目", "Programme")})
    track = fields.String(validate=validate.Length(min=1, max=64), metadata={"label": T("项目类型", "Track")})
