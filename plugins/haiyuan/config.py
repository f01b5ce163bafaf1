"""The street's settings for the 海园 co-governance fund. Defaults are the seed's numbers where
it has them (the 300,000-yuan fund, supervision of every spending); the seed gives no dates, so
the calendar's defaults are the street office's usual year (see the package docs)."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core.plugin_host.toolkit import CorrectionDays, MonthDay, T, YuanDecimal


class HaiyuanConfig(Schema):
    fund_target_yuan = YuanDecimal(
        load_default="300000.00",
        metadata={"label": T("社区共治金年度目标（元）", "Co-governance fund target per year (yuan)"),
                  "help": T("认捐总额不得超过此数；来源：设立了30万的社区共治金",
                            "Pledges of a year may not add up to more; source: a 300,000-yuan fund")})
    application_opens = MonthDay(
        load_default="01-01",
        metadata={"label": T("项目申报开始（月-日）", "Applications open (month-day)")})
    application_closes = MonthDay(
        load_default="04-30",
        metadata={"label": T("项目申报截止（月-日）", "Applications close (month-day)"),
                  "help": T("截止后在理事会上通报已申报的项目", "The council announces what was submitted by then")})
    council_meeting = MonthDay(
        load_default="05-20",
        metadata={"label": T("共建理事会分会召开日（月-日）", "Council meeting (month-day)"),
                  "help": T("会上通报已申报项目，共建单位认领", "Submitted projects are announced and claimed")})
    correction_days = CorrectionDays(
        help=T("退回修改的申报在申报截止（或退回之日）后仍可补正提交的天数；来源未规定，10天为平台的默认选择",
              "Days a returned application may still be corrected after the window (or its return); "
              "the source sets none, 10 is this plugin's choice"))
    supervision_required = fields.Boolean(
        load_default=True,
        metadata={"label": T("经费使用须经居民区监督委员会监督", "Spending is checked by the supervision committee"),
                  "help": T("来源：形成居民区监督委员会定期监督制度", "Source: the supervision committee checks regularly")})
    max_points = fields.Integer(
        load_default=10, validate=validate.Range(min=1, max=100),
        metadata={"label": T("评审每项满分", "Maximum points per review criterion")})

    # delivery: the people registry (the source says nothing of it: these are this plugin's choices)
    registry_consent_required = fields.Boolean(
        load_default=True,
        metadata={"label": T("登记人员须取得本人同意", "Registering a person needs their consent"),
                  "help": T("来源材料未规定；依《个人信息保护法》第十三、十四条，平台默认要求登记前取得本人同意",
                            "The source sets nothing; by the Personal Information Protection Law (art. 13, 14) this plugin asks for consent by default")})
    registry_retention_years = fields.Integer(
        load_default=3, strict=True, validate=validate.Range(min=0, max=30),
        metadata={"label": T("人员名册保存年限（结项后）", "Years the people registry is kept after the close-out"),
                  "help": T("来源材料未规定；3年为平台的默认选择，期满删除", "The source sets nothing; 3 years is this plugin's choice")})

    @validates_schema
    def _calendar(self, data, **kwargs):
        opens = data.get("application_opens", "01-01")
        closes = data.get("application_closes", "04-30")
        meeting = data.get("council_meeting", "05-20")
        if opens > closes:
            raise ValidationError("申报截止不能早于申报开始 | Closing must not precede opening",
                                  field_name="application_closes")
        # The meeting announces what was submitted, so it follows the window; spending runs
        # from the day after it to 30 November, so it must leave at least that day.
        if not closes < meeting <= "11-29":
            raise ValidationError("理事会应在申报截止之后、11月29日之前召开 | "
                                  "The council meets after applications close and by 29 November",
                                  field_name="council_meeting")
