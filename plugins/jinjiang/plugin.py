"""晋江's hooks: five project types, the 申报表 and 方案书, town endorsement, city selection."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from core.plugin_host.toolkit import (
    A, Allow, AttachmentKind, Criterion, DeliveryRules, Draw, EndorsementStep, FormSpec, FundSpec, Phase, PolicyInfo, ProjectFacts, PublicParts,
    ProjectPeriod, ReviewRules, RuleContext, T, Track, Violation, hookimpl, on, yuan_to_fen,
)
from plugins.jinjiang import clauses
from plugins.jinjiang.config import JinjiangConfig
# supervision: the checklist a visit answers and the archive (their own module)
from plugins.jinjiang.supervision import tongxin_archive, tongxin_supervision_checklist  # noqa: F401
from plugins.jinjiang.obligations import obligations
from plugins.jinjiang.forms import PLAN_SCHEMA, PROJECT_TYPES, SELECTION_SCHEMA, application_schema, schedule_date

NAME = "jinjiang"


@hookimpl
def tongxin_policy():
    return PolicyInfo(
        name=NAME,
        title=T("晋江市“共建共享”社区治理项目", "Jinjiang co-building co-sharing community governance projects"),
        version="2023.1",
        config_schema=JinjiangConfig,
        source=clauses.DOC,
        description=T("全市选取试点社区：社区申报、镇（街道）审核盖章、市民政局评审确定试点并择优推荐泉州级。",
                      "City-wide pilots: communities apply, towns endorse, the city bureau selects and recommends the best to Quanzhou."),
        programme_level="district",
        rule_codes=("budget_missing", "pilot_quota_full", "project_swap", "schedule_after_completion"),
        # 晋江's documents speak of 社区/村 under 镇（街道）, not Shanghai's 居民区 under 街道.
        unit_words={"neighbourhood": T("社区/村", "Community or village"), "street": T("镇（街道）", "Town")},
    )


@hookimpl
def tongxin_tracks(config):
    return [Track(key, label, T("", ""), applicant_kinds=("neighbourhood",), applicants_clause=clauses.APPLICANTS,
                  directions=items)
            for key, (label, items) in PROJECT_TYPES.items()]


@hookimpl
def tongxin_forms(config):
    forms = [FormSpec("application", T("申报表", "Application form"), application_schema(key), tracks=(key,),
                      clause=clauses.APPLY)
             for key in PROJECT_TYPES]
    forms.append(FormSpec("plan", T("项目方案书", "Project plan"), PLAN_SCHEMA, clause=clauses.APPLY))
    forms.append(FormSpec("selection", T("试点确定", "Pilot selection"), SELECTION_SCHEMA, stage="decide"))
    return forms


@hookimpl
def tongxin_public_parts(config):
    # What the pilot is and how the community stands; the contact (name and phone) is not public,
    # nor are the residents' consultation records and stamp pages.
    return PublicParts(fields=("application.title", "application.directions", "application.infrastructure",
                               "application.party_building", "application.service_capacity",
                               "application.participation", "plan.background", "plan.targets", "plan.measures"))


@hookimpl
def tongxin_attachment_kinds(config):
    return [
        AttachmentKind("residents_consultation", T("征求村（居）民意见的会议记录", "Minutes of consulting residents"),
                       required_for_submit=True, clause=clauses.APPLY),
        AttachmentKind("stamp_page", T("镇（街道）盖章页", "Town/street stamp page"),
                       content_types=("application/pdf", "image/jpeg", "image/png")),
        AttachmentKind("supporting", T("其他材料", "Other material")),
    ]


@hookimpl
def tongxin_tags(config):
    return []


@hookimpl
def tongxin_phases(config, year):
    """Communities apply and towns stamp by the deadline (§4.1; a returned application may be
    corrected, stamped and sent for ``correction_days`` more); the city selects pilots only
    once the call has closed (§4.2; a corrected one within the same period); the pilots then implement and file for money until the
    completion date (§4.3)."""
    deadline = on(year, config["application_deadline"])
    completion = on(year, config["completion_deadline"])
    days = config["correction_days"]
    return [
        Phase("application", T("项目申报（镇街审核盖章）", "Applications and town endorsement"),
              on(year, config["application_opens"]), deadline,
              (Allow(A.project_apply, clauses.APPLY, correction_days=days),
               Allow(A.project_endorse, clauses.APPLY, correction_days=days))),
        Phase("selection", T("项目确定", "Selection"), deadline + dt.timedelta(days=1), deadline + dt.timedelta(days=45),
              (Allow(A.review_decide, clauses.SELECTION, correction_days=days),)),
        Phase("implementation", T("项目实施（每月20日前报送进展）", "Implementation (monthly progress by the 20th)"),
              deadline + dt.timedelta(days=1), completion, (Allow(A.fund_request_file, clauses.IMPLEMENTATION),)),
        Phase("summary", T("项目总结报送", "Written summary"), completion + dt.timedelta(days=1),
              on(year, config["summary_deadline"])),
        Phase("evaluation", T("末期评估", "Final evaluation"), on(year, config["summary_deadline"]) + dt.timedelta(days=1),
              dt.date(year, 12, 31)),
    ]


@hookimpl
def tongxin_review_rubric(config):
    top = config["max_points"]
    return [
        Criterion("infrastructure", T("基础设施建设", "Infrastructure"), top, clause=clauses.SELECTION),
        Criterion("party_building", T("党建工作", "Party building"), top, clause=clauses.SELECTION),
        Criterion("service_capacity", T("服务能力", "Service capacity"), top, clause=clauses.SELECTION),
        Criterion("participation", T("群众参与", "Resident participation"), top, clause=clauses.SELECTION),
        Criterion("feasibility", T("方案可行性", "Feasibility of the plan"), top,
                  T("目标具体、进度明确、可如期完成", "Specific goals, dated schedule, finishes in time"),
                  clause=clauses.SPECIFIC_GOALS),
    ]


@hookimpl
def tongxin_review_rules(config):
    """The pilot quota (enforced by ``_selection_rules``) is shown beside the queue's ranking."""
    return ReviewRules(all_scores_required=config["require_all_scores"], all_scores_clause=clauses.ALL_SCORES,
                       selection_cap=config["pilot_quota"], selection_label=T("试点", "pilots"),
                       selection_clause=clauses.QUOTA)


