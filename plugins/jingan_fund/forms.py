"""The district's forms, carried by every project of its streets beside the street's own:
the record of the meeting that formed the project (which money it asks for, and where it was
formed), the 社区分析, and the decision's grant from a street's community foundation. Keys start
with the policy's name, so they never clash with a street policy's forms."""
from __future__ import annotations

from functools import lru_cache

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core.plugin_host.toolkit import Choice, T, Yuan
from plugins.jingan_fund import clauses
from plugins.jingan_fund.config import ANALYSIS_PARTS

FORMATION, ANALYSIS, GRANT = "jingan_fund_formation", "jingan_fund_analysis", "jingan_fund_grant"

ZIZHI, GONGZHI = "zizhi", "gongzhi"
MONEY_KINDS = (
    Choice(ZIZHI, T("社区自治金（居民区自治项目）", "Self-governance money (neighbourhood projects)")),
    Choice(GONGZHI, T("社区共治金（共治项目）", "Co-governance money (co-governance projects)")),
)
SANHUI, SIYI, REPRESENTATIVES, JOINT = "sanhui_yidaili", "siyi", "representatives", "joint_meeting"
PLATFORMS = (
    Choice(SANHUI, T("“三会一代理”（听证会、协调会、评议会）", "三会一代理: hearing, coordination and evaluation meetings")),
    Choice(SIYI, T("“四议”", "四议 (four deliberations)")),
    Choice(REPRESENTATIVES, T("社区代表会议（街道）", "Community representatives' meeting (street)")),
    Choice(JOINT, T("居民区“1+5+X”共治联席会", "The neighbourhood's '1+5+X' joint meeting")),
)
# Where each kind of money's projects are formed (四（一）, 五（二）1).
PLATFORMS_OF = {ZIZHI: (SANHUI, SIYI), GONGZHI: (REPRESENTATIVES, JOINT)}
NEIGHBOURHOOD_PLATFORMS = (SANHUI, SIYI, JOINT)


class FormationForm(Schema):
    """议事形成记录: which money the project asks for and the meeting that formed it."""

    money_kind = fields.String(
        required=True, validate=validate.OneOf([c.value for c in MONEY_KINDS]),
        metadata={"label": T("申请资金类别", "Kind of money"), "widget": "select", "choices": MONEY_KINDS,
                  "clause": clauses.TWO_FORMS})
    platform = fields.String(
        required=True, validate=validate.OneOf([c.value for c in PLATFORMS]),
        metadata={"label": T("形成项目的议事平台", "Where the project was formed"), "widget": "select", "choices": PLATFORMS,
                  "clause": clauses.PLATFORMS})
    meeting_date = fields.Date(required=True, metadata={"label": T("会议日期", "Date of the meeting")})
    participants = fields.Integer(
        required=True, strict=False, validate=validate.Range(min=1, max=10000),
        metadata={"label": T("参会人数", "People attending")})
    resolution = fields.String(
        required=True, validate=validate.Length(min=5, max=1000),
        metadata={"label": T("议定事项", "What the meeting decided"), "widget": "textarea",
                  "help": T("会议形成的公共议题和具体项目", "The public issue and the project the meeting agreed on")})

    @validates_schema
    def _formed_where_its_money_says(self, data, **kwargs):
        kind, platform = data.get("money_kind"), data.get("platform")
        if kind in PLATFORMS_OF and platform and platform not in PLATFORMS_OF[kind]:
            if kind == ZIZHI:
                raise ValidationError("社区自治金项目须经“三会一代理”或“四议”形成 | Self-governance projects are formed "
                                      "through 三会一代理 or 四议", field_name="platform")
            raise ValidationError("社区共治金项目须经社区代表会议或居民区“1+5+X”共治联席会形成 | Co-governance projects are "
                                  "formed at the representatives' meeting or the '1+5+X' joint meeting", field_name="platform")


@lru_cache(maxsize=None)
def analysis_schema(required: tuple[str, ...]) -> type[Schema]:
    """社区分析 with the parts ``required`` (the district's choice) required."""
    attrs = {}
    for part in ANALYSIS_PARTS:
        need = part.value in required
        attrs[part.value] = fields.String(
            required=need, validate=validate.Length(min=2 if need else 0, max=2000),
            metadata={"label": part.label, "widget": "textarea", "clause": clauses.ANALYSIS},
            **({} if need else {"load_default": ""}))
    attrs["needs"] = fields.String(
        load_default="", validate=validate.Length(max=2000),
        metadata={"label": T("发现的需求与可用资源", "Needs found and resources at hand"), "widget": "textarea"})
    return Schema.from_dict(attrs, name="CommunityAnalysis" + "".join(p.title() for p in required))


class GrantForm(Schema):
    """The decision's grant from the street's community foundation, if any."""

    foundation_yuan = Yuan(
        allow_none=True,
        metadata={"label": T("社区基金会资助（元）", "From the community foundation (yuan)"),
                  "help": T("由街道已设立的社区基金会资助本项目的金额（不超过核定金额）；其余由本街道政策的资金支付",
                            "What the street's community foundation gives the project (at most the approved amount); "
                            "the street's own policy pays the rest"),
                  "clause": clauses.FOUNDATION})
