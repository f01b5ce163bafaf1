"""共和新路's supervision checklist and its twelve tools (附件2 工具清单), as policy data.

The checklist is the plan's mid-term supervision (五（二）3: 一般在7月份重点开展一次项目中期督导),
asking what the plan asks of a project being carried out: the task breakdown followed, complete
activity records, spending that keeps to the budget and the finance rules (七), residents taking
part (二（四）), deviations corrected and risks met (五（二）3), and what the year-end evaluation
will weigh (五（三）: completion, compliance, outcomes, satisfaction, shortcomings).

The tools are annex 2's list, each done where the platform keeps its records; those whose
records the platform does not keep yet (plan tasks, activity records, the people registry,
reports) are listed as not yet available until their parts register them.
"""
from __future__ import annotations

from core.plugin_host.toolkit import Checklist, ChecklistItem, T, Tool, hookimpl

MID_TERM = T("实施方案 五（二）3：街道结合各个自治项目情况，自行或委托专业机构为自治项目提供个性化的指导支持……一般在7月份重点开展一次项目中期督导",
             "Plan §5(2)3: the street, itself or through an organisation it commissions, guides each project; a mid-term supervision normally in July")
CORRECTIONS = T("实施方案 五（二）3：督促项目团队对已经发现的偏差进行修正，对可预计的风险进行应对",
                "Plan §5(2)3: the team is urged to correct deviations found and to meet foreseeable risks")
RECORDS = T("实施方案 七：项目经费的使用原则上应当与预算内容保持一致，符合相关财务报销规定，并附有完整的活动、服务记录",
            "Plan §7: spending keeps to the budget and the finance rules, with complete records of activities and services")
PARTICIPATION = T("实施方案 二（四）：坚持居民参与……广泛动员……志愿者和广大居民参与项目实施",
                  "Plan §2(4): residents take part; volunteers and residents are mobilised to carry the project out")
EVALUATION = T("实施方案 五（三）：从项目计划执行完成情况、项目规范性、活动开展成效、居民满意度、缺陷不足等方面做好项目总结",
               "Plan §5(3): completion of the plan, compliance, outcomes, residents' satisfaction and shortcomings")
TOOLS = T("附件2：共和新路街道居民区自治项目工具清单", "Annex 2: the street's toolkit for neighbourhood projects")


@hookimpl
def tongxin_supervision_checklist(config):
    return Checklist(T("中期督导检查表", "Mid-term supervision checklist"), clause=MID_TERM, items=(
        ChecklistItem("plan_on_track", T("按项目实施计划分解推进，任务分工、时间节点落实", "The task breakdown is followed: tasks, owners, dates"),
                      clause=T("附件2 工具清单 第4项：项目实施计划分解，明确各项任务分工", "Annex 2, tool 4: the task breakdown"),
                      help=T("对照实施计划分解，看已完成和滞后的任务", "Compare with the task breakdown: done and late tasks")),
        ChecklistItem("activity_records", T("活动记录完整（活动记录手册、签到表、志愿者记录）", "Activity records complete (handbook, sign-in sheets, volunteers)"),
                      clause=RECORDS),
        ChecklistItem("budget_kept", T("经费使用与预算一致，符合财务报销规定", "Spending keeps to the budget and the finance rules"), clause=RECORDS),
        ChecklistItem("residents_take_part", T("居民参与充分，项目骨干和志愿者队伍得到培育", "Residents take part; core members and volunteers grow"),
                      clause=PARTICIPATION),
        ChecklistItem("deviations_met", T("已发现的偏差得到修正，可预计的风险有应对", "Deviations found are corrected; foreseeable risks are met"),
                      clause=CORRECTIONS),
        ChecklistItem("residents_satisfied", T("居民对项目的满意度", "Residents are satisfied with the project"), clause=EVALUATION),
    ))


def _tool(number: int, key: str, label: T, stage: T, source: str, params: dict | None = None, note: T | None = None) -> Tool:
    return Tool(key, number, label, stage, source, params or {},
                clause=T(f"附件2 工具清单 第{number}项：{label.zh}", f"Annex 2, tool {number}: {label.en}"), note=note or T("", ""))


APPLYING = T("项目申报立项阶段", "Application")
CARRYING_OUT = T("项目实施阶段", "Implementation")
STAGE_REVIEW = T("阶段性总结", "Stage review")
CLOSING = T("项目总结阶段", "Closing")


@hookimpl
def tongxin_project_tools(config):
    return [
        _tool(1, "intent_form", T("申报意向表", "Intent form"), APPLYING, "form", {"form": "intent"},
              T("意向申报", "intent")),
        _tool(2, "application_form", T("自治项目申报表", "Application form"), APPLYING, "form", {"form": "application"},
              T("附《方案策划指引》", "with the planning guide")),
        _tool(3, "residents_minutes", T("居民代表大会会议记录", "Residents' congress minutes"), APPLYING, "attachment",
              {"kinds": ["residents_minutes"]}),
        _tool(4, "plan_breakdown", T("项目实施计划分解", "Task breakdown"), CARRYING_OUT, "plan_tasks"),
        _tool(5, "activity_handbook", T("项目活动记录手册", "Activity record handbook"), CARRYING_OUT, "activities",
              note=T("附《手册使用指引》", "with its guide")),
        _tool(6, "people_roster", T("项目人员名册", "People registry"), CARRYING_OUT, "people",
              note=T("服务对象、志愿者、项目团队名册", "beneficiaries, volunteers, team")),
        _tool(7, "team_registration", T("项目团队人员登记表", "Team member registration"), CARRYING_OUT, "people",
              {"role": "team"}, T("一人一表", "one per person")),
        _tool(8, "change_request", T("项目变更申请表", "Change request form"), CARRYING_OUT, "change_requests",
              note=T("根据需要使用", "as needed")),
        _tool(9, "quarterly_report", T("项目实施情况季报表", "Quarterly report"), CARRYING_OUT, "reports",
              {"obligation": "quarterly_report"}, T("每季度一次", "every quarter")),
        _tool(10, "comparison_table", T("项目实施情况对照表", "Implementation comparison table"), STAGE_REVIEW, "reports",
              {"obligation": "stage_review"}),
        _tool(11, "self_assessment", T("项目阶段性自评报告", "Stage self-assessment"), STAGE_REVIEW, "reports",
              {"obligation": "stage_review"}, T("一年两次", "twice a year")),
        _tool(12, "final_accounts", T("项目经费决算表", "Final accounts"), CLOSING, "final_accounts"),
    ]
