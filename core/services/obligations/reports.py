"""Reports for due items: written, handed in, returned with reasons or accepted, version by version;
and the 通报 (a notice on a late unit) that the accepting level may issue.

A report goes draft → submitted → returned (with reasons) → (a new draft, from the returned
version) → submitted → accepted. Each version handed in is kept (``ObligationReport``) with the
facts the platform knew at that moment; a draft is the next version until it is handed in. Where
the policy names nobody to accept it (``accepted_by`` None), handing it in completes it.

Refused with the reason and the obligation's clause: writing for a unit one does not belong to
(403), a second report for a period already handed in or accepted (409), handing in before the
period opens or after it closed (409), a form that does not validate (422, every field named),
returning without a reason. Nothing is half-saved: each service changes its rows in the caller's
transaction, which the caller commits.

The people concerned hear of it (``Notification`` rows, once each by their dedupe key): the
accepting level's administrators when a report is handed in (kind ``report_submitted``), the
unit that owes it when it is returned (``report_returned``), accepted (``report_accepted``) or
named in a 通报 (``obligation_notice``).
"""
from __future__ import annotations

from marshmallow import Schema, ValidationError
from sqlalchemy import select

from core.forms import validation_violations
from core.i18n import T
from core.models import DueItem, Membership, Notification, ObligationAlert, ObligationReport, User
from core.models.obligation import OWED_STATES, ItemState, ReportState
from core.permissions import A
from core.plugin_host.obligations import Obligation
from core.services.context import Ctx
from core.services.obligations import items, prefill
from core.services.obligations.declared import declaration
from core.violations import RuleError, Violation

MIN_REASON = 5
TEXT_MAX = 2000


def obligation_of(ctx: Ctx, item: DueItem) -> Obligation:
    """The live declaration (its form); a policy that no longer declares it cannot take reports."""
    found = declaration(ctx, item)  # a failing policy raises PluginFailure: a 503, recorded
    if found is None:
        raise RuleError(Violation("obligation_withdrawn", T("政策已不再要求此项应交事项，无法填报",
                                                            "The policy no longer asks for this obligation"),
                                  clause=items.clause(item)), status=409)
    return found


def versions(ctx: Ctx, item_id: int) -> list[ObligationReport]:
    item = items.get_item(ctx, item_id)
    return list(ctx.session.scalars(select(ObligationReport).where(ObligationReport.item_id == item.id)
                                    .order_by(ObligationReport.number)))


def latest(ctx: Ctx, item: DueItem) -> ObligationReport | None:
    return ctx.session.scalars(select(ObligationReport).where(ObligationReport.item_id == item.id)
                               .order_by(ObligationReport.number.desc()).limit(1)).first()


def starting_body(ctx: Ctx, item: DueItem, form: type[Schema], found: dict | None = None) -> dict:
    """What a writer starts from: the draft, else the last version handed in (a returned one is
    corrected, not retyped), else the form prefilled from the facts."""
    last = latest(ctx, item)
    if last is not None:
        return dict(last.body or {})
    return prefill.initial(form, found if found is not None else prefill.facts(ctx, item))


def _validated(form: type[Schema], body: dict, *, draft: bool = False) -> dict:
    """The body loaded by the form (a draft may leave required fields empty: they are required
    when it is handed in)."""
    try:
        schema = form()
        return schema.dump(schema.load(body, partial=draft))
    except ValidationError as err:
        raise RuleError(validation_violations(err, prefix="body", schema=form()), status=422) from None


