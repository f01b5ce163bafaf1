"""海园's hooks: the three uses of the co-governance fund, the application, the year (window,
council meeting, spending under supervision, the congress's hearing), the rubric, the fund and
how an approved project draws on it, and how spending is applied for."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from core.plugin_host.toolkit import (
    A, Allow, AttachmentKind, Criterion, DeliveryRules, Draw, FormSpec, FundRequestRules, FundSpec, Phase, PolicyInfo, PublicParts,
    ProjectFacts, ProjectPeriod, RuleContext, T, Track, Violation, hookimpl, money_text, on, yuan_to_fen,
)
from plugins.haiyuan import clauses
from plugins.haiyuan.config import HaiyuanConfig
from plugins.haiyuan.obligations import obligations
from plugins.haiyuan.forms import CARE, CARE_DIRECTIONS, CULTURE, LIVELIHOOD, ApplicationForm, CareApplicationForm

NAME = "haiyuan"
GONGZHIJIN = "gongzhijin"


def fund_target_fen(config) -> int:
    return yuan_to_fen(Decimal(str(config["fund_target_yuan"])))


@hookimpl
def tongxin_policy():
    return PolicyInfo(
        name=NAME,
        title=T("海园社区共治金", "Haiyuan co-governance fund"),
        version="2023.1",
        config_schema=HaiyuanConfig,
        source=clauses.DOC,
        description=T("共建单位认捐设立社区共治金；年度理事会通报已申报项目，共建单位认领；经费事先申请、监督委员会监督。",
                      "Sponsors pledge into a co-governance fund; the yearly council announces submitted projects "
                      "and sponsors claim them; spending is applied for first and supervised."),
        programme_level="street",
        rule_codes=("budget_missing", "over_fund_target"),
    )


@hookimpl
def tongxin_tracks(config):
    # The neighbourhood applies (its projects are announced at the council); so say the tracks.
    who = clauses.COUNCIL
    return [
        Track(LIVELIHOOD, T("自治和大修等惠民实事项目", "Self-governance and repair projects"),
              T("社区自治、房屋设施大修等惠及居民的实事", "Practical things for residents: self-governance, repairs"),
              applicants_clause=who),
        Track(CARE, T("公益助学、助老、助残服务", "Aid for students, the elderly and the disabled"),
              T("面向学生、老人、残疾人的公益服务", "Charitable services for students, the elderly and the disabled"),
              applicants_clause=who, directions=CARE_DIRECTIONS),
        Track(CULTURE, T("文化教育配送服务", "Culture and education delivered"),
              T("把文化、教育活动和资源送到居民身边", "Culture and education brought to residents"),
              applicants_clause=who),
    ]


@hookimpl
def tongxin_forms(config):
    label = T("共治金项目申请表", "Co-governance fund application")
    return [FormSpec("application", label, ApplicationForm, tracks=(LIVELIHOOD, CULTURE), clause=clauses.COUNCIL),
            FormSpec("application", label, CareApplicationForm, tracks=(CARE,), clause=clauses.COUNCIL)]


@hookimpl
def tongxin_public_parts(config):
    # What the money is for and the plan, as the council announces them; the beneficiaries (a
    # household may be recognisable) and any invoice are not public.
    return PublicParts(fields=("application.purpose", "application.plan", "application.directions"))


@hookimpl
def tongxin_attachment_kinds(config):
    return [AttachmentKind("supporting", T("附件（方案、照片、报价等）", "Supporting files (plan, photos, quotes)"))]


@hookimpl
def tongxin_tags(config):
    return []


@hookimpl
def tongxin_phases(config, year):
    """Applications until the council meeting announces them; sponsors claim projects at the
    meeting (a claim recorded on another day needs the street office's reason: the seed has
    claims made "会上", and a street records them after the fact); spending is applied for
    from the day after the meeting to 30 November ("经费事先申请"). The dates are the street
    office's usual year: the seed gives none."""
    meeting = on(year, config["council_meeting"])
    return [
        Phase("application", T("居民区申报项目", "Neighbourhoods apply"),
              on(year, config["application_opens"]), on(year, config["application_closes"]),
              (Allow(A.project_apply, clauses.COUNCIL, correction_days=config["correction_days"]),)),
        Phase("council", T("共建理事会分会：通报项目、共建单位认领", "Council meeting: projects announced and claimed"),
              meeting, meeting,
              (Allow(A.pledge_claim, clauses.COUNCIL, firmness="needs_approval", approver="street_admin"),)),
        Phase("spending", T("经费事先申请、监督委员会定期监督", "Spending, applied for first and supervised"),
              meeting + dt.timedelta(days=1), dt.date(year, 11, 30), (Allow(A.fund_request_file, clauses.SPENDING),)),
        Phase("congress", T("年度居民代表大会通报经费使用和监督情况", "The residents' congress hears the year's report"),
              dt.date(year, 12, 1), dt.date(year, 12, 31)),
    ]


