"""The stable surface for plugin authors: import from here, not from core's internals.

    from core.plugin_host.toolkit import hookimpl, PolicyInfo, Track, FormSpec, Violation, T, Yuan

Everything here keeps its name and meaning across minor versions of Tongxin.
"""
from core.i18n import T, Text
from core.money import Yuan, fen_to_yuan, format_yuan, yuan_to_fen
from core.plugin_host.contributions import AttachmentKind, Choice, Criterion, FormSpec, Phase, PolicyInfo, Track
from core.plugin_host.facts import ProjectFacts, RuleContext
from core.plugin_host.hookspecs import hookimpl
from core.violations import Violation

# Project states a rule may ask about (see ProjectFacts.state and RuleContext.count_projects).
ACTIVE_STATES = ("draft", "submitted", "under_review", "returned", "approved")
SUBMITTED_STATES = ("submitted", "under_review", "approved")

__all__ = [
    "hookimpl", "T", "Text", "Yuan", "fen_to_yuan", "format_yuan", "yuan_to_fen",
    "AttachmentKind", "Choice", "Criterion", "FormSpec", "Phase", "PolicyInfo", "Track",
    "ProjectFacts", "RuleContext", "Violation", "ACTIVE_STATES", "SUBMITTED_STATES",
]
