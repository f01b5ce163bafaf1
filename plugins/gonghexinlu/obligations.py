"""What falls due under the 2023 plan (tongxin_obligations), with the tools' forms.

- **季报表 (tool 9)**, each approved project's team, after each quarter of the implementation
  (Q2 and Q3) and of the evaluation stage (Q4): ``report_days_after_quarter`` days after the
  quarter (the plan sets no day: 10 is this plugin's choice, so that the quarter's spending is
  booked first);
- **中期督导 (§5(2)3)**, the street office, of each approved project, in July (by 31 July): a
  record of the visit; nobody accepts it, the street leader hears of it a week late. Recording
  the project's mid-term visit on the supervision page fulfils it (``fulfilled_by_visit``);
- **对照表 and 阶段性自评报告 (tools 10-11)**, each team, twice a year: at mid-year (by 15 July,
  ready for the July supervision) and at the year's end (by 15 December, before the evaluation).

Reports are reminded a week ahead to the team and its neighbourhood committee; a late one goes to
the committee the next day and to the street office a week later (team → committee → office), and
the street office accepts or returns them.
"""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.plugin_host.toolkit import AfterQuarter, Escalation, Obligation, OnDays, T
from plugins.gonghexinlu import clauses

TEAM = ("project_member", "neighbourhood_staff")
CHAIN = (Escalation(1, ("neighbourhood_staff",), "neighbourhood"), Escalation(7, ("street_admin",), "street"))


def _text(label, *, required=True, max_len=2000, help=None, prefill=None):
    md = {"label": label, "widget": "textarea", **({"help": help} if help else {}), **({"prefill": prefill} if prefill else {})}
    return fields.String(required=required, validate=validate.Length(min=1 if required else 0, max=max_len), metadata=md)


class QuarterlyReport(Schema):
    """工具清单 9：项目实施情况季报表."""

    # Opened prefilled from the plan and the activities of the quarter (core's report facts).
    progress = _text(T("本季度项目实施情况", "Progress this quarter"),
                     help=T("对照实施计划，写明完成了哪些任务", "Which tasks of the plan were done"), prefill="plan.summary")
    activities = _text(T("开展的主要活动", "Main activities"), prefill="activities.summary")
    participants = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0, max=1_000_000),
                                  metadata={"label": T("居民参与人次", "Residents taking part (person-times)"),
                                            "prefill": "activities.participants"})
    problems = _text(T("存在的问题", "Problems"), required=False)
    next_steps = _text(T("下季度工作计划", "Plan for next quarter"))


class SupervisionRecord(Schema):
    """实施方案 五（二）3：中期督导记录."""

    visited_on = fields.Date(required=True, metadata={"label": T("督导日期", "Date of the visit")})
    visitors = fields.String(required=True, validate=validate.Length(min=1, max=200),
                             metadata={"label": T("督导人员（街道或受委托的专业机构）", "Who visited")})
    findings = _text(T("项目进展与发现的问题", "Progress seen and problems found"))
    advice = _text(T("指导意见", "Advice given"))


class StageReview(Schema):
    """工具清单 10-11：项目实施情况对照表、项目阶段性自评报告."""

    comparison = _text(T("实施情况对照（计划与实际）", "Plan against what was done"),
                       help=T("逐项对照实施计划分解，写明完成情况", "Task by task of the plan"))
    plan_completion = _text(T("项目计划执行完成情况", "How far the plan was carried out"), prefill="plan.summary")
    compliance = _text(T("项目规范性", "Compliance"))
    outcomes = _text(T("活动开展成效", "Outcomes of the activities"))
    satisfaction = _text(T("居民满意度", "Residents' satisfaction"))
    shortcomings = _text(T("缺陷与不足", "Shortcomings"))


def obligations(config) -> list[Obligation]:
    return [
        Obligation("quarterly_report", T("项目实施情况季报表", "Quarterly implementation report"), owed_by="applicant",
                   due=AfterQuarter(quarters=(2, 3, 4), days_after=config["report_days_after_quarter"]),
                   form=QuarterlyReport, clause=clauses.QUARTERLY_REPORT, remind_days_before=7, remind_roles=TEAM,
                   escalation=CHAIN, accepted_by="street"),
        Obligation("mid_term_supervision", T("项目中期督导", "Mid-term supervision"), owed_by="programme",
                   due=OnDays(("07-31",), (T("7月中期督导", "July supervision"),)), form=SupervisionRecord,
                   clause=clauses.MID_TERM, remind_days_before=14, remind_roles=("street_admin",),
                   escalation=(Escalation(7, ("street_leader",), "street"),), accepted_by=None, opens_days_before=30,
                   fulfilled_by_visit="mid_term"),
        Obligation("stage_review", T("项目实施情况对照表及阶段性自评报告", "Comparison table and stage self-assessment"),
                   owed_by="applicant",
                   due=OnDays(("07-15", "12-15"), (T("年中", "mid-year"), T("年末", "year end"))),
                   form=StageReview, clause=clauses.STAGE_REVIEW, remind_days_before=7, remind_roles=TEAM,
                   escalation=CHAIN, accepted_by="street", opens_days_before=20),
    ]
