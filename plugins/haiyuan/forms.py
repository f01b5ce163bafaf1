"""The application a neighbourhood files with the street before the council meeting: what the
money is for, who benefits and how it will be done (the seed's 用途、使用对象), plus what it hopes
sponsors will bring, which the council meeting reads out when it announces the project."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.plugin_host.toolkit import Choice, T

LIVELIHOOD, CARE, CULTURE = "livelihood", "care", "culture"

CARE_DIRECTIONS = (
    Choice("students", T("公益助学", "Help for students")),
    Choice("elderly", T("助老", "Help for the elderly")),
    Choice("disabled", T("助残", "Help for the disabled")),
)


def _text(label, *, required=True, min_len=0, max_len=2000, help=None):
    metadata = {"label": label, "widget": "textarea"}
    if help:
        metadata["help"] = help
    extra = {} if required else {"load_default": ""}
    return fields.String(required=required, validate=validate.Length(min=min_len, max=max_len),
                         metadata=metadata, **extra)


class ApplicationForm(Schema):
    """共治金项目申请表 (the same for every use; the aid track also says whom it serves)."""

    purpose = _text(T("经费使用用途（项目内容）", "What the money is for"), min_len=10,
                    help=T("写明做什么、为什么需要", "Say what will be done and why it is needed"))
    beneficiaries = _text(T("使用对象（受益人群）", "Beneficiaries"), min_len=2, max_len=500,
                          help=T("如：独居老人约40户、楼组居民", "e.g. about 40 elderly people living alone"))
    plan = _text(T("实施计划", "Plan"), min_len=10,
                 help=T("步骤、时间安排与分工", "Steps, schedule and who does what"))
    resources_wanted = _text(T("希望共建单位提供的资金或资源", "Money or resources hoped for from sponsors"),
                             required=False, max_len=500,
                             help=T("理事会通报项目时一并宣读，供共建单位认领", "Read out at the council meeting for sponsors to claim"))


class CareApplicationForm(ApplicationForm):
    directions = fields.List(
        fields.String(validate=validate.OneOf([c.value for c in CARE_DIRECTIONS])),
        required=True, validate=validate.Length(min=1, error="至少选择一项 | Choose at least one"),
        metadata={"label": T("服务类别", "Kind of aid"), "widget": "checkboxes", "choices": CARE_DIRECTIONS})
