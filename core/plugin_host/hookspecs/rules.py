"""How a policy judges a project at each action, and hears of its transitions. See the package doc
(``core.plugin_host.hookspecs``) for the contract."""
from __future__ import annotations

from core.plugin_host.facts import ProjectFacts, RuleContext
from core.plugin_host.markers import hookspec
from core.violations import Violation


@hookspec(firstresult=True)
def tongxin_project_rules(project: ProjectFacts, action: str, config: dict,
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
        def tongxin_project_rules(project, action, config, context):
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


@hookspec
def tongxin_project_transitioned(project: ProjectFacts, action: str, before: str, after: str,
                                 config: dict) -> None:
    """Told after a project changed state (``action`` is "submit", "withdraw", "endorse",
    "decide" or "close"), in
    the same transaction, for side effects a policy wants. Every policy that applies to the
    programme is told (its own and those it inherits), each with its own frozen config. An
    exception here undoes the transition, so keep it small.

    Example::

        @hookimpl
        def tongxin_project_transitioned(project, action, after):
            if action == "decide" and after == "approved":
                log.info("project %s approved", project.id)
    """
