"""The policies that apply to one programme, called as one: policies stack.

A programme is one policy's year at one org unit, but that policy is not alone: a policy
enabled on a unit above (a district's rules) holds in every programme of the units below it,
beside the programme's own. ``PolicyStack`` is the programme's policies — its own first, then
those it inherited, from the top of the tree down — each with the config and version the
programme froze when it opened (``core.services.programmes.policy_of`` builds it). It answers
the questions ``Policy`` answers, with the same signatures, so a caller never asks which
policy has the answer; ``config`` is always the programme's own policy's config (what callers
hold), the inherited policies' configs are the stack's own.

How the answers of several policies combine (docs/plugins.md, "Policies that stack"):

- **rules judge together**: every policy's ``tongxin_project_rules`` judges each action with
  its own config; the violations add up, each citing its own clause (an inherited policy's
  violation without one cites that policy's source). So where two policies set the same limit
  (a cap) the stricter holds: each refuses beyond its own number;
- **contributions add up**: forms, attachment kinds, tags, review criteria, supervision
  checklists, archive items and tools of every policy,
  own first; keys must be unique across the stack (a clash is the later policy's fault,
  ``PluginFailure``); an inherited form, kind or criterion without a clause cites its
  policy's source;
- **what is public** adds up: each policy marks its own forms' fields and attachment kinds
  (``tongxin_public_parts``); nothing is public unless some policy of the stack marks it;
- **budget categories**: a row must satisfy every policy that lists categories, so the editor
  offers only the categories every list allows;
- **the shape of the call is the programme's own**: its tracks, its endorsement step and its review rules;
- **fund requests**: the stricter holds (beneficiaries are required, and requests are
  supervised, where any policy says so);
- **funds stay each policy's own**: an inherited policy's fund keys are kept apart as
  ``"<policy>.<key>"`` (its hooks still use their own keys: ``ScopedRuleContext`` translates);
  for an approval the inherited policies draw first, from the top down, and the own policy
  meets what they left open (each sees that as ``project.approved_fen``);
- **windows**: an action must lie inside a window of every policy that names it
  (``core.services.calendar``, from each policy's frozen phases);
- **obligations add up**: what falls due under each policy, each keyed by its policy and citing
  its own clause (an inherited obligation without one cites its policy's source).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Iterator

from core.plugin_host.validation import PluginFailure
from core.plugin_host.contributions import (AttachmentKind, Choice, Criterion, Draw, EndorsementStep, FormSpec,
                                            FundRequestRules, FundSpec, PolicyInfo, PublicParts, ReviewRules, Track)
from core.plugin_host.facts import ProjectFacts, RuleContext
from core.plugin_host.manager import Policy, PluginHost
from core.plugin_host import supervision
from core.plugin_host.obligations import Obligation
from core.violations import Violation

# An inherited policy's fund key as the programme knows it: "<policy name>.<key>". Policy names
# are lower-case identifiers, so the dot cannot be part of one.
KEY_SEPARATOR = "."


@dataclass(frozen=True)
class Layer:
    """One policy of a programme: the loaded config and the version (``PolicyInfo.version``) the
    programme froze for it, and whether it is the programme's own."""

    policy: Policy
    config: dict
    version: str
    own: bool

    @property
    def name(self) -> str:
        return self.policy.name

    def fund_key(self, key: str) -> str:
        """``key`` of this policy's fund as the programme knows it."""
        return key if self.own else f"{self.name}{KEY_SEPARATOR}{key}"


class ScopedRuleContext:
    """A ``RuleContext`` for an inherited policy: its fund keys are its own ("foundation"),
    the programme's are qualified ("district_fund.foundation")."""

    def __init__(self, context: RuleContext, layer: Layer):
        self._context, self._layer = context, layer

    def count_projects(self, **kwargs) -> int:
        return self._context.count_projects(**kwargs)

    def unit_is_within(self, unit_id: int, ancestor_id: int) -> bool:
        return self._context.unit_is_within(unit_id, ancestor_id)

    def fund_available(self, project: ProjectFacts, fund: str) -> int:
        return self._context.fund_available(project, self._layer.fund_key(fund))

    def fund_committed(self, project: ProjectFacts, fund: str) -> int:
        return self._context.fund_committed(project, self._layer.fund_key(fund))


