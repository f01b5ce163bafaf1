"""What a policy declares about the rest of a project's year, after approval, and how the
declarations of a programme's policies add up (the hooks are ``core.plugin_host.hookspecs.supervision``):

- the supervision **checklist** a visit is answered by (``Checklist`` of ``ChecklistItem``s);
- the **archive** a project keeps (``ArchiveItem``s, each naming the ``Evidence`` that fills it:
  records of a *source* core knows how to find, e.g. attachments of a kind, recorded expenses);
- the **tools** (forms and registers) a project works with, each done where a source says (``Tool``).

A source is named by key ("attachment", "expenses", "visits", ...): which sources exist is not
the policy's business but the platform's, which registers them when it is built
(``core.plugin_host.sources``); a source nobody registered yet shows as "not yet recorded".

**Stacking.** Every policy that applies to the programme contributes (own policy first, then
the inherited ones from the top down), as its rubric's criteria do: the checklists are listed
one after the other, each item citing its own clause (an inherited item without one cites its
policy's source); archive items and tools add up likewise. Keys must be unique across the
stack: a clash is the later policy's fault (``PluginFailure``).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from core.i18n import Text
from core.plugin_host.validation import PluginFailure, _is_int, _validate_text, _validate_unique, _validated_list

if TYPE_CHECKING:
    from core.plugin_host.stack import PolicyStack


@dataclass(frozen=True)
class ChecklistItem:
    """One thing a supervision visit checks (``key`` unique in the stack), with the clause it
    comes from and a hint for the visitor."""

    key: str
    label: Text
    clause: Text | None = None
    help: Text = Text("", "")


@dataclass(frozen=True)
class Checklist:
    """A policy's checklist for supervision visits: its title, its items, and the clause asking
    for the visit as a whole (cited when an answer names an item the checklist does not have)."""

    title: Text
    items: tuple[ChecklistItem, ...]
    clause: Text | None = None
    # The policy whose checklist it is (set by core when the stack gathers them).
    policy: str = ""


@dataclass(frozen=True)
class Evidence:
    """What fills (part of) an archive item: the records of ``source`` (a registered source's
    key), asked with ``params`` (e.g. ``{"kinds": ["minutes"]}`` for attachments of those kinds),
    described to people by ``label``."""

    source: str
    label: Text
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ArchiveItem:
    """One item of the project archive: complete when its evidence is found (``need``: "all"
    of it, or "any" one)."""

    key: str
    label: Text
    evidence: tuple[Evidence, ...]
    clause: Text | None = None
    need: Literal["all", "any"] = "all"


@dataclass(frozen=True)
class Tool:
    """A tool (form or register) of the policy's toolkit, done where ``source`` (a registered
    source's key, asked with ``params``) is kept: a form of the application, the change
    requests, the final accounts... ``number``: its number in the policy's list; ``stage``:
    when it is used; ``note``: how often (e.g. "每季度一次")."""

    key: str
    number: int
    label: Text
    stage: Text
    source: str
    params: dict = field(default_factory=dict)
    clause: Text | None = None
    note: Text = Text("", "")


# -- one policy: called, and what it returns checked -------------------------------------------------

CHECKLIST_HOOK, ARCHIVE_HOOK, TOOLS_HOOK = "tongxin_supervision_checklist", "tongxin_archive", "tongxin_project_tools"


def _checklist(policy, config: dict) -> Checklist | None:
    found = policy.call(CHECKLIST_HOOK, config=config)
    if found is None:
        return None
    if not isinstance(found, Checklist):
        raise PluginFailure(policy.name, CHECKLIST_HOOK, f"must return a Checklist or None, got {found!r}")
    _validate_text(policy.name, CHECKLIST_HOOK, found.title, "checklist title")
    items = _validated_list(policy.name, CHECKLIST_HOOK, found.items, ChecklistItem)
    _validate_unique(policy.name, CHECKLIST_HOOK, (i.key for i in items), "checklist item")
    for i in items:
        _validate_text(policy.name, CHECKLIST_HOOK, i.label, f"checklist item {i.key!r} label")
        if i.clause is not None:
            _validate_text(policy.name, CHECKLIST_HOOK, i.clause, f"checklist item {i.key!r} clause")
    return dataclasses.replace(found, items=tuple(items), policy=policy.name)


def _archive(policy, config: dict) -> list[ArchiveItem]:
    items = _validated_list(policy.name, ARCHIVE_HOOK, policy.call(ARCHIVE_HOOK, config=config), ArchiveItem)
    _validate_unique(policy.name, ARCHIVE_HOOK, (i.key for i in items), "archive item")
    for i in items:
        _validate_text(policy.name, ARCHIVE_HOOK, i.label, f"archive item {i.key!r} label")
        if i.need not in ("all", "any"):
            raise PluginFailure(policy.name, ARCHIVE_HOOK, f"archive item {i.key!r}: need must be 'all' or 'any'")
        evidence = _validated_list(policy.name, ARCHIVE_HOOK, i.evidence, Evidence)
        if not evidence:
            raise PluginFailure(policy.name, ARCHIVE_HOOK, f"archive item {i.key!r} names no evidence")
        for e in evidence:
            _validate_text(policy.name, ARCHIVE_HOOK, e.label, f"archive item {i.key!r} evidence label")
            if not isinstance(e.source, str) or not e.source or not isinstance(e.params, dict):
                raise PluginFailure(policy.name, ARCHIVE_HOOK, f"archive item {i.key!r}: evidence needs a source key and dict params")
    return items


def _tools(policy, config: dict) -> list[Tool]:
    tools = _validated_list(policy.name, TOOLS_HOOK, policy.call(TOOLS_HOOK, config=config), Tool)
    _validate_unique(policy.name, TOOLS_HOOK, (t.key for t in tools), "tool")
    for t in tools:
        _validate_text(policy.name, TOOLS_HOOK, t.label, f"tool {t.key!r} label")
        _validate_text(policy.name, TOOLS_HOOK, t.stage, f"tool {t.key!r} stage")
        if not _is_int(t.number) or not isinstance(t.source, str) or not t.source or not isinstance(t.params, dict):
            raise PluginFailure(policy.name, TOOLS_HOOK, f"tool {t.key!r} needs a whole number, a source key and dict params")
    return tools


# -- the stack: every applicable policy's, added up ---------------------------------------------------

def _cited(item, layer):
    """An inherited declaration without a clause cites its policy's source document."""
    return item if layer.own or item.clause is not None else dataclasses.replace(item, clause=layer.policy.info.source)


