"""What the platform knows for a report, so it is never retyped (progress is derived from records).

A report shows, beside the form its writers fill in, the facts the platform holds about what it
reports on, and freezes them into each version handed in (``ObligationReport.facts``). Facts come
from *providers*: functions ``provider(ctx, subject) -> dict`` that the modules keeping the
records register into the platform's ``FactProviders`` (``core.plugin_host.report_facts``) when
the platform is built, each answering under its own top-level key. Core's ledger (here,
``register_core``) gives ``money`` (committed, disbursed and spent, fen) and ``projects`` (each
project the report covers, with its money: a town's report on its pilots lists each of them),
and ``fund`` for a fund's yearly account; the plan and the activities
(``core.services.delivery.report_facts``) give ``plan`` and ``activities``, and every form field
that names them is filled.

A form field is prefilled by naming a fact in its metadata, ``prefill="money.spent_fen"``; a
list of rows (``fields.List(fields.Nested(...))``) names a list of facts (``prefill="projects"``)
and is kept in step with it: one row per fact row, matched by the field's ``key`` metadata
(e.g. ``"project_id"``), the subfields marked ``readonly`` taken from the facts, the others from
what the writers sent (``merge_rows``).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

from marshmallow import Schema, fields
from sqlalchemy import select

from core.models import DueItem, OrgUnit, Project
from core.services import ledger
from core.services.context import Ctx

APPROVED = "approved"


@dataclass(frozen=True)
class ReportSubject:
    """What a report is about: its due item, the projects it covers (one, a unit's pilots, or
    none), the fund (for a fund's account) and the period it reports on."""

    item_id: int
    programme_id: int
    owner_unit_id: int
    project_ids: tuple[int, ...]
    fund_id: int | None
    starts: dt.date
    ends: dt.date


Provider = Callable[[Ctx, ReportSubject], "dict | None"]


def providers(ctx: Ctx) -> list[str]:
    """The names of the providers the platform registered (``ctx.host.report_facts``)."""
    return ctx.host.report_facts.names()


def report_subject(ctx: Ctx, item: DueItem) -> ReportSubject:
    """The projects a report covers: its own project, or for a unit's report on its pilots the
    approved projects of the programme whose applicants lie directly below the unit."""
    if item.project_id is not None:
        projects: tuple[int, ...] = (item.project_id,)
    elif item.fund_id is None:
        projects = tuple(ctx.session.scalars(
            select(Project.id).join(OrgUnit, OrgUnit.id == Project.applicant_unit_id)
            .where(Project.programme_id == item.programme_id, Project.state == APPROVED,
                   OrgUnit.parent_id == item.owner_unit_id).order_by(Project.id)))
    else:
        projects = ()
    return ReportSubject(item.id, item.programme_id, item.owner_unit_id, projects, item.fund_id,
                         item.period.starts_on, item.period.ends_on)


def facts(ctx: Ctx, item: DueItem) -> dict:
    """Every provider's facts about the item's subject, merged (each under its own keys)."""
    about = report_subject(ctx, item)
    out: dict = {}
    for provider in ctx.host.report_facts.providers():
        out.update(provider(ctx, about) or {})
    return out


def _share(spent: int, committed: int) -> int | None:
    return round(spent * 100 / committed) if committed else None


def ledger_facts(ctx: Ctx, about: ReportSubject) -> dict:
    """Money spent against money committed, per project and in all; a fund's own account."""
    out: dict = {}
    if about.project_ids:
        balances = ledger.balances_by_project(ctx, list(about.project_ids))
        rows = ctx.session.execute(select(Project.id, Project.title, OrgUnit.name)
                                   .join(OrgUnit, OrgUnit.id == Project.applicant_unit_id)
                                   .where(Project.id.in_(about.project_ids)).order_by(Project.id)).all()
        projects, total = [], {"committed_fen": 0, "disbursed_fen": 0, "spent_fen": 0}
        for pid, title, unit in rows:
            per = balances.get(pid, {}).values()
            money = {"committed_fen": sum(b.committed for b in per), "disbursed_fen": sum(b.disbursed for b in per),
                     "spent_fen": sum(b.spent for b in per)}
            money["spent_percent"] = _share(money["spent_fen"], money["committed_fen"])
            projects.append({"project_id": pid, "title": title, "unit": unit, **money})
            for k in total:
                total[k] += money[k]
        out["money"] = {**total, "spent_percent": _share(total["spent_fen"], total["committed_fen"])}
        out["projects"] = projects
    if about.fund_id is not None:
        b = ledger.balance(ctx, about.fund_id)
        out["fund"] = {"allocated_fen": b.allocated, "committed_fen": b.committed, "disbursed_fen": b.disbursed,
                       "spent_fen": b.spent, "available_fen": b.available}
    return out


def register_core(registry) -> None:
    """Register the ledger's facts (``money``, ``projects``, ``fund``) into a platform's
    ``FactProviders`` (``core.platform``); the plan's and the activities' are registered beside
    them (``core.services.delivery.report_facts``)."""
    registry.register("ledger", ledger_facts)


# -- forms: prefilled fields and rows ---------------------------------------------------------------

def lookup(found: dict, path: str):
    value = found
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _rows_field(f) -> Schema | None:
    """The nested schema of a list-of-rows field (``List(Nested(...))``), else None."""
    if isinstance(f, fields.List) and isinstance(f.inner, fields.Nested):
        nested = f.inner.schema
        return nested if isinstance(nested, Schema) else None
    return None


def row_fields(f) -> tuple[list[str], list[str]]:
    """(read-only subfields, editable subfields) of a list-of-rows field."""
    nested = _rows_field(f)
    if nested is None:
        return [], []
    readonly = [n for n, sub in nested.fields.items() if sub.metadata.get("readonly")]
    return readonly, [n for n in nested.fields if n not in readonly]


def initial(schema_cls: type[Schema], found: dict) -> dict:
    """The body a new report starts from: every field whose metadata names a fact."""
    out = {}
    for name, f in schema_cls().fields.items():
        path = f.metadata.get("prefill")
        value = lookup(found, path) if path else None
        if value is None:
            continue
        if _rows_field(f) is not None and isinstance(value, list):
            readonly, editable = row_fields(f)
            value = [{k: row.get(k) for k in readonly + editable if row.get(k) is not None} for row in value]
        out[name] = value
    return out


def merge_rows(schema_cls: type[Schema], body: dict, found: dict) -> dict:
    """``body`` with every prefilled list of rows kept in step with the facts: one row per fact
    row (matched by the field's ``key``, else by position), read-only subfields from the facts,
    the rest from ``body``."""
    out = dict(body)
    for name, f in schema_cls().fields.items():
        path = f.metadata.get("prefill")
        facts_rows = lookup(found, path) if path and _rows_field(f) is not None else None
        if not isinstance(facts_rows, list):
            continue
        readonly, editable = row_fields(f)
        sent = body.get(name) if isinstance(body.get(name), list) else []
        key = f.metadata.get("key")
        by_key = {row.get(key): row for row in sent if isinstance(row, dict)} if key else {}
        rows = []
        for i, fact in enumerate(facts_rows):
            mine = by_key.get(fact.get(key)) if key else (sent[i] if i < len(sent) and isinstance(sent[i], dict) else None)
            row = {k: fact.get(k) for k in readonly if fact.get(k) is not None}
            row.update({k: v for k, v in (mine or {}).items() if k in editable})
            rows.append(row)
        out[name] = rows
    return out
