"""Reading fund requests and monthly batches as the actor may see them: one request or batch
(the same 404 whether it is hidden or missing), lists and pages of them, a batch's requests and
total, the street that batches a unit's requests, a leader's authority there, and the policy's
rules for a project's requests.

Nothing here writes; the writers (filing, acceptance, batches, spending) read through these so a
request they act on is one the actor could see.
"""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased

from core.i18n import T
from core.models import FundRequest, FundRequestBatch, Membership, OrgUnit, Project
from core.models.fund_request import BatchState, FundRequestState
from core.models.org import UnitKind
from core.permissions import A
from core.plugin_host.contributions import FundRequestRules
from core.services import paging
from core.services.context import Ctx
from core.services.fund_requests.common import BATCH, REQUEST
from core.services.programmes import policy_of
from core.violations import NotFound, RuleError, Violation


def rules_of(ctx: Ctx, project: Project) -> FundRequestRules:
    policy, config = policy_of(ctx, project.programme)
    return policy.fund_request_rules(config)


def _visible_requests(ctx: Ctx) -> Select:
    applicant = aliased(OrgUnit)
    stmt = (select(FundRequest).join(Project, FundRequest.project_id == Project.id)
            .join(applicant, Project.applicant_unit_id == applicant.id))
    return stmt.where(ctx.where(A.fund_request_view, unit_path=applicant.path))


def get_request(ctx: Ctx, request_id: int, *, for_update: bool = False) -> FundRequest:
    """A request the actor may see (applicant's staff, supervisors, the street office and
    leaders above it); otherwise the same 404 as for one that does not exist."""
    if not isinstance(request_id, int) or isinstance(request_id, bool):
        raise NotFound(REQUEST, field="fund_request_id")
    stmt = _visible_requests(ctx).where(FundRequest.id == request_id)
    if for_update:
        stmt = stmt.with_for_update(of=FundRequest).execution_options(populate_existing=True)
    req = ctx.session.scalars(stmt).unique().one_or_none()
    if req is None:
        raise NotFound(REQUEST, field="fund_request_id")
    return req


def list_requests(ctx: Ctx, *, month: str | None = None, state: str | None = None, project_id: int | None = None,
                  within: OrgUnit | None = None, states: Iterable[str] | None = None,
                  limit: int = 200, offset: int = 0) -> tuple[list[FundRequest], int]:
    """Requests the actor may see, oldest first, optionally of one month, state or project, or
    of applicants at or below ``within``."""
    stmt = _visible_requests(ctx)
    if month:
        stmt = stmt.where(FundRequest.month == month)
    if state:
        stmt = stmt.where(FundRequest.state == state)
    if states is not None:
        stmt = stmt.where(FundRequest.state.in_(list(states)))
    if project_id is not None:
        stmt = stmt.where(FundRequest.project_id == project_id)
    if within is not None:
        unit = aliased(OrgUnit)
        stmt = stmt.where(Project.applicant_unit_id.in_(select(unit.id).where(unit.path.startswith(within.path))))
    total = ctx.session.scalar(select(func.count()).select_from(stmt.with_only_columns(FundRequest.id).subquery()))
    rows = ctx.session.scalars(stmt.order_by(FundRequest.id).limit(max(1, min(limit, 500))).offset(max(0, offset)))
    return list(rows.unique()), int(total or 0)


def project_requests(ctx: Ctx, project_id: int) -> list[FundRequest]:
    return list_requests(ctx, project_id=project_id, limit=500)[0]


def _visible_batches(ctx: Ctx) -> Select:
    street = aliased(OrgUnit)
    stmt = select(FundRequestBatch).join(street, FundRequestBatch.street_unit_id == street.id)
    return stmt.where(ctx.where(A.batch_view, unit_path=street.path))


def get_batch(ctx: Ctx, batch_id: int, *, for_update: bool = False) -> FundRequestBatch:
    if not isinstance(batch_id, int) or isinstance(batch_id, bool):
        raise NotFound(BATCH, field="batch_id")
    stmt = _visible_batches(ctx).where(FundRequestBatch.id == batch_id)
    if for_update:
        stmt = stmt.with_for_update(of=FundRequestBatch).execution_options(populate_existing=True)
    batch = ctx.session.scalars(stmt).unique().one_or_none()
    if batch is None:
        raise NotFound(BATCH, field="batch_id")
    return batch


