"""Endorsement: where a policy says so, an intermediate level (a town or street) checks each
application from the communities under it and stamps it (加盖公章) or sends it back with
reasons, before it reaches the programme's panel. Only endorsed applications are reviewed.

The policy declares the step (``tongxin_endorsement``): which level endorses, whether a scanned
stamp page is required and which clause requires the step."""
from __future__ import annotations

from typing import BinaryIO

from sqlalchemy import select

from core.i18n import T
from core.models import Attachment, Endorsement, OrgUnit, Project, ProjectState
from core.permissions import A
from core.plugin_host.contributions import EndorsementStep
from core.services import calendar, paging
from core.services.context import Ctx
from core.services.programmes import policy_of
from core.services.projects import _transitioned, get_project, notify_panel_after_commit
from core.violations import Forbidden, RuleError, Violation, Violations

OUTCOMES = ("endorsed", "returned")
# How each outcome reads to people (the API and the web pages both show it).
OUTCOME_LABELS = {"endorsed": T("审核通过并盖章", "endorsed (stamped)"), "returned": T("退回修改", "returned for changes")}
MIN_REASON = 5
STAMP_TYPES = ("application/pdf", "image/jpeg", "image/png")


def step_of(ctx: Ctx, project: Project) -> EndorsementStep | None:
    policy, config = policy_of(ctx, project.programme)
    return policy.endorsement(config)


def endorsing_unit(ctx: Ctx, project: Project, step: EndorsementStep) -> OrgUnit | None:
    """The applicant's ancestor of the step's level (e.g. the town above a village)."""
    ids = project.applicant_unit.ancestor_ids
    units = ctx.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids), OrgUnit.kind == step.level)).all()
    # The nearest one: the deepest ancestor of that kind.
    return max(units, key=lambda u: len(u.path), default=None)


def endorsements(ctx: Ctx, project_id: int) -> list[Endorsement]:
    return list(ctx.session.scalars(_endorsements_query(project_id)))


def endorsements_page(ctx: Ctx, project_id: int, *, limit: int, offset: int = 0) -> tuple[list[Endorsement], int]:
    """A page of the project's endorsement history, oldest first, and its length in all."""
    return paging.page(ctx.session, _endorsements_query(project_id), limit=limit, offset=offset)


def _endorsements_query(project_id: int):
    return select(Endorsement).where(Endorsement.project_id == project_id).order_by(Endorsement.id)


def endorse(ctx: Ctx, project_id: int, outcome: str, reason: str = "", *,
            stamp_filename: str | None = None, stamp_stream: BinaryIO | None = None, storage=None,
            override_reason: str | None = None) -> Endorsement:
    """Stamp (outcome "endorsed") or return a submitted application, within the phases that
    allow endorsement, if the policy names any (``core.services.calendar``; ``override_reason``
    where a phase lets its approver act outside it). The scanned stamp page, if given, is
    stored as an attachment of the step's ``stamp_attachment_kind``."""
    project = get_project(ctx, project_id, for_update=True)
    step = step_of(ctx, project)
    if step is None:
        raise RuleError(Violation("no_endorsement_step", T("本年度项目不需要镇街审核盖章", "This programme has no endorsement step"),
                                  field="outcome"), status=409)
    unit = endorsing_unit(ctx, project, step)
    if unit is None or not ctx.can(A.project_endorse, unit):
        raise Forbidden(T(f"只有申报单位所属{step.label.zh}单位的管理员可以{step.label.zh}",
                          f"Only administrators of the applicant's {step.level} may give the {step.label.en}"))
    if project.state != ProjectState.submitted.value:
        raise RuleError(Violation("not_awaiting_endorsement",
                                  T(f"项目当前状态为「{project.state_enum.label.zh}」，不在待{step.label.zh}环节",
                                    f"The project is {project.state_enum.label.en}, not awaiting {step.label.en}"),
                                  field="state"), status=409)
    calendar.require(ctx, project.programme, A.project_endorse, project, override_reason=override_reason)
    v = Violations()
    if outcome not in OUTCOMES:
        raise RuleError(Violation("invalid_outcome", T("结果只能是：审核盖章、退回修改", "Outcome must be endorsed or returned"),
                                  field="outcome"))
    reason = (reason or "").strip()
    if outcome == "returned" and len(reason) < MIN_REASON:
        v.add(Violation("reason_required", T(f"退回时必须写明理由（至少{MIN_REASON}个字），申报方将看到该理由",
                                             f"A return needs a reason of at least {MIN_REASON} characters; the applicant will read it"),
                        field="reason"))
    has_stamp = stamp_stream is not None and bool(stamp_filename)
    if outcome == "endorsed" and step.stamp_required and not has_stamp:
        v.add(Violation("stamp_required", T("请上传盖章页扫描件", "Upload the scanned stamp page"),
                        field="stamp", clause=step.clause))
    v.raise_if_blocking()
    stamp = None
    if has_stamp and outcome == "endorsed":
        data, content_type = storage.read_upload(stamp_stream, stamp_filename, STAMP_TYPES, field="stamp")
        key, digest = storage.save(ctx.tenant_id, data)
        stamp = Attachment(project_id=project.id, kind=step.stamp_attachment_kind, filename=stamp_filename[-255:],
                           content_type=content_type, size=len(data), sha256=digest, storage_key=key,
                           uploaded_by_id=ctx.actor.id)
    before = project.state
    with ctx.action(f"project.{outcome}"):
        if stamp is not None:
            project.attachments.append(stamp)
            ctx.session.flush()
        record = Endorsement(project_id=project.id, unit_id=unit.id, outcome=outcome, reason=reason,
                             stamp_attachment_id=stamp.id if stamp else None, endorsed_by_id=ctx.actor.id)
        ctx.session.add(record)
        project.state = ProjectState.endorsed.value if outcome == "endorsed" else ProjectState.returned.value
    _transitioned(ctx, project, "endorse", before)
    if outcome == "endorsed":
        ctx.session.flush()
        notify_panel_after_commit(ctx, project, f"endorsement-{record.id}")
    return record
