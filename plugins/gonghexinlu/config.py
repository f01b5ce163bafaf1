"""The street's settings. Defaults are the 2023 document's numbers."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core.plugin_host.toolkit import CorrectionDays, MonthDay, T, YuanDecimal

FOCUS_AREAS_2023 = [
    "协商议事平台建设", "支持“五大委员会”运作", "基层网格化治理", "楼组建设", "完善、实践公约",
    "居民互助与公益服务", "破解社区难题", "参与街区建设", "建立“五社联动”机制", "其他特色主题",
]

class GonghexinluConfig(Schema):
    micro_max_yuan = YuanDecimal(
        load_default="5000.00",
        metadata={"label": T("七彩微创投单个项目申请上限（元）", "Micro-venture project limit per application (yuan)"),
                  "help": T("实施方案 七：一般不超过5000元", "Plan §7: normally at most 5,000 yuan")})
    micro_max_months = fields.Integer(
        load_default=12, validate=validate.Range(min=1, max=36),
        metadata={"label": T("七彩微创投最长周期（月）", "Micro-venture project maximum duration (months)")})
    signature_per_neighbourhood = fields.Integer(
        load_default=1, validate=validate.Range(min=1, max=5),
        metadata={"label": T("每个居民区“一居一品”项目数", "Signature projects per neighbourhood")})
    pool_cap_yuan = YuanDecimal(
        load_default="200000.00",
        metadata={"label": T("资金池年度上限（元）", "Fund pool yearly cap (yuan)"),
                  "help": T("实施方案 七：年度安排金额一般不超过20万元", "Plan §7: normally at most 200,000 yuan a year")})
    application_opens = MonthDay(
        load_default="01-01",
        metadata={"label": T("申报开始（月-日）", "Applications open (month-day)")})
    application_closes = MonthDay(
        load_default="03-31",
        metadata={"label": T("申报截止（月-日）", "Applications close (month-day)")})
    correction_days = CorrectionDays(
        help=T("退回修改的申报在申报截止（或退回之日）后仍可补正提交的天数；实施方案未规定，10天为平台的默认选择",
              "Days a returned application may still be corrected and resubmitted after the window "
              "(or its return); the plan sets none, 10 is this plugin's choice"))
    focus_areas = fields.List(
        fields.String(validate=validate.Length(min=1, max=50)), load_default=lambda: list(FOCUS_AREAS_2023),
        validate=validate.Length(min=1, max=30),
        metadata={"label": T("年度重点申报内容", "Focus areas of the year"), "widget": "lines"})
    intent_form_required = fields.Boolean(
        load_default=False,
        metadata={"label": T("提交前须填写申报意向表", "The intent form is required before submitting"),
                  "help": T("工具清单第1项用于意向申报；默认可选，街道可设为必填", "Tool 1 collects intentions; optional by default")})
    report_days_after_quarter = fields.Integer(
        load_default=10, strict=True, validate=validate.Range(min=1, max=60),
        metadata={"label": T("季报表于季度结束后几天内报送", "Quarterly report due days after the quarter"),
                  "help": T("工具清单第9项：每季度一次；实施方案未规定日期，10天为平台的默认选择",
                            "Tool 9: once a quarter; the plan sets no day, 10 is this plugin's choice")})
    max_points = fields.Integer(
        load_default=10, validate=validate.Range(min=1, max=100),
        metadata={"label": T("评审每项满分", "Maximum points per review criterion")})

    require_all_scores = fields.Boolean(
        load_default=False,
        metadata={"label": T("评审小组全体成员评分后方可作出评审决定", "Decide only once every panel member has scored"),
                  "help": T("实施方案未规定；默认缺评分时提醒决定人并须其确认，街道可设为必须全部评分",
                            "The plan sets nothing; by default the decider is warned about missing scores and confirms")})

    # delivery: the people registry (the plan says nothing of it: these are this plugin's choices)
    registry_consent_required = fields.Boolean(
        load_default=True,
        metadata={"label": T("登记人员须取得本人同意", "Registering a person needs their consent"),
                  "help": T("实施方案未规定；依《个人信息保护法》第十三、十四条，平台默认要求登记前取得本人同意",
                            "The plan sets nothing; by the Personal Information Protection Law (art. 13, 14) this plugin asks for consent by default")})
    registry_retention_years = fields.Integer(
        load_default=3, strict=True, validate=validate.Range(min=0, max=30),
        metadata={"label": T("人员名册保存年限（结项后）", "Years the people registry is kept after the close-out"),
                  "help": T("实施方案未规定；3年为平台的默认选择，期满删除", "The plan sets nothing; 3 years is this plugin's choice")})

    @validates_schema
    def _window(self, data, **kwargs):
        if data.get("application_opens", "01-01") > data.get("application_closes", "03-31"):
            raise ValidationError("申报截止不能早于申报开始 | Closing must not precede opening",
                                  field_name="application_closes")
