"""The calendar, enforced: may this action happen today, under the programme's phases?

One rule, in one place (service guards call ``require``; pages and the API ask ``check``):

- A policy's phases (``tongxin_phases``, frozen into the programme when it opens) declare the
  typed actions they allow, each as an ``Allow`` carrying the clause that says so and how firmly.
- **Where a policy says nothing about an action, it is allowed all year**: only actions that
  some phase names are limited.
- **Where several phases allow an action, any open one suffices.**
- **Where several policies apply (policies stack), an action must be inside a window of every
  policy whose phases name it**: each policy's frozen calendar is judged on its own, and the
  first that refuses (the programme's own policy first, then the inherited ones from the top
  down) answers, citing its own clause.
- **Correction (补正).** A returned application may still take an action whose ``Allow``
  declares ``correction_days``: up to that many days after the window closed, or after the
  application was returned if that is later.
- Otherwise the action is refused with code ``window_closed``, naming every window for it and
  citing the clause of the nearest one (the next to open, else the last to close). That
  allowance's firmness decides how firmly: "block" refuses; "needs_approval" refuses unless
  the one acting holds its approver role over the object and gives a reason
  (``override_reason``), which the audit log records with the action's changes.

The phases' days are compared with the platform's clock (``ctx.clock.today()``: the Shanghai
day), so a test or a demo can pin them; a day an application was returned on is Shanghai's too.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from core.clock import local_date
from core.i18n import T, Text
from core.models import Decision, Endorsement, Programme, Project
from core.models.people import Role
from core.permissions import Action, holds_role
from core.plugin_host.contributions import Allow, Phase
from core.services.context import Ctx
from core.services.programmes import policy_phases
from core.violations import RuleError, Violation
from core.formats import day_words, days_words

WINDOW_CLOSED = "window_closed"
MIN_REASON, MAX_REASON = 5, 500


def _windows_in(phases: list[Phase], action: Action | str) -> list[tuple[Phase, Allow]]:
    out = [(p, a) for p in phases if (a := p.allowance(action)) is not None]
    return sorted(out, key=lambda pa: (pa[0].starts, pa[0].ends))


def policy_windows(programme: Programme, action: Action | str) -> list[tuple[str, list[tuple[Phase, Allow]]]]:
    """For each policy of the programme whose phases name ``action``: its name and the phases
    that allow it, each with its allowance, in calendar order (own policy first)."""
    return [(name, found) for name, phases in policy_phases(programme) if (found := _windows_in(phases, action))]


def windows(programme: Programme, action: Action | str) -> list[tuple[Phase, Allow]]:
    """The phases of every policy of the programme that allow ``action``, each with its
    allowance, in calendar order."""
    out = [pa for _, found in policy_windows(programme, action) for pa in found]
    return sorted(out, key=lambda pa: (pa[0].starts, pa[0].ends))


def open_window(programme: Programme, action: Action | str, day: dt.date) -> Phase | None:
    """The phase allowing ``action`` that is open on ``day``, if any."""
    return next((p for p, _ in windows(programme, action) if p.is_open(day)), None)


def window_text(programme: Programme, action: Action | str) -> Text:
    return _when(windows(programme, action))


def _when(found: list[tuple[Phase, Allow]]) -> Text:
    if not found:
        return T("全年均可办理", "any day of the year")
    return Text("；".join(f"{p.label.zh} {days_words(p.starts, p.ends).zh}" for p, _ in found),
                "; ".join(f"{p.label.en} {days_words(p.starts, p.ends).en}" for p, _ in found))


def returned_on(ctx: Ctx, project: Project) -> dt.date | None:
    """The day the application was last returned for changes (by the panel or the endorsing
    level), or None if it never was."""
    days = [ctx.session.scalar(select(func.max(Decision.decided_at)).where(
                Decision.project_id == project.id, Decision.outcome == "returned")),
            ctx.session.scalar(select(func.max(Endorsement.endorsed_at)).where(
                Endorsement.project_id == project.id, Endorsement.outcome == "returned"))]
    days = [local_date(d) if isinstance(d, dt.datetime) else d for d in days if d is not None]
    return max(days, default=None)


def correction_ends(phase: Phase, allow: Allow, returned: dt.date | None) -> dt.date | None:
    """The last day a returned application may still take the action after ``phase``."""
    if not allow.correction_days or returned is None or returned < phase.starts:
        return None
    return max(phase.ends, returned) + dt.timedelta(days=allow.correction_days)


@dataclass(frozen=True)
class Verdict:
    """The calendar's answer: allowed (in ``phase``, by its correction period, or all year when
    ``phase`` is None), or the refusal ``violation``; ``override`` when a named approver let it
    through outside its window."""

    violation: Violation | None = None
    phase: Phase | None = None
    correction: bool = False
    override: bool = False
    # Refused, but the one asking may still act with a reason (``override_reason``): they hold
    # the approver role of a "needs_approval" limit. Pages show the reason's field then.
    overridable: bool = False

    @property
    def allowed(self) -> bool:
        return self.violation is None


def _nearest(found: list[tuple[Phase, Allow]], day: dt.date) -> tuple[Phase, Allow]:
    upcoming = [pa for pa in found if pa[0].starts > day]
    return upcoming[0] if upcoming else max(found, key=lambda pa: pa[0].ends)


def check(ctx: Ctx, programme: Programme, action: Action, obj=None, *, override_reason: str | None = None,
          day: dt.date | None = None) -> Verdict:
    """May ``action`` happen on ``day`` (today) in ``programme``, on ``obj`` (the project, fund
    request, ... it concerns; a project gets its correction period)? See the module doc: every
    policy that names the action must let it through; the first that does not answers."""
    day = day or ctx.clock.today()
    verdicts = [_check_policy(ctx, programme, name, found, action, obj, override_reason, day)
                for name, found in policy_windows(programme, action)]
    refused = next((v for v in verdicts if not v.allowed), None)
    if refused is not None:
        return refused
    # Allowed by every policy: the verdict that says most (an override is audited, a correction noted).
    return next((v for v in verdicts if v.override), None) or next((v for v in verdicts if v.correction), None) \
        or (verdicts[0] if verdicts else Verdict())


def _check_policy(ctx: Ctx, programme: Programme, name: str, found: list[tuple[Phase, Allow]], action: Action, obj,
                  override_reason: str | None, day: dt.date) -> Verdict:
    """One policy's calendar on ``action``: ``found`` are its windows for it."""
    for phase, _ in found:
        if phase.is_open(day):
            return Verdict(phase=phase)
    project = obj if isinstance(obj, Project) else getattr(obj, "project", None)
    returned = returned_on(ctx, project) if isinstance(project, Project) and project.id is not None else None
    for phase, allow in found:
        last = correction_ends(phase, allow, returned)
        if last is not None and phase.ends < day <= last:
            return Verdict(phase=phase, correction=True)
    phase, allow = _nearest(found, day)
    refusal = _refusal(ctx, name, found, action, phase, allow, day)
    reason = override_reason.strip() if isinstance(override_reason, str) else ""
    overridable = allow.firmness == "needs_approval" and bool(allow.approver) \
        and holds_role(ctx.actor, allow.approver, obj if obj is not None else programme)
    if overridable and reason:
        if not MIN_REASON <= len(reason) <= MAX_REASON:
            return Verdict(Violation("override_reason_required", T(
                f"在时段外办理须写明理由（{MIN_REASON}至{MAX_REASON}个字）",
                f"Acting outside the window needs a reason of {MIN_REASON} to {MAX_REASON} characters"),
                field="override_reason", clause=refusal.clause), overridable=True)
        return Verdict(phase=phase, override=True)
    return Verdict(refusal, overridable=overridable)


