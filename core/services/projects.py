"""Projects from draft to decision: creating, filling the plugin's forms, budget, attachments,
submission and withdrawal. Review and decisions are in ``core.services.review``.

State machine (guards from core and from the programme's policy)::

    draft ──submit──▶ submitted ──score──▶ under_review ──decide──▶ approved | rejected | returned
      ▲                                                                          │
      └───────────────────────────── (returned: edit and submit again) ◀──────────┘
    draft / submitted / returned ──withdraw──▶ withdrawn
"""
from __future__ import annotations

from typing import BinaryIO, Iterable

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import aliased

from core.i18n import T
from core.models import Attachment, BudgetItem, OrgUnit, Programme, Project, ProjectState
from core.permissions import A
from core.money import MoneyError, amount_refusal, yuan_to_fen
from core.plugin_host.facts import BudgetRow, ProjectFacts
from core.plugin_host.manager import PluginFailure
from core.services.context import Ctx
from core.services.org import get_unit
from core.services import calendar, holds
from core.services.budget_rows import budget_category
from core.services.programmes import get_programme, policy_of
from core.violations import Forbidden, NotFound, RuleError, Violation, Violations

PROJECT = T("项目", "project")
EDITABLE = (ProjectState.draft.value, ProjectState.returned.value)
WITHDRAWABLE = (ProjectState.draft.value, ProjectState.submitted.value, ProjectState.returned.value)
# Limits of what an applicant types, read by the API's input schemas too (one place each).
TITLE_MIN, TITLE_MAX = 2, 60
TITLE_RULE = T(f"应为{TITLE_MIN}至{TITLE_MAX}个字（不计首尾空格）",
               f"needs {TITLE_MIN} to {TITLE_MAX} characters (not counting spaces around it)")
MAX_BUDGET_LINES = 50
BUDGET_DESCRIPTION_MAX = 200  # BudgetItem.description's column
MAX_PROJECT_FEN = 100_000_000 * 100  # one hundred million yuan: anything above is a typo


# -- visibility ----------------------------------------------------------------------------------

def visible(ctx: Ctx) -> Select:
    """Projects the actor may see: their own units' projects (any state); for oversight roles,
    every non-draft project of programmes at or below their units; for everyone, approved ones."""
    stmt = select(Project)
    published = Project.state == ProjectState.approved.value
    if not ctx.actor.is_authenticated:
        return stmt.where(published)
    applicant = aliased(OrgUnit)
    owner = aliased(OrgUnit)
    stmt = (stmt.join(applicant, Project.applicant_unit_id == applicant.id)
            .join(Programme, Project.programme_id == Programme.id)
            .join(owner, Programme.org_unit_id == owner.id))
    # Oversight reaches a programme's projects from above its owner (a street's or city's staff)
    # and an applicant's projects from above the applicant (a town endorsing its villages'
    # applications to a city-wide programme). Drafts stay with their authors.
    conds = [published, ctx.where(A.project_view, unit_path=applicant.path),
             ctx.where(A.project_oversee, unit_path=applicant.path, programme_unit_path=owner.path)
             & (Project.state != ProjectState.draft.value)]
    return stmt.where(or_(*conds))


def get_project(ctx: Ctx, project_id: int, *, for_update: bool = False) -> Project:
    stmt = visible(ctx).where(Project.id == project_id)
    if for_update:
        stmt = stmt.with_for_update(of=Project)
    project = ctx.session.scalars(stmt).unique().one_or_none() if isinstance(project_id, int) else None
    if project is None:
        raise NotFound(PROJECT, field="project_id")
    return project


def list_projects(ctx: Ctx, *, programme_id: int | None = None, state: str | None = None,
                  applicant_unit_id: int | None = None, track: str | None = None,
                  limit: int = 50, offset: int = 0) -> tuple[list[Project], int]:
    stmt = visible(ctx)
    if programme_id is not None:
        stmt = stmt.where(Project.programme_id == programme_id)
    if state:
        stmt = stmt.where(Project.state == state)
    if applicant_unit_id is not None:
        stmt = stmt.where(Project.applicant_unit_id == applicant_unit_id)
    if track:
        stmt = stmt.where(Project.track == track)
    total = ctx.session.scalar(select(func.count()).select_from(stmt.with_only_columns(Project.id).subquery()))
    rows = ctx.session.scalars(stmt.order_by(Project.id.desc()).limit(max(1, min(limit, 200))).offset(max(0, offset)))
    return list(rows.unique()), int(total or 0)


