"""Review: panel members score by the policy's rubric; the chair (or a street admin) decides.

CONSUL-style: a rejection or a return needs an explanation the applicant will read; an
approval records the approved amount and, in the same transaction, where each part of it comes
from (``Decision.funding``: the sources ``core.services.funding`` commits, adding up to the
approved amount). Sponsors' claims of the project stop holding money once it is approved
(their holds become its commitment) or rejected (released); a returned application keeps
them. Decisions are appended, never edited."""
from __future__ import annotations

from sqlalchemy import select

from core.i18n import T
from core.models import Decision, PanelMember, Project, ProjectState, Score, User
from core.permissions import A
from core.money import MoneyError, amount_refusal, yuan_to_fen
from core.services import calendar, funding, holds, paging
from core.services.context import Ctx
from core.services.programmes import policy_of
from core.services.projects import SessionRuleContext, _transitioned, facts, get_project
from core.violations import Forbidden, RuleError, Violation, Violations

# Where the policy has an endorsement step, only endorsed applications reach the panel.
REVIEWABLE = (ProjectState.submitted.value, ProjectState.under_review.value)
REVIEWABLE_AFTER_ENDORSEMENT = (ProjectState.endorsed.value, ProjectState.under_review.value)
OUTCOMES = ("approved", "rejected", "returned")
MIN_EXPLANATION = 5
COMMENT_MAX = 2000  # a reviewer's comment (the API's input schema reads it too)


def reviewable_states(ctx: Ctx, project: Project) -> tuple[str, ...]:
    policy, config = policy_of(ctx, project.programme)
    return REVIEWABLE_AFTER_ENDORSEMENT if policy.endorsement(config) else REVIEWABLE


def _require_reviewable(ctx: Ctx, project: Project) -> None:
    policy, config = policy_of(ctx, project.programme)
    step = policy.endorsement(config)
    if step is not None and project.state == ProjectState.submitted.value:
        # Say what is missing, and which clause requires it, rather than only "not under review".
        raise RuleError(Violation("not_reviewable",
                                  T(f"该申报尚未经{step.label.zh}，不能评审或确定",
                                    f"This application has not had its {step.label.en} yet, so it cannot be reviewed or decided"),
                                  field="state", clause=step.clause), status=409)
    if project.state not in reviewable_states(ctx, project):
        raise RuleError(Violation("not_reviewable",
                                  T(f"项目当前状态为「{project.state_enum.label.zh}」，不在评审中",
                                    f"The project is {project.state_enum.label.en}, not under review"),
                                  field="state"), status=409)


def scores(ctx: Ctx, project_id: int | Project) -> list[Score]:
    """The project's scores, oldest first: for the panel and those who decide (``A.review_read``).
    A page that has loaded the project already (``get_project``) may pass it, and saves loading it again."""
    project = project_id if isinstance(project_id, Project) else get_project(ctx, project_id)
    _require_read(ctx, project)
    return list(ctx.session.scalars(_scores_query(project.id)))


def scores_page(ctx: Ctx, project_id: int, *, limit: int, offset: int = 0) -> tuple[list[Score], int]:
    """A page of the project's scores, oldest first, and their number in all."""
    _require_read(ctx, get_project(ctx, project_id))
    return paging.page(ctx.session, _scores_query(project_id), limit=limit, offset=offset)


def _require_read(ctx: Ctx, project: Project) -> None:
    ctx.require(A.review_read, project, T(
        "只有本年度评审小组成员和可作出决定的管理员可以查看评分", "Only the panel and those who decide may see the scores"))


def _scores_query(project_id: int):
    return select(Score).where(Score.project_id == project_id).order_by(Score.id)


def decisions(ctx: Ctx, project_id: int) -> list[Decision]:
    return list(ctx.session.scalars(select(Decision).where(Decision.project_id == project_id).order_by(Decision.id)))


