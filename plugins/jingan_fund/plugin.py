"""静安区's community development fund as a district policy: it owns no programmes of its own
(no tracks) and holds, beside each street's own policy, in every programme of the streets of
the district (policies stack: core.plugin_host.stack).

What it adds to a street's projects:
- the two kinds of money and where their projects are formed: 社区自治金 for neighbourhood
  projects formed through 三会一代理 or 四议, 社区共治金 for co-governance projects formed at the
  street's 社区代表会议 or the neighbourhood's "1+5+X" 共治联席会; the record of that meeting (a
  form and the minutes) is required;
- the spending list (居民区工作经费使用清单): every budget row in a category of the list;
- the 社区分析 (人、文、地、产、景) as a form a project carries, its required parts configurable;
- community foundations (社区基金会): a fund of each street that sets one up ("成熟一个，建立一个"),
  taking donations (pledges, which may claim the street's projects) and granting projects what
  the decision names.
"""
from __future__ import annotations

from core.plugin_host.toolkit import (
    AttachmentKind, Choice, Draw, FormSpec, FundSpec, PolicyInfo, ProjectFacts, RuleContext, T, Violation, hookimpl,
    money_text, yuan_to_fen,
)
from plugins.jingan_fund import clauses
from plugins.jingan_fund.config import CATEGORY_EN, JinganFundConfig
# supervision: the district's items on a street's visit (their own module)
from plugins.jingan_fund.supervision import tongxin_supervision_checklist  # noqa: F401
from plugins.jingan_fund.forms import (
    ANALYSIS, FORMATION, GONGZHI, GRANT, NEIGHBOURHOOD_PLATFORMS, REPRESENTATIVES, ZIZHI, FormationForm, GrantForm,
    analysis_schema,
)

NAME = "jingan_fund"
FOUNDATION = "foundation"
MINUTES = "jingan_fund_minutes"


@hookimpl
def tongxin_policy():
    return PolicyInfo(
        name=NAME,
        title=T("静安区社区发展基金（社区自治金 · 社区共治金）", "Jing'an District community development fund"),
        version="2017.1",
        config_schema=JinganFundConfig,
        source=clauses.DOC,
        description=T("区级政策，与各街道本级政策叠加适用：自治金、共治金项目的形成方式、居民区工作经费使用清单、社区分析、社区基金会。",
                      "A district policy holding beside each street's own: how self- and co-governance projects are "
                      "formed, the spending list, the community analysis and community foundations."),
        programme_level="district",
        applies_below=True,   # the district's rules hold in every street's programme
        rule_codes=("jingan_budget_category_missing", "jingan_budget_category_not_listed", "jingan_zizhi_for_neighbourhoods",
                    "jingan_platform_level", "jingan_grant_over_approved"),
    )


@hookimpl
def tongxin_tracks(config):
    return []  # the streets' programmes say what kinds of project they take; the district's rules hold in all


@hookimpl
def tongxin_forms(config):
    required_parts = tuple(sorted(config["analysis_required_parts"]))
    return [
        FormSpec(FORMATION, T("议事形成记录（社区自治金 · 社区共治金）", "How the project was formed"), FormationForm,
                 required_for_submit=config["formation_record_required"], clause=clauses.FORMATION_RECORD),
        FormSpec(ANALYSIS, T("社区分析（人、文、地、产、景）", "Community analysis"), analysis_schema(required_parts),
                 required_for_submit=bool(required_parts), clause=clauses.ANALYSIS),
        FormSpec(GRANT, T("社区基金会资助", "Community foundation grant"), GrantForm, stage="decide", clause=clauses.FOUNDATION),
    ]


@hookimpl
def tongxin_attachment_kinds(config):
    return [AttachmentKind(MINUTES, T("议事会议记录（三会一代理、四议、社区代表会议或“1+5+X”共治联席会）", "Minutes of the meeting that formed it"),
                           required_for_submit=config["formation_record_required"], clause=clauses.FORMATION_RECORD)]


@hookimpl
def tongxin_budget_categories(config):
    return [Choice(name, T(name, CATEGORY_EN.get(name, name))) for name in config["spending_list"]]


@hookimpl
def tongxin_project_rules(project: ProjectFacts, action: str, config, context: RuleContext):
    if action == "submit":
        return _budget_rows(project, config) + _formation(project)
    if action == "approve":
        return _grant(project)
    return []


