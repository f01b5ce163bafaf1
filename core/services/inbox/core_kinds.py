"""Core's own kinds of to-do, as a built-in plugin (``core.platform`` registers it).

Each query says, over sets, which objects wait for the person asking: the state that waits
(the same states the service accepts the action in) and ``asking.where`` with the action the
service guards with, so an item is here exactly when the person may act on it and leaves as
soon as someone has. What a programme's policy decides (whether it has an endorsement step, at
which level, whether its fund requests pass the supervision committee first) is read once per
inbox (``Asking.programme_ids``), not per item.

Other core modules (plan tasks, reports due, rectifications ...) add their kinds with their own
built-in plugin answering ``tongxin_todo_kinds``; see ``core.plugin_host.todo``.
"""
from __future__ import annotations

from sqlalchemy import Integer, String, and_, cast, exists, func, null, or_, select, type_coerce
from sqlalchemy.orm import aliased

from core.i18n import T
from core.models import (ChangeRequest, FundRequest, FundRequestBatch, Membership, OrgUnit, Programme, Project,
                         ProjectState, Score, UnitKind)
from core.models.fund_request import BatchState, FundRequestState
from core.permissions import A
from core.plugin_host.markers import hookimpl
from core.plugin_host.todo import TodoKind

NAME = "core.todo_kinds"
S = ProjectState


def _has_endorsement(stack, config) -> bool:
    return stack.endorsement(config) is not None


def _is_supervised(stack, config) -> bool:
    return bool(stack.fund_request_rules(config).supervision)


def _project_columns(asking, applicant, since=Project.submitted_at):
    return select(Project.id.label("object_id"), Project.id.label("project_id"), Project.title.label("title"),
                  asking.name_of(applicant).label("unit_name"), since.label("since"))


def _reviewable(asking):
    """The states an application is reviewed in: where the policy has an endorsement step, only
    endorsed ones reach the panel (``core.services.review.reviewable_states``)."""
    endorsing = asking.programme_ids(_has_endorsement)
    return or_(Project.state == S.under_review.value,
               and_(Project.state == S.endorsed.value, Project.programme_id.in_(endorsing)),
               and_(Project.state == S.submitted.value, Project.programme_id.not_in(endorsing)))


def to_score(asking):
    """Applications before the person's panel that they have not scored yet."""
    if not asking.holds(A.review_score):
        return None
    applicant = aliased(OrgUnit)
    scored = exists().where(Score.project_id == Project.id, Score.reviewer_id == asking.user_id)
    return (_project_columns(asking, applicant).join(applicant, applicant.id == Project.applicant_unit_id)
            .where(_reviewable(asking), asking.where(A.review_score, programme_id=Project.programme_id), ~scored))


def to_decide(asking):
    """Applications waiting for the decision of the person's panel (its chair) or office; an
    office's own application is someone else's to decide (the table's separation of duties)."""
    if not asking.holds(A.review_decide):
        return None
    applicant, owner = aliased(OrgUnit), aliased(OrgUnit)
    return (_project_columns(asking, applicant).join(applicant, applicant.id == Project.applicant_unit_id)
            .join(Programme, Programme.id == Project.programme_id).join(owner, owner.id == Programme.org_unit_id)
            .where(_reviewable(asking), asking.where(A.review_decide, unit_path=applicant.path,
                                                      programme_unit_path=owner.path, programme_id=Project.programme_id)))


def to_endorse(asking):
    """Submitted applications waiting for the endorsement of the person's town or street: the
    applicant's ancestor of the level the programme's step names (``core.services.endorsement``)."""
    if not asking.holds(A.project_endorse):
        return None
    applicant, endorser = aliased(OrgUnit), aliased(OrgUnit)
    by_level = []
    for level in UnitKind:
        ids = asking.programme_ids(lambda stack, config, level=level.value:
                                   _has_endorsement(stack, config) and stack.endorsement(config).level == level)
        if ids:
            by_level.append(and_(Project.programme_id.in_(ids), endorser.kind == level.value))
    if not by_level:
        return None
    return (_project_columns(asking, applicant).join(applicant, applicant.id == Project.applicant_unit_id)
            .join(endorser, applicant.path.startswith(endorser.path))
            .where(Project.state == S.submitted.value, or_(*by_level),
                   asking.where(A.project_endorse, unit_path=endorser.path)))


def returned(asking):
    """Applications returned to their applicant (by the panel or the endorsing level), to be
    changed and submitted again (or withdrawn)."""
    if not asking.holds(A.project_apply):
        return None
    applicant = aliased(OrgUnit)
    return (_project_columns(asking, applicant).join(applicant, applicant.id == Project.applicant_unit_id)
            .where(Project.state == S.returned.value, asking.where(A.project_apply, unit_path=applicant.path)))


def _month_words(month):
    """A stored month ("2023-06") as the to-do's title says it, 2023年6月, built by the database
    (the inbox's kinds are one UNION): substr and ltrim read alike in SQLite and PostgreSQL."""
    return (type_coerce(func.substr(month, 1, 4), String) + "年"
            + type_coerce(func.ltrim(func.substr(month, 6, 2), "0"), String) + "月")


def _request_columns(asking, applicant, since=FundRequest.created_at):
    return (select(FundRequest.id.label("object_id"), Project.id.label("project_id"),
                   (Project.title + " · " + _month_words(FundRequest.month)).label("title"), asking.name_of(applicant).label("unit_name"),
                   since.label("since"))
            .join(Project, Project.id == FundRequest.project_id).join(applicant, applicant.id == Project.applicant_unit_id))


