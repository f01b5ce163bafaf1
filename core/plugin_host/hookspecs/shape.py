"""What a policy declares: its identity, tracks, forms, attachment kinds, what of them is public,
tags, budget categories, calendar, rubric and endorsement step. See the package doc (``core.plugin_host.hookspecs``) for the
contract."""
from __future__ import annotations

from core.plugin_host.contributions import (AttachmentKind, Choice, Criterion, EndorsementStep, FormSpec, Phase,
                                            PolicyInfo, PublicParts, ReviewRules, Track)
from core.plugin_host.markers import hookspec


@hookspec(firstresult=True)
def tongxin_policy() -> PolicyInfo:
    """Declare the policy: its name (must equal the entry-point name), title, version, the
    source document, which level owns a programme ("street" or "district"), and the
    marshmallow config schema whose defaults are the document's numbers. Called once, when the
    host is built; a plugin whose answer is not a valid ``PolicyInfo`` (wrong type, a name other
    than its entry point's, defaults that do not validate) is kept out and listed in
    ``PluginHost.load_errors``.

    Example::

        @hookimpl
        def tongxin_policy():
            return PolicyInfo(name="riverside", title=T("滨河街道自治项目", "Riverside projects"),
                              version="2023.1", config_schema=RiversideConfig,
                              source=T("《滨河街道自治项目实施方案》", "Riverside implementation plan"),
                              programme_level="street")
    """


@hookspec(firstresult=True)
def tongxin_tracks(config: dict) -> list[Track]:
    """The tracks (project types) a programme under this config accepts, with the directions
    each offers, who may apply (``applicant_kinds``: org-unit kinds at or below the
    programme's unit; the programme's own unit too when its kind is listed) and the clause that
    says so (``applicants_clause``, cited when core refuses an applicant). Keys must be unique;
    an applicant picks one when creating a project.

    Example::

        @hookimpl
        def tongxin_tracks(config):
            return [Track("signature", T("一居一品", "Signature project"),
                          applicants_clause=T("实施方案 四（一）：每个居民区一个", "Plan §4(1): one per neighbourhood"),
                          directions=(Choice("carrier", T("搭建自治载体", "Build a carrier")),)),
                    Track("co_governance", T("街道共治项目", "Street co-governance project"),
                          applicant_kinds=("street",),   # the street office applies in its own programme
                          applicants_clause=T("实施办法 三：街道层面的共治项目", "Rules §3: street-level projects"))]
    """


@hookspec(firstresult=True)
def tongxin_forms(config: dict) -> list[FormSpec]:
    """The forms an applicant fills, in order. Each ``FormSpec`` names a marshmallow schema that
    validates the API input, renders the HTML form and fills exports. A form may be limited to
    some tracks; one key may appear once per track. A form of ``stage="decide"`` is filled by
    whoever decides, with an approval (e.g. the subsidy tier a selected project gets): it is
    rendered in the decision form, stored in the decision's details and passed to the
    "approve" rule as ``project.decision_details``.

    Example::

        @hookimpl
        def tongxin_forms(config):
            return [FormSpec("intent", T("申报意向表", "Intent form"), IntentForm,
                             required_for_submit=config["intent_form_required"]),
                    FormSpec("application", T("申报表", "Application form"), ApplicationForm),
                    FormSpec("grant", T("资助确定", "Grant"), GrantTierForm, stage="decide")]
    """


@hookspec(firstresult=True)
def tongxin_attachment_kinds(config: dict) -> list[AttachmentKind]:
    """The kinds of files a project may carry, which are required before submission, the file
    types accepted, and the clause that requires them.

    Example::

        @hookimpl
        def tongxin_attachment_kinds(config):
            return [AttachmentKind("residents_minutes", T("居民代表大会会议记录", "Residents' minutes"),
                                   required_for_submit=True, clause=T("附件2 第3项", "Annex 2, item 3"))]
    """


@hookspec(firstresult=True)
def tongxin_public_parts(config: dict) -> PublicParts:
    """What of a project under this policy the public may see, once it is approved: form fields
    (``"<form key>.<field>"``) and attachment kinds of the policy's own forms and kinds. Nothing
    is public unless marked: a policy without this hook shows the public a project's title,
    budget and disclosure, and none of its forms or files. The anonymous web page and the
    anonymous API show exactly these parts. Where policies stack, each marks its own forms and
    kinds and the markings add up. Core's floor holds under any marking: a field with
    ``personal`` in its metadata is never shown, and phone and ID numbers are masked in what is.

    Example::

        @hookimpl
        def tongxin_public_parts(config):
            return PublicParts(fields=("application.title", "application.goals", "application.directions"),
                               attachment_kinds=("photos",))   # never the minutes or invoices
    """