def score(ctx: Ctx, project_id: int, points: dict, comment: str = "") -> Score:
    project = get_project(ctx, project_id, for_update=True)
    if not ctx.can(A.review_score, project):
        raise Forbidden(T("只有本年度评审小组成员可以评分", "Only members of this programme's review panel may score"))
    _require_reviewable(ctx, project)
    policy, config = policy_of(ctx, project.programme)
    rubric = policy.rubric(config)
    v = Violations()
    if not isinstance(points, dict):
        raise RuleError(Violation("invalid_points", T("评分应为“评分项: 分数”", "Points must map criteria to numbers"), field="points",
                                  clause=policy.info.source))
    known = {c.key for c in rubric}
    for key in points:
        if key not in known:
            v.add(Violation("unknown_criterion", T(f"没有评分项「{key}」", f"No criterion '{key}'"), field=f"points.{key}"))
    clean = {}
    for c in rubric:
        value = points.get(c.key)
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= c.max_points:
            v.add(Violation("invalid_points", T(f"「{c.label.zh}」应为0至{c.max_points}的整数", f"{c.label.en} must be a whole number 0..{c.max_points}"),
                            clause=c.clause or policy.info.source,
                            field=f"points.{c.key}"))
        else:
            clean[c.key] = value
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        v.add(Violation("comment_too_long", T(f"评审意见不能超过{COMMENT_MAX}字", f"Comments may be at most {COMMENT_MAX} characters"),
                        field="comment"))
    v.raise_if_blocking()
    existing = ctx.session.scalars(select(Score).where(Score.project_id == project.id,
                                                       Score.reviewer_id == ctx.actor.id)).one_or_none()
    with ctx.action("review.score"):
        if existing is None:
            existing = Score(project_id=project.id, reviewer_id=ctx.actor.id)
            ctx.session.add(existing)
        existing.points, existing.comment = clean, comment
        if project.state != ProjectState.under_review.value:
            project.state = ProjectState.under_review.value
    return existing


def missing_scorers(ctx: Ctx, project: Project, *, scores: list[Score] | None = None,
                    panel: list[PanelMember] | None = None) -> list[User]:
    """The members of the project's review panel who have not scored it yet, in panel order
    (what a decision is warned about, or waits for where the policy requires every score).
    A page that has read the project's ``scores`` and the programme's ``panel`` passes them."""
    if panel is None:
        panel = list(ctx.session.scalars(select(PanelMember).where(PanelMember.programme_id == project.programme_id)
                                          .order_by(PanelMember.id)))
    if scores is None:
        scored = set(ctx.session.scalars(select(Score.reviewer_id).where(Score.project_id == project.id)))
    else:
        scored = {s.reviewer_id for s in scores}
    return [m.user for m in panel if m.user_id not in scored]


def _missing_scores(ctx: Ctx, project: Project, confirmed: bool | None) -> list[Violation]:
    """Deciding while panel members have not scored: refused where the policy requires every
    score (``ReviewRules.all_scores_required``, its clause cited); otherwise the decider must
    confirm (``confirmed`` True). ``confirmed`` None: the caller asks nothing (an API client or
    a script that does not send ``confirm_missing_scores``), and the decision is made."""
    missing = missing_scorers(ctx, project)
    if not missing:
        return []
    names = "、".join(u.display_name for u in missing)
    policy, config = policy_of(ctx, project.programme)
    rules = policy.review_rules(config)
    if rules.all_scores_required:
        return [Violation("scores_missing", T(
            f"评审小组尚有{len(missing)}人未评分（{names}）：按规定，评审小组全体成员评分后方可作出评审决定",
            f"{len(missing)} panel member(s) have not scored yet ({names}): the rules require every member's score "
            f"before the decision"), field="confirm_missing_scores", clause=rules.all_scores_clause or policy.info.source)]
    if confirmed is False:
        return [Violation("scores_missing_unconfirmed", T(
            f"评审小组尚有{len(missing)}人未评分（{names}）；如仍要作出决定，请勾选“确认在缺少评分的情况下作出决定”",
            f"{len(missing)} panel member(s) have not scored yet ({names}); to decide anyway, tick the confirmation"),
            field="confirm_missing_scores")]
    return []


def may_decide(ctx: Ctx, project: Project) -> bool:
    return ctx.can(A.review_decide, project).allowed


