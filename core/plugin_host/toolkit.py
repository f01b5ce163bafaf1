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
                                            FundSpec, Panel, PermissionRule, Permissions, Phase, PolicyInfo, PublicParts, ReviewRules,
                                            Track)
from core.plugin_host.facts import BudgetRow, ProjectFacts, RuleContext
# delivery: plan tasks, activity records, people
from core.plugin_host.delivery_rules import DeliveryRules, ProjectPeriod
# reporting: what falls due, and when (tongxin_obligations)
from core.plugin_host.obligations import AfterQuarter, Escalation, MonthlyBy, Obligation, OnDays
from core.plugin_host.hookspecs import hookimpl
from core.plugin_host.todo import TODO_COLUMNS, TodoKind  # inbox: a policy's kinds of to-do
# supervision: what a policy's checklist, archive and tools are made of
from core.plugin_host.supervision import ArchiveItem, Checklist, ChecklistItem, Evidence, Tool
from core.tenancy import TenantOwned
from core.violations import RuleError, Violation
# A policy's own pages (``tongxin_blueprints``) read the config of the unit they are about.
from core.web.plugin_pages import current_policy_config

# Project states a rule may ask about (see ProjectFacts.state and RuleContext.count_projects).
# A closed project (结项) was approved: it still counts wherever an approved one does.
ACTIVE_STATES = ("draft", "submitted", "endorsed", "under_review", "returned", "approved", "closed")
SUBMITTED_STATES = ("submitted", "endorsed", "under_review", "approved", "closed")

__all__ = [
    "CorrectionDays", "MonthDay", "on", "validate_month_day",
    "hookimpl", "T", "Text", "Yuan", "MAX_YUAN", "fen_to_yuan", "format_yuan", "yuan_to_fen",
    "YuanDecimal", "format_money", "money_text",
    "AttachmentKind", "Choice", "EndorsementStep", "Criterion", "FormSpec", "Phase", "PolicyInfo", "PublicParts", "Track",
    "FundSpec", "Draw", "FundRequestRules", "ReviewRules", "A", "Action", "Allow", "PermissionRule", "Permissions",
    "BudgetRow", "ProjectFacts", "RuleContext", "Violation", "RuleError", "ACTIVE_STATES", "SUBMITTED_STATES",
    # A plugin's own tables: models subclass ``TenantOwned, Base`` (see docs/plugins.md).
    "Base", "TenantOwned", "JSONDoc", "Fen",
    # The web side: a section of the project page, and a policy page's config.
    "Panel", "current_policy_config",
    # inbox: what waits for someone (``tongxin_todo_kinds``).
    "TodoKind", "TODO_COLUMNS",
    # delivery: what a policy asks of a project being carried out (``tongxin_delivery_rules``).
    "DeliveryRules", "ProjectPeriod",
    # supervision: a visit's checklist, the archive's items and their evidence, the tools
    "Checklist", "ChecklistItem", "ArchiveItem", "Evidence", "Tool",
    # What falls due during the year (tongxin_obligations).
    "Obligation", "AfterQuarter", "MonthlyBy", "OnDays", "Escalation",
]
