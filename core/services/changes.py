"""Change requests (项目变更): once a project is approved its type and forms are frozen; a
change of core content needs a recorded request that the programme's administrators approve.

A change is validated as the project it produces: a new type's forms are its forms, so a
申报表 kept from the old type must hold under the new one (its directions are the type's), and
a request that would leave it invalid is refused naming the field and the form's clause.

The policy sees every request first (``tongxin_project_rules`` with action "change", the
proposed project as facts and the current one as ``facts.previous``), so it can refuse what its
document forbids outright, such as swapping a project for another."""
from __future__ import annotations

import dataclasses

from sqlalchemy import select

from core.i18n import T
from core.models import ChangeRequest, Project, ProjectState
from core.permissions import A
from core.services import paging
from core.services.closed import refuse_if_closed
from core.services.context import Ctx
from core.services.programmes import policy_of
from core.services.projects import SessionRuleContext, facts, get_project
from core.violations import Forbidden, NotFound, RuleError, Violation, Violations

MIN_REASON = 5
STATUS_LABELS = {"pending": T("待审批", "pending"), "approved": T("已同意", "approved"),
                 "refused": T("不同意", "refused")}


def change_requests(ctx: Ctx, project_id: int) -> list[ChangeRequest]:
    return list(ctx.session.scalars(_change_requests_query(project_id)))


def change_requests_page(ctx: Ctx, project_id: int, *, limit: int, offset: int = 0) -> tuple[list[ChangeRequest], int]:
    """A page of the project's change requests, oldest first, and their number in all."""
    return paging.page(ctx.session, _change_requests_query(project_id), limit=limit, offset=offset)


def _change_requests_query(project_id: int):
    return select(ChangeRequest).where(ChangeRequest.project_id == project_id).order_by(ChangeRequest.id)


def _produced(ctx: Ctx, project: Project, track: str | None, forms: dict) -> tuple[str, dict, Violations]:
    """The project a change would produce, validated as that project: its type, and every form
    of that type (the proposed ones, and the current ones it keeps, which must hold under the
    new type too: a 申报表 keeps its directions when only the type changes). Returns the type,
    the validated proposed forms and the problems, each naming its field and, where the form's
    schema declares one, its clause."""
    policy, config = policy_of(ctx, project.programme)
    v = Violations()
    new_track = track or project.track
    chosen = policy.track(config, new_track)
    if chosen is None:
        v.add(Violation("unknown_track", T("项目类型无效", "Unknown track"), field="proposed_track"))
        return new_track, {}, v
    specs = {f.key: f for f in policy.forms(config, new_track)}
    stored = {}
    for key, data in (forms or {}).items():
        spec = specs.get(key)
        if spec is None:
            v.add(Violation("unknown_form", T(f"没有表单「{key}」", f"No form '{key}'"), field=f"proposed_forms.{key}"))
            continue
        try:
            stored[key] = policy.validate_form(spec, data if isinstance(data, dict) else {})
        except RuleError as err:
            v.extend(err.violations)
    current = project.forms or {}
    for key, spec in specs.items():
        if key in (forms or {}):
            continue
        if key not in current:
            if spec.required_for_submit and new_track != project.track:
                v.add(Violation("form_missing", T(f"变更为「{chosen.label.zh}」后须填写「{spec.label.zh}」，请一并提出",
                                                  f"As a {chosen.label.en} project it needs the {spec.label.en}; propose it too"),
                                field=key))
            continue
        try:
            policy.validate_form(spec, current[key])
        except RuleError as err:
            for problem in err.violations:
                v.add(dataclasses.replace(problem, code="kept_form_invalid", message=T(
                    f"变更为「{chosen.label.zh}」后，现有「{spec.label.zh}」不再有效，须一并修改：{problem.message.zh}",
                    f"As a {chosen.label.en} project the current {spec.label.en} no longer holds; change it too: {problem.message.en}")))
    return new_track, stored, v


def _forms_after(ctx: Ctx, project: Project, track: str, proposed: dict) -> dict:
    """The forms of the project a change produces: the current ones with the proposed ones
    replacing theirs, less any form the new type does not have."""
    policy, config = policy_of(ctx, project.programme)
    keys = {f.key for f in policy.forms(config, track)}
    merged = {**(project.forms or {}), **(proposed or {})}
    return {key: data for key, data in merged.items() if key in keys}