def checklists(stack: "PolicyStack", config: dict) -> list[Checklist]:
    """The checklists of every policy of the programme, own first; item keys unique across them."""
    out: list[Checklist] = []
    seen: set[str] = set()
    for layer, cfg in stack._pairs(config):
        found = _checklist(layer.policy, cfg)
        if found is None:
            continue
        keys = {i.key for i in found.items}
        stack._no_clash(layer, CHECKLIST_HOOK, "checklist item", seen, keys)
        seen |= keys
        out.append(dataclasses.replace(_cited(found, layer), items=tuple(_cited(i, layer) for i in found.items)))
    return out


def archive_items(stack: "PolicyStack", config: dict) -> list[ArchiveItem]:
    """The archive items of every policy of the programme, own first."""
    out: list[ArchiveItem] = []
    for layer, cfg in stack._pairs(config):
        mine = _archive(layer.policy, cfg)
        stack._no_clash(layer, ARCHIVE_HOOK, "archive item", {i.key for i in out}, {i.key for i in mine})
        out += [_cited(i, layer) for i in mine]
    return out


def project_tools(stack: "PolicyStack", config: dict) -> list[Tool]:
    """The tools of every policy of the programme, own first."""
    out: list[Tool] = []
    for layer, cfg in stack._pairs(config):
        mine = _tools(layer.policy, cfg)
        stack._no_clash(layer, TOOLS_HOOK, "tool", {t.key for t in out}, {t.key for t in mine})
        out += [_cited(t, layer) for t in mine]
    return out
