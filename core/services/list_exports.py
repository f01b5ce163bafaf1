"""Lists as tables to take away (导出): what a list page shows, row for row, as one table whose
headers are in the reader's language, amounts are integer fen (written as exact yuan) and days
are dates. ``core.documents.lists`` writes a table as .xlsx or as CSV.

An export reads through the very statement its page reads through (the projects list's
``core.services.projects.search.matching``, the funds list's ``visible_funds``), so it holds
what the reader may see and what the page's filters show, never more.

**Personal data.** The projects list carries each project's contact (the fields its policy's
forms mark ``personal``: a contact person and a phone). Whoever may read personal data of the
applicant (``A.person_read_personal``: the applicant's own unit and the street office) gets
them in full; anyone else gets them with every number masked (``core.personal_data.scrub``).
An export that holds any contact is recorded in the audit log as an export of personal data
(``person.export``), as the people registry's export is, so the caller commits after building
the file.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select

from core.clock import SHANGHAI
from core.i18n import T, Text
from core.models import AuditEntry, OrgUnit, Project, ProjectState
from core.permissions import A
from core.personal_data import scrub
from core.services import funds as fund_service
from core.services.context import Ctx
from core.services.programmes import policy_of
from core.services.projects.search import ProjectSearch, matching
from core.services.spreadsheets import Column
from core.violations import RuleError, Violation

EXPORT_LIMIT = 5_000  # rows in one export; the table says when the list held more


@dataclass
class Table:
    """One list as rows: ``columns`` (titles in the reader's language), ``rows`` in column order
    (yuan columns as integer fen, date columns as dates), ``total``: how many the list held."""

    name: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    total: int = 0


def local_day(moment: dt.datetime | None) -> dt.date | None:
    """The Shanghai day of a stored moment (the day the office saw it happen)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(SHANGHAI).date()


def _contact(policy, config, project: Project) -> str:
    """The project's contact: its forms' values in fields marked ``personal``, in form order."""
    values = []
    for spec in policy.forms(config, project.track):
        data = (project.forms or {}).get(spec.key) or {}
        for name, f in spec.schema().fields.items():
            if f.metadata.get("personal") and data.get(name) not in (None, "", []):
                values.append(str(data[name]))
    return " ".join(values)


PROJECT_COLUMNS = (
    (T("编号", "No."), "int"), (T("项目名称", "Title"), "text"), (T("年度", "Year"), "int"),
    (T("年度项目", "Programme"), "text"), (T("申报单位", "Applicant unit"), "text"), (T("项目类型", "Track"), "text"),
    (T("状态", "State"), "text"), (T("申请金额（元）", "Requested (yuan)"), "yuan"),
    (T("创建日期", "Created"), "date"), (T("提交日期", "Submitted"), "date"), (T("联系人及电话", "Contact"), "text"),
)


def projects_table(ctx: Ctx, search: ProjectSearch, locale: str) -> Table:
    """The projects list as the reader sees it with ``search``, newest first: three statements
    and one per programme's policy (read once each), whatever the number of rows."""
    if not ctx.actor.is_authenticated:  # an office's tool: the public reads the list on the page
        raise RuleError(Violation("unauthenticated", T("请先登录", "Log in first")), status=401)
    stmt = matching(ctx, search)
    rows = list(ctx.session.scalars(stmt.order_by(Project.id.desc()).limit(EXPORT_LIMIT + 1)).unique())
    table = Table(T("项目", "Projects").render(locale),
                  [Column(t.render(locale), kind, total=(kind == "yuan")) for t, kind in PROJECT_COLUMNS])
    table.total = len(rows)
    rows = rows[:EXPORT_LIMIT]
    full = readable_units(ctx, {p.applicant_unit_id for p in rows})
    policies: dict[int, tuple] = {}
    contacts = masked = 0
    for p in rows:
        if p.programme_id not in policies:
            policies[p.programme_id] = policy_of(ctx, p.programme)
        policy, config = policies[p.programme_id]
        track = policy.track(config, p.track)
        contact = _contact(policy, config, p)
        if contact:
            contacts += 1
            if p.applicant_unit_id not in full:
                contact, masked = scrub(contact), masked + 1
        table.rows.append([p.id, p.title, p.programme.year, p.programme.title, p.applicant_unit.name_in(locale),
                           track.label.render(locale) if track else p.track, ProjectState(p.state).label.render(locale),
                           int(p.requested_fen or 0), local_day(p.created_at), local_day(p.submitted_at), contact])
    if contacts:
        record_personal_export(ctx, "projects_list", contacts, full=masked == 0, asked=search.asked())
    return table


def readable_units(ctx: Ctx, unit_ids) -> set[int]:
    """Of ``unit_ids``, the units whose people's numbers the reader may read in full
    (``A.person_read_personal``): one statement."""
    return set(ctx.session.scalars(select(OrgUnit.id).where(
        OrgUnit.id.in_(set(unit_ids) or [-1]), ctx.where(A.person_read_personal, unit_path=OrgUnit.path))))


def record_personal_export(ctx: Ctx, what: str, people: int, *, full: bool, asked: dict) -> None:
    """An export holding people's contacts, in the audit log (who, when, which list, how many,
    whether the numbers were in full): the caller commits."""
    ctx.session.add(AuditEntry(actor_id=ctx.actor.id, action="person.export", entity="projects", entity_id=None,
                               org_unit_id=None, after={"format": what, "people": people, "full_numbers": full,
                                                        **asked}))
    ctx.session.flush()


FUND_COLUMNS = (
    (T("单位", "Unit"), "text"), (T("资金", "Fund"), "text"), (T("类型", "Kind"), "text"),
    (T("上限（元）", "Cap (yuan)"), "yuan"), (T("到位（元）", "Allocated (yuan)"), "yuan"),
    (T("已承诺（元）", "Committed (yuan)"), "yuan"), (T("认领预留（元）", "Held for claims (yuan)"), "yuan"),
    (T("已拨付（元）", "Disbursed (yuan)"), "yuan"), (T("已支出（元）", "Spent (yuan)"), "yuan"),
    (T("可用（元）", "Available (yuan)"), "yuan"),
)


def funds_table(ctx: Ctx, year: int, locale: str) -> Table:
    """The funds list of ``year`` as the funds page shows it (``visible_funds``: the funds the
    reader may see, with their balances derived from the ledger). A cap is not summed: caps of
    different funds are of different kinds."""
    rows = fund_service.visible_funds(ctx, year=year)
    title = T(f"资金{year}", f"Funds {year}").render(locale)
    table = Table(title, [Column(t.render(locale), kind, total=(kind == "yuan" and i != 3))
                          for i, (t, kind) in enumerate(FUND_COLUMNS)], total=len(rows))
    for f, b in rows:
        name = f"{f.name}·{f.tier}" if f.tier else f.name
        table.rows.append([f.org_unit.name_in(locale), name, f.kind_enum.label.render(locale), b.cap_fen,
                           b.allocated, b.committed, b.held, b.disbursed, b.spent, b.available])
    return table


def caption(table: Table, locale: str) -> Text | None:
    """What to say under a table cut at the export's limit."""
    if table.total <= len(table.rows):
        return None
    return T(f"仅导出前{len(table.rows)}条（共{table.total}条），请缩小筛选范围",
             f"Only the first {len(table.rows)} of {table.total} rows; narrow the filter")