def _require_applicant(ctx: Ctx, unit: OrgUnit) -> None:
    if not ctx.can(A.project_apply, unit):
        raise Forbidden(T(f"您不能代表「{unit.name}」申报或修改项目", f"You may not apply or edit for {unit.name_en or unit.name}"),
                        field="applicant_unit_id")


def _editable(ctx: Ctx, project_id: int) -> Project:
    """The project, locked, if the actor may apply for it, it is a draft or returned, and the
    calendar lets applications be edited today (a returned one: within its correction period)."""
    project = get_project(ctx, project_id, for_update=True)
    _require_applicant(ctx, project.applicant_unit)
    _require_editable(project)
    calendar.require(ctx, project.programme, A.project_apply, project)
    return project


def _require_editable(project: Project) -> None:
    if project.state == ProjectState.approved.value:
        # An approved project changes only through a recorded change request (core.services.changes).
        raise RuleError(Violation("not_editable",
                                  T("项目已立项，不能直接修改；如需变更项目类型或内容，请提交变更申请，经主管单位同意后生效",
                                    "The project is approved and cannot be edited; file a change request, which its programme's administrators decide"),
                                  field="state"), status=409)
    if project.state not in EDITABLE:
        raise RuleError(Violation("not_editable",
                                  T(f"项目当前状态为「{project.state_enum.label.zh}」，不能修改",
                                    f"The project is {project.state_enum.label.en} and cannot be changed"),
                                  field="state"), status=409)


# -- facts for the policy's rules ------------------------------------------------------------------

class SessionRuleContext:
    """Answers the questions rules ask, inside the current tenant (see ``RuleContext``)."""

    def __init__(self, ctx: Ctx):
        self.ctx = ctx

    def count_projects(self, *, programme_id, applicant_unit_id=None, track=None, states=None,
                       exclude_project_id=None) -> int:
        stmt = select(func.count(Project.id)).where(Project.programme_id == programme_id)
        if applicant_unit_id is not None:
            stmt = stmt.where(Project.applicant_unit_id == applicant_unit_id)
        if track is not None:
            stmt = stmt.where(Project.track == track)
        if states is not None:
            stmt = stmt.where(Project.state.in_(list(states)))
        if exclude_project_id is not None:
            stmt = stmt.where(Project.id != exclude_project_id)
        return int(self.ctx.session.scalar(stmt) or 0)

    def unit_is_within(self, unit_id, ancestor_id) -> bool:
        unit, ancestor = self.ctx.session.get(OrgUnit, unit_id), self.ctx.session.get(OrgUnit, ancestor_id)
        return bool(unit and ancestor and unit.path.startswith(ancestor.path))

    def fund_available(self, project, fund) -> int:
        from core.services import funding  # late: funding asks this class for its rule context
        return funding.available(self.ctx, project.programme_id, project.applicant_unit_id, fund, project.id)

    def fund_committed(self, project, fund) -> int:
        from core.services import funding
        return funding.committed_to(self.ctx, project.id, project.programme_id, project.applicant_unit_id, fund)


def facts(project: Project, approved_fen: int | None = None, decision_details: dict | None = None) -> ProjectFacts:
    return ProjectFacts(
        id=project.id, programme_id=project.programme_id, programme_year=project.programme.year,
        track=project.track, title=project.title, state=project.state,
        applicant_unit_id=project.applicant_unit_id, applicant_unit_kind=project.applicant_unit.kind,
        forms=dict(project.forms or {}), tags=tuple(project.tags or ()), requested_fen=project.requested_fen,
        attachment_kinds=frozenset(a.kind for a in project.attachments), approved_fen=approved_fen,
        decision_details=dict(decision_details or {}),
        budget=tuple(BudgetRow(b.description, b.amount_fen, b.category) for b in project.budget_items),
    )


# -- creating and filling in -------------------------------------------------------------------------