def may_override(ctx: Ctx, programme: Programme, action: Action, obj=None, *, day: dt.date | None = None) -> bool:
    """Would the one acting be let through outside the window today by giving a reason (a
    "needs_approval" limit whose approver role they hold)? A page then asks for the reason
    beside the action's other inputs; ``check`` stays the one place that decides."""
    return check(ctx, programme, action, obj, override_reason="x" * MIN_REASON, day=day).override


def _refusal(ctx: Ctx, policy_name: str, found: list[tuple[Phase, Allow]], action: Action, phase: Phase,
             allow: Allow, day: dt.date) -> Violation:
    label = ctx.permissions.registry.get(action).label
    when = _when(found)
    clause = allow.clause if allow.clause.zh else ctx.host.policy(policy_name).info.source
    zh = f"{day_words(day).zh}不在「{label.zh}」的办理时段内（{when.zh}）"
    en = f"{day_words(day).en} is outside the window for '{label.en}' ({when.en})"
    approver = None
    if allow.firmness == "needs_approval" and allow.approver:
        approver = Role(allow.approver).label
        zh += f"；如确需办理，须由{approver.zh}写明理由后办理"
        en += f"; a {approver.en} may still do it, giving a reason"
    return Violation(WINDOW_CLOSED, Text(zh, en), clause=clause, severity=allow.firmness,
                     approver=approver.zh if approver else None)


def require(ctx: Ctx, programme: Programme, action: Action, obj=None, *,
            override_reason: str | None = None) -> Verdict:
    """``check``, raising ``RuleError`` (422, code ``window_closed``) when the calendar refuses.
    An override is noted in the audit entries of the action that follows."""
    verdict = check(ctx, programme, action, obj, override_reason=override_reason)
    if not verdict.allowed:
        raise RuleError(verdict.violation)
    if verdict.override:
        ctx.session.info["audit_note"] = {"phase_override": {"action": ctx.permissions.registry.get(action).key,
                                                             "phase": verdict.phase.key,
                                                             "reason": override_reason.strip()}}
    return verdict
