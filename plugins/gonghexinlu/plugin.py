"""共和新路's hooks: tracks, forms, calendar, rubric and rules of the 2023 plan."""
from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal

from flask import Blueprint, render_template

from core.plugin_host.toolkit import (
    ACTIVE_STATES, SUBMITTED_STATES, A, Allow, AttachmentKind, Choice, Criterion, DeliveryRules, Draw, FormSpec, FundRequestRules,
    FundSpec, Phase, PolicyInfo, ProjectFacts, PublicParts, ProjectPeriod, ReviewRules, RuleContext, T, Track, Violation, current_policy_config, hookimpl, money_text, on, yuan_to_fen,
)
from plugins.gonghexinlu import clauses
from plugins.gonghexinlu.config import GonghexinluConfig
# supervision: the checklist a visit answers and the tools (their own module)
from plugins.gonghexinlu.supervision import tongxin_project_tools, tongxin_supervision_checklist  # noqa: F401
from plugins.gonghexinlu.obligations import obligations
from plugins.gonghexinlu.forms import (
    DIRECTIONS, MICRO, SIGNATURE, application_schema, intent_schema,
)

NAME = "gonghexinlu"


@hookimpl
def tongxin_policy():
    return PolicyInfo(
        name=NAME,
        title=T("共和新路街道居民区自治项目（一居一品 · 七彩微创投）",
                "Gonghexinlu Street self-governance projects (signature and micro-venture tracks)"),
        version="2023.1",
        config_schema=GonghexinluConfig,
        source=clauses.DOC,
        description=T("两类项目、一个资金池：每个居民区一个“一居一品”，“七彩微创投”全街道择优。",
                      "Two tracks, one fund pool: one signature project per neighbourhood; micro-venture projects compete street-wide."),
        programme_level="street",
        rule_codes=("budget_missing", "micro_over_limit", "micro_too_long", "signature_one_per_neighbourhood", "signature_over_line"),
    )


@hookimpl
def tongxin_tracks(config):
    return [
        Track(SIGNATURE, T("一居一品", "One neighbourhood, one brand"),
              T("每个居民区持续打造一个特色品牌自治项目，经费在“居民自治”经费中列支，超出部分经评审小组审核从资金池补充。",
                "One lasting signature project per neighbourhood, funded from its own line; any excess, once the panel approves, from the pool."),
              applicants_clause=clauses.SIGNATURE_APPLICANTS, directions=DIRECTIONS[SIGNATURE]),
        Track(MICRO, T("七彩微创投", "Seven-colour micro-venture"),
              T(f"小快灵的微自治项目，可多个申报，全街道竞争择优；单个项目一般不超过{money_text(_micro_max_fen(config)).zh}，周期一般不超过{config['micro_max_months']}个月。",
                f"Small, fast, flexible projects; several per neighbourhood; normally at most {money_text(_micro_max_fen(config)).en} and {config['micro_max_months']} months."),
              applicants_clause=clauses.MICRO_APPLICANTS, directions=DIRECTIONS[MICRO]),
    ]


@hookimpl
def tongxin_forms(config):
    focus = tuple(config["focus_areas"])
    forms = []
    for track in (SIGNATURE, MICRO):
        forms.append(FormSpec("intent", T("申报意向表", "Intent form"), intent_schema(track), tracks=(track,),
                              required_for_submit=config["intent_form_required"], clause=clauses.INTENT_FORM))
    for track in (SIGNATURE, MICRO):
        forms.append(FormSpec("application", T("自治项目申报表", "Application form"),
                              application_schema(track, focus), tracks=(track,), clause=clauses.APPLICATION_FORM))
    return forms


@hookimpl
def tongxin_public_parts(config):
    # The public reads what the project is and does; the contact person and phone (intent form)
    # and the team's names stay behind the login, and so do the residents' minutes and invoices.
    return PublicParts(fields=("intent.title", "intent.directions", "intent.summary",
                               "application.title", "application.directions", "application.tags",
                               "application.background", "application.goals", "application.activities",
                               "application.start_date", "application.end_date"))


@hookimpl
def tongxin_attachment_kinds(config):
    return [
        AttachmentKind("residents_minutes", T("居民代表大会会议记录", "Residents' congress minutes"),
                       required_for_submit=True, clause=clauses.RESIDENTS_MINUTES),
        AttachmentKind("supporting", T("其他附件（方案、照片等）", "Other supporting files")),
    ]


@hookimpl
def tongxin_tags(config):
    return [Choice(a, T(a, a)) for a in config["focus_areas"]]


