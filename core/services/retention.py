"""Retention of personal data: the people registries (项目人员名册) are kept as long as the
project's policies ask after its period ends, then anonymised.

- **How long.** The longest period any policy of the project declares
  (``DeliveryRules.retention_years``, a setting of each policy's config, e.g.
  ``registry_retention_years``), counted from the end of the year the project's period ends (the
  programme's year when it declares none) — the same date the registry page states
  (``core.services.delivery.people.retention_text``). Where no policy declares one, the
  deployment's ``TONGXIN_PERSONAL_DATA_RETENTION_YEARS`` (``Settings.personal_data_retention_years``)
  holds; unset, such registries are kept until the street office decides.
- **What happens.** Once the period has passed, each person's name becomes ``已匿名``, their ID
  and mobile numbers, address, duty and skills are removed, and the consent note says when and
  why; the row stays, so counts and volunteer hours still add up. Each change is in the audit
  log (``person.anonymise``; numbers masked as always). The log itself is append-only and is not
  rewritten: it holds the masked numbers only.
- **When.** ``tongxin personal-data retention`` (``--dry-run`` lists, changes nothing), run daily by
  the operator's scheduler or by hand; it takes the tenant explicitly and is idempotent.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from core.models import Project, RegistryPerson
from core.services.context import Ctx
from core.services.delivery.common import rules_of
from core.formats import day_text

ANONYMISED = "已匿名"


@dataclass(frozen=True)
class Due:
    project_id: int
    title: str
    kept_until: dt.date
    people: int
    years: int


def kept_until(ctx: Ctx, project: Project) -> tuple[dt.date, int] | None:
    """The last day the project's registry is kept, and the years that make it (None: no period)."""
    rules = rules_of(ctx, project)
    years = rules.retention_years
    if years is None:
        years = ctx.settings.personal_data_retention_years
    if years is None:
        return None
    ends = rules.ends.year if rules.ends else project.programme.year
    return dt.date(ends + years, 12, 31), years


def due(ctx: Ctx) -> list[Due]:
    """Projects of the tenant whose registry still names people after its retention ended."""
    today = ctx.clock.today()
    named = select(RegistryPerson.project_id).where(RegistryPerson.name != ANONYMISED).distinct()
    found = []
    for project in ctx.session.scalars(select(Project).where(Project.id.in_(named)).order_by(Project.id)):
        kept = kept_until(ctx, project)
        if kept is None or today <= kept[0]:
            continue
        count = len(_named(ctx, project.id))
        found.append(Due(project.id, project.title, kept[0], count, kept[1]))
    return found


def _named(ctx: Ctx, project_id: int) -> list[RegistryPerson]:
    return list(ctx.session.scalars(select(RegistryPerson).where(
        RegistryPerson.project_id == project_id, RegistryPerson.name != ANONYMISED)))


def apply(ctx: Ctx, *, dry_run: bool = False) -> list[Due]:
    """Anonymise every registry whose retention has ended (see the module doc); the caller commits."""
    found = due(ctx)
    if dry_run:
        return found
    today = ctx.clock.today()
    with ctx.action("person.anonymise"):
        for d in found:
            for person in _named(ctx, d.project_id):
                person.name = ANONYMISED
                person.id_number = None
                person.mobile = None
                person.address = person.duty = person.skills = ""
                person.consent_note = f"保存期限（{d.years}年，至{day_text(d.kept_until)}）届满，于{day_text(today)}匿名化"
    return found