def save(ctx: Ctx, item_id: int, body: dict) -> ObligationReport:
    """Write (or rewrite) the draft of the item's next version."""
    item = items.get_item(ctx, item_id)
    items.require_writer(ctx, item)
    items.refuse_if_project_closed(ctx, item)
    last = latest(ctx, item)
    items.require_owed(ctx, item, last.number if last else None)
    items.require_open(ctx, item, handing_in=False)
    form = obligation_of(ctx, item).form
    data = _validated(form, prefill.merge_rows(form, body if isinstance(body, dict) else {}, prefill.facts(ctx, item)),
                      draft=True)
    with ctx.action("obligation.report_save"):
        if last is not None and last.state == ReportState.draft.value:
            last.body, last.written_by_id = data, ctx.actor.id
            report = last
        else:
            report = ObligationReport(item_id=item.id, number=(last.number + 1) if last else 1,
                                      state=ReportState.draft.value, body=data, facts={}, written_by_id=ctx.actor.id)
            ctx.session.add(report)
        item.state = ItemState.draft.value
    return report


def submit(ctx: Ctx, item_id: int, body: dict | None = None) -> ObligationReport:
    """Hand the draft in (``body``: save it first, in the same step). The facts the platform
    knows are frozen into the version; where nobody accepts it, it is complete."""
    item = items.get_item(ctx, item_id)
    items.require_writer(ctx, item)
    items.refuse_if_project_closed(ctx, item)
    last = latest(ctx, item)
    items.require_owed(ctx, item, last.number if last else None)
    items.require_open(ctx, item, handing_in=True)
    if body is not None:  # every problem of the form at once, as handing it in would name them
        form = obligation_of(ctx, item).form
        _validated(form, prefill.merge_rows(form, body if isinstance(body, dict) else {}, prefill.facts(ctx, item)))
        last = save(ctx, item_id, body)
    if last is None or last.state != ReportState.draft.value:
        raise RuleError(Violation("report_missing", T("请先填写报告再提交", "Write the report before handing it in"),
                                  field="body", clause=items.clause(item)), status=422)
    form = obligation_of(ctx, item).form
    found = prefill.facts(ctx, item)
    data = _validated(form, prefill.merge_rows(form, last.body or {}, found))
    complete = item.obligation.accepted_by is None
    with ctx.action("obligation.report_submit"):
        last.body, last.facts = data, found
        last.state = (ReportState.accepted if complete else ReportState.submitted).value
        last.submitted_by_id, last.submitted_at = ctx.actor.id, ctx.clock.now()
        item.state = (ItemState.accepted if complete else ItemState.submitted).value
        if not complete:
            _notify(ctx, item, last, "report_submitted", _reviewers(ctx, item),
                    T(f"待审核：{item.owner_unit.name}提交了{_name(item)}", f"To accept: {_name_en(item)} was handed in"))
    return last


def return_report(ctx: Ctx, item_id: int, reason: str) -> ObligationReport:
    """Return the version handed in, with the reasons its writers read."""
    item = items.get_item(ctx, item_id)
    items.require_reviewer(ctx, item)
    last = _awaiting(ctx, item)
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise RuleError(Violation("reason_required", T(f"退回须写明理由（至少{MIN_REASON}个字），填报单位将看到",
                                                       f"Say why (at least {MIN_REASON} characters): the writers read it"),
                                  field="reason"), status=422)
    with ctx.action("obligation.report_return"):
        last.state, last.review_note = ReportState.returned.value, reason[:TEXT_MAX]
        last.reviewed_by_id, last.reviewed_at = ctx.actor.id, ctx.clock.now()
        item.state = ItemState.returned.value
        _notify(ctx, item, last, "report_returned", _owers(ctx, item),
                T(f"已退回：{_name(item)}，理由：{reason}"[:200], f"Returned: {_name_en(item)}: {reason}"[:200]))
    return last


def accept(ctx: Ctx, item_id: int, note: str = "") -> ObligationReport:
    """Accept the version handed in."""
    item = items.get_item(ctx, item_id)
    items.require_reviewer(ctx, item)
    last = _awaiting(ctx, item)
    with ctx.action("obligation.report_accept"):
        last.state, last.review_note = ReportState.accepted.value, (note or "").strip()[:TEXT_MAX]
        last.reviewed_by_id, last.reviewed_at = ctx.actor.id, ctx.clock.now()
        item.state = ItemState.accepted.value
        _notify(ctx, item, last, "report_accepted", _owers(ctx, item),
                T(f"已通过：{_name(item)}", f"Accepted: {_name_en(item)}"))
    return last


