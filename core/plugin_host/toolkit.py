"""The stable surface for plugin authors: import from here, not from core's internals.

    from core.plugin_host.toolkit import hookimpl, PolicyInfo, Track, FormSpec, Violation, T, Yuan

Everything here keeps its name and meaning across minor versions of Tongxin. Two neighbours
complete it: ``core.plugin_host.migration_helpers`` (for a plugin's Alembic revisions) and
``core.plugin_host.testing`` (for a plugin's tests).
"""
from core.db import Base, Fen, JSONDoc
from core.i18n import T, Text
from core.money import MAX_YUAN, Yuan, YuanDecimal, fen_to_yuan, format_money, format_yuan, money_text, yuan_to_fen
from core.plugin_host.calendar import CorrectionDays, MonthDay, on, validate_month_day
from core.permissions.actions import A, Action
from core.plugin_host.contributions import (Allow, AttachmentKind, Choice, Criterion, Draw, EndorsementStep, FormSpec, FundRequestRules,
                                            FundSpec, Panel, PermissionRule, Permissions, Phase, PolicyInfo, Track)
from core.plugin_host.facts import BudgetRow, ProjectFacts, RuleContext
# reporting: what falls due, and when (tongxin_obligations)
from core.plugin_host.obligations import AfterQuarter, Escalation, MonthlyBy, Obligation, OnDays
from core.plugin_host.hookspecs import hookimpl
from core.tenancy import TenantOwned
from core.violations import RuleError, Violation
# A policy's own pages (``tongxin_blueprints``) read the config of the unit they are about.
from core.web.plugin_pages import current_policy_config

# Project states a rule may ask about (see ProjectFacts.state and RuleContext.count_projects).
ACTIVE_STATES = ("draft", "submitted", "endorsed", "under_review", "returned", "approved")
SUBMITTED_STATES = ("submitted", "endorsed", "under_review", "approved")

__all__ = [
    "CorrectionDays", "MonthDay", "on", "validate_month_day",
    "hookimpl", "T", "Text", "Yuan", "MAX_YUAN", "fen_to_yuan", "format_yuan", "yuan_to_fen",
    "YuanDecimal", "format_money", "money_text",
    "AttachmentKind", "Choice", "EndorsementStep", "Criterion", "FormSpec", "Phase", "PolicyInfo", "Track",
    "FundSpec", "Draw", "FundRequestRules", "A", "Action", "Allow", "PermissionRule", "Permissions",
    "BudgetRow", "ProjectFacts", "RuleContext", "Violation", "RuleError", "ACTIVE_STATES", "SUBMITTED_STATES",
    # A plugin's own tables: models subclass ``TenantOwned, Base`` (see docs/plugins.md).
    "Base", "TenantOwned", "JSONDoc", "Fen",
    # The web side: a section of the project page, and a policy page's config.
    "Panel", "current_policy_config",
    # What falls due during the year (tongxin_obligations).
    "Obligation", "AfterQuarter", "MonthlyBy", "OnDays", "Escalation",
]
