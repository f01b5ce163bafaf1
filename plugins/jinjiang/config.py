"""The city's settings; defaults are the 2023 notice's numbers and dates."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core.plugin_host.toolkit import CorrectionDays, MonthDay, T, YuanDecimal

class JinjiangConfig(Schema):
    pilot_quota = fields.Integer(
        load_default=12, strict=True, validate=validate.Range(min=1, max=500),
        metadata={"label": T("试点数量上限", "Number of pilots"), "help": T("通知 一：选取12个", "Notice §1: twelve")})
    require_all_scores = fields.Boolean(
        load_default=False,
        metadata={"label": T("评审组全体成员评分后方可确定试点", "Select only once every panel member has scored"),
                  "help": T("通知未规定；默认缺评分时提醒并须确认，可设为必须全部评分",
                            "The notice sets nothing; by default the decider is warned and confirms")})
    application_opens = MonthDay(
        load_default="03-10",
        metadata={"label": T("申报开始（月-日）", "Applications open (month-day)")})
    application_deadline = MonthDay(
        load_default="03-17",
        metadata={"label": T("申报截止（月-日）", "Application deadline (month-day)"),
                  "help": T("通知 四.1：于3月17日前报送", "Notice §4.1: by 17 March")})
    completion_deadline = MonthDay(
        load_default="11-30",
        metadata={"label": T("项目完成期限（月-日）", "Projects finish by (month-day)")})
    summary_deadline = MonthDay(
        load_default="12-20",
        metadata={"label": T("工作总结报送期限（月-日）", "Written summary due (month-day)")})
    progress_report_day = fields.Integer(
        load_default=20, strict=True, validate=validate.Range(min=1, max=28),
        metadata={"label": T("每月报送进展的日期（日）", "Monthly progress report due on day"),
                  "help": T("通知 五.3：于每月20日前报送", "Notice §5.3: by the 20th of each month")})
    quanzhou_subsidy_yuan = YuanDecimal(
        load_default="50000.00",
        metadata={"label": T("泉州级试点配套补助（元）", "Quanzhou-level matching subsidy (yuan)")})
    city_subsidy_yuan = YuanDecimal(
        load_default="100000.00",
        metadata={"label": T("市级试点补助（元）", "City-level pilot subsidy (yuan)")})
    max_points = fields.Integer(
        load_default=10, strict=True, validate=validate.Range(min=1, max=100),
        metadata={"label": T("评审每项满分", "Maximum points per criterion")})
    correction_days = CorrectionDays(
        help=T("退回修改的申报在截止（或退回之日）后仍可补正、重新盖章报送的天数；通知未规定，10天为平台的默认选择",
              "Days a returned application may still be corrected, stamped and sent after the deadline "
              "(or its return); the notice sets none, 10 is this plugin's choice"))
    stamp_page_required = fields.Boolean(
        load_default=False,
        metadata={"label": T("盖章时须上传盖章页扫描件", "A scanned stamp page is required")})

    # delivery: the people registry (the notice says nothing of it: these are this plugin's choices)
    registry_consent_required = fields.Boolean(
        load_default=True,
        metadata={"label": T("登记人员须取得本人同意", "Registering a person needs their consent"),
                  "help": T("通知未规定；依《个人信息保护法》第十三、十四条，平台默认要求登记前取得本人同意",
                            "The notice sets nothing; by the Personal Information Protection Law (art. 13, 14) this plugin asks for consent by default")})
    registry_retention_years = fields.Integer(
        load_default=3, strict=True, validate=validate.Range(min=0, max=30),
        metadata={"label": T("人员名册保存年限（结项后）", "Years the people registry is kept after the close-out"),
                  "help": T("通知未规定；3年为平台的默认选择，期满删除", "The notice sets nothing; 3 years is this plugin's choice")})

    @validates_schema
    def _order(self, data, **kwargs):
        if data.get("application_opens", "03-10") > data.get("application_deadline", "03-17"):
            raise ValidationError("申报截止不能早于申报开始 | The deadline must not precede the opening",
                                  field_name="application_deadline")
        if data.get("application_deadline", "03-17") >= data.get("completion_deadline", "11-30"):
            raise ValidationError("完成期限应晚于申报截止 | Completion must come after the deadline",
                                  field_name="completion_deadline")