def create_project(ctx: Ctx, programme_id: int, applicant_unit_id: int, track: str, title: str) -> Project:
    """Start a draft. What a later step would refuse for certain is refused here, first: a
    closed application window (naming it), an applicant the track does not admit (citing the
    track's clause), and whatever the policy's "create" rule counts (one signature project
    per neighbourhood, drafts included)."""
    programme = get_programme(ctx, programme_id)
    unit = get_unit(ctx, applicant_unit_id, field="applicant_unit_id")
    _require_applicant(ctx, unit)
    calendar.require(ctx, programme, A.project_apply)
    policy, config = policy_of(ctx, programme)
    v = Violations()
    chosen = policy.track(config, track)
    if chosen is None:
        names = "、".join(t.label.zh for t in policy.tracks(config))
        v.add(Violation("unknown_track", T(f"项目类型无效，可选：{names}", f"Unknown track; choose one of: {names}"), field="track"))
    clause = (chosen.applicants_clause if chosen else None) or policy.info.source
    if not unit.path.startswith(programme.org_unit.path):
        v.add(Violation("outside_programme",
                        T(f"「{unit.name}」不在「{programme.org_unit.name}」辖区内，不能申报本年度项目",
                          f"{unit.name_en or unit.name} is not under {programme.org_unit.name_en or programme.org_unit.name}"),
                        field="applicant_unit_id", clause=clause))
    elif chosen is not None and unit.kind not in chosen.applicant_kinds:
        # The programme's own unit (a street office) applies only where the track admits its kind.
        v.add(Violation("wrong_applicant_kind",
                        T(f"「{chosen.label.zh}」只能由{_kinds_zh(chosen.applicant_kinds)}申报",
                          f"'{chosen.label.en}' is applied for by: {', '.join(chosen.applicant_kinds)}"),
                        field="applicant_unit_id", clause=clause))
    title = (title or "").strip()
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        v.add(Violation("invalid_title", T(f"项目名称：{TITLE_RULE.zh}", f"Title: {TITLE_RULE.en}"), field="title"))
    if not v.blocking:
        # One creation at a time per applicant unit, as for submission: the "create" rule counts
        # the unit's projects, and two concurrent creations must not both pass it.
        ctx.session.execute(select(OrgUnit.id).where(OrgUnit.id == unit.id).with_for_update())
        v.extend(policy.check(_new_facts(programme, unit, track, title), "create", config, SessionRuleContext(ctx)))
    v.raise_if_blocking()
    with ctx.action("project.create"):
        project = Project(programme_id=programme.id, applicant_unit_id=unit.id, track=track, title=title,
                          forms={}, tags=[], created_by_id=ctx.actor.id, state=ProjectState.draft.value)
        ctx.session.add(project)
    return project


def _new_facts(programme: Programme, unit: OrgUnit, track: str, title: str) -> ProjectFacts:
    """The facts of a project about to be created (no id yet, an empty draft)."""
    return ProjectFacts(id=None, programme_id=programme.id, programme_year=programme.year, track=track, title=title,
                        state=ProjectState.draft.value, applicant_unit_id=unit.id, applicant_unit_kind=unit.kind,
                        forms={}, tags=(), requested_fen=0)


def _kinds_zh(kinds: Iterable[str]) -> str:
    names = {"neighbourhood": "居民区/村", "street": "街道/镇", "district": "区/县级市", "grid": "网格"}
    return "、".join(names.get(k, k) for k in kinds)


def save_form(ctx: Ctx, project_id: int, form_key: str, data: dict) -> Project:
    """Validate one of the policy's forms with its schema and store it. Every bad field is
    named at once; nothing is stored unless the whole form is valid."""
    project = _editable(ctx, project_id)
    policy, config = policy_of(ctx, project.programme)
    spec = next((f for f in policy.forms(config, project.track) if f.key == form_key), None)
    if spec is None:
        raise NotFound(T(f"表单「{form_key}」", f"form '{form_key}'"), field="form_key")
    if not isinstance(data, dict):
        raise RuleError(Violation("invalid_form", T("表单内容应为对象", "The form must be an object"), field=form_key))
    stored = policy.validate_form(spec, data)  # RuleError naming each field; PluginFailure if the schema crashes
    with ctx.action(f"project.form.{form_key}"):
        project.forms = {**(project.forms or {}), form_key: stored}
        if isinstance(stored.get("title"), str) and stored["title"].strip():
            project.title = stored["title"].strip()
        if isinstance(stored.get("tags"), list):
            project.tags = list(stored["tags"])
    return project


