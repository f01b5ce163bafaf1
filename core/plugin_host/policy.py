"""A policy as core calls it: one plugin's hooks, routed to that plugin alone, with what comes
back validated (types, unique keys, sane dates; see ``core.plugin_host.validation``) and
any exception wrapped in ``PluginFailure`` so callers can contain it. The ``PluginHost``
(``core.plugin_host.manager``) keeps one per loaded plugin; a programme's policies together are
a ``PolicyStack`` (``core.plugin_host.stack``)."""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from marshmallow import Schema, ValidationError

from core.forms import validation_violations
from core.i18n import Text
from core.plugin_host.validation import (FUND_OWNERS, SEVERITIES, PluginFailure, _validated_list,
                                     _validate_text, _validate_unique, _is_int, validate_allowances)
from core.plugin_host.contributions import (AttachmentKind, Choice, Criterion, Draw,
                                            EndorsementStep, FormSpec, FundRequestRules, FundSpec,
                                            Panel, Phase, PolicyInfo, PublicParts, ReviewRules, Track)
from core.plugin_host.facts import ProjectFacts, RuleContext
from core.violations import RuleError, Violation

if TYPE_CHECKING:  # the host holds its policies; a policy only names its host's type
    from core.plugin_host.manager import PluginHost

log = logging.getLogger("core.plugin_host.manager")  # one logger for the host and its policies
LOAD_VALIDATION_YEAR = 2024  # the year whose calendar is validated when a plugin loads