@hookimpl
def tongxin_review_rubric(config):
    top = config["max_points"]
    return [
        Criterion("benefit", T("惠民实效", "Benefit to residents"), top,
                  T("用途明确，惠及的居民多、需要迫切", "A clear purpose that many residents urgently need")),
        Criterion("participation", T("居民参与", "Residents' participation"), top,
                  T("居民共同商议、参与实施", "Residents decide and take part")),
        Criterion("budget", T("经费合理", "A sound budget"), top,
                  T("使用对象、金额清楚，开支合理", "Beneficiaries and amounts are clear and reasonable")),
    ]


@hookimpl
def tongxin_project_rules(project: ProjectFacts, action: str, config, context: RuleContext):
    if action != "submit":
        return []
    found = []
    if project.requested_fen <= 0:
        found.append(Violation(
            "budget_missing", T("请填写经费预算，写明使用金额（总额应大于0元）", "Enter the budget: the amount must be above 0 yuan"),
            field="budget", clause=clauses.SPENDING))
    target = fund_target_fen(config)
    if project.requested_fen > target:
        found.append(Violation(
            "over_fund_target",
            T(f"申请金额{money_text(project.requested_fen).zh}超过社区共治金年度目标{money_text(target).zh}",
              f"The request ({money_text(project.requested_fen).en}) exceeds the fund's target of {money_text(target).en}"),
            field="budget", clause=clauses.FUND))
    return found


@hookimpl
def tongxin_funds(config):
    return [FundSpec(GONGZHIJIN, "sponsor_fund", "applicant", T("社区共治金", "Co-governance fund"),
                     cap_fen=fund_target_fen(config), clause=clauses.FUND, cap_clause=clauses.FUND,
                     allocation_clause=clauses.RAISED)]


@hookimpl
def tongxin_funding(project: ProjectFacts, config, context: RuleContext):
    """The approved amount from the neighbourhood's 共治金, less what sponsors' claimed receipts
    have already committed to the project. Never capped at what is available: if the fund has
    not received enough, the ledger refuses the approval ("资金不足") and the panel sees why."""
    amount = project.approved_fen or 0
    rest = max(amount - context.fund_committed(project, GONGZHIJIN), 0)
    return [Draw(GONGZHIJIN, rest, T("社区共治金", "co-governance fund"))] if rest else []


@hookimpl
def tongxin_fund_requests(config):
    return FundRequestRules(
        beneficiaries_required=True, supervision=bool(config["supervision_required"]),
        supervision_label=T("居民区监督委员会监督", "supervision committee's sign-off"),
        clause=clauses.SPENDING)


@hookimpl
def tongxin_obligations(config):
    """The fund's yearly account to the residents' congress: ``plugins.haiyuan.obligations``."""
    return obligations(config)


@hookimpl
def tongxin_blueprints():
    return []


@hookimpl
def tongxin_migration_dirs():
    return []


@hookimpl
def tongxin_delivery_rules(project: ProjectFacts, config):
    """The application names no dates: a project is announced at the year's council meeting and
    carried out in the fund's year, the programme's year. The registry's consent and retention
    are settings (the source says nothing of them)."""
    year = project.programme_year
    period = ProjectPeriod(dt.date(year, 1, 1), dt.date(year, 12, 31),
                           T(f"共治金年度（{year}年）", f"the fund's year ({year})"), clause=clauses.YEAR)
    return DeliveryRules(period=period, consent_required=config["registry_consent_required"],
                         consent_clause=clauses.REGISTRY_CONSENT, retention_years=config["registry_retention_years"],
                         retention_clause=clauses.REGISTRY_RETENTION)