def set_budget(ctx: Ctx, project_id: int, items: list[dict]) -> Project:
    """Replace the budget lines. Amounts are yuan strings (or integers); stored as fen. What the
    policy will say about the budget at submission is ``budget_warnings``: shown at once."""
    project = _editable(ctx, project_id)
    if not isinstance(items, list):
        raise RuleError(Violation("invalid_budget", T("预算应为明细列表", "The budget must be a list of lines"), field="budget"))
    v = Violations()
    if len(items) > MAX_BUDGET_LINES:
        v.add(Violation("budget_too_many", T(f"预算明细最多{MAX_BUDGET_LINES}行", f"At most {MAX_BUDGET_LINES} budget lines"),
                        field="budget"))
    lines = []
    for i, item in enumerate(items[:MAX_BUDGET_LINES]):
        if not isinstance(item, dict):
            v.add(Violation("invalid_budget", T("预算明细格式不正确", "Malformed budget line"), field=f"budget.{i}"))
            continue
        desc = str(item.get("description") or "").strip()
        if not 1 <= len(desc) <= BUDGET_DESCRIPTION_MAX:
            v.add(Violation("budget_description", T(f"第{i + 1}行：请填写用途（1至{BUDGET_DESCRIPTION_MAX}字）",
                                                    f"Line {i + 1}: describe the use (1-{BUDGET_DESCRIPTION_MAX} characters)"),
                            field=f"budget.{i}.description"))
        try:
            fen = yuan_to_fen(item.get("amount"))
        except MoneyError as exc:
            v.add(Violation("budget_amount", amount_refusal(exc, T(f"第{i + 1}行：金额", f"Line {i + 1}: the amount")),
                            field=f"budget.{i}.amount"))
            continue
        lines.append((desc, fen, budget_category(item, i, v)))
    total = sum(f for _, f, _ in lines)
    if total > MAX_PROJECT_FEN:
        v.add(Violation("budget_too_large", T("预算总额过大，请核对", "The total is implausibly large; please check"), field="budget"))
    v.raise_if_blocking()
    with ctx.action("project.budget"):
        project.budget_items.clear()
        ctx.session.flush()
        for pos, (desc, fen, category) in enumerate(lines):
            project.budget_items.append(BudgetItem(position=pos, description=desc, amount_fen=fen, category=category))
        project.requested_fen = total
    return project


def attach(ctx: Ctx, project_id: int, kind: str, filename: str, stream: BinaryIO, storage) -> Attachment:
    project = _editable(ctx, project_id)
    policy, config = policy_of(ctx, project.programme)
    spec = next((k for k in policy.attachment_kinds(config) if k.key == kind), None)
    if spec is None:
        names = "、".join(k.label.zh for k in policy.attachment_kinds(config))
        raise RuleError(Violation("unknown_attachment_kind", T(f"附件类别无效，可选：{names}", f"Unknown attachment kind; choose: {names}"),
                                  field="kind"))
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:255]
    if not name:
        raise RuleError(Violation("file_missing", T("请选择要上传的文件", "Choose a file to upload"), field="file"))
    data, content_type = storage.read_upload(stream, name, spec.content_types)
    key, digest = storage.save(ctx.tenant_id, data)
    with ctx.action("project.attach"):
        att = Attachment(project_id=project.id, kind=kind, filename=name, content_type=content_type, size=len(data),
                         sha256=digest, storage_key=key, uploaded_by_id=ctx.actor.id)
        project.attachments.append(att)
    return att


def get_attachment(ctx: Ctx, project_id: int, attachment_id: int) -> Attachment:
    project = get_project(ctx, project_id)
    att = next((a for a in project.attachments if a.id == attachment_id), None)
    if att is None:
        raise NotFound(T("附件", "attachment"), field="attachment_id")
    return att


# -- transitions ---------------------------------------------------------------------------------

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
    v.extend(policy.check(facts(project), "submit", config, SessionRuleContext(ctx)))
    return v.items


def blocking(problems: list[Violation]) -> list[Violation]:
    """The problems that stop a submission: the blocking ones, and a closed window even where
    its phase names an approver (a submission takes no override)."""
    return [p for p in problems if p.blocks or p.code == calendar.WINDOW_CLOSED]


def budget_warnings(ctx: Ctx, project: Project) -> list[Violation]:
    """What the policy's submission rules will say about the budget as it stands (a micro
    project over its cap, an empty budget), so saving it can warn at once instead of a
    surprise at submission. The budget is saved either way."""
    policy, config = policy_of(ctx, project.programme)
    try:
        found = policy.check(facts(project), "submit", config, SessionRuleContext(ctx))
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
    """Queue the (idempotent) task telling the programme's panel that ``project`` awaits them;
    ``occasion`` identifies this submission or endorsement, so a retry does not notify twice."""
    from core.tasks.dispatch import enqueue  # late: tasks import services
    tenant_id, pid = ctx.tenant_id, project.id
    ctx.after_commit(lambda: enqueue(ctx.settings, "tongxin.notify_panel", tenant_id=tenant_id, project_id=pid,
                                     submission=occasion))


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