@hookimpl
def tongxin_endorsement(config):
    return EndorsementStep(level="street", label=T("镇（街道）审核盖章", "Town/street endorsement"),
                           stamp_attachment_kind="stamp_page", stamp_required=config["stamp_page_required"],
                           clause=clauses.APPLY)


@hookimpl
def tongxin_project_rules(project: ProjectFacts, action: str, config, context: RuleContext):
    if action == "submit":
        return _submission_rules(project, config)
    if action == "approve":
        return _selection_rules(project, config, context)
    if action == "change":
        return _change_rules(project)
    return []


def _submission_rules(project: ProjectFacts, config) -> list[Violation]:
    out = []
    if project.requested_fen <= 0:
        out.append(Violation("budget_missing", T("请填写项目经费预算明细", "Enter the project budget"), field="budget",
                             clause=clauses.SUBSIDY))
    completion = on(project.programme_year, config["completion_deadline"])
    for i, line in enumerate((project.forms.get("plan") or {}).get("schedule") or []):
        day = schedule_date(line, project.programme_year)
        if day and day > completion:
            out.append(Violation(
                "schedule_after_completion",
                T(f"进度节点「{line}」晚于项目完成期限{completion}", f"Milestone '{line}' is after the completion date {completion}"),
                field=f"plan.schedule.{i}", clause=clauses.COMPLETION))
    return out


def _selection_rules(project: ProjectFacts, config, context: RuleContext) -> list[Violation]:
    quota = config["pilot_quota"]
    selected = context.count_projects(programme_id=project.programme_id, states=("approved", "closed"),
                                      exclude_project_id=project.id)
    if selected >= quota:
        return [Violation("pilot_quota_full",
                          T(f"本年度试点已确定{selected}个，已达上限{quota}个", f"{selected} pilots are already selected; the quota is {quota}"),
                          field="outcome", clause=clauses.QUOTA)]
    return []


