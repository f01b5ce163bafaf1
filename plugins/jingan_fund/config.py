"""The district's settings. The seed gives no numbers; where it promises a list without giving
its contents (the spending list), the defaults are this plugin's choice and say so."""
from marshmallow import Schema, ValidationError, fields, validate

from core.plugin_host.toolkit import Choice, T

# The 居民区工作经费使用清单 the plan promises (五（二）3) is not in the seed: these categories are
# this plugin's choice — what a street office would expect such a list to hold — for the
# district bureau to replace with the list it issues.
DEFAULT_SPENDING_LIST = [
    "活动组织与物料", "场地租用", "宣传与印刷", "专业服务（社会组织、专家）",
    "志愿者服务保障", "小型设施修缮与添置", "培训与交流", "社区分析与调研",
]
CATEGORY_EN = {
    "活动组织与物料": "Activities and materials", "场地租用": "Venue hire", "宣传与印刷": "Publicity and printing",
    "专业服务（社会组织、专家）": "Professional services", "志愿者服务保障": "Volunteers' support",
    "小型设施修缮与添置": "Small repairs and equipment", "培训与交流": "Training and exchange",
    "社区分析与调研": "Community analysis and surveys",
}

# 社区分析: 人、文、地、产、景 (四（四）).
ANALYSIS_PARTS = (
    Choice("people", T("人：人口结构与群体需求", "People: who lives here, what groups need")),
    Choice("culture", T("文：历史文脉与社区文化", "Culture: history and community culture")),
    Choice("place", T("地：空间环境与公共设施", "Place: spaces and public facilities")),
    Choice("industry", T("产：驻区单位与产业资源", "Industry: local units and economic resources")),
    Choice("landscape", T("景：景观风貌与特色", "Landscape: scenery and character")),
)


def _unique(values) -> None:
    if len(set(values)) != len(values):
        raise ValidationError("清单中的类别不能重复 | Each category may appear once")


class JinganFundConfig(Schema):
    spending_list = fields.List(
        fields.String(validate=validate.Length(min=1, max=30)), load_default=lambda: list(DEFAULT_SPENDING_LIST),
        validate=[validate.Length(min=1, max=50), _unique],
        metadata={"label": T("居民区工作经费使用清单（预算类别）", "Spending list (budget categories)"), "widget": "lines",
                  "help": T("实施方案 五（二）3 要求制定居民区工作经费使用清单，但未给出内容：默认类别是平台的默认选择，请按区民政局印发的清单修改；"
                            "预算明细的类别不在清单内的，不予提交",
                            "The plan asks for a spending list but gives none: the default categories are this plugin's "
                            "choice, to be replaced by the list the district issues; a budget row outside it is refused")})
    category_required = fields.Boolean(
        load_default=True,
        metadata={"label": T("每行预算须选择清单中的类别", "Every budget row needs a category from the list"),
                  "help": T("默认要求（否则清单无从核对）；关闭后，未选类别的行不受清单核对，选了类别的仍须在清单内",
                            "On by default (a row without one cannot be checked); off: rows without a category pass, "
                            "rows with one must still be on the list")})
    formation_record_required = fields.Boolean(
        load_default=True,
        metadata={"label": T("提交前须填写议事形成记录并上传会议记录", "The record of the meeting that formed the project is required"),
                  "help": T("实施方案 四（一）、五（二）1：自治项目经“三会一代理”“四议”形成，共治项目经社区代表会议或“1+5+X”共治联席会形成",
                            "Plan §4(1), §5(2)1: projects are formed at these meetings")})
    analysis_required_parts = fields.List(
        fields.String(validate=validate.OneOf([c.value for c in ANALYSIS_PARTS])), load_default=list,
        validate=_unique,
        metadata={"label": T("社区分析必填部分", "Required parts of the community analysis"), "widget": "checkboxes",
                  "choices": ANALYSIS_PARTS,
                  "help": T("实施方案提出开发“社区分析”工具，未规定哪些部分必填：默认都不必填（平台的默认选择），选中的部分提交前须填写",
                            "The plan introduces the tool without making parts of it mandatory: none by default "
                            "(this plugin's choice); parts chosen here must be filled in before submitting")})
