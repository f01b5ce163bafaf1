"""The contract between Tongxin's core and jurisdiction plugins.

A plugin is a module (or object) with functions marked ``@hookimpl``, published under the
entry-point group ``tongxin.plugins``::

    # pyproject.toml of the plugin's distribution
    [project.entry-points."tongxin.plugins"]
    riverside = "riverside_policy.plugin"

Installed is not enabled: core calls a policy's hooks only for the programmes it applies to: the
programmes of that policy, at org units where a street (or city) switched it on, and (policies
stack) every programme of the units below a unit that enabled it, beside the programme's own
policy (``core.plugin_host.stack``: how the answers of several policies combine). Hooks are always called with keyword
arguments, so a hook may gain arguments later without breaking plugins that do not take them.
Everything a plugin returns is validated by core (``core.plugin_host.manager``); anything it
raises is contained, recorded as a ``PluginFault`` for the tenant's administrators, and turned
into a clear refusal for the user, while other tenants and policies keep working.

Every hook below has an example, written for an imaginary street ("riverside") whose policy has a
signature track (one lasting project per neighbourhood) and a micro-project track; core names no
real jurisdiction, so the built-in plugins under ``plugins/`` and ``docs/plugins.md`` show the
real ones. ``tests/test_hookspecs_documented.py`` fails when a hook lacks a docstring or an example.
"""
from __future__ import annotations

import pluggy

from core.plugin_host.contributions import (Allow, AttachmentKind, Choice, Criterion, Draw, EndorsementStep, FormSpec, FundRequestRules,
                                            FundSpec, Panel, PermissionRule, Permissions, Phase, PolicyInfo, Track)
from core.plugin_host.facts import ProjectFacts, RuleContext
from core.violations import Violation

