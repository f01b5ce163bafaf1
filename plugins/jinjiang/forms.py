"""The notice's two annexes: 1 申报表 and 2 项目方案书, plus the selection form.

The 方案书 asks for goals that can be checked: each target names a measure with a number, and
each schedule line starts with a date. That is how the form refuses the vague plans the notice
warns against ("避免过于宽泛笼统") — at least the ones a machine can detect.
"""
from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from marshmallow import Schema, ValidationError, fields, validate

from core.plugin_host.toolkit import Choice, T
from plugins.jinjiang import clauses

PROJECT_TYPES = {
    "party_building": (T("党建引领型", "Party-building led"), (
        Choice("layered_organisation", T("健全“村（社区）党委—网格党支部—楼栋党小组—党员联系户”穿透式组织体系", "Layered party organisation down to households")),
        Choice("members_report", T("深化在职党员到社区报到工作", "Working party members report to the community")),
        Choice("three_lists", T("落实需求、资源、服务“三张清单”（群众点单、社区派单、党员接单）", "Three lists: residents order, community dispatches, members deliver")),
        Choice("consultation_system", T("强化村级民主议事协商制度", "Village democratic consultation")),
        Choice("three_parties", T("健全居委会、业委会、物业服务企业协调运行机制", "Committee, owners' committee and property company working together")),
    )),
    "mutual_aid": (T("邻里互助型", "Neighbour mutual aid"), (
        Choice("neighbour_station", T("建设“邻里驿站”", "Neighbourhood stations")),
        Choice("duty_rota", T("代表、网格员、党员街巷长、楼栋长坐班值守", "Duty rota of representatives and grid staff")),
        Choice("six_small", T("做好“收集小意见、办好小事情”等6项工作", "The six small things")),
        Choice("volunteering", T("开展“邻里亲、邻里帮”等主题志愿服务", "Themed neighbourly volunteering")),
        Choice("emergency_team", T("组建应急志愿服务队", "Emergency volunteer team")),
    )),
    "consultation": (T("协商自治型", "Consultation and self-governance"), (
        Choice("four_levels", T("构建社区、网格、小区（街巷）、楼栋四级议事协商体系", "Four-level consultation system")),
        Choice("micro_consultation", T("开展“微协商微议事”", "Micro consultations")),
        Choice("venue_standards", T("议事场所规范化建设，实现“六具备”", "Standard consultation rooms (six essentials)")),
        Choice("covenants", T("修订完善村规民约（居民公约）", "Revise village rules / residents' covenant")),
    )),
    "service": (T("服务促进型", "Service promotion"), (
        Choice("needs_assessment", T("民情收集、需求评估", "Collect opinions and assess needs")),
        Choice("six_services", T("提升“老有所养、幼有所育”等6项优质服务功能", "The six quality services")),
        Choice("one_window", T("“全员全科、综合服务、一窗受理”工作机制", "All-round staff, one-window service")),
        Choice("smart_services", T("服务设施智慧化改造与线上便民服务", "Smart facilities and online services")),
    )),
    "social_participation": (T("社会参与型", "Social participation"), (
        Choice("five_socials", T("推进“五社联动”机制", "Five-social linkage")),
        Choice("organisations", T("支持发展社区社会组织", "Grow community organisations")),
        Choice("property_committee", T("居委会下设环境和物业管理委员会", "Environment and property committee")),
        Choice("local_units", T("吸引驻社区单位、社会力量和市场主体参与", "Bring in local units and market actors")),
    )),
}

TIERS = (
    Choice("city", T("晋江市级试点", "Jinjiang-level pilot")),
    Choice("quanzhou", T("推荐为泉州市级项目", "Recommended to Quanzhou's programme")),
)

_DATE_AT_START = re.compile(r"^\s*(?:(\d{4})[-/.年])?\s*(\d{1,2})[-/.月]\s*(\d{1,2})?日?")


def schedule_date(line: str, year: int) -> dt.date | None:
    """The date a schedule line starts with ("2023-04-30 …", "4月30日 …", "2023年5月 …")."""
    m = _DATE_AT_START.match(line or "")
    if not m:
        return None
    y, month, day = int(m.group(1) or year), int(m.group(2)), int(m.group(3) or 1)
    try:
        return dt.date(y, month, day)
    except ValueError:
        return None