def _budget_rows(project: ProjectFacts, config) -> list[Violation]:
    listed = set(config["spending_list"])
    found = []
    for i, row in enumerate(project.budget):
        if row.category is None:
            if config["category_required"]:
                found.append(Violation(
                    "jingan_budget_category_missing",
                    T(f"第{i + 1}行“{row.description}”：请按居民区工作经费使用清单选择预算类别",
                      f"Item {i + 1} ('{row.description}'): choose its category from the spending list"),
                    field=f"budget.{i}.category", clause=clauses.SPENDING_LIST))
        elif row.category not in listed:
            found.append(Violation(
                "jingan_budget_category_not_listed",
                T(f"第{i + 1}行“{row.description}”的类别“{row.category}”不在居民区工作经费使用清单内，不能列支",
                  f"Item {i + 1} ('{row.description}'): '{row.category}' is not on the district's spending list"),
                field=f"budget.{i}.category", clause=clauses.SPENDING_LIST))
    return found


def _formation(project: ProjectFacts) -> list[Violation]:
    record = project.forms.get(FORMATION) or {}
    kind, platform = record.get("money_kind"), record.get("platform")
    street = project.applicant_unit_kind == "street"
    found = []
    if kind == ZIZHI and project.applicant_unit_kind != "neighbourhood":
        found.append(Violation(
            "jingan_zizhi_for_neighbourhoods",
            T("社区自治金用于居民区经“三会一代理”“四议”形成的自治项目；街道层面的项目请申请社区共治金",
              "Self-governance money is for neighbourhood projects; a street-level project asks for co-governance money"),
            field=f"{FORMATION}.money_kind", clause=clauses.ZIZHI_FORMATION))
    if platform == REPRESENTATIVES and not street:
        found.append(Violation(
            "jingan_platform_level",
            T("社区代表会议形成的是街道层面的共治项目；居民区的共治项目经“1+5+X”共治联席会形成",
              "The representatives' meeting forms street-level projects; a neighbourhood's are formed at its '1+5+X' joint meeting"),
            field=f"{FORMATION}.platform", clause=clauses.REPRESENTATIVES))
    elif platform in NEIGHBOURHOOD_PLATFORMS and street and kind == GONGZHI:
        found.append(Violation(
            "jingan_platform_level",
            T("“1+5+X”共治联席会是居民区的议事平台；街道层面的共治项目经社区代表会议形成",
              "The '1+5+X' joint meeting is the neighbourhood's; street-level projects are formed at the representatives' meeting"),
            field=f"{FORMATION}.platform", clause=clauses.REPRESENTATIVES))
    return found


def _grant_fen(project: ProjectFacts) -> int:
    value = (project.decision_details.get(GRANT) or {}).get("foundation_yuan")
    return yuan_to_fen(str(value)) if value not in (None, "") else 0


def _grant(project: ProjectFacts) -> list[Violation]:
    grant = _grant_fen(project)
    if project.approved_fen is None or grant <= project.approved_fen:
        return []
    return [Violation(
        "jingan_grant_over_approved",
        T(f"社区基金会资助{money_text(grant).zh}不能超过核定金额{money_text(project.approved_fen).zh}",
          f"The foundation's grant of {money_text(grant).en} exceeds the approved {money_text(project.approved_fen).en}"),
        field=f"{GRANT}.foundation_yuan", clause=clauses.FOUNDATION)]


@hookimpl
def tongxin_funds(config):
    # A street's foundation ("programme": the unit whose programme it is); set up by the street
    # when it is ready, it takes pledges (donations) that may claim the street's projects.
    return [FundSpec(FOUNDATION, "sponsor_fund", "programme", T("社区基金会", "Community foundation"),
                     clause=clauses.FOUNDATION, allocation_clause=clauses.FOUNDATION)]


@hookimpl
def tongxin_funding(project: ProjectFacts, config, context: RuleContext):
    """What the decision grants from the street's foundation; the street's policy pays the rest."""
    grant = min(_grant_fen(project), project.approved_fen or 0)
    return [Draw(FOUNDATION, grant, T("社区基金会资助", "foundation grant"))] if grant else []


@hookimpl
def tongxin_migration_dirs():
    return []
