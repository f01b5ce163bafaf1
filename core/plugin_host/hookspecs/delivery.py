"""Carrying a project out: what a policy says about an approved project's period and its people
registry. See the package doc (``core.plugin_host.hookspecs``) for the contract, and
``core.plugin_host.delivery_rules`` for how the answers of a programme's policies stack."""
from __future__ import annotations

from core.plugin_host.delivery_rules import DeliveryRules
from core.plugin_host.facts import ProjectFacts
from core.plugin_host.markers import hookspec


@hookspec
def tongxin_delivery_rules(project: ProjectFacts, config: dict) -> DeliveryRules | None:
    """What the policy asks of an approved project while it is carried out, as ``DeliveryRules``
    (or None for nothing): the project's ``period`` (a ``ProjectPeriod``: the days its activity
    records and plan tasks must fall within, read from ``project.forms`` — say which fields in
    ``source`` — with the clause a refusal cites), whether each person of the people registry
    must have given consent (``consent_required``, ``consent_clause``), how many years the
    registry is kept after the close-out (``retention_years``, ``retention_clause``), and whether
    children's data may be collected (``children_allowed``; default not). ``config`` is the
    programme's frozen config of this policy. Every applicable policy is asked: an activity must
    fall inside every declared period, consent is required where any policy requires it, the
    longest retention holds. Where no policy declares a period, the programme's year does.

    Example::

        @hookimpl
        def tongxin_delivery_rules(project, config):
            form = project.forms.get("application") or {}
            if not form.get("start_date"):
                return DeliveryRules(consent_required=True)
            return DeliveryRules(
                period=ProjectPeriod(dt.date.fromisoformat(form["start_date"]), dt.date.fromisoformat(form["end_date"]),
                                     T("申报表的开始日期和结束日期", "the application's start and end dates"),
                                     clause=T("工具清单 第5项：活动记录", "Toolkit item 5: activity records")),
                consent_required=config["consent_required"], retention_years=config["retention_years"])
    """