def _measurable(line: str) -> None:
    text = (line or "").strip()
    if len(text) < 6:
        raise ValidationError("目标过短，请写明指标与目标值 | Too short: give the measure and its target")
    if not re.search(r"\d", text):
        raise ValidationError("目标需可衡量，请写明数量或比例（如：覆盖8个网格、参与居民300人次） | "
                              "Targets must be measurable: give a number (e.g. 8 grids, 300 residents)")


def _dated(line: str) -> None:
    if schedule_date(line, 2000) is None:
        raise ValidationError("每个进度节点须以日期开头（如：4月30日 完成议事厅改造） | "
                              "Each milestone must start with a date (e.g. 2023-04-30 …)")


def _lines(label, help_text, item_validator, minimum):
    return fields.List(
        fields.String(validate=item_validator), required=True,
        validate=validate.Length(min=minimum, error=f"至少填写{minimum}项 | Give at least {minimum}"),
        metadata={"label": label, "help": help_text, "widget": "lines"})


def _text(label, *, min_len=2, max_len=2000, widget="textarea", required=True):
    return fields.String(required=required, validate=validate.Length(min=min_len, max=max_len),
                         metadata={"label": label, "widget": widget})


@lru_cache(maxsize=8)
def application_schema(project_type: str) -> type[Schema]:
    """附件1：申报表."""
    label, items = PROJECT_TYPES[project_type]
    return Schema.from_dict({
        "title": _text(T("项目名称", "Project title"), max_len=60, widget="text"),
        "directions": fields.List(
            fields.String(validate=validate.OneOf([c.value for c in items])), required=True,
            validate=validate.Length(min=1, error="至少选择一项建设内容 | Choose at least one content item"),
            metadata={"label": T(f"建设内容（{label.zh}）", f"Content ({label.en})"), "widget": "checkboxes",
                      "choices": items, "clause": clauses.CONTENTS}),
        "infrastructure": _text(T("基础设施建设情况", "Infrastructure"), min_len=10),
        "party_building": _text(T("党建工作情况", "Party building"), min_len=10),
        "service_capacity": _text(T("服务能力情况", "Service capacity"), min_len=10),
        "participation": _text(T("群众参与情况", "Resident participation"), min_len=10),
        "residents_consulted_on": fields.Date(required=True, metadata={
            "label": T("征求村（居）民意见日期", "Date residents were consulted")}),
        "contact": fields.String(required=True, validate=validate.Length(min=2, max=60), metadata={
            "label": T("联系人及电话", "Contact"), "widget": "text", "personal": True}),  # never public
    }, name=f"JinjiangApplication_{project_type}")


PLAN_SCHEMA = Schema.from_dict({
    "background": _text(T("项目背景与居民需求", "Background and residents' needs"), min_len=20),
    "targets": _lines(T("具体目标（每行一项，含数量或比例）", "Targets (one per line, with a number)"),
                      T("如：建成邻里驿站1个；每月开展志愿服务不少于4次", "e.g. one neighbourhood station; at least 4 volunteer activities a month"),
                      _measurable, 2),
    "schedule": _lines(T("进度安排（每行以日期开头）", "Schedule (each line starts with a date)"),
                       T("如：4月30日 完成场地改造（也可写 2023年4月30日）", "e.g. 2023-04-30 venue refurbished"), _dated, 2),
    "measures": _text(T("主要措施", "Main measures"), min_len=10),
    "town_contribution": _text(T("镇（街道）配套资金安排", "Town/street contribution"), required=False, min_len=0, max_len=500),
    "other_sources": _text(T("其他资金来源（捐赠、社区基金会等）", "Other sources (donations, foundations)"), required=False,
                           min_len=0, max_len=500),
}, name="JinjiangPlan")


SELECTION_SCHEMA = Schema.from_dict({
    "tier": fields.String(required=True, validate=validate.OneOf([c.value for c in TIERS]),
                          metadata={"label": T("试点层级", "Pilot tier"), "widget": "select", "choices": TIERS}),
}, name="JinjiangSelection")
