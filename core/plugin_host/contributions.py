"""What a plugin contributes, as plain frozen data. Core validates these when it collects them.

Plugin authors import these through ``core.plugin_host.toolkit``.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal, Mapping

from marshmallow import Schema

from core.i18n import Text
from core.permissions.actions import Action


@dataclass(frozen=True)
class Choice:
    value: str
    label: Text


@dataclass(frozen=True)
class PolicyInfo:
    """A plugin's declaration of the policy it implements.

    ``config_schema``'s defaults are the source document's numbers; a street may change them
    when it enables the plugin, and a programme freezes them when it opens.
    ``programme_level`` says which org unit owns a programme ("street" or "district").
    ``applies_below``: the policy stacks on the programmes of the units below where it is enabled.
    """

    name: str
    title: Text
    version: str
    config_schema: type[Schema]
    source: Text  # the document the policy comes from, cited in refusals
    description: Text = Text("", "")
    programme_level: Literal["street", "district"] = "street"
    # The codes its rules refuse with (``Violation.code``), listed in the API's OpenAPI document
    # beside core's own so that a client knows every refusal it may meet.
    rule_codes: tuple[str, ...] = ()
    # Policies stack: True for a policy whose rules hold, wherever it is enabled, in every
    # programme of the units below too, beside that programme's own policy (a district's rules in
    # each of its streets). False (the default) for a call of its own: a city-wide call enabled at
    # the city judges only its own programmes, not the streets' programmes below it.
    applies_below: bool = False
    # Drafts are their authors' until submitted. True: the policy lets the street office above
    # the applicant follow its programmes' drafts in progress (title, unit, last edited, how
    # complete; never their content: ``core.services.projects.drafts``). False (the default): not.
    office_sees_drafts: bool = False
    # The words the policy's documents use for kinds of org unit, by kind ("neighbourhood",
    # "street"), which pages under the policy print instead of core's (居民区, 街道): a county-level
    # city's call says 社区/村 and 镇（街道）, e.g. ``{"neighbourhood": T("社区/村", "Community or village")}``.
    # Core names no place; a kind the policy leaves out keeps core's word (``core.web.place``).
    unit_words: Mapping[str, Text] = field(default_factory=dict)


@dataclass(frozen=True)
class Track:
    """A kind of project a programme accepts (a track or project type).

    ``applicant_kinds`` says who may apply: the org-unit kinds ("neighbourhood", "street", ...)
    of applicants at or below the programme's unit. The programme's own unit may apply too
    when its kind is listed (a street office applying for a street-level co-governance project
    in its own programme); someone else then decides it (core refuses the decision to whoever
    may apply for it). ``applicants_clause`` is the clause that says so, cited when core
    refuses an applicant."""

    key: str
    label: Text
    description: Text = Text("", "")
    applicant_kinds: tuple[str, ...] = ("neighbourhood",)
    applicants_clause: Text | None = None
    # Choices offered as the track's "directions" (意向 / 内容); the forms use them.
    directions: tuple[Choice, ...] = ()


@dataclass(frozen=True)
class FormSpec:
    """A form of the policy (申报意向表, 申报表 ...). Its marshmallow schema is the single source
    of truth: it validates the API, renders the HTML form and fills exported documents.
    Field metadata understood by core: ``label`` (Text), ``help`` (Text), ``widget``
    ("textarea", "checkboxes", "select", "date", "number"), ``choices`` (tuple of Choice),
    ``clause`` (Text: the source's words cited when the field's value is refused), ``personal``
    (True: the field holds personal data, a contact person or a phone, and is never shown to the
    public, whatever ``tongxin_public_parts`` marks).
    """

    key: str
    label: Text
    schema: type[Schema]
    tracks: tuple[str, ...] | None = None  # None: every track
    required_for_submit: bool = True
    # "apply": filled by the applicant; "decide": filled by whoever decides, with the decision
    # (e.g. the subsidy tier given at selection), stored in ``Decision.details[key]``.
    stage: Literal["apply", "decide"] = "apply"
    clause: Text | None = None  # what asks for the form, cited when it is missing (default: the source)


@dataclass(frozen=True)
class AttachmentKind:
    key: str
    label: Text
    required_for_submit: bool = False
    content_types: tuple[str, ...] = ("application/pdf", "image/jpeg", "image/png",
                                      "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    clause: Text | None = None


@dataclass(frozen=True)
class PublicParts:
    """What of a project under this policy the public may see (``tongxin_public_parts``):
    form fields as ``"<form key>.<field>"`` and attachment kinds by key. Everything else of a
    project's forms and files needs a login. Core holds a floor under it: a field whose schema
    metadata says ``personal`` (a contact person, a phone) is never shown, whatever is marked,
    and phone and ID numbers are masked in whatever is shown (``core.services.publication``)."""

    fields: tuple[str, ...] = ()
    attachment_kinds: tuple[str, ...] = ()


# How firmly a phase limits an action outside its dates (as a violation's severity): "block"
# refuses; "needs_approval" refuses unless the one acting holds the named approver role and
# gives a reason (recorded in the audit log).
Firmness = Literal["block", "needs_approval"]
# Action names that programmes opened before phases were typed still carry in their frozen
# calendar; read as the typed action they meant.
LEGACY_ACTIONS = {"submit": "project.apply", "claim": "pledge.claim", "fund_request": "fund_request.file"}


@dataclass(frozen=True)
class Allow:
    """One action a phase allows, with the clause of the source that says so.

    ``action``: a typed action (``A.fund_request_file``, or one of the plugin's own
    ``Action``s; a key nobody declared keeps the plugin out when it loads). ``firmness`` and
    ``approver`` (a role name such as "street_admin", required for "needs_approval") say how
    firmly the phase limits the action outside its dates. ``correction_days``: the correction
    period (补正) — a returned application may still take the action this many days after the
    window closes, or after it was returned if that is later."""

    action: Action | str
    clause: Text
    firmness: Firmness = "block"
    approver: str | None = None
    correction_days: int = 0

    @property
    def key(self) -> str:
        return self.action.key if isinstance(self.action, Action) else str(self.action)

    def as_json(self) -> dict:
        return {"action": self.key, "clause_zh": self.clause.zh, "clause_en": self.clause.en,
                "firmness": self.firmness, "approver": self.approver, "correction_days": self.correction_days}

    @classmethod
    def from_json(cls, d: dict) -> "Allow":
        return cls(d["action"], Text(d.get("clause_zh", ""), d.get("clause_en", "")), d.get("firmness", "block"),
                   d.get("approver"), int(d.get("correction_days") or 0))


@dataclass(frozen=True)
class Phase:
    """A window of the programme's year. ``allows`` lists the actions open during it
    (``Allow``: typed action, clause, firmness, correction period). Core checks every action
    a policy names in some phase against them (``core.services.calendar``): allowed while any
    phase allowing it is open; an action no phase names is allowed all year."""

    key: str
    label: Text
    starts: dt.date
    ends: dt.date
    allows: tuple[Allow, ...] = ()

    def is_open(self, day: dt.date) -> bool:
        return self.starts <= day <= self.ends

    @property
    def action_keys(self) -> list[str]:
        return sorted({a.key for a in self.allows})

    def allowance(self, action: Action | str) -> Allow | None:
        key = action.key if isinstance(action, Action) else action
        return next((a for a in self.allows if a.key == key), None)

    def as_json(self) -> dict:
        return {"key": self.key, "label_zh": self.label.zh, "label_en": self.label.en,
                "starts": self.starts.isoformat(), "ends": self.ends.isoformat(),
                "allows": [a.as_json() for a in self.allows]}

    @classmethod
    def from_json(cls, d: dict) -> "Phase":
        allows = tuple(Allow.from_json(a) if isinstance(a, dict) else Allow(LEGACY_ACTIONS.get(a, a), Text("", ""))
                       for a in d.get("allows", ()))
        return cls(d["key"], Text(d["label_zh"], d["label_en"]), dt.date.fromisoformat(d["starts"]),
                   dt.date.fromisoformat(d["ends"]), allows)


@dataclass(frozen=True)
class Criterion:
    """One line of a review rubric: a reviewer gives 0..max_points. ``clause``: what the review
    weighs, cited when a score is refused (default: the policy's source)."""

    key: str
    label: Text
    max_points: int
    description: Text = Text("", "")
    weight: int = 1
    clause: Text | None = None


@dataclass(frozen=True)
class EndorsementStep:
    """An intermediate level that checks and stamps applications before the programme's panel
    sees them (a town endorsing its communities' applications to a city-wide call).

    ``level`` is the org-unit kind of the applicant's ancestor that endorses; its street
    administrators do it. The stamp page is stored as an attachment of ``stamp_attachment_kind``."""

    level: str = "street"
    label: Text = Text("审核盖章", "endorsement")
    stamp_attachment_kind: str = "stamp_page"
    stamp_required: bool = False
    clause: Text | None = None


# Which org unit owns a fund the policy declares, relative to the project it pays for.
FundOwner = Literal["programme", "applicant", "applicant_parent"]


@dataclass(frozen=True)
class FundSpec:
    """A fund the policy's projects draw on (``tongxin_funds``).

    ``key`` names it inside the policy ("pool", "line"); ``kind`` is a core fund kind
    ("budget_line", "pool", "subsidy", "sponsor_fund"); ``owner`` says whose fund it is: the
    unit that runs the programme, the applicant, or the applicant's parent (a village's town).
    Core finds or creates one fund per (owner unit, programme year, kind, ``name``), with
    ``cap_fen`` as its cap (from the plugin's config; None: bounded by what was allocated) and
    ``tier`` for a subsidy. A refused commitment cites the clause of the limit it hit:
    ``cap_clause`` beyond the cap, ``allocation_clause`` beyond the money allocated (received);
    ``clause`` (what the fund is) stands in for either when it is not given."""

    key: str
    kind: str
    owner: FundOwner
    name: Text
    cap_fen: int | None = None
    tier: str | None = None
    clause: Text | None = None
    cap_clause: Text | None = None
    allocation_clause: Text | None = None

    def clause_for(self, code: str) -> Text | None:
        """The clause a refusal with ``code`` (the ledger's "over_cap", "over_allocation") cites."""
        specific = {"over_cap": self.cap_clause, "over_allocation": self.allocation_clause}.get(code)
        return specific or self.clause


@dataclass(frozen=True)
class Draw:
    """Part of an approved project's money, committed from the fund named by ``fund`` (a
    ``FundSpec.key``) when the decision is recorded (``tongxin_funding``)."""

    fund: str
    amount_fen: int
    note: Text = Text("", "")


@dataclass(frozen=True)
class FundRequestRules:
    """How the policy wants monthly fund requests (资金申请) handled (``tongxin_fund_requests``).

    ``beneficiaries_required``: the request must say who benefits (使用对象), besides its purpose.
    ``supervision``: a supervision-committee member (role ``supervisor`` at the applicant or
    above) must check each request before the street office may include it in a batch.
    ``clause`` is cited when either is missing."""

    beneficiaries_required: bool = False
    supervision: bool = False
    supervision_label: Text = Text("监督委员会审核", "supervision committee's sign-off")
    clause: Text | None = None


@dataclass(frozen=True)
class ReviewRules:
    """How the policy wants its panel's review handled (``tongxin_review_rules``).

    ``all_scores_required``: the decision is refused until every member of the programme's
    panel has scored the project (``all_scores_clause`` is cited); otherwise the decider is
    warned and must confirm explicitly. ``selection_cap``: how many projects of a programme may
    be approved in all (None: no cap), shown on the review queue as ``selection_label`` (e.g.
    "试点") with ``selection_clause``; the policy's own ``tongxin_project_rules`` enforces it."""

    all_scores_required: bool = False
    all_scores_clause: Text | None = None
    selection_cap: int | None = None
    selection_label: Text = Text("立项", "approved")
    selection_clause: Text | None = None


@dataclass(frozen=True)
class PermissionRule:
    """One row a plugin adds to the permission table (``tongxin_permissions``): ``role`` (a core
    role name, e.g. "street_admin") may take ``action`` (a core action key such as
    "fund_request.accept", or one of the plugin's own ``Action``s) on objects in ``scope``
    ("below", "above", "own_unit", "programme", "panel", "panel_chair", "sponsor_of", "self",
    "anywhere", "assigned"; see ``core.permissions.table.Scope``). ``note`` says why, for docs/permissions.md."""

    role: str
    action: str | Action
    scope: str = "below"
    note: Text | None = None


@dataclass(frozen=True)
class Permissions:
    """What a plugin adds to the permission table: its own actions (keys start with the
    plugin's name, e.g. "riverside.visit") and rows. Checked when the plugin loads: an unknown
    role, scope or action keeps the plugin out, so a misspelt action cannot go unnoticed."""

    actions: tuple[Action, ...] = ()
    rules: tuple[PermissionRule, ...] = ()


@dataclass(frozen=True)
class Panel:
    """A section of the project page (``tongxin_project_panels``): the Jinja template that draws
    it, what the template reads (as ``panel.data``) and its place among the page's sections
    (``order``, lower first; core's own use 30 to 80; sections of equal order keep the order in
    which they were given)."""

    template: str
    data: dict = field(default_factory=dict)
    order: int = 50