PROJECT_NAME = "tongxin"
hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


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
    list is the policy's own rule (``tongxin_check_project`` reads ``project.budget``), so the
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
def tongxin_check_project(project: ProjectFacts, action: str, config: dict,
                          context: RuleContext) -> list[Violation]:
    """The policy's rules. Called before core lets ``action`` happen ("create", with the facts
    of the empty draft about to be created (``project.id`` is None): refuse there what the
    applicant cannot fix later, such as a second signature project; "submit"; "approve", with
    ``project.approved_fen`` and ``project.decision_details`` set; "change", where ``project``
    is the proposed change and ``project.previous`` the project as it stands) with the
    programme's frozen ``config``; return every violation found (an empty list when all is
    well; ignore actions you have no rule for). A violation with ``severity="needs_approval"``
    does not block but must be explicitly approved by the named ``approver`` in the decision.
    ``context`` answers questions about other projects within the tenant; plugins never get
    the database session. Every policy that applies to the programme judges each action with
    its own config; the violations of all of them are the answer, each citing its own clause
    (a violation of an inherited policy without one cites that policy's source).
    ``project.policy_version`` is the version of this policy the programme froze.

    Example::

        @hookimpl
        def tongxin_check_project(project, action, config, context):
            if action != "submit" or project.track != "signature":
                return []
            others = context.count_projects(programme_id=project.programme_id,
                                            applicant_unit_id=project.applicant_unit_id,
                                            track="signature", states=SUBMITTED_STATES,
                                            exclude_project_id=project.id)
            if others:
                return [Violation("signature_one_per_neighbourhood",
                                  T("每个居民区限一个一居一品项目", "One signature project per neighbourhood"),
                                  field="track", clause=T("实施方案 四（一）", "Plan §4(1)"))]
            return []
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


@hookspec(firstresult=True)
def tongxin_funds(config: dict) -> list[FundSpec]:
    """The funds the policy's projects draw on, as ``FundSpec``s: kind, whose fund it is
    relative to a project (the programme's unit, the applicant, the applicant's parent), its
    name and its cap from ``config``, and the clauses cited when a commitment is refused:
    ``cap_clause`` beyond the cap, ``allocation_clause`` beyond the money allocated (``clause``
    stands in for either). Core finds or creates the real fund per owner unit and
    programme year the first time one is needed, and lets the street allocate money into it;
    every commitment is then checked against the fund's cap and allocations under a lock.
    Return [] for a policy that handles no money. Funds stay each policy's own: a policy
    inherited from a unit above (a district's) names its funds with its own keys, which core
    keeps apart from the programme's own policy's (as ``"<policy>.<key>"``), and only funds
    that some draw needs are created for it.

    Example::

        @hookimpl
        def tongxin_funds(config):
            return [
                FundSpec("line", "budget_line", "applicant", T("居民自治经费", "Self-governance line")),
                FundSpec("pool", "pool", "programme", T("自治项目资金池", "Project fund pool"),
                         cap_fen=yuan_to_fen(config["pool_cap_yuan"]),
                         cap_clause=T("实施方案 七：资金池年度一般不超过20万元", "Plan §7: pool at most 200,000 a year"),
                         allocation_clause=T("实施方案 七：按需划拨", "Plan §7: paid in as needed")),
            ]
    """


@hookspec(firstresult=True)
def tongxin_funding(project: ProjectFacts, config: dict, context: RuleContext) -> list[Draw]:
    """Where an approved project's money comes from: a list of ``Draw``s (fund key, fen),
    called when the decision is recorded, with ``project.approved_fen`` and
    ``project.decision_details`` set and the project's funds locked (so
    ``context.fund_available`` holds until the commitments are written). Core commits each
    draw in the decision's transaction: if any fund refuses (over its cap, not enough
    allocated), the decision is refused with that reason and nothing is written. The draws
    may add up to less than the approved amount (the rest comes from sources recorded as
    pledges, e.g. a town's own contribution), never to more: the decision records the rest
    as the sponsors' claims of the project and then as the policy's first co-governance fund
    (``sponsor_fund``), so its sources always add up to the approved amount
    (``core.services.funding``). ``context.fund_committed`` counts what claims hold for the
    project, which the approval turns into its commitment. Where policies stack, those
    inherited from units above are asked first (from the top of the tree down) and the
    programme's own policy last; each is given, as ``project.approved_fen``, the part of the
    approval the policies asked before it left open, so draws never add up to more than the
    approval. An inherited policy should draw only what the decision names for it (e.g. a
    district's foundation grant), leaving the rest to the programme's own policy.

    Example::

        @hookimpl
        def tongxin_funding(project, config, context):
            if project.track == "micro":
                return [Draw("pool", project.approved_fen)]
            from_line = min(project.approved_fen, context.fund_available(project, "line"))
            rest = project.approved_fen - from_line   # approved by the panel as "over_line"
            return [Draw("line", from_line)] + ([Draw("pool", rest)] if rest else [])
    """


@hookspec(firstresult=True)
def tongxin_fund_requests(config: dict) -> FundRequestRules | None:
    """How monthly fund requests (资金申请) work under this policy, beyond core's own checks
    (an approved project, within its committed budget and budget lines, one disbursement per
    request, a leader's authority limit on the month's batch): whether each request must name
    its beneficiaries and whether the supervision committee checks it before the street
    office batches it. None: core's checks only.

    Example::

        @hookimpl
        def tongxin_fund_requests(config):
            return FundRequestRules(beneficiaries_required=True, supervision=True,
                                    clause=T("经费使用须事先申请并经监督委员会监督",
                                             "Spending is applied for first and supervised"))
    """


@hookspec(firstresult=True)
def tongxin_permissions() -> Permissions | None:
    """Extend the permission table (``core.permissions``; rendered in docs/permissions.md), as
    CKAN's ``IAuthFunctions`` extends ``check_access``: declare the plugin's own actions (keys
    start with the plugin's name) and the rows saying which role may take them, and in which
    scope. Called once, when the host loads the plugin; an unknown role, scope or action (a
    misspelling) keeps the plugin out and is listed in ``PluginHost.load_errors``. Rows hold in
    every tenant where the plugin is installed; core's service guards, web buttons and API
    ``actions`` all ask the same table, so a row is all a plugin writes.

    Example::

        VISIT = Action("riverside.visit", T("走访记录", "record a home visit"))

        @hookimpl
        def tongxin_permissions():
            return Permissions(actions=(VISIT,), rules=(
                PermissionRule("neighbourhood_staff", VISIT, "below"),
                PermissionRule("supervisor", VISIT, "below", T("监督委员会也可走访", "supervisors visit too")),
            ))
    """


@hookspec(firstresult=True)
def tongxin_blueprints() -> list:
    """Flask blueprints with the plugin's own pages (and templates). Core mounts each under
    ``/t/<tenant>/p/<plugin name>/`` and only serves it where the plugin is enabled.

    Example::

        guide = Blueprint("riverside", __name__, template_folder="templates")

        @guide.get("/guide")
        def guide_page():
            return render_template("riverside/guide.html")

        @hookimpl
        def tongxin_blueprints():
            return [guide]
    """


@hookspec(firstresult=True)
def tongxin_migration_dirs() -> list[str]:
    """Directories of Alembic revisions for the plugin's own tables: one branch per plugin,
    whose first revision has ``down_revision = None``, ``branch_labels = ("<plugin name>",)``
    and ``depends_on`` a core revision; tenant-owned tables get row-level security from
    ``core.plugin_host.migration_helpers.enable_tenant_rls``.

    Example::

        @hookimpl
        def tongxin_migration_dirs():
            return [str(Path(__file__).parent / "migrations")]   # [] for a plugin without tables
    """


@hookspec
def tongxin_project_transitioned(project: ProjectFacts, action: str, before: str, after: str,
                                 config: dict) -> None:
    """Told after a project changed state (``action`` is "submit", "withdraw", "endorse" or
    "decide"), in
    the same transaction, for side effects a policy wants. Every policy that applies to the
    programme is told (its own and those it inherits), each with its own frozen config. An
    exception here undoes the transition, so keep it small.

    Example::

        @hookimpl
        def tongxin_project_transitioned(project, action, after):
            if action == "decide" and after == "approved":
                log.info("project %s approved", project.id)
    """


@hookspec
def tongxin_project_panels(project: ProjectFacts, config: dict, ctx, record) -> list[Panel]:
    """Sections of the project page, for a project of your programme: ``Panel``s (a template
    among your blueprints' templates, the data it reads as ``panel.data``, an ``order``; core's
    own sections use 30 to 80), or []. Answer from ``project`` and ``config``, as rules do. Core's
    sections (money, fund requests, claims, disclosure) answer this hook too, as a built-in
    plugin (``core.plugin_host.builtins``) reading ``ctx`` (the request's) and ``record`` (the
    stored project); a section that fails is left out, recorded for the administrators.

    Example::

        @hookimpl
        def tongxin_project_panels(project, config):
            if project.track != "signature" or project.state != "approved":
                return []
            return [Panel("riverside/_signature.html", {"line": config["signature_line_yuan"]}, order=60)]
    """

__all__ = [
    "hookimpl", "hookspec", "Allow", "AttachmentKind", "EndorsementStep", "Choice", "Criterion", "FormSpec", "Phase",
    "PolicyInfo", "Track", "FundSpec", "Draw", "FundRequestRules", "Panel", "PermissionRule", "Permissions", "ProjectFacts", "RuleContext", "Violation",
]