def list_batches(ctx: Ctx, *, month: str | None = None, street_unit_id: int | None = None,
                 state: str | None = None, limit: int = 100, offset: int = 0) -> tuple[list[FundRequestBatch], int]:
    """Batches of streets the actor administers, leads or oversees, newest month first (a page
    of them, and their number in all)."""
    stmt = _visible_batches(ctx)
    if month:
        stmt = stmt.where(FundRequestBatch.month == month)
    if street_unit_id is not None:
        stmt = stmt.where(FundRequestBatch.street_unit_id == street_unit_id)
    if state:
        stmt = stmt.where(FundRequestBatch.state == state)
    stmt = stmt.order_by(FundRequestBatch.month.desc(), FundRequestBatch.id)
    return paging.page(ctx.session, stmt, limit=limit, offset=offset, unique=True)


def batch_requests(ctx: Ctx, batch_id: int) -> list[FundRequest]:
    return list(ctx.session.scalars(select(FundRequest).where(FundRequest.batch_id == batch_id)
                                    .order_by(FundRequest.id)).unique())


def batches_requests(ctx: Ctx, batch_ids: Iterable[int]) -> dict[int, list[FundRequest]]:
    """The requests of several batches by batch id, read at once (each batch's oldest first)."""
    ids = sorted(set(batch_ids))
    out: dict[int, list[FundRequest]] = {i: [] for i in ids}
    if ids:
        for req in ctx.session.scalars(select(FundRequest).where(FundRequest.batch_id.in_(ids))
                                       .order_by(FundRequest.id)).unique():
            out[req.batch_id].append(req)
    return out


def batch_total(ctx: Ctx, batch: FundRequestBatch, requests: list[FundRequest] | None = None) -> int:
    """What the leader approves: the batch's accepted requests (after approval: what was approved).
    ``requests``: the batch's requests, when the caller has read them already."""
    if batch.state == BatchState.approved.value and batch.approved_total_fen is not None:
        return batch.approved_total_fen
    if requests is not None:
        return sum(r.amount_fen for r in requests if r.state == FundRequestState.accepted.value)
    return int(ctx.session.scalar(select(func.coalesce(func.sum(FundRequest.amount_fen), 0)).where(
        FundRequest.batch_id == batch.id, FundRequest.state == FundRequestState.accepted.value)) or 0)


def street_of(ctx: Ctx, unit: OrgUnit) -> OrgUnit:
    """The street (or town) whose office batches the unit's requests: the unit itself at
    street level, else its nearest ancestor of that kind."""
    if unit.kind == UnitKind.street.value:
        return unit
    found = ctx.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(unit.ancestor_ids),
                                                      OrgUnit.kind == UnitKind.street.value)).all()
    street = max(found, key=lambda u: len(u.path), default=None)
    if street is None:
        raise RuleError(Violation("no_street", T(
            f"「{unit.name}」不属于任何街道（镇），其资金申请无法编入月度汇总",
            f"{unit.name_en or unit.name} is under no street or town, so its requests cannot be batched"),
            field="project_id"), status=409)
    return street


def authority_fen(ctx: Ctx, street: OrgUnit) -> tuple[bool, int | None]:
    """(whether the actor is a street leader at or above ``street``, their largest authority
    limit there; None: no limit set, so no authority)."""
    if ctx.actor.id is None:
        return False, None
    rows = ctx.session.execute(select(Membership.authority_limit_fen, OrgUnit.path)
                               .join(OrgUnit, OrgUnit.id == Membership.org_unit_id)
                               .where(Membership.user_id == ctx.actor.id,
                                      Membership.role.in_([r.value for r in ctx.permissions.roles_for(A.batch_approve)]))).all()
    limits = [limit for limit, path in rows if street.path.startswith(path)]
    if not limits:
        return False, None
    set_limits = [x for x in limits if x is not None]
    return True, (max(set_limits) if set_limits else None)