@hookspec(firstresult=True)
def tongxin_tags(config: dict) -> list[Choice]:
    """Tags a project may carry (focus areas of the year), or an empty list.

    Example::

        @hookimpl
        def tongxin_tags(config):
            return [Choice(area, T(area, area)) for area in config["focus_areas"]]
    """


@hookspec(firstresult=True)
def tongxin_budget_categories(config: dict) -> list[Choice]:
    """The categories a budget row may be put in under this policy (a spending list such as a
    district's 使用清单), or an empty list for a policy without one. Values are unique. The
    budget editor offers them (where several applicable policies list categories, only those
    every list allows) and the API lists them with the programme; refusing a row outside the
    list is the policy's own rule (``tongxin_project_rules`` reads ``project.budget``), so the
    refusal cites the policy's own document.

    Example::

        @hookimpl
        def tongxin_budget_categories(config):
            return [Choice(name, T(name, name)) for name in config["spending_list"]]
    """


@hookspec(firstresult=True)
def tongxin_phases(config: dict, year: int) -> list[Phase]:
    """The programme's calendar for ``year``. Each phase lists the typed actions it allows as
    ``Allow(action, clause, firmness="block", approver=None, correction_days=0)``; core checks
    every action some phase names against them (``core.services.calendar``), citing the clause:
    applying (``A.project_apply``: create, edit, submit), endorsing, deciding (or selecting),
    filing fund requests, claiming projects, and a plugin's own actions. An action no phase
    names is allowed all year; where several phases allow one, any open one suffices. Where
    several policies apply to a programme, an action must be inside a window of every policy
    that names it (a refusal cites the clause of the policy whose window is closed).
    ``firmness="needs_approval"`` with an ``approver`` role lets that role act outside the phase,
    giving a reason; ``correction_days`` lets a returned application still take the action
    after the window (补正). An action key nobody declared keeps the plugin out when it loads.
    Frozen into the programme when it opens, so a later change of the street's settings does
    not move it.

    Example::

        @hookimpl
        def tongxin_phases(config, year):
            return [Phase("application", T("申报立项", "Applications"), date(year, 1, 1), date(year, 3, 31),
                          (Allow(A.project_apply, T("实施方案 五（一）：第一季度申报", "Plan §5(1): apply in Q1"),
                                 correction_days=config["correction_days"]),)),
                    Phase("implementation", T("实施", "Implementation"), date(year, 4, 1), date(year, 9, 30),
                          (Allow(A.fund_request_file, T("实施方案 五（二）", "Plan §5(2)")),))]
    """


@hookspec(firstresult=True)
def tongxin_review_rubric(config: dict) -> list[Criterion]:
    """The criteria the review panel scores each application by, each a whole number
    0..max_points (a positive integer); keys are unique.

    Example::

        @hookimpl
        def tongxin_review_rubric(config):
            top = config["max_points"]
            return [Criterion("feasibility", T("可行性", "Feasibility"), top),
                    Criterion("operability", T("操作性", "Operability"), top),
                    Criterion("compliance", T("合规性", "Compliance"), top)]
    """


@hookspec(firstresult=True)
def tongxin_review_rules(config: dict) -> ReviewRules | None:
    """How the panel's review works under this policy, as ``ReviewRules`` (or None for core's
    defaults): whether a decision must wait until every panel member has scored (otherwise the
    decider is warned about the missing scores and confirms explicitly), and the number of
    projects a programme may approve in all (a cap the review queue shows beside the ranking).
    ``config`` is the programme's frozen config; only the programme's own policy is asked.

    Example::

        @hookimpl
        def tongxin_review_rules(config):
            return ReviewRules(all_scores_required=config["require_all_scores"],
                               all_scores_clause=T("评审办法 三：评审小组全体成员评分后作出决定",
                                                   "Review rules §3: the panel decides once every member has scored"),
                               selection_cap=config["projects_per_year"], selection_label=T("立项", "approved"))
    """


@hookspec(firstresult=True)
def tongxin_endorsement(config: dict) -> EndorsementStep | None:
    """Whether applications pass an intermediate level before the panel: return an
    ``EndorsementStep`` (which level stamps them, whether a scanned stamp page is required, the
    clause) or None. With a step, submitted projects wait for that level's street administrators
    to endorse or return them, and only endorsed ones can be scored and decided.

    Example::

        @hookimpl
        def tongxin_endorsement(config):
            if not config["towns_endorse"]:
                return None          # a street's own call: straight to the panel
            return EndorsementStep(level="street", label=T("镇街审核盖章", "Town endorsement"),
                                   stamp_attachment_kind="stamp_page", stamp_required=True,
                                   clause=T("通知 三：镇（街道）审核并加盖公章", "Notice §3: the town checks and stamps"))
    """