def decide(ctx: Ctx, project_id: int, outcome: str, explanation: str = "", approved_amount=None,
           approvals: list[str] | None = None, details: dict | None = None,
           override_reason: str | None = None, confirm_missing_scores: bool | None = None) -> Decision:
    """Decide a project (or select it, where the policy calls its decision a selection), within
    the phases that allow decisions, if the policy names any (``core.services.calendar``;
    ``override_reason`` where a phase lets its approver act outside it). ``approved_amount``
    is yuan (string or int); default: as requested. ``approvals`` lists the codes of "needs
    approval" violations the panel explicitly approves. ``details`` fills the policy's decision
    form, if it declares one (stage "decide"), on approval. While panel members have not scored,
    the decision waits for them where the policy says so, and otherwise needs
    ``confirm_missing_scores`` (see ``_missing_scores``). Whoever may apply for the project
    (its own office) may not decide it: the permission table separates the two."""
    project = get_project(ctx, project_id, for_update=True)
    may = ctx.can(A.review_decide, project)
    if not may.allowed:
        raise Forbidden(may.reason if ctx.can(A.project_apply, project).allowed else
                        T("只有评审小组组长或街道管理员可以作出评审决定", "Only the panel chair or a street administrator may decide"))
    _require_reviewable(ctx, project)
    calendar.require(ctx, project.programme, A.review_decide, project, override_reason=override_reason)
    v = Violations()
    if outcome not in OUTCOMES:
        raise RuleError(Violation("invalid_outcome", T("评审结果只能是：通过、不通过、退回修改", "Outcome must be approved, rejected or returned"),
                                  field="outcome"))
    explanation = (explanation or "").strip()
    if outcome != "approved" and len(explanation) < MIN_EXPLANATION:
        v.add(Violation("explanation_required",
                        T(f"不通过或退回修改时必须写明理由（至少{MIN_EXPLANATION}个字），申报方将看到该理由",
                          f"A rejection or return needs an explanation of at least {MIN_EXPLANATION} characters; the applicant will read it"),
                        field="explanation"))
    v.extend(_missing_scores(ctx, project, confirm_missing_scores))
    approved_fen = None
    stored_details: dict = {}
    approvals = [str(a) for a in (approvals or [])]
    if outcome == "approved":
        if approved_amount is None or (isinstance(approved_amount, str) and not approved_amount.strip()):
            approved_fen = project.requested_fen
        else:
            try:
                approved_fen = yuan_to_fen(approved_amount)
            except MoneyError as exc:
                v.add(Violation("invalid_amount", amount_refusal(exc, T("核定金额", "The approved amount")),
                                field="approved_amount"))
        if approved_fen is not None and approved_fen > project.requested_fen:
            v.add(Violation("approved_over_requested", T("核定金额不能超过申请金额", "The approved amount cannot exceed the requested amount"),
                            field="approved_amount"))
        policy, config = policy_of(ctx, project.programme)
        stored_details = {}
        for spec in policy.forms(config, project.track, stage="decide"):
            try:
                stored_details[spec.key] = policy.validate_form(spec, (details or {}).get(spec.key) or {})
            except RuleError as err:
                v.extend(err.violations)
        if approved_fen is not None:
            for problem in policy.judge(facts(project, approved_fen, stored_details), "approve", config,
                                        SessionRuleContext(ctx)):
                if problem.blocks:
                    v.add(problem)
                elif problem.code not in approvals:
                    v.add(Violation(problem.code,
                                    T(f"{problem.message.zh}（需{problem.approver or '评审小组'}明确批准）",
                                      f"{problem.message.en} (needs explicit approval by {problem.approver or 'the panel'})"),
                                    field="approvals", clause=problem.clause))
    v.raise_if_blocking()
    before = project.state
    with ctx.action("review.decide"):
        decision = Decision(project_id=project.id, outcome=outcome, explanation=explanation, approved_fen=approved_fen,
                            approvals=approvals, details=stored_details if outcome == "approved" else {},
                            decided_by_id=ctx.actor.id)
        ctx.session.add(decision)
        project.state = outcome
        if outcome == "approved":
            # The money is promised in the same transaction: if a fund refuses (over its cap,
            # not enough allocated), the decision is refused too and nothing is written.
            ctx.session.flush()
            funding.commit_approval(ctx, project, decision, facts(project, approved_fen, stored_details))
        elif outcome == "rejected":
            holds.release(ctx, project, holds.REJECTED)
    _transitioned(ctx, project, "decide", before)
    return decision