@dataclass
class Policy:
    """A handle on one installed policy plugin."""

    host: "PluginHost"
    name: str
    plugin: object
    info: PolicyInfo
    # The installed distribution that published it ("tongxin 0.1.0"), from its metadata; None for
    # a plugin injected without one (tests). Frozen into each programme beside ``info.version``.
    distribution: str | None = None

    # -- calling ------------------------------------------------------------------------------
    def call(self, hook: str, **kwargs) -> Any:
        """Call one of this plugin's hooks (keywords only). Exceptions become PluginFailure,
        except a deliberate ``RuleError`` (a refusal with reasons), which passes through."""
        caller = self.host._caller(self.name, hook)
        try:
            return caller(**kwargs)
        except PluginFailure:
            raise
        except RuleError:
            raise  # a plugin may refuse deliberately with reasons
        except Exception as exc:  # noqa: BLE001 - containment is the point
            log.exception("plugin %s failed in %s", self.name, hook)
            raise PluginFailure(self.name, hook, exc) from exc

    # -- configuration ------------------------------------------------------------------------
    def config_schema(self) -> Schema:
        return self.info.config_schema()

    def load_config(self, raw: dict | None) -> dict:
        """Validate a street's settings; returns the loaded config with defaults filled in.
        Raises ``RuleError`` naming each bad field (in Chinese, with the field's label)."""
        schema = self.config_schema()
        if raw is not None and not isinstance(raw, dict):
            raise RuleError(Violation("invalid_config", Text("配置应为“名称: 值”的对象", "The config must be an object"),
                                      field="config"))
        try:
            return schema.load(raw or {})
        except ValidationError as err:
            raise RuleError(validation_violations(err, prefix="config", schema=schema)) from err
        except Exception as exc:  # noqa: BLE001 - a validator of the plugin's schema crashed
            raise PluginFailure(self.name, "config_schema", exc) from exc

    def stored_config(self, raw: dict | None) -> dict:
        """Validate and return the JSON form that is stored (and frozen into programmes)."""
        loaded = self.load_config(raw)
        try:
            return self.config_schema().dump(loaded)
        except Exception as exc:  # noqa: BLE001
            raise PluginFailure(self.name, "config_schema", exc) from exc

    def config(self, stored: dict | None) -> dict:
        """The loaded config of a stored (enabled or frozen) JSON form.

        What is stored was valid when it was stored; if it no longer loads, the plugin changed
        its schema incompatibly, which is the plugin's fault, not the applicant's."""
        try:
            return self.load_config(stored)
        except RuleError as err:
            raise PluginFailure(self.name, "config_schema",
                                "stored config no longer validates: " + str(err)) from err

    # -- contributions --------------------------------------------------------------------------
    def tracks(self, config: dict) -> list[Track]:
        hook = "tongxin_tracks"
        tracks = _validated_list(self.name, hook, self.call(hook, config=config), Track)
        _validate_unique(self.name, hook, (t.key for t in tracks), "track")
        for t in tracks:
            _validate_text(self.name, hook, t.label, f"track {t.key!r} label")
            if t.applicants_clause is not None:
                _validate_text(self.name, hook, t.applicants_clause, f"track {t.key!r} applicants_clause")
            if not t.applicant_kinds or not all(isinstance(k, str) and k for k in t.applicant_kinds):
                raise PluginFailure(self.name, hook, f"track {t.key!r} applicant_kinds must name org-unit kinds")
            if not all(isinstance(c, Choice) for c in t.directions):
                raise PluginFailure(self.name, hook, f"track {t.key!r} directions must be Choice objects")
            _validate_unique(self.name, hook, (c.value for c in t.directions), f"direction of {t.key!r}")
        return tracks

    def track(self, config: dict, key: str) -> Track | None:
        return next((t for t in self.tracks(config) if t.key == key), None)

    def forms(self, config: dict, track: str | None = None, stage: str = "apply") -> list[FormSpec]:
        hook = "tongxin_forms"
        forms = _validated_list(self.name, hook, self.call(hook, config=config), FormSpec)
        for i, f in enumerate(forms):
            if not (isinstance(f.schema, type) and issubclass(f.schema, Schema)):
                raise PluginFailure(self.name, hook, f"form {f.key!r} schema is not a marshmallow Schema")
            _validate_text(self.name, hook, f.label, f"form {f.key!r} label")
            if f.clause is not None:
                _validate_text(self.name, hook, f.clause, f"form {f.key!r} clause")
            for other in forms[:i]:  # the same key may serve different tracks, never the same one
                if other.key == f.key and (other.tracks is None or f.tracks is None
                                           or set(other.tracks) & set(f.tracks)):
                    raise PluginFailure(self.name, hook, f"form {f.key!r} is declared twice for one track")
        return [f for f in forms if (track is None or f.tracks is None or track in f.tracks) and f.stage == stage]

    def endorsement(self, config: dict) -> EndorsementStep | None:
        hook = "tongxin_endorsement"
        step = self.call(hook, config=config)
        if step is not None and not isinstance(step, EndorsementStep):
            raise PluginFailure(self.name, hook, f"must return an EndorsementStep or None, got {step!r}")
        return step

    def validate_form(self, spec: FormSpec, data: dict) -> dict:
        """Load ``data`` with the form's schema and return what is stored (the schema's dump).
        Bad input raises ``RuleError`` naming each field (``<form key>.<field>``); the plugin's
        schema crashing (a validator with a bug) raises ``PluginFailure``: the schema is
        plugin code, contained like a hook."""
        try:
            schema = spec.schema()
            return schema.dump(schema.load(data))
        except ValidationError as err:
            raise RuleError(validation_violations(err, prefix=spec.key, schema=schema)) from err
        except Exception as exc:  # noqa: BLE001
            log.exception("plugin %s form %s failed", self.name, spec.key)
            raise PluginFailure(self.name, f"form:{spec.key}", exc) from exc

    def attachment_kinds(self, config: dict) -> list[AttachmentKind]:
        hook = "tongxin_attachment_kinds"
        kinds = _validated_list(self.name, hook, self.call(hook, config=config), AttachmentKind)
        _validate_unique(self.name, hook, (k.key for k in kinds), "attachment kind")
        return kinds

    def public_parts(self, config: dict) -> PublicParts:
        """What the policy marks public (nothing when it does not say)."""
        hook = "tongxin_public_parts"
        found = self.call(hook, config=config)
        if found is None:
            return PublicParts()
        if not isinstance(found, PublicParts) or not all(
                isinstance(x, str) for x in (*found.fields, *found.attachment_kinds)):
            raise PluginFailure(self.name, hook, "expected PublicParts(fields=(str, ...), attachment_kinds=(str, ...))")
        return found

    def budget_categories(self, config: dict) -> list[Choice]:
        hook = "tongxin_budget_categories"
        found = _validated_list(self.name, hook, self.call(hook, config=config), Choice)
        _validate_unique(self.name, hook, (c.value for c in found), "budget category")
        for c in found:
            _validate_text(self.name, hook, c.label, f"budget category {c.value!r} label")
        return found

    def tags(self, config: dict) -> list[Choice]:
        hook = "tongxin_tags"
        tags = _validated_list(self.name, hook, self.call(hook, config=config), Choice)
        _validate_unique(self.name, hook, (t.value for t in tags), "tag")
        return tags

    def phases(self, config: dict, year: int) -> list[Phase]:
        hook = "tongxin_phases"
        phases = _validated_list(self.name, hook, self.call(hook, config=config, year=year), Phase)
        _validate_unique(self.name, hook, (p.key for p in phases), "phase")
        for p in phases:
            if not (isinstance(p.starts, dt.date) and isinstance(p.ends, dt.date)):
                raise PluginFailure(self.name, hook, f"phase {p.key!r} needs dates")
            if p.ends < p.starts:
                raise PluginFailure(self.name, hook, f"phase {p.key!r} ends ({p.ends}) before it starts ({p.starts})")
        try:
            validate_allowances(phases, self.host.permissions.registry)
        except (TypeError, ValueError) as exc:
            raise PluginFailure(self.name, hook, str(exc)) from exc
        return phases

    def rubric(self, config: dict) -> list[Criterion]:
        hook = "tongxin_review_rubric"
        crit = _validated_list(self.name, hook, self.call(hook, config=config), Criterion)
        _validate_unique(self.name, hook, (c.key for c in crit), "criterion")
        if any(not isinstance(c.max_points, int) or isinstance(c.max_points, bool) or c.max_points <= 0 for c in crit):
            raise PluginFailure(self.name, hook, "max_points must be a positive integer")
        for c in crit:
            if c.clause is not None:
                _validate_text(self.name, hook, c.clause, f"criterion {c.key!r} clause")
        return crit

    def _rules(self, hook: str, config: dict, kind: type):
        """A hook answering one rules object or None (the policy keeps core's defaults: ``kind()``)."""
        rules = self.call(hook, config=config)
        if rules is None:
            return kind()
        if not isinstance(rules, kind):
            raise PluginFailure(self.name, hook, f"must return {kind.__name__} or None, got {rules!r}")
        return rules

    def review_rules(self, config: dict) -> ReviewRules:
        hook = "tongxin_review_rules"
        rules = self._rules(hook, config, ReviewRules)
        if rules.selection_cap is not None and (not _is_int(rules.selection_cap) or rules.selection_cap < 0):
            raise PluginFailure(self.name, hook, "selection_cap must be a whole number >= 0, or None")
        for what in ("all_scores_clause", "selection_clause", "selection_label"):
            if getattr(rules, what) is not None:
                _validate_text(self.name, hook, getattr(rules, what), what)
        return rules

    def judge(self, project: ProjectFacts, action: str, config: dict, context: RuleContext) -> list[Violation]:
        hook = "tongxin_project_rules"
        found = _validated_list(self.name, hook,
                            self.call(hook, project=project, action=action, config=config, context=context),
                            Violation)
        for v in found:  # a violation is shown to people: it must be able to render itself
            _validate_text(self.name, hook, v.message, f"violation {v.code!r} message")
            if v.clause is not None:
                _validate_text(self.name, hook, v.clause, f"violation {v.code!r} clause")
            if v.severity not in SEVERITIES:
                raise PluginFailure(self.name, hook, f"violation {v.code!r} severity must be one of {SEVERITIES}")
        return found

    def funds(self, config: dict) -> list[FundSpec]:
        from core.models.ledger import FundKind  # late: the kinds are the ledger's
        hook = "tongxin_funds"
        specs = _validated_list(self.name, hook, self.call(hook, config=config), FundSpec)
        _validate_unique(self.name, hook, (f.key for f in specs), "fund")
        kinds = {k.value for k in FundKind}
        for f in specs:
            _validate_text(self.name, hook, f.name, f"fund {f.key!r} name")
            for what in ("clause", "cap_clause", "allocation_clause"):
                if getattr(f, what) is not None:
                    _validate_text(self.name, hook, getattr(f, what), f"fund {f.key!r} {what}")
            if f.kind not in kinds:
                raise PluginFailure(self.name, hook, f"fund {f.key!r} kind must be one of {sorted(kinds)}")
            if f.owner not in FUND_OWNERS:
                raise PluginFailure(self.name, hook, f"fund {f.key!r} owner must be one of {FUND_OWNERS}")
            if f.cap_fen is not None and (not _is_int(f.cap_fen) or f.cap_fen < 0):
                raise PluginFailure(self.name, hook, f"fund {f.key!r} cap_fen must be whole fen >= 0 or None")
            if (f.kind == FundKind.subsidy.value) != bool(f.tier):
                raise PluginFailure(self.name, hook, f"fund {f.key!r}: a subsidy needs a tier, other kinds have none")
        return specs

    def funding(self, project: ProjectFacts, config: dict, context: RuleContext) -> list[Draw]:
        hook = "tongxin_funding"
        draws = _validated_list(self.name, hook, self.call(hook, project=project, config=config, context=context), Draw)
        keys = {f.key for f in self.funds(config)}
        for d in draws:
            if d.fund not in keys:
                raise PluginFailure(self.name, hook, f"draw from unknown fund {d.fund!r} (declared: {sorted(keys)})")
            if not _is_int(d.amount_fen) or d.amount_fen < 0:
                raise PluginFailure(self.name, hook, f"draw from {d.fund!r}: amount_fen must be whole fen >= 0")
        total = sum(d.amount_fen for d in draws)
        if project.approved_fen is not None and total > project.approved_fen:
            raise PluginFailure(self.name, hook, f"draws add up to {total} fen, more than the approved {project.approved_fen}")
        return [d for d in draws if d.amount_fen]

    def fund_request_rules(self, config: dict) -> FundRequestRules:
        return self._rules("tongxin_fund_requests", config, FundRequestRules)

    def obligations(self, config: dict) -> list:
        """What falls due under the policy (``tongxin_obligations``), validated
        (``core.plugin_host.obligations.validate_obligations``)."""
        from core.models.people import Role  # late: the roles are the people model's
        from core.plugin_host.obligations import Obligation, validate_obligations
        hook = "tongxin_obligations"
        found = _validated_list(self.name, hook, self.call(hook, config=config), Obligation)

        def fail(message: str):
            raise PluginFailure(self.name, hook, message)

        validate_obligations(found, {r.value for r in Role}, fail)
        return found

    def blueprints(self) -> list:
        from flask import Blueprint  # late: the rules side of the host does not need Flask
        return _validated_list(self.name, "tongxin_blueprints", self.call("tongxin_blueprints"), Blueprint)

    def migration_dirs(self) -> list[str]:
        hook = "tongxin_migration_dirs"
        dirs = _validated_list(self.name, hook, self.call(hook), (str, Path))
        for d in dirs:
            if not Path(d).is_dir():
                raise PluginFailure(self.name, hook, f"migration directory {str(d)!r} does not exist")
        return [str(d) for d in dirs]

    def transitioned(self, **kwargs) -> None:
        self.call("tongxin_project_transitioned", **kwargs)

    def project_panels(self, **kwargs) -> list[Panel]:
        hook = "tongxin_project_panels"  # gathered, not firstresult: one answer (a list) per plugin
        panels = [p for answer in self.call(hook, **kwargs) or [] for p in _validated_list(self.name, hook, answer, Panel)]
        if not all(isinstance(p.template, str) and p.template and isinstance(p.data, dict) and _is_int(p.order) for p in panels):
            raise PluginFailure(self.name, hook, "a Panel needs a template name, a dict of data and a whole-number order")
        return panels

    def hooks(self) -> list[str]:
        """The hooks this plugin implements."""
        return sorted(h.name for h in self.host.pm.get_hookcallers(self.plugin) or [])

    def describe(self) -> dict:
        defaults = self.stored_config({})
        return {
            "name": self.name,
            "title": {"zh": self.info.title.zh, "en": self.info.title.en},
            "version": self.info.version,
            "distribution": self.distribution,
            "source": {"zh": self.info.source.zh, "en": self.info.source.en},
            "programme_level": self.info.programme_level,
            "applies_below": self.info.applies_below,
            "config_defaults": defaults,
            "hooks": self.hooks(),
        }
