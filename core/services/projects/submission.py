"""A project's transitions before review: what stands between it and submission, submitting
(and telling the panel, once committed) and withdrawing. Review and decisions are in
``core.services.review``; a town's endorsement in ``core.services.endorsement``."""
from __future__ import annotations

from sqlalchemy import select

from core.i18n import T
from core.models import OrgUnit, Project, ProjectState
from core.permissions import A
from core.plugin_host.manager import PluginFailure
from core.services import calendar, holds
from core.services.context import Ctx
from core.services.programmes import policy_of
from core.services.projects.drafting import _require_applicant, _require_editable
from core.services.projects.visibility import get_project
from core.services.rule_facts import SessionRuleContext, facts
from core.tasks.dispatch import enqueue
from core.violations import RuleError, Violation, Violations

WITHDRAWABLE = (ProjectState.draft.value, ProjectState.submitted.value, ProjectState.returned.value)


def submission_problems(ctx: Ctx, project: Project) -> list[Violation]:
    """Everything that stands between this project and submission (also shown on the page
    before the applicant presses the button)."""
    programme = project.programme
    policy, config = policy_of(ctx, programme)
    v = Violations()
    v.add(calendar.check(ctx, programme, A.project_apply, project).violation)
    for spec in policy.forms(config, project.track):
        if not spec.required_for_submit:
            continue
        data = (project.forms or {}).get(spec.key)
        if data is None:
            v.add(Violation("form_missing", T(f"请先填写「{spec.label.zh}」", f"Fill in the {spec.label.en} first"), field=spec.key,
                            clause=spec.clause or policy.info.source))
            continue
        try:  # the form may have been saved under an earlier version of the schema
            policy.validate_form(spec, data)
        except RuleError as err:
            v.extend(err.violations)
    present = {a.kind for a in project.attachments}
    for kind in policy.attachment_kinds(config):
        if kind.required_for_submit and kind.key not in present:
            v.add(Violation("attachment_missing", T(f"请上传「{kind.label.zh}」", f"Upload the {kind.label.en}"),
                            field=f"attachments.{kind.key}", clause=kind.clause))
    v.extend(policy.judge(facts(project), "submit", config, SessionRuleContext(ctx)))
    return v.items


def blocking(problems: list[Violation]) -> list[Violation]:
    """The problems that stop a submission: the blocking ones, and a closed window even where
    its phase names an approver (a submission takes no override)."""
    return [p for p in problems if p.blocks or p.code == calendar.WINDOW_CLOSED]


def budget_warnings(ctx: Ctx, project: Project) -> list[Violation]:
    """What the policy's submission rules will say about the budget as it stands (a micro-venture
    project over its cap, an empty budget), so saving it can warn at once instead of a
    surprise at submission. The budget is saved either way."""
    policy, config = policy_of(ctx, project.programme)
    try:
        found = policy.judge(facts(project), "submit", config, SessionRuleContext(ctx))
    except PluginFailure:  # a warning must not stop the saving; submission reports the failure
        return []
    return [v for v in found if v.field and (v.field == "budget" or v.field.startswith("budget."))]


def submit(ctx: Ctx, project_id: int) -> Project:
    project = get_project(ctx, project_id, for_update=True)
    _require_applicant(ctx, project.applicant_unit)
    _require_editable(project)
    # One submission at a time per applicant unit: rules that count siblings (one signature
    # project per neighbourhood) must not be raced past by two concurrent submissions.
    ctx.session.execute(select(OrgUnit.id).where(OrgUnit.id == project.applicant_unit_id).with_for_update())
    problems = blocking(submission_problems(ctx, project))
    if problems:
        raise RuleError(problems)
    before = project.state
    with ctx.action("project.submit"):
        project.state = ProjectState.submitted.value
        project.submitted_at = ctx.clock.now()
    _transitioned(ctx, project, "submit", before)
    policy, config = policy_of(ctx, project.programme)
    if policy.endorsement(config) is None:  # otherwise the panel hears of it once it is endorsed
        # The submission's identity for the (idempotent) notification task: the project's row
        # version, which this submission's write made and no other write will (a time could
        # repeat, e.g. on a pinned clock or two submissions within one tick).
        notify_panel_after_commit(ctx, project, f"submission-v{project.version}")
    return project


def notify_panel_after_commit(ctx: Ctx, project: Project, occasion: str) -> None:
    """Queue the (idempotent) task telling the programme's panel that ``project`` awaits them,
    in the outbox of this transaction (sent once it is committed); ``occasion`` identifies this
    submission or endorsement, so a retry does not notify twice."""
    enqueue(ctx, "tongxin.notify_panel", tenant_id=ctx.tenant_id, project_id=project.id, submission=occasion)


def withdraw(ctx: Ctx, project_id: int) -> Project:
    project = get_project(ctx, project_id, for_update=True)
    _require_applicant(ctx, project.applicant_unit)
    _require_withdrawable(project)
    before = project.state
    with ctx.action("project.withdraw"):
        project.state = ProjectState.withdrawn.value
        holds.release(ctx, project, holds.WITHDRAWN)  # sponsors' claims of it hold nothing any more
    _transitioned(ctx, project, "withdraw", before)
    return project


def _require_withdrawable(project: Project) -> None:
    if project.state not in WITHDRAWABLE:
        raise RuleError(Violation("not_withdrawable",
                                  T(f"项目当前状态为「{project.state_enum.label.zh}」，不能撤回", f"A {project.state_enum.label.en} project cannot be withdrawn"),
                                  field="state"), status=409)


def _transitioned(ctx: Ctx, project: Project, action: str, before: str) -> None:
    policy, config = policy_of(ctx, project.programme)
    policy.transitioned(project=facts(project), action=action, before=before, after=project.state, config=config)