@hookimpl
def tongxin_phases(config, year):
    """Q1 takes applications (a returned one may be corrected for ``correction_days`` more);
    fund requests are filed in the implementation stage, from April to September. Review
    decisions are not limited to a phase: the plan puts them in Q1 but sets no date."""
    apply = Allow(A.project_apply, clauses.APPLICATION_WINDOW, correction_days=config["correction_days"])
    return [
        Phase("application", T("年度部署、立项审核（申报）", "Plan, apply and review"),
              on(year, config["application_opens"]), on(year, config["application_closes"]), (apply,)),
        Phase("implementation", T("资金审核、跟踪调研、指导支持（实施）", "Implementation"),
              dt.date(year, 4, 1), dt.date(year, 9, 30), (Allow(A.fund_request_file, clauses.IMPLEMENTATION),)),
        Phase("mid_term", T("中期督导", "Mid-term supervision"), dt.date(year, 7, 1), dt.date(year, 7, 31)),
        Phase("evaluation", T("评估总结", "Evaluation"), dt.date(year, 10, 1), dt.date(year, 12, 31)),
    ]


@hookimpl
def tongxin_review_rubric(config):
    top = config["max_points"]
    return [
        Criterion("feasibility", T("可行性", "Feasibility"), top,
                  T("目标与居民需求相符，资源与团队能支撑", "Goals meet residents' needs; resources and team suffice"),
                  clause=clauses.REVIEW),
        Criterion("operability", T("操作性", "Operability"), top,
                  T("步骤、分工、时间安排清楚可执行", "Steps, roles and schedule are clear and workable"),
                  clause=clauses.REVIEW),
        Criterion("compliance", T("合规性", "Compliance"), top,
                  T("预算合理，符合财务规定与居民自治原则", "Budget is sound and follows finance rules"),
                  clause=clauses.REVIEW),
    ]


@hookimpl
def tongxin_review_rules(config):
    # The plan caps no number of projects (micro-ventures compete for the pool, which is capped).
    return ReviewRules(all_scores_required=config["require_all_scores"], all_scores_clause=clauses.ALL_SCORES)


def _micro_max_fen(config) -> int:
    return yuan_to_fen(Decimal(str(config["micro_max_yuan"])))


@hookimpl
def tongxin_project_rules(project: ProjectFacts, action: str, config, context: RuleContext):
    violations: list[Violation] = []
    if action == "create":
        return _creation_rules(project, config, context)
    if action not in ("submit", "approve", "change"):
        return violations
    micro_max = _micro_max_fen(config)

    # A change request is judged as the project it produces, by the rules its submission met:
    # a signature project turned micro must fit the micro limits, a micro one turned signature
    # must be the neighbourhood's only one.
    if action in ("submit", "change"):
        if project.requested_fen <= 0:
            violations.append(Violation(
                "budget_missing", T("请填写项目预算明细，总额应大于0元", "Enter the budget items; the total must be above 0 yuan"),
                field="budget", clause=clauses.OWN_BUDGET))
        if project.track == SIGNATURE:
            others = context.count_projects(
                programme_id=project.programme_id, applicant_unit_id=project.applicant_unit_id,
                track=SIGNATURE, states=SUBMITTED_STATES, exclude_project_id=project.id)
            limit = config["signature_per_neighbourhood"]
            if others >= limit:
                violations.append(Violation(
                    "signature_one_per_neighbourhood",
                    T(f"本居民区本年度已申报{others}个“一居一品”项目，每个居民区限{limit}个",
                      f"This neighbourhood already has {others} signature project(s) this year; the limit is {limit}"),
                    field="track", clause=clauses.SIGNATURE_ONE))
        if project.track == MICRO:
            if project.requested_fen > micro_max:
                violations.append(Violation(
                    "micro_over_limit",
                    T(f"“七彩微创投”单个项目申请资金不能超过{money_text(micro_max).zh}（本项目{money_text(project.requested_fen).zh}）",
                      f"A micro-venture project may ask for at most {money_text(micro_max).en} (this one asks {money_text(project.requested_fen).en})"),
                    field="budget", clause=clauses.MICRO_LIMIT))
            app = project.forms.get("application") or {}
            start, end = app.get("start_date"), app.get("end_date")
            if start and end:
                start, end = dt.date.fromisoformat(str(start)), dt.date.fromisoformat(str(end))
                limit_end = _add_months(start, config["micro_max_months"])
                if end >= limit_end:
                    violations.append(Violation(
                        "micro_too_long",
                        T(f"“七彩微创投”项目周期一般不超过{config['micro_max_months']}个月（{start}至{end}）",
                          f"A micro-venture project runs at most {config['micro_max_months']} months ({start} to {end})"),
                        field="application.end_date", clause=clauses.MICRO_DURATION))

    if action == "approve" and project.track == SIGNATURE and project.approved_fen is not None:
        line = context.fund_available(project, LINE)
        if project.approved_fen > line:
            excess = project.approved_fen - line
            violations.append(Violation(
                "signature_over_line",
                T(f"“一居一品”核定金额{money_text(project.approved_fen).zh}超出本居民区“居民自治”经费可用额度{money_text(line).zh}，"
                  f"超出部分{money_text(excess).zh}将从资金池补充",
                  f"The signature project's {money_text(project.approved_fen).en} exceeds the neighbourhood's available line "
                  f"({money_text(line).en}); the excess of {money_text(excess).en} would come from the pool"),
                field="approved_amount", clause=clauses.SIGNATURE_EXCESS, severity="needs_approval",
                approver="街道自治项目评审小组"))

    if action == "approve" and project.track == MICRO and project.approved_fen is not None:
        if project.approved_fen > micro_max:
            violations.append(Violation(
                "micro_over_limit",
                T(f"“七彩微创投”单个项目核定金额不能超过{money_text(micro_max).zh}",
                  f"A micro-venture project may be approved for at most {money_text(micro_max).en}"),
                field="approved_amount", clause=clauses.MICRO_LIMIT))
    return violations