def issue_notice(ctx: Ctx, item_id: int, text: str) -> DueItem:
    """通报: the accepting level names a late unit (an item overdue, still owed), once."""
    item = items.get_item(ctx, item_id)
    items.require_reviewer(ctx, item)
    if item.overdue_since is None or item.state not in OWED_STATES:
        raise RuleError(Violation("not_late", T("只能通报逾期未交的单位", "Only a unit that is late may be named in a notice"),
                                  clause=items.clause(item)), status=409)
    if item.noticed_at is not None:
        raise RuleError(Violation("already_noticed", T("该单位本期已被通报", "This unit was already named for this period")),
                        status=409)
    text = (text or "").strip()
    if len(text) < MIN_REASON:
        raise RuleError(Violation("reason_required", T(f"请写明通报内容（至少{MIN_REASON}个字）",
                                                       f"Write the notice (at least {MIN_REASON} characters)"),
                                  field="text"), status=422)
    with ctx.action("obligation.notice"):
        item.notice_text, item.noticed_at, item.noticed_by_id = text[:TEXT_MAX], ctx.clock.now(), ctx.actor.id
        _notify(ctx, item, None, "obligation_notice", _owers(ctx, item),
                T(f"通报：{_name(item)}逾期未交。{text}"[:200], f"Notice: {_name_en(item)} is late. {text}"[:200]))
    return item


def _awaiting(ctx: Ctx, item: DueItem) -> ObligationReport:
    last = latest(ctx, item)
    if item.state != ItemState.submitted.value or last is None or last.state != ReportState.submitted.value:
        raise RuleError(Violation("not_submitted", T("该报告不在待审核状态", "The report is not awaiting acceptance"),
                                  clause=items.clause(item)), status=409)
    return last


def _name(item: DueItem) -> str:
    return f"「{item.obligation.label_zh}」（{item.period.label_zh}）"


def _name_en(item: DueItem) -> str:
    return f"{item.obligation.label_en} ({item.period.label_en})"


def _holders(ctx: Ctx, unit_id: int, roles) -> list[int]:
    return list(ctx.session.scalars(select(Membership.user_id).distinct()
                                    .join(User, User.id == Membership.user_id)
                                    .where(Membership.org_unit_id == unit_id, Membership.role.in_(list(roles)),
                                           User.is_active.is_(True))))


def _reviewers(ctx: Ctx, item: DueItem) -> list[int]:
    unit = items.accepting_unit(ctx, item)
    # whoever holds a role the permission table lets accept reports, at the accepting unit
    roles = [r.value for r in ctx.permissions.roles_for(A.obligation_review)]
    return _holders(ctx, unit.id, roles) if unit is not None else []


def _owers(ctx: Ctx, item: DueItem) -> list[int]:
    """Who is reminded of the item: the roles of its reminder, at the unit that owes it."""
    roles = ctx.session.scalars(select(ObligationAlert.role).where(ObligationAlert.period_id == item.period_id,
                                                                   ObligationAlert.position == 0)).all()
    return _holders(ctx, item.owner_unit_id, roles or ("neighbourhood_staff",))


def _notify(ctx: Ctx, item: DueItem, report: ObligationReport | None, kind: str, users: list[int], subject) -> None:
    ctx.session.flush()  # the report's id names its notices
    stamp = f"{report.id}:{report.number}:{report.state}" if report is not None else "notice"
    for user_id in users:
        key = f"{kind}:{item.id}:{stamp}:{user_id}"
        if ctx.session.scalars(select(Notification.id).where(Notification.dedupe_key == key)).first() is None:
            ctx.session.add(Notification(user_id=user_id, kind=kind, subject=subject.zh[:200],
                                         body=f"{item.owner_unit.name} · {subject.zh}", link=f"/obligations/{item.id}",
                                         dedupe_key=key))
