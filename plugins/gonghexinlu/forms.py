"""The forms of the 工具清单 that belong to application: 1 申报意向表 and 2 申报表.

Schemas are built per track (the directions differ) and per focus-area list (a street may set
its own year's list), and cached.
"""
from __future__ import annotations

from functools import lru_cache

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core.plugin_host.toolkit import Choice, T
from plugins.gonghexinlu import clauses

SIGNATURE = "yiju_yipin"
MICRO = "micro_venture"

SIGNATURE_DIRECTIONS = (
    Choice("carrier", T("搭建一个社区自治载体", "Build a self-governance carrier")),
    Choice("backbone", T("挖掘一批社区自治骨干", "Find a group of self-governance activists")),
    Choice("livelihood", T("办理一件社区民生实事", "Deliver one practical thing for residents")),
    Choice("covenant", T("形成一个社区自治公约", "Form a self-governance covenant")),
    Choice("tool", T("开发一件社区自治工具", "Develop a self-governance tool")),
)
MICRO_DIRECTIONS = (
    Choice("public_space", T("公共空间营造", "Public space making")),
    Choice("good_neighbours", T("睦邻友好建设", "Good neighbourliness")),
    Choice("youth", T("青年社区参与", "Youth participation")),
    Choice("organisations", T("社区组织培育", "Growing community organisations")),
    Choice("care", T("社区关爱服务", "Community care")),
    Choice("lively_streets", T("活力街区营造", "Lively streets")),
    Choice("other", T("其他社区议题", "Other community topics")),
)
DIRECTIONS = {SIGNATURE: SIGNATURE_DIRECTIONS, MICRO: MICRO_DIRECTIONS}
# Cited when a direction is refused (e.g. a change of type that keeps the old type's directions).
DIRECTION_CLAUSES = {SIGNATURE: clauses.SIGNATURE_DIRECTIONS, MICRO: clauses.MICRO_DIRECTIONS}


def _directions_field(track: str):
    choices = DIRECTIONS[track]
    return fields.List(
        fields.String(validate=validate.OneOf([c.value for c in choices])),
        required=True, validate=validate.Length(min=1, error="至少选择一个方向 | Choose at least one direction"),
        metadata={"label": T("申报方向", "Directions"), "widget": "checkboxes", "choices": choices,
                  "clause": DIRECTION_CLAUSES[track]})


def _text(label, *, required=True, min_len=0, max_len=2000, widget="textarea", help=None, personal=False):
    v = validate.Length(min=min_len, max=max_len)
    md = {"label": label, "widget": widget}
    if personal:  # a contact's name or number: never shown to the public (core's floor)
        md["personal"] = True
    if help:
        md["help"] = help
    return fields.String(required=required, validate=v, metadata=md)


@lru_cache(maxsize=8)
def intent_schema(track: str) -> type[Schema]:
    """工具清单 1：申报意向表."""
    return Schema.from_dict({
        "title": _text(T("项目名称", "Project title"), min_len=2, max_len=60, widget="text"),
        "directions": _directions_field(track),
        "summary": _text(T("项目设想", "Idea in brief"), min_len=10, max_len=500),
        "contact_name": _text(T("联系人", "Contact person"), min_len=1, max_len=30, widget="text", personal=True),
        "contact_phone": fields.String(
            required=True, validate=validate.Regexp(r"^[0-9+\- ]{7,20}$", error="电话号码格式不正确 | Not a phone number"),
            metadata={"label": T("联系电话", "Contact phone"), "personal": True}),
    }, name=f"GonghexinluIntent_{track}")


class _Dates(Schema):
    @validates_schema
    def _order(self, data, **kwargs):
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            raise ValidationError("结束日期不能早于开始日期 | The end date must not precede the start date",
                                  field_name="end_date")


@lru_cache(maxsize=32)
def application_schema(track: str, focus_areas: tuple[str, ...]) -> type[Schema]:
    """工具清单 2：自治项目申报表 (with its planning guide's headings)."""
    focus = tuple(Choice(a, T(a, a)) for a in focus_areas)
    return _Dates.from_dict({
        "title": _text(T("项目名称", "Project title"), min_len=2, max_len=60, widget="text"),
        "directions": _directions_field(track),
        "tags": fields.List(
            fields.String(validate=validate.OneOf(focus_areas)), load_default=list,
            metadata={"label": T("年度重点内容（可多选）", "Focus areas (any)"), "widget": "checkboxes",
                      "choices": focus}),
        "background": _text(T("项目背景与居民需求", "Background and residents' needs"), min_len=20,
                            help=T("可结合“社区分析”：人、文、地、产、景", "Use the community analysis")),
        "goals": _text(T("项目目标", "Goals"), min_len=10),
        "activities": _text(T("主要内容与实施步骤", "Activities and steps"), min_len=10),
        "team": _text(T("项目团队与分工", "Team and roles"), min_len=2, max_len=1000),
        "beneficiaries": _text(T("受益对象", "Beneficiaries"), required=False, max_len=500),
        "start_date": fields.Date(required=True, metadata={"label": T("开始日期", "Start date")}),
        "end_date": fields.Date(required=True, metadata={"label": T("结束日期", "End date")}),
        "residents_meeting_date": fields.Date(
            required=True, metadata={"label": T("居民代表大会（征询）日期", "Date residents were consulted")}),
    }, name=f"GonghexinluApplication_{track}")