def _change_rules(project: ProjectFacts) -> list[Violation]:
    before = project.previous
    if before is None:
        return []
    old_app, new_app = before.forms.get("application") or {}, project.forms.get("application") or {}
    old_targets = set((before.forms.get("plan") or {}).get("targets") or [])
    new_targets = set((project.forms.get("plan") or {}).get("targets") or [])
    renamed = bool(new_app.get("title")) and new_app.get("title") != old_app.get("title")
    retyped = project.track != before.track
    goals_replaced = bool(old_targets) and bool(new_targets) and not (old_targets & new_targets)
    if renamed and (retyped or goals_replaced):
        return [Violation("project_swap",
                          T("变更后的项目名称、类型或目标已与原项目完全不同，属于中途更换项目，不予受理",
                            "The change replaces the project's name together with its type or all its goals: that is swapping the project"),
                          field="proposed_forms", clause=clauses.NO_SWAPPING)]
    return []


SUBSIDY_FUNDS = {"quanzhou": "subsidy_quanzhou", "city": "subsidy_city"}
CO_FUNDING = "co_funding"


@hookimpl
def tongxin_funds(config):
    """The city's two subsidies (one fund per tier, both the city's), and per community a fund
    for what the town/street adds and what donors and foundations give (recorded as pledges)."""
    return [
        FundSpec("subsidy_quanzhou", "subsidy", "programme", T("泉州级试点配套补助", "Quanzhou-level matching subsidy"),
                 tier="泉州级", clause=clauses.SUBSIDY),
        FundSpec("subsidy_city", "subsidy", "programme", T("晋江市级试点补助", "Jinjiang-level pilot subsidy"),
                 tier="晋江级", clause=clauses.SUBSIDY),
        FundSpec(CO_FUNDING, "sponsor_fund", "applicant", T("镇街配套及社会资金", "Town contribution and other sources"),
                 clause=clauses.OWN_FUNDS),
    ]


@hookimpl
def tongxin_funding(project: ProjectFacts, config, context: RuleContext):
    """The tier chosen at selection decides the subsidy (5万 / 10万 by default), never more than
    the approved budget; the rest of the budget is the town's and other sources' share (notice
    五.2: 镇（街道）应给予适当资金补助；鼓励…慈善捐赠、社区基金会). The approved amount is the
    project's whole budget, not the subsidy: the decision records the subsidy (committed from the
    city's fund of the tier) and names the rest after ``CO_FUNDING`` (镇街配套及社会资金, the
    community's fund where the town's own contribution and donations are recorded as claims),
    committed there as that money arrives (see core.services.funding)."""
    tier = (project.decision_details.get("selection") or {}).get("tier")
    if tier not in SUBSIDY_FUNDS:
        return []
    subsidy = yuan_to_fen(Decimal(str(config["quanzhou_subsidy_yuan" if tier == "quanzhou" else "city_subsidy_yuan"])))
    amount = min(subsidy, project.approved_fen or 0)
    return [Draw(SUBSIDY_FUNDS[tier], amount, T("泉州级试点配套补助" if tier == "quanzhou" else "晋江市级试点补助",
                                                 "Quanzhou-level subsidy" if tier == "quanzhou" else "Jinjiang-level subsidy"))]


@hookimpl
def tongxin_obligations(config):
    """The towns' monthly progress on their pilots, each pilot's completion and its summary:
    ``plugins.jinjiang.obligations``."""
    return obligations(config)


@hookimpl
def tongxin_blueprints():
    return []


@hookimpl
def tongxin_migration_dirs():
    return []


@hookimpl
def tongxin_delivery_rules(project: ProjectFacts, config):
    """A pilot is carried out from the day after the call closes to the completion date (§4.3):
    its 方案书's schedule lays its milestones inside that period, and its activities are recorded
    there. The registry's consent and retention are settings (the notice says nothing of them)."""
    year = project.programme_year
    period = ProjectPeriod(on(year, config["application_deadline"]) + dt.timedelta(days=1),
                           on(year, config["completion_deadline"]),
                           T("项目实施期：申报截止次日至完成期限（方案书进度安排在此期间内）",
                             "the implementation period: from the day after the call closes to the completion date"),
                           clause=clauses.IMPLEMENTATION)
    return DeliveryRules(period=period, consent_required=config["registry_consent_required"],
                         consent_clause=clauses.REGISTRY_CONSENT, retention_years=config["registry_retention_years"],
                         retention_clause=clauses.REGISTRY_RETENTION)