class PolicyStack:
    """The programme's policies (see the module doc). ``own`` is the programme's own policy;
    ``inherited`` those enabled above its unit, from the top of the tree down."""

    def __init__(self, own: Layer, inherited: tuple[Layer, ...] | list[Layer] = ()):
        if not own.own or any(layer.own for layer in inherited):
            raise ValueError("a stack has exactly one own policy")
        self.own_layer = own
        self.inherited = tuple(inherited)
        self._form_owners: dict[str, Policy] = {}

    # -- who ----------------------------------------------------------------------------------------
    @property
    def layers(self) -> tuple[Layer, ...]:
        return (self.own_layer, *self.inherited)

    @property
    def own(self) -> Policy:
        return self.own_layer.policy

    @property
    def name(self) -> str:
        return self.own.name

    @property
    def info(self) -> PolicyInfo:
        return self.own.info

    @property
    def host(self) -> PluginHost:
        return self.own.host

    def _pairs(self, config: dict | None) -> Iterator[tuple[Layer, dict]]:
        """Each layer with the config to ask it with: the caller's for the own policy."""
        yield self.own_layer, (config if config is not None else self.own_layer.config)
        for layer in self.inherited:
            yield layer, layer.config

    # -- the shape of the call: the programme's own ------------------------------------------------
    def tracks(self, config: dict) -> list[Track]:
        return self.own.tracks(config)

    def track(self, config: dict, key: str) -> Track | None:
        return self.own.track(config, key)

    def endorsement(self, config: dict) -> EndorsementStep | None:
        return self.own.endorsement(config)

    def review_rules(self, config: dict) -> ReviewRules:
        return self.own.review_rules(config)

    # -- contributions that add up --------------------------------------------------------------
    def forms(self, config: dict, track: str | None = None, stage: str = "apply") -> list[FormSpec]:
        out: list[FormSpec] = []
        for layer, cfg in self._pairs(config):
            mine = layer.policy.forms(cfg, track, stage)
            self._no_clash(layer, "tongxin_forms", "form", {f.key for f in out}, {f.key for f in mine})
            for f in mine:
                self._form_owners[f.key] = layer.policy
                out.append(f if layer.own or f.clause is not None else dataclasses.replace(f, clause=layer.policy.info.source))
        return out

    def validate_form(self, spec: FormSpec, data: dict) -> dict:
        """The form validated by the policy that declares it."""
        owner = self._form_owners.get(spec.key)
        if owner is None:
            for stage in ("apply", "decide"):
                self.forms(self.own_layer.config, None, stage)
            owner = self._form_owners.get(spec.key, self.own)
        return owner.validate_form(spec, data)

    def attachment_kinds(self, config: dict) -> list[AttachmentKind]:
        out: list[AttachmentKind] = []
        for layer, cfg in self._pairs(config):
            mine = layer.policy.attachment_kinds(cfg)
            self._no_clash(layer, "tongxin_attachment_kinds", "attachment kind", {k.key for k in out}, {k.key for k in mine})
            out += [k if layer.own or k.clause is not None else dataclasses.replace(k, clause=layer.policy.info.source)
                    for k in mine]
        return out

    def tags(self, config: dict) -> list[Choice]:
        out: list[Choice] = []
        for layer, cfg in self._pairs(config):
            seen = {t.value for t in out}
            out += [t for t in layer.policy.tags(cfg) if t.value not in seen]  # one tag, however many lists offer it
        return out

    def rubric(self, config: dict) -> list[Criterion]:
        out: list[Criterion] = []
        for layer, cfg in self._pairs(config):
            mine = layer.policy.rubric(cfg)
            self._no_clash(layer, "tongxin_review_rubric", "criterion", {c.key for c in out}, {c.key for c in mine})
            out += [c if layer.own or c.clause is not None else dataclasses.replace(c, clause=layer.policy.info.source)
                    for c in mine]
        return out

    def project_panels(self, *, config: dict, **kwargs) -> list:
        """Every policy's sections of the project page (``tongxin_project_panels``), each policy
        asked with its own config."""
        out = []
        for layer, cfg in self._pairs(config):
            out += layer.policy.project_panels(config=cfg, **kwargs)
        return out

    # supervision: checklists, archive items and tools add up (``core.plugin_host.supervision``)
    def supervision_checklists(self, config: dict) -> list[supervision.Checklist]:
        return supervision.checklists(self, config)

    def archive_items(self, config: dict) -> list[supervision.ArchiveItem]:
        return supervision.archive_items(self, config)

    def project_tools(self, config: dict) -> list[supervision.Tool]:
        return supervision.project_tools(self, config)

    def obligations(self, config: dict) -> list[tuple[str, Obligation]]:
        """What falls due under every policy (``tongxin_obligations``): (policy name, obligation)
        pairs, the own policy's first; they add up, each keyed by its policy, and an inherited
        obligation without a clause cites its policy's source."""
        out = []
        for layer, cfg in self._pairs(config):
            out += [(layer.name, o if layer.own or o.clause is not None else dataclasses.replace(o, clause=layer.policy.info.source))
                    for o in layer.policy.obligations(cfg)]
        return out

    def public_parts(self, config: dict) -> PublicParts:
        """What every policy marks public, together (each marks its own forms and kinds)."""
        fields_, kinds = [], []
        for layer, cfg in self._pairs(config):
            mine = layer.policy.public_parts(cfg)
            fields_ += [f for f in mine.fields if f not in fields_]
            kinds += [k for k in mine.attachment_kinds if k not in kinds]
        return PublicParts(tuple(fields_), tuple(kinds))

    def budget_categories(self, config: dict) -> list[Choice]:
        """The categories a row may take: those every policy with a list allows ([]: no list)."""
        lists = [found for layer, cfg in self._pairs(config) if (found := layer.policy.budget_categories(cfg))]
        if not lists:
            return []
        allowed = set.intersection(*({c.value for c in found} for found in lists))
        return [c for c in lists[0] if c.value in allowed]

    @staticmethod
    def _no_clash(layer: Layer, hook: str, what: str, before: set[str], mine: set[str]) -> None:
        clash = sorted(before & mine)
        if clash:
            raise PluginFailure(layer.name, hook, f"{what} {clash[0]!r} is already declared by another policy that "
                                                  "applies to the programme; prefix your keys with your policy's name")

    # -- rules: every policy judges ---------------------------------------------------------------
    def judge(self, project: ProjectFacts, action: str, config: dict, context: RuleContext) -> list[Violation]:
        found: list[Violation] = []
        for layer, cfg in self._pairs(config):
            facts = dataclasses.replace(project, policy_version=layer.version)
            scoped = context if layer.own else ScopedRuleContext(context, layer)
            for v in layer.policy.judge(facts, action, cfg, scoped):
                found.append(v if layer.own or v.clause is not None
                             else dataclasses.replace(v, clause=layer.policy.info.source))
        return found

    def transitioned(self, **kwargs) -> None:
        config, project = kwargs.pop("config", None), kwargs.pop("project", None)
        for layer, cfg in self._pairs(config):
            facts = dataclasses.replace(project, policy_version=layer.version) if project is not None else None
            layer.policy.transitioned(project=facts, config=cfg, **kwargs)

    def fund_request_rules(self, config: dict) -> FundRequestRules:
        """The stricter holds: beneficiaries required, and supervision, where any policy asks;
        the clause and label of the first policy (own first) that asks."""
        rules = [(layer, layer.policy.fund_request_rules(cfg)) for layer, cfg in self._pairs(config)]
        own = rules[0][1]
        asking = next((r for _, r in rules if r.beneficiaries_required or r.supervision), own)
        supervising = next((r for _, r in rules if r.supervision), own)
        return FundRequestRules(beneficiaries_required=any(r.beneficiaries_required for _, r in rules),
                                supervision=any(r.supervision for _, r in rules),
                                supervision_label=supervising.supervision_label,
                                clause=asking.clause if asking.clause is not None else own.clause)

    # -- money: each policy's own funds -------------------------------------------------------------
    def funds(self, config: dict) -> list[FundSpec]:
        """Every policy's funds, the own policy's first (its keys as they are), then the
        inherited ones' under qualified keys."""
        out: list[FundSpec] = []
        for layer, cfg in self._pairs(config):
            out += [s if layer.own else dataclasses.replace(s, key=layer.fund_key(s.key)) for s in layer.policy.funds(cfg)]
        return out

    def own_funds(self, config: dict) -> list[FundSpec]:
        return self.own.funds(config)

    def is_own_fund(self, key: str) -> bool:
        return KEY_SEPARATOR not in key or not any(key.startswith(layer.name + KEY_SEPARATOR) for layer in self.inherited)

    def funding(self, project: ProjectFacts, config: dict, context: RuleContext) -> list[Draw]:
        """The draws of every policy: the inherited ones asked first (top down), the own policy
        last, each with ``approved_fen`` = what is still open; listed own first."""
        pairs = list(self._pairs(config))
        open_fen = project.approved_fen
        asked: dict[str, list[Draw]] = {}
        for layer, cfg in pairs[1:] + pairs[:1]:
            facts = dataclasses.replace(project, approved_fen=open_fen, policy_version=layer.version)
            scoped = context if layer.own else ScopedRuleContext(context, layer)
            draws = [d if layer.own else dataclasses.replace(d, fund=layer.fund_key(d.fund))
                     for d in layer.policy.funding(facts, cfg, scoped)]
            asked[layer.name] = draws
            if open_fen is not None:
                open_fen -= sum(d.amount_fen for d in draws)
        return [d for layer, _ in pairs for d in asked[layer.name]]