def _creation_rules(project: ProjectFacts, config, context: RuleContext) -> list[Violation]:
    """A second signature project is refused when it is started, not after it was filled in:
    drafts count, withdrawn and rejected projects do not."""
    if project.track != SIGNATURE:
        return []
    others = context.count_projects(programme_id=project.programme_id, applicant_unit_id=project.applicant_unit_id,
                                    track=SIGNATURE, states=ACTIVE_STATES, exclude_project_id=project.id)
    limit = config["signature_per_neighbourhood"]
    if others < limit:
        return []
    return [Violation(
        "signature_one_per_neighbourhood",
        T(f"本居民区本年度已有{others}个“一居一品”项目（含草稿），每个居民区限{limit}个；如需重新申报，请先撤回原项目",
          f"This neighbourhood already has {others} signature project(s) this year, drafts included; the limit is {limit}. "
          "Withdraw the other one first"),
        field="track", clause=clauses.SIGNATURE_ONE)]


LINE, POOL = "line", "pool"


@hookimpl
def tongxin_funds(config):
    return [
        FundSpec(LINE, "budget_line", "applicant", T("居民自治经费", "Self-governance line"),
                 clause=clauses.SIGNATURE_LINE, allocation_clause=clauses.SIGNATURE_LINE),
        FundSpec(POOL, "pool", "programme", T("自治项目资金池", "Project fund pool"),
                 cap_fen=yuan_to_fen(Decimal(str(config["pool_cap_yuan"]))), clause=clauses.POOL_CAP,
                 cap_clause=clauses.POOL_CAP, allocation_clause=clauses.POOL_FUNDING),
    ]


@hookimpl
def tongxin_funding(project: ProjectFacts, config, context: RuleContext):
    """一居一品: from the neighbourhood's line, any excess (which the panel approved as
    ``signature_over_line``) from the pool. 七彩微创投: entirely from the pool."""
    amount = project.approved_fen or 0
    if project.track == MICRO:
        return [Draw(POOL, amount, T("七彩微创投", "micro-venture"))]
    from_line = min(amount, context.fund_available(project, LINE))
    draws = [Draw(LINE, from_line, T("一居一品", "signature"))]
    if amount > from_line:
        draws.append(Draw(POOL, amount - from_line, T("超出居民自治经费部分，经评审小组批准", "excess over the line, approved by the panel")))
    return draws


@hookimpl
def tongxin_fund_requests(config):
    return FundRequestRules(clause=clauses.MONTHLY_REQUESTS)


@hookimpl
def tongxin_delivery_rules(project: ProjectFacts, config):
    """The project runs from the 申报表's start date to its end date (tool 2), and its activities
    (tool 5) are recorded inside them; the registry's consent and retention are settings."""
    form = project.forms.get("application") or {}
    start, end = _day(form.get("start_date")), _day(form.get("end_date"))
    period = None
    if start or end:
        period = ProjectPeriod(start, end, T("《自治项目申报表》所填开始日期和结束日期", "the application form's start and end dates"),
                               clause=clauses.PROJECT_PERIOD)
    return DeliveryRules(period=period, consent_required=config["registry_consent_required"],
                         consent_clause=clauses.REGISTRY_CONSENT, retention_years=config["registry_retention_years"],
                         retention_clause=clauses.REGISTRY_RETENTION)


def _day(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (clamped to the month's end): a project of N months must
    end before this date, so 1 Jan to 31 Dec is twelve months and 1 Jan to 1 Jan is not."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


guide = Blueprint("gonghexinlu", __name__, template_folder="templates")


@guide.get("/guide")
def guide_page():
    """The year's 申报导则: directions of both tracks and the focus areas, public."""
    config = current_policy_config(NAME)
    return render_template("gonghexinlu/guide.html", tracks=tongxin_tracks(config=config),
                           focus_areas=config["focus_areas"], micro_max=_micro_max_fen(config),
                           config=config)


@hookimpl
def tongxin_blueprints():
    return [guide]


@hookimpl
def tongxin_obligations(config):
    """The quarterly report (tool 9), the July supervision and the stage review (tools 10-11):
    ``plugins.gonghexinlu.obligations``."""
    return obligations(config)


@hookimpl
def tongxin_migration_dirs():
    return []
