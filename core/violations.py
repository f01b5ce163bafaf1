"""Rules answer with reasons.

A `Violation` says what is wrong (code), in words people recognise (message, zh + en), which
field it concerns, which clause of the source document it comes from, and whether it blocks
or can be overridden by a named approval (for example the review panel's).
`RuleError` carries one or more violations out of a service; the API and web layers render
them as a 4xx with every field named.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Literal

from core.i18n import Text

Severity = Literal["block", "needs_approval"]


@dataclass(frozen=True)
class Violation:
    code: str
    message: Text
    field: str | None = None
    clause: Text | None = None
    severity: Severity = "block"
    approver: str | None = None  # who may approve it when severity == "needs_approval"

    @property
    def blocks(self) -> bool:
        return self.severity == "block"

    def as_dict(self, locale: str = "zh") -> dict:
        return {
            "code": self.code,
            "field": self.field,
            "message": self.message.render(locale),
            "clause": self.clause.render(locale) if self.clause else None,
            "severity": self.severity,
            "approver": self.approver,
        }


class RuleError(Exception):
    """A refusal with reasons. `status` is the HTTP status the API answers with."""

    status = 422

    def __init__(self, violations: Iterable[Violation] | Violation, status: int | None = None):
        if isinstance(violations, Violation):
            violations = [violations]
        self.violations: list[Violation] = list(violations)
        if status is not None:
            self.status = status
        super().__init__("; ".join(f"{v.code}: {v.message.zh}" for v in self.violations))


class NotFound(RuleError):
    status = 404

    def __init__(self, what: Text, field: str | None = None):
        # The same answer for "does not exist" and "belongs to another tenant": no probing.
        super().__init__(Violation(
            "not_found",
            Text(f"未找到{what.zh}，或您无权查看", f"{what.en} not found, or you may not see it"),
            field=field))


class Forbidden(RuleError):
    status = 403

    def __init__(self, message: Text, field: str | None = None):
        super().__init__(Violation("forbidden", message, field=field))


def require(condition: bool, code: str, message: Text, *, field: str | None = None,
            clause: Text | None = None, status: int = 422) -> None:
    if not condition:
        raise RuleError(Violation(code, message, field=field, clause=clause), status=status)


@dataclass
class Violations:
    """Collects violations so a form can report every problem at once."""

    items: list[Violation] = field(default_factory=list)

    def add(self, v: Violation | None) -> None:
        if v is not None:
            self.items.append(v)

    def extend(self, vs: Iterable[Violation] | None) -> None:
        for v in vs or ():
            self.add(v)

    @property
    def blocking(self) -> list[Violation]:
        return [v for v in self.items if v.blocks]

    def raise_if_blocking(self) -> None:
        if self.blocking:
            raise RuleError(self.blocking)
