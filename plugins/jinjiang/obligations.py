"""What falls due under the 2023 notice (tongxin_obligations).

- **每月进展 (§5.3)**: each town/street, by the 20th of every month from the month after the call
  closed to the month projects finish (``progress_report_day``; April to November by default),
  one report on all its communities' pilots: each pilot a row (its money prefilled from the
  ledger), the town writing each one's progress. A town that is late is escalated to the city
  bureau the next day, which may name it in a 通报 (§3: "对工作进度缓慢的单位适时进行通报");
- **项目完成 (§4.3)**: each pilot, by the completion date (30 November): what was done, and what
  was not (force majeure aside), with its final self-assessment (archive item ⑦);
- **工作总结 (§4.4)**: each pilot, by the summary date (20 December): its experience,
  shortcomings and the distilled "community work method" (archive item ⑧).

The city bureau accepts or returns every report (the notice has them "报送市民政局").
"""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.plugin_host.toolkit import Escalation, MonthlyBy, Obligation, OnDays, T
from plugins.jinjiang import clauses

CITY = Escalation(1, ("district_admin",), "district")


def _text(label, *, required=True, max_len=4000, help=None):
    md = {"label": label, "widget": "textarea", **({"help": help} if help else {})}
    return fields.String(required=required, validate=validate.Length(min=1 if required else 0, max=max_len), metadata=md)


class PilotProgress(Schema):
    """One pilot in its town's monthly report: who it is comes from the platform, its progress
    from the town."""

    project_id = fields.Integer(required=True, metadata={"label": T("项目编号", "Project"), "readonly": True})
    title = fields.String(required=True, metadata={"label": T("试点项目", "Pilot"), "readonly": True})
    unit = fields.String(required=True, metadata={"label": T("试点村（社区）", "Community"), "readonly": True})
    progress = _text(T("本月进展", "Progress this month"))
    problems = _text(T("存在问题", "Problems"), required=False)


class MonthlyProgress(Schema):
    """镇（街道）每月试点工作进展情况."""

    summary = _text(T("本月试点工作总体进展", "The month's progress in all"))
    pilots = fields.List(fields.Nested(PilotProgress), required=True, validate=validate.Length(min=1),
                         metadata={"label": T("各试点进展", "Each pilot"), "prefill": "projects", "key": "project_id"})


class Completion(Schema):
    """项目完成情况及结项自评."""

    completed_on = fields.Date(required=True, metadata={"label": T("完成日期", "Completed on")})
    outcomes = _text(T("项目建设成效", "What was achieved"))
    unfinished = _text(T("未完成事项及原因（不可抗力等）", "What was not finished, and why"), required=False)
    self_assessment = _text(T("结项自评", "Final self-assessment"), help=T("档案第⑦项", "Archive item 7"))


class Summary(Schema):
    """项目工作总结."""

    experience = _text(T("经验做法", "Experience"))
    shortcomings = _text(T("查找不足", "Shortcomings"))
    work_method = _text(T("提炼的社区工作法", "The community work method"), help=T("档案第⑧项", "Archive item 8"))


def _months(config) -> tuple[int, ...]:
    first = int(config["application_deadline"][:2]) + 1
    last = int(config["completion_deadline"][:2])
    return tuple(range(first, last + 1))


def obligations(config) -> list[Obligation]:
    return [
        Obligation("monthly_progress", T("试点工作月度进展", "Monthly progress of the pilots"), owed_by="applicant_parent",
                   due=MonthlyBy(config["progress_report_day"], _months(config)), form=MonthlyProgress,
                   clause=clauses.MONTHLY_PROGRESS, description=clauses.SLOW_UNITS, remind_days_before=5, remind_roles=("street_admin",),
                   escalation=(CITY,), accepted_by="district", opens_days_before=19, late_days=10),
        Obligation("completion", T("项目完成情况及结项自评", "Completion and final self-assessment"), owed_by="applicant",
                   due=OnDays((config["completion_deadline"],), (T("项目完成", "completion"),)), form=Completion,
                   clause=clauses.COMPLETION, remind_days_before=10, remind_roles=("neighbourhood_staff",),
                   escalation=(Escalation(1, ("street_admin",), "street"), Escalation(3, ("district_admin",), "district")),
                   accepted_by="district"),
        Obligation("summary", T("项目工作总结", "Written summary"), owed_by="applicant",
                   due=OnDays((config["summary_deadline"],), (T("年度总结", "year's summary"),)), form=Summary,
                   clause=clauses.SUMMARY, remind_days_before=10, remind_roles=("neighbourhood_staff",),
                   escalation=(Escalation(1, ("street_admin",), "street"), CITY), accepted_by="district",
                   opens_days_before=20),
    ]
