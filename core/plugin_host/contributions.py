"""What a plugin contributes, as plain frozen data. Core validates these when it collects them.

Plugin authors import these through ``core.plugin_host.toolkit``.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from marshmallow import Schema

from core.i18n import Text


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
    """

    name: str
    title: Text
    version: str
    config_schema: type[Schema]
    source: Text  # the document the policy comes from, cited in refusals
    description: Text = Text("", "")
    programme_level: Literal["street", "district"] = "street"


@dataclass(frozen=True)
class Track:
    """A kind of project a programme accepts (a track or project type)."""

    key: str
    label: Text
    description: Text = Text("", "")
    applicant_kinds: tuple[str, ...] = ("neighbourhood",)
    # Choices offered as the track's "directions" (意向 / 内容); the forms use them.
    directions: tuple[Choice, ...] = ()


@dataclass(frozen=True)
class FormSpec:
    """A form of the policy (申报意向表, 申报表 ...). Its marshmallow schema is the single source
    of truth: it validates the API, renders the HTML form and fills exported documents.
    Field metadata understood by core: ``label`` (Text), ``help`` (Text), ``widget``
    ("textarea", "checkboxes", "select", "date", "number"), ``choices`` (tuple of Choice).
    """

    key: str
    label: Text
    schema: type[Schema]
    tracks: tuple[str, ...] | None = None  # None: every track
    required_for_submit: bool = True
    # "apply": filled by the applicant; "decide": filled by whoever decides, with the decision
    # (e.g. the subsidy tier given at selection), stored in ``Decision.details[key]``.
    stage: Literal["apply", "decide"] = "apply"


@dataclass(frozen=True)
class AttachmentKind:
    key: str
    label: Text
    required_for_submit: bool = False
    content_types: tuple[str, ...] = ("application/pdf", "image/jpeg", "image/png",
                                      "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    clause: Text | None = None


@dataclass(frozen=True)
class Phase:
    """A window of the programme's year. ``allows`` names the actions open during it: core
    refuses a submission unless a phase allowing "submit" is open; other names are
    informational for now."""

    key: str
    label: Text
    starts: dt.date
    ends: dt.date
    allows: frozenset[str] = field(default_factory=frozenset)

    def is_open(self, day: dt.date) -> bool:
        return self.starts <= day <= self.ends

    def as_json(self) -> dict:
        return {"key": self.key, "label_zh": self.label.zh, "label_en": self.label.en,
                "starts": self.starts.isoformat(), "ends": self.ends.isoformat(),
                "allows": sorted(self.allows)}

    @classmethod
    def from_json(cls, d: dict) -> "Phase":
        return cls(d["key"], Text(d["label_zh"], d["label_en"]), dt.date.fromisoformat(d["starts"]),
                   dt.date.fromisoformat(d["ends"]), frozenset(d.get("allows", ())))


@dataclass(frozen=True)
class Criterion:
    """One line of a review rubric: a reviewer gives 0..max_points."""

    key: str
    label: Text
    max_points: int
    description: Text = Text("", "")
    weight: int = 1


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
