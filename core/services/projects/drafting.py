"""A project while its applicant writes it: starting a draft, filling the policy's forms, the
budget and the attachments. Each change locks the project and asks whether the actor may apply
for its unit, whether it is still a draft (or returned), and whether the calendar lets
applications be edited today."""
from __future__ import annotations

from typing import BinaryIO, Iterable

from sqlalchemy import select

from core.i18n import T
from core.models import Attachment, BudgetItem, OrgUnit, Programme, Project, ProjectState
from core.money import MoneyError, amount_refusal, yuan_to_fen
from core.permissions import A
from core.plugin_host.facts import ProjectFacts
from core.services import calendar
from core.services.context import Ctx
from core.services.budget_rows import budget_category
from core.services.org import get_unit
from core.services.programmes import get_programme, policy_of
from core.services.projects.visibility import get_project
from core.services.rule_facts import SessionRuleContext
from core.violations import Forbidden, NotFound, RuleError, Violation, Violations

EDITABLE = (ProjectState.draft.value, ProjectState.returned.value)
# Limits of what an applicant types, read by the API's input schemas too (one place each).
TITLE_MIN, TITLE_MAX = 2, 60
TITLE_RULE = T(f"应为{TITLE_MIN}至{TITLE_MAX}个字（不计首尾空格）",
               f"needs {TITLE_MIN} to {TITLE_MAX} characters (not counting spaces around it)")
MAX_BUDGET_ITEMS = 50
BUDGET_DESCRIPTION_MAX = 200  # BudgetItem.description's column
MAX_PROJECT_FEN = 100_000_000 * 100  # one hundred million yuan: anything above is a typo


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
        v.extend(policy.judge(_new_facts(programme, unit, track, title), "create", config, SessionRuleContext(ctx)))
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
    """Replace the budget items. Amounts are yuan strings (or integers); stored as fen. What the
    policy will say about the budget at submission is ``budget_warnings``: shown at once."""
    project = _editable(ctx, project_id)
    if not isinstance(items, list):
        raise RuleError(Violation("invalid_budget", T("预算应为明细列表", "The budget must be a list of items"), field="budget"))
    v = Violations()
    if len(items) > MAX_BUDGET_ITEMS:
        v.add(Violation("budget_too_many", T(f"预算明细最多{MAX_BUDGET_ITEMS}行", f"At most {MAX_BUDGET_ITEMS} budget items"),
                        field="budget"))
    rows = []
    for i, item in enumerate(items[:MAX_BUDGET_ITEMS]):
        if not isinstance(item, dict):
            v.add(Violation("invalid_budget", T("预算明细格式不正确", "Malformed budget item"), field=f"budget.{i}"))
            continue
        desc = str(item.get("description") or "").strip()
        if not 1 <= len(desc) <= BUDGET_DESCRIPTION_MAX:
            v.add(Violation("budget_description", T(f"第{i + 1}行：请填写用途（1至{BUDGET_DESCRIPTION_MAX}字）",
                                                    f"Item {i + 1}: describe the use (1-{BUDGET_DESCRIPTION_MAX} characters)"),
                            field=f"budget.{i}.description"))
        try:
            fen = yuan_to_fen(item.get("amount"))
        except MoneyError as exc:
            v.add(Violation("budget_amount", amount_refusal(exc, T(f"第{i + 1}行：金额", f"Item {i + 1}: the amount")),
                            field=f"budget.{i}.amount"))
            continue
        rows.append((desc, fen, budget_category(item, i, v)))
    total = sum(f for _, f, _ in rows)
    if total > MAX_PROJECT_FEN:
        v.add(Violation("budget_too_large", T("预算总额过大，请核对", "The total is implausibly large; please check"), field="budget"))
    v.raise_if_blocking()
    with ctx.action("project.budget"):
        project.budget_items.clear()
        ctx.session.flush()
        for pos, (desc, fen, category) in enumerate(rows):
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

