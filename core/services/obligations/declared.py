"""A programme's obligations as its policies declare them, and frozen as they were.

``declared`` asks the programme's policies (``PolicyStack.obligations``: every policy that
applies adds its own, each citing its clause). ``freeze`` writes them down the first time the
daily task meets a programme, as a programme froze its config when it opened: each obligation,
its periods of the programme year and each period's alerts (the reminder, then every step of
the escalation chain), so that the daily task can work on them as sets, and a later change of
the plugin does not move a date the street office has already announced.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.clock import SHANGHAI, UTC
from core.models import ObligationAlert, ObligationPeriod, Programme, ProgrammeObligation
from core.models.obligation import AlertKind, DueItem
from core.plugin_host.validation import PluginFailure
from core.plugin_host.obligations import Obligation, Period
from core.services.context import Ctx
from core.services.programmes import policy_of
from core.formats import day_words


def declared(ctx: Ctx, programme: Programme) -> list[tuple[str, Obligation]]:
    """(policy name, obligation) for every policy that applies to the programme. Raises
    ``PluginFailure`` when a policy fails or declares something malformed."""
    stack, config = policy_of(ctx, programme)
    return stack.obligations(config)


def declaration(ctx: Ctx, item: DueItem) -> Obligation | None:
    """The live declaration of a due item's obligation (its form): the policy and key it was
    frozen under. None when the policy no longer declares it."""
    row = item.obligation
    return next((o for policy, o in declared(ctx, row.programme) if policy == row.policy and o.key == row.key), None)


def _ends_at(day: dt.date) -> dt.datetime:
    """The moment a period ending on ``day`` is over: the next Shanghai midnight, in UTC."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=SHANGHAI).astimezone(UTC)


def _fund(ctx: Ctx, programme: Programme, policy_name: str, key: str | None) -> tuple[str | None, str | None]:
    """The kind and name of the policy's fund ``key``, which find its funds of the year."""
    if key is None:
        return None, None
    stack, _ = policy_of(ctx, programme)
    layer = next((layer for layer in stack.layers if layer.name == policy_name), None)
    spec = next((f for f in layer.policy.funds(layer.config) if f.key == key), None) if layer else None
    if spec is None:
        raise PluginFailure(policy_name, "tongxin_obligations", f"obligation names fund {key!r}, which it does not declare")
    return spec.kind, spec.name.zh


def _alerts(o: Obligation, period: Period) -> list[ObligationAlert]:
    due = day_words(period.due)
    out = [ObligationAlert(position=0, kind=AlertKind.reminder.value, role=role, level="owner",
                           fires_on=period.due - dt.timedelta(days=o.remind_days_before), until_on=period.due,
                           message_zh=f"将于{due.zh}截止，请按时提交", message_en=f"due on {due.en}: please hand it in on time")
           for role in dict.fromkeys(o.remind_roles)]
    for position, step in enumerate(o.escalation, start=1):
        out += [ObligationAlert(position=position, kind=AlertKind.escalation.value, role=role, level=step.level,
                                fires_on=period.due + dt.timedelta(days=step.after_days), until_on=period.closes,
                                message_zh=f"已于{due.zh}截止，仍未提交（逾期第{position}级提醒）",
                                message_en=f"was due on {due.en} and is not handed in (escalation step {position})")
                for role in dict.fromkeys(step.roles)]
    return out


def freeze(ctx: Ctx, programmes: list[Programme], faults: list[PluginFailure]) -> int:
    """Write down the obligations of the programmes that have none frozen yet (one query finds
    them); a policy that fails is left for the next run and its failure added to ``faults``.
    Returns the number of obligations frozen."""
    ids = [p.id for p in programmes]
    frozen = set(ctx.session.scalars(select(ProgrammeObligation.programme_id).distinct()
                                     .where(ProgrammeObligation.programme_id.in_(ids)))) if ids else set()
    rows = []
    for programme in programmes:
        if programme.id in frozen:
            continue
        try:
            found = declared(ctx, programme)
            funds = {(policy, o.key): _fund(ctx, programme, policy, o.fund) for policy, o in found}
        except PluginFailure as failure:
            faults.append(failure)
            continue
        for policy, o in found:
            clause = o.clause
            kind, name = funds[(policy, o.key)]
            row = ProgrammeObligation(programme_id=programme.id, policy=policy, key=o.key, label_zh=o.label.zh,
                                      label_en=o.label.en, clause_zh=clause.zh if clause else "",
                                      clause_en=clause.en if clause else "", owed_by=o.owed_by,
                                      accepted_by=o.accepted_by, fund_kind=kind, fund_name=name)
            rows.append(row)
            for period in o.periods(programme.year):
                prow = ObligationPeriod(obligation=row, key=period.key, label_zh=period.label.zh,
                                        label_en=period.label.en, starts_on=period.starts, ends_on=period.ends,
                                        due_on=period.due, opens_on=period.opens, closes_on=period.closes,
                                        ends_at=_ends_at(period.ends))
                rows.append(prow)
                for alert in _alerts(o, period):
                    alert.period = prow
                    rows.append(alert)
    if rows:
        ctx.session.add_all(rows)
        ctx.session.flush()
    return sum(isinstance(r, ProgrammeObligation) for r in rows)