def require_changeable(project: Project, ctx: Ctx | None = None) -> None:
    """Only an approved project takes change requests (others are edited directly; a closed one
    takes none)."""
    refuse_if_closed(ctx, project, T("申请项目变更", "take change requests"), field="state")
    if project.state != ProjectState.approved.value:
        raise RuleError(Violation("not_changeable", T("只有已立项的项目需要变更申请；未立项的项目可直接修改",
                                                      "Only approved projects take change requests; others are edited directly"),
                                  field="state"), status=409)


def require_none_pending(requests: list[ChangeRequest]) -> None:
    """One change at a time: a new request waits until the pending one is decided."""
    if any(c.status == "pending" for c in requests):
        raise RuleError(Violation("change_pending", T("已有待审批的变更申请，请等待主管单位决定",
                                                      "A change request is already pending; wait for its decision"),
                                  field="project_id"), status=409)


def request_change(ctx: Ctx, project_id: int, reason: str, proposed_track: str | None = None,
                   proposed_forms: dict | None = None) -> ChangeRequest:
    project = get_project(ctx, project_id, for_update=True)
    if not ctx.can(A.change_request, project):
        raise Forbidden(T("只有申报单位可以申请项目变更", "Only the applicant may request a change"))
    require_changeable(project, ctx)
    require_none_pending(change_requests(ctx, project.id))
    reason = (reason or "").strip()
    track, forms, v = _produced(ctx, project, proposed_track, proposed_forms or {})
    if len(reason) < MIN_REASON:
        v.add(Violation("reason_required", T(f"请写明变更理由（至少{MIN_REASON}个字）", f"Give a reason of at least {MIN_REASON} characters"),
                        field="reason"))
    if track == project.track and not forms:
        v.add(Violation("nothing_to_change", T("没有提出任何变更内容", "The request changes nothing"), field="proposed_forms"))
    if not v.blocking:
        policy, config = policy_of(ctx, project.programme)
        current = facts(project)
        proposed = dataclasses.replace(current, track=track, forms=_forms_after(ctx, project, track, forms),
                                       previous=current)
        v.extend(policy.judge(proposed, "change", config, SessionRuleContext(ctx)))
    v.raise_if_blocking()
    with ctx.action("project.change_request"):
        cr = ChangeRequest(project_id=project.id, proposed_track=track if track != project.track else None,
                           proposed_forms=forms, reason=reason, requested_by_id=ctx.actor.id)
        ctx.session.add(cr)
    return cr


def decide_change(ctx: Ctx, change_id: int, approve: bool, reason: str = "") -> ChangeRequest:
    cr = ctx.session.get(ChangeRequest, change_id) if isinstance(change_id, int) else None
    if cr is None:
        raise NotFound(T("变更申请", "change request"), field="change_id")
    project = get_project(ctx, cr.project_id, for_update=True)
    if not ctx.can(A.change_decide, project):
        raise Forbidden(T("只有本年度项目的主管单位可以审批变更", "Only the programme's administrators decide changes"))
    if cr.status != "pending":
        raise RuleError(Violation("change_decided", T("该变更申请已处理", "This change request was already decided"),
                                  field="change_id"), status=409)
    reason = (reason or "").strip()
    if not approve and len(reason) < MIN_REASON:
        raise RuleError(Violation("reason_required", T(f"不同意变更时必须写明理由（至少{MIN_REASON}个字）",
                                                       f"A refusal needs a reason of at least {MIN_REASON} characters"),
                                  field="reason"))
    with ctx.action("project.change_decision"):
        cr.status = "approved" if approve else "refused"
        cr.decided_by_id, cr.decided_at, cr.decision_reason = ctx.actor.id, ctx.clock.now(), reason
        if approve:
            track = cr.proposed_track or project.track
            project.forms = _forms_after(ctx, project, track, cr.proposed_forms or {})
            project.track = track
            for stored in (cr.proposed_forms or {}).values():  # what a saved form sets, as save_form does
                if isinstance(stored.get("title"), str) and stored["title"].strip():
                    project.title = stored["title"].strip()
                if isinstance(stored.get("tags"), list):
                    project.tags = list(stored["tags"])
    return cr