def to_supervise(asking):
    """Fund requests waiting for the supervision committee, where the policy has that step."""
    if not asking.holds(A.fund_request_supervise):
        return None
    supervised = asking.programme_ids(_is_supervised)
    if not supervised:
        return None
    applicant = aliased(OrgUnit)
    return _request_columns(asking, applicant).where(
        FundRequest.state == FundRequestState.submitted.value, Project.programme_id.in_(supervised),
        asking.where(A.fund_request_supervise, unit_path=applicant.path))


def to_accept(asking):
    """Fund requests waiting for the street office's acceptance (after the supervision
    committee's, where the policy has one)."""
    if not asking.holds(A.fund_request_accept):
        return None
    supervised = asking.programme_ids(_is_supervised)
    applicant = aliased(OrgUnit)
    waiting = or_(and_(FundRequest.state == FundRequestState.supervised.value, Project.programme_id.in_(supervised)),
                  and_(FundRequest.state == FundRequestState.submitted.value, Project.programme_id.not_in(supervised)))
    return _request_columns(asking, applicant).where(waiting, asking.where(A.fund_request_accept, unit_path=applicant.path))


def to_disburse(asking):
    """Approved fund requests whose payment the street office has still to record."""
    if not asking.holds(A.fund_request_accept):
        return None
    applicant = aliased(OrgUnit)
    return _request_columns(asking, applicant, since=FundRequest.accepted_at).where(
        FundRequest.state == FundRequestState.approved.value, asking.where(A.fund_request_accept, unit_path=applicant.path))


def batch_to_approve(asking):
    """A street's open monthly batch holding accepted requests whose total is within the
    person's authority there (a larger one waits for a more senior leader, not for them)."""
    if not asking.holds(A.batch_approve):
        return None
    street, held = aliased(OrgUnit), aliased(OrgUnit)
    total = (select(func.coalesce(func.sum(FundRequest.amount_fen), 0))
             .where(FundRequest.batch_id == FundRequestBatch.id, FundRequest.state == FundRequestState.accepted.value)
             .correlate(FundRequestBatch).scalar_subquery())
    waiting = exists().where(FundRequest.batch_id == FundRequestBatch.id,
                             FundRequest.state == FundRequestState.accepted.value)
    within = (select(Membership.id).join(held, held.id == Membership.org_unit_id)
              .where(Membership.user_id == asking.user_id, Membership.role.in_(asking.roles_for(A.batch_approve)),
                     Membership.authority_limit_fen.is_not(None), Membership.authority_limit_fen >= total,
                     street.path.startswith(held.path)).exists())
    return (select(FundRequestBatch.id.label("object_id"), cast(null(), Integer).label("project_id"),
                   (asking.name_of(street) + " · " + _month_words(FundRequestBatch.month)).label("title"),
                   asking.name_of(street).label("unit_name"),
                   FundRequestBatch.created_at.label("since"))
            .join(street, street.id == FundRequestBatch.street_unit_id)
            .where(FundRequestBatch.state == BatchState.open.value, waiting, within,
                   asking.where(A.batch_approve, unit_path=street.path)))


def pending_changes(asking, model):
    """Pending changes of approved projects (``model``: a change request, a plan revision: each
    with its project, its request's moment and a status) waiting for the programme's office,
    who decides the changes of a project."""
    if not asking.holds(A.change_decide):
        return None
    applicant, owner = aliased(OrgUnit), aliased(OrgUnit)
    return (select(model.id.label("object_id"), Project.id.label("project_id"), Project.title.label("title"),
                   asking.name_of(applicant).label("unit_name"), model.requested_at.label("since"))
            .join(Project, Project.id == model.project_id)
            .join(applicant, applicant.id == Project.applicant_unit_id)
            .join(Programme, Programme.id == Project.programme_id).join(owner, owner.id == Programme.org_unit_id)
            .where(model.status == "pending",
                   asking.where(A.change_decide, unit_path=applicant.path, programme_unit_path=owner.path)))


def change_to_decide(asking):
    """Change requests on approved projects waiting for the programme's administrators."""
    return pending_changes(asking, ChangeRequest)


KINDS = (
    TodoKind("review.decide", T("待我审批的申报", "Applications waiting for my decision"), to_decide,
             link="/projects/{project_id}/review", order=10),
    TodoKind("review.score", T("待我评分的申报", "Applications for me to score"), to_score,
             link="/projects/{project_id}/review", order=12),
    TodoKind("project.endorse", T("待审核盖章的申报", "Applications waiting for endorsement"), to_endorse,
             link="/projects/{project_id}#endorsement", order=15),
    TodoKind("project.returned", T("退回修改的申报", "Applications returned for changes"), returned,
             link="/projects/{project_id}", order=20),
    TodoKind("change.decide", T("待决定的变更申请", "Change requests to decide"), change_to_decide,
             link="/projects/{project_id}#changes", order=25),
    TodoKind("fund_request.supervise", T("待监督委员会审核的资金申请", "Fund requests for the supervision committee's sign-off"),
             to_supervise, link="/fund-requests#waiting", order=30),
    TodoKind("fund_request.accept", T("待街道受理的资金申请", "Fund requests waiting for the office's acceptance"),
             to_accept, link="/fund-requests#waiting", order=32),
    TodoKind("batch.approve", T("待我审批的月度汇总", "Monthly batches within my authority"), batch_to_approve,
             link="/fund-requests/batches/{object_id}", order=35),
    TodoKind("fund_request.disburse", T("已审批待拨付的资金申请", "Approved fund requests to pay out"), to_disburse,
             link="/fund-requests#to-pay", order=40),
)


@hookimpl
def tongxin_todo_kinds():
    return list(KINDS)
